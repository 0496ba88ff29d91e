"""Two-factor sign-in: enrolment with a server-drawn QR code, a code after the password, one-time
recovery codes, MFA_REQUIRED, an admin's reset of a lost device, and the deploy check."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client as Browser
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clients.models import AccessEvent, AccessKind
from planner import mfa
from planner.account_forms import set_role
from planner.checks import two_factor_sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]


def code_now(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def enrol(user):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, mfa.new_recovery_codes(user)


def sign_in(user, browser=None):
    browser = browser or Browser()
    response = browser.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    return browser, response


def test_admin_signs_in_with_password_then_a_code_from_the_app(clinic_admin, settings):
    settings.MFA_REQUIRED = "admins"
    device, _codes = enrol(clinic_admin)
    browser, response = sign_in(clinic_admin)
    assert response.status_code == 302 and response["Location"] == "/accounts/mfa/"
    # Signed in with the password only, nothing else opens yet.
    for url in ("/", "/clients/", "/team/", "/clients/export.csv"):
        held = browser.get(url)
        assert held.status_code == 302 and held["Location"] == "/accounts/mfa/", url
    assert "Enter your sign-in code" in browser.get("/accounts/mfa/").content.decode()
    assert browser.post("/accounts/keep-alive/").status_code == 200  # the idle warning works here too

    wrong = browser.post("/accounts/mfa/", {"code": "000000" if code_now(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()

    # Each wrong code makes the next try wait (1 s, then 2, 4, ...): even the right one is refused now.
    throttled = browser.post("/accounts/mfa/", {"code": code_now(device)})
    # One wrong code waits a second: said as such, not as "too many" or "a minute".
    [said] = throttled.context["form"].errors["code"]
    assert throttled.status_code == 400 and said.startswith("A wrong code was entered just before: wait 1 second, then")
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))

    response = browser.post("/accounts/mfa/", {"code": code_now(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert browser.get("/team/").status_code == 200


def test_a_recovery_code_signs_in_once_only(clinic_admin, settings):
    settings.MFA_REQUIRED = "admins"
    _device, codes = enrol(clinic_admin)
    browser, _ = sign_in(clinic_admin)
    assert browser.post("/accounts/mfa/", {"code": codes[0].upper()}).status_code == 302
    assert browser.get("/").status_code == 200
    assert mfa.recovery_codes_left(clinic_admin) == 9

    again, _ = sign_in(clinic_admin)
    refused = again.post("/accounts/mfa/", {"code": codes[0]})
    assert refused.status_code == 400
    assert again.get("/").status_code == 302


def test_an_admin_without_a_device_enrols_with_a_qr_code_drawn_by_the_server(clinic_admin, settings):
    settings.MFA_REQUIRED = "admins"
    browser, response = sign_in(clinic_admin)
    assert response["Location"] == "/accounts/mfa/"
    page = browser.get("/accounts/mfa/")
    html = page.content.decode()
    assert page.status_code == 200 and "Set up two-factor sign-in" in html
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in html
    assert "<img" not in html.split("<main", 1)[-1]  # drawn inline, not fetched from a service
    assert "style=" not in html  # the page keeps to the Content-Security-Policy
    device = TOTPDevice.objects.get(user=clinic_admin, confirmed=False)
    assert device.config_url.split("secret=")[1].split("&")[0] in html.replace(" ", "")
    # Typed by hand, the key's O is not taken for a zero: base32 has no 0 or 1, and the page says so.
    assert "an O is the letter O, and there is no zero or one" in html

    codes_page = browser.post("/accounts/mfa/", {"code": code_now(device)})
    assert codes_page.status_code == 200
    assert len(codes_page.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert browser.get("/team/").status_code == 200


def test_when_off_a_therapist_signs_in_with_the_password_alone(therapist, settings):
    settings.MFA_REQUIRED = "off"
    browser, response = sign_in(therapist)
    assert response["Location"] == "/"
    assert browser.get("/").status_code == 200


def test_admins_only_leaves_therapists_free_to_choose(therapist, settings):
    settings.MFA_REQUIRED = "admins"
    assert sign_in(therapist)[1]["Location"] == "/"
    device, _ = enrol(therapist)  # a therapist who turned it on for themselves is asked too
    browser, response = sign_in(therapist)
    assert response["Location"] == "/accounts/mfa/"
    assert browser.post("/accounts/mfa/", {"code": code_now(device)})["Location"] == "/"


def test_everyone_means_therapists_too(therapist, settings):
    settings.MFA_REQUIRED = "everyone"
    browser, response = sign_in(therapist)
    assert response["Location"] == "/accounts/mfa/"
    assert browser.get("/clients/").status_code == 302


def test_the_sign_in_returns_to_the_page_asked_for(clinic_admin, settings):
    settings.MFA_REQUIRED = "admins"
    device, _ = enrol(clinic_admin)
    browser = Browser()
    browser.post("/accounts/login/", {"username": clinic_admin.username, "password": PASSWORD, "next": "/clients/"})
    assert browser.post("/accounts/mfa/", {"code": code_now(device)})["Location"] == "/clients/"


def test_an_admin_resets_a_lost_device_and_it_is_logged(login, clinic_admin, therapist):
    enrol(therapist)
    admin = login(clinic_admin)
    assert "Reset two-factor sign-in" in admin.get(f"/team/{therapist.pk}/edit/").content.decode()
    response = admin.post(f"/team/{therapist.pk}/mfa-reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=therapist).exists()
    assert not StaticToken.objects.filter(device__user=therapist).exists()
    event = AccessEvent.objects.get(kind=AccessKind.MFA_RESET)
    assert (event.actor, event.subject) == (clinic_admin, therapist)


def test_a_therapist_cannot_reset_a_device(login, therapist, second_therapist):
    enrol(second_therapist)
    assert login(therapist).post(f"/team/{second_therapist.pk}/mfa-reset/").status_code == 403
    assert login(therapist).get(f"/team/{second_therapist.pk}/mfa-reset/").status_code in (403, 405)
    assert TOTPDevice.objects.filter(user=second_therapist).exists()


def test_new_recovery_codes_replace_the_old(login, therapist):
    _device, old = enrol(therapist)
    page = login(therapist).post("/accounts/mfa/recovery-codes/")
    assert page.status_code == 200
    new = page.context["codes"]
    assert set(StaticToken.objects.filter(device__user=therapist).values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


def test_the_deploy_check_warns_when_mfa_is_off(settings):
    settings.DEBUG = False
    settings.MFA_REQUIRED = "off"
    assert [w.id for w in two_factor_sign_in(None)] == ["planner.W001"]
    settings.MFA_REQUIRED = "admins"
    assert two_factor_sign_in(None) == []


def test_check_deploy_warns_with_mfa_off_and_defaults_to_admins_with_https():
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY": "k" * 60 + "-a-long-random-looking-secret-key-for-the-check",
        "ALLOWED_HOSTS": "clinic.example.org",
    }
    for name in ("MFA_REQUIRED", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the browser tests set the last
        env.pop(name, None)
    command = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    quiet = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    loud = subprocess.run(command, cwd=BASE_DIR, env={**env, "MFA_REQUIRED": "off"}, capture_output=True, text=True)
    assert loud.returncode == 1 and "planner.W001" in loud.stderr


def test_after_many_wrong_codes_the_refusal_says_when_to_try_again(clinic_admin, settings):
    settings.MFA_REQUIRED = "admins"
    device, _codes = enrol(clinic_admin)
    browser, _ = sign_in(clinic_admin)
    # Ten wrong codes: the next try must wait 2 ** 9 seconds, not "a minute".
    last_wrong = timezone.now()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=10, throttling_failure_timestamp=last_wrong)
    refused = browser.post("/accounts/mfa/", {"code": code_now(device)})
    until = timezone.localtime(last_wrong + timedelta(seconds=512))
    # The minute shown is the first whole minute the wait is over: a try then is not refused again.
    shown = until if not (until.second or until.microsecond) else until.replace(second=0, microsecond=0)
    shown += timedelta(minutes=1) if (until.second or until.microsecond) else timedelta(0)
    assert refused.status_code == 400
    [error] = refused.context["form"].errors["code"]
    assert error.startswith(f"Too many wrong codes: try again after {shown:%H:%M}")  # and the day, after midnight
    assert browser.get("/").status_code == 302  # still held at the code


def test_a_signed_in_therapist_made_a_clinic_admin_is_asked_for_a_second_factor(login, therapist, settings):
    settings.MFA_REQUIRED = "admins"
    browser, response = sign_in(therapist)
    assert response["Location"] == "/" and browser.get("/").status_code == 200
    set_role(therapist, "both")  # by a clinic admin, while this session goes on
    for url in ("/", "/team/", "/clients/export.csv"):
        held = browser.get(url)
        assert held.status_code == 302 and held["Location"] == "/accounts/mfa/", url
    # Set up now, the session is a full one again.
    browser.get("/accounts/mfa/")
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    assert browser.post("/accounts/mfa/", {"code": code_now(device)}).status_code == 200
    assert browser.get("/team/").status_code == 200


def test_with_mfa_off_a_new_clinic_admin_goes_on_with_the_password(therapist, settings):
    settings.MFA_REQUIRED = "off"
    browser, _ = sign_in(therapist)
    set_role(therapist, "both")
    assert browser.get("/team/").status_code == 200


def test_a_session_verified_with_a_device_that_was_reset_signs_in_again(therapist, settings):
    """A lost phone: once a clinic admin resets the device, a session verified with it (perhaps the
    thief's) is signed out within a minute, not kept until it ends on its own."""
    from planner import middleware

    settings.MFA_REQUIRED = "everyone"
    device, _codes = enrol(therapist)
    browser, _ = sign_in(therapist)
    assert browser.post("/accounts/mfa/", {"code": code_now(device)}).status_code == 302
    assert browser.get("/clients/").status_code == 200
    mfa.reset(therapist)  # what Reset two-factor sign-in on the Team page does
    session = browser.session
    session[middleware.DEVICE_CHECKED_KEY] = 0  # the last look at the device was over a minute ago
    session.save()
    signed_out = browser.get("/clients/")
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in browser.session
    page = browser.get(signed_out["Location"]).content.decode()
    assert "Your two-factor sign-in was reset: sign in again." in page


def test_a_verified_session_looks_its_device_up_at_most_once_a_minute(therapist, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.MFA_REQUIRED = "everyone"
    device, _codes = enrol(therapist)
    browser, _ = sign_in(therapist)
    browser.post("/accounts/mfa/", {"code": code_now(device)})
    with CaptureQueriesContext(connection) as first:
        browser.get("/accounts/password/")
    with CaptureQueriesContext(connection) as second:
        browser.get("/accounts/password/")
    device_table = TOTPDevice._meta.db_table
    assert any(device_table in query["sql"] for query in first.captured_queries)
    assert not any(device_table in query["sql"] for query in second.captured_queries)


def test_every_signed_in_user_finds_two_factor_sign_in_in_the_account_menu(login, therapist):
    page = login(therapist).get("/").content.decode()
    assert '<a class="dropdown-item" href="/accounts/mfa/">Two-factor sign-in</a>' in page


def test_a_wrong_code_while_setting_up_is_not_said_to_be_used_already(therapist, settings):
    settings.MFA_REQUIRED = "off"
    browser, _ = sign_in(therapist)
    browser.get("/accounts/mfa/")
    device = TOTPDevice.objects.get(user=therapist, confirmed=False)
    wrong = browser.post("/accounts/mfa/", {"code": "000000" if code_now(device) != "000000" else "111111"})
    said = wrong.content.decode()
    assert wrong.status_code == 400 and "That code is not right. Try the code your app shows now." in said
    assert "already used" not in said
