"""Sign-in lockouts: 5 wrong passwords for a username from one address lock that pair, 20 from any
addresses lock the username everywhere; the right password is refused while locked; admins lift locks."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client as Browser
from django.utils import timezone

from clients.models import AccessEvent, AccessKind
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(password, ip="198.51.100.7", username="tara", **headers):
    return Browser().post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, **headers)


def signed_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def test_five_wrong_passwords_lock_the_username_from_that_address(therapist):
    for n in range(4):
        assert sign_in(f"wrong-{n}").status_code == 200
    fifth = sign_in("wrong-4")
    assert fifth.status_code == 429
    refused = sign_in(PASSWORD)
    assert refused.status_code == 429 and not signed_in(refused)
    page = refused.content.decode()
    assert "Too many failed sign-ins: this account is locked for 15 minutes" in page
    assert 'name="password"' in page  # the sign-in page, not a bare error page

    assert signed_in(sign_in(PASSWORD, ip="203.0.113.5"))  # another address is not locked


def test_four_wrong_passwords_then_the_right_one_signs_in_and_starts_afresh(therapist):
    for n in range(4):
        sign_in(f"wrong-{n}")
    assert signed_in(sign_in(PASSWORD))
    for n in range(4):
        sign_in(f"wrong-again-{n}")
    assert signed_in(sign_in(PASSWORD))


def test_the_lock_ends_after_fifteen_minutes(therapist):
    for n in range(5):
        sign_in(f"wrong-{n}")
    assert not signed_in(sign_in(PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert signed_in(sign_in(PASSWORD))


def test_twenty_failures_from_different_addresses_lock_the_username_everywhere(therapist):
    for n in range(20):
        sign_in(f"wrong-{n}", ip=f"203.0.113.{n + 1}")
    assert AccessAttempt.objects.filter(username="tara").count() == 20
    refused = sign_in(PASSWORD, ip="192.0.2.200")  # an address never seen before
    assert refused.status_code == 429 and not signed_in(refused)
    assert not signed_in(sign_in(PASSWORD, ip="192.0.2.201"))


def test_nineteen_failures_from_different_addresses_do_not_lock(therapist):
    for n in range(19):
        sign_in(f"wrong-{n}", ip=f"203.0.113.{n + 1}")
    assert signed_in(sign_in(PASSWORD, ip="192.0.2.200"))


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(therapist, settings):
    # Without a trusted proxy a client cannot escape the lock by naming a new address.
    for n in range(5):
        sign_in(f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert not signed_in(sign_in(PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99"))

    # Behind our proxy, each client is counted under its own address.
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for n in range(5):
        sign_in(f"wrong-{n}", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert not signed_in(sign_in(PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.50"))
    assert signed_in(sign_in(PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.51"))


def test_admin_sees_and_lifts_a_lock_and_the_lift_is_logged(login, therapist, clinic_admin):
    for n in range(5):
        sign_in(f"wrong-{n}")
    admin = login(clinic_admin)
    page = admin.get("/team/locks/")
    assert page.status_code == 200
    [lock] = page.context["locks"]
    assert (lock.username, lock.ip_address, lock.failures) == ("tara", "198.51.100.7", 5)

    response = admin.post("/team/locks/lift/", {"username": "tara", "ip_address": "198.51.100.7"})
    assert response.status_code == 302
    assert admin.get("/team/locks/").context["locks"] == []
    assert signed_in(sign_in(PASSWORD))
    event = AccessEvent.objects.get(kind=AccessKind.LOCK_LIFT)
    assert (event.actor, event.subject, event.object_ref) == (clinic_admin, therapist, "tara from 198.51.100.7")


def test_admin_lifts_a_lock_everywhere(login, therapist, clinic_admin):
    for n in range(20):
        sign_in(f"wrong-{n}", ip=f"203.0.113.{n + 1}")
    admin = login(clinic_admin)
    [lock] = admin.get("/team/locks/").context["locks"]
    assert (lock.ip_address, lock.failures) == (None, 20)
    admin.post("/team/locks/lift/", {"username": "tara"})
    assert signed_in(sign_in(PASSWORD, ip="192.0.2.200"))
    assert AccessEvent.objects.get(kind=AccessKind.LOCK_LIFT).object_ref == "tara everywhere"


def test_therapists_cannot_see_or_lift_locks(login, therapist, second_therapist):
    for n in range(5):
        sign_in(f"wrong-{n}", username="sam")
    assert login(therapist).get("/team/locks/").status_code == 403
    assert login(therapist).post("/team/locks/lift/", {"username": "sam"}).status_code == 403
    assert login(therapist).get("/team/locks/lift/").status_code in (403, 405)
    assert AccessAttempt.objects.filter(username="sam").exists()
