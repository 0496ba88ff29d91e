import re
import time
from base64 import b32decode

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django_otp.oath import totp
from playwright.sync_api import expect

from planner.middleware import LAST_SEEN_KEY
from tests.factories import PASSWORD, make_clinic_admin, make_therapist

# The live server needs real transactions; serialized rollback restores what data migrations made.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_therapist_logs_in_through_the_form_and_sees_the_dashboard(page, live_server, sign_in):
    make_therapist(username="tara", first_name="Tara")
    sign_in("tara", "wrong-password-here")
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()

    sign_in("tara", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Good day, Tara")).to_be_visible()
    expect(page.get_by_role("link", name="Team", exact=True)).to_have_count(0)
    expect(page.get_by_text("Decision support for licensed massage therapists")).to_be_visible()


def test_admin_creates_a_therapist_who_must_change_the_temporary_password(page, live_server, sign_in):
    make_clinic_admin(username="morgan", first_name="Morgan")
    sign_in("morgan", PASSWORD)
    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_role("link", name="New staff account").click()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Holm")
    page.get_by_label("Username").fill("nia")
    page.get_by_label("E-mail").fill("nia@clinic.example")
    page.get_by_label("Role").select_option("therapist")
    page.get_by_label("Temporary password").fill("welcome-to-the-clinic")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Account nia created")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Nia Holm"))).to_contain_text("Therapist")

    page.get_by_role("button", name="Morgan").click()
    page.get_by_role("button", name="Sign out").click()
    sign_in("nia", "welcome-to-the-clinic")
    expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
    page.get_by_label("Temporary password").fill("welcome-to-the-clinic")
    page.locator("#id_new_password1").fill("nia-own-secret-42")
    page.locator("#id_new_password2").fill("nia-own-secret-42")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", name="Good day, Nia")).to_be_visible()


def test_five_wrong_passwords_lock_the_sign_in_with_a_message(page, live_server, sign_in):
    make_therapist(username="tara", first_name="Tara")
    for n in range(5):
        sign_in("tara", f"wrong-password-{n}")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")
    sign_in("tara", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("this account is locked for 15 minutes")
    expect(page).to_have_url(re.compile("/accounts/login/"))


def test_an_admin_enrols_an_authenticator_at_first_sign_in(page, live_server, sign_in, settings):
    settings.MFA_REQUIRED = "admins"
    make_clinic_admin(username="morgan", first_name="Morgan")
    sign_in("morgan", PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    # What the phone would read from the QR code: the key, also shown for typing in by hand.
    key = page.locator("figcaption code").inner_text().replace(" ", "")
    secret = b32decode(key + "=" * (-len(key) % 8))
    page.get_by_role("textbox", name="Code").fill(f"{totp(secret):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".mfa-codes code")).to_have_count(10)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name="Good day, Morgan")).to_be_visible()


def test_a_minute_before_the_idle_timeout_a_banner_offers_to_stay_signed_in(
    page, live_server, sign_in, settings, monkeypatch
):
    settings.SESSION_IDLE_MINUTES = 2
    monkeypatch.setattr("planner.middleware.LAST_SEEN_EVERY_SECONDS", 600)  # page loads leave the clock alone
    make_therapist(username="tara", first_name="Tara")
    sign_in("tara", PASSWORD)
    expect(page.get_by_role("heading", name="Good day, Tara")).to_be_visible()
    banner = page.get_by_role("alertdialog")
    expect(banner).to_be_hidden()

    [cookie] = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN_KEY] = time.time() - 57  # 63 seconds left: the warning is 3 seconds away
    session.save()
    page.reload()
    expect(banner).to_be_visible(timeout=8_000)
    expect(banner).to_contain_text("you will be signed out in")

    banner.get_by_role("button", name="Stay signed in").click()
    expect(banner).to_be_hidden()
    assert time.time() - SessionStore(session_key=cookie["value"])[LAST_SEEN_KEY] < 10


def test_work_in_another_tab_keeps_this_tab_and_its_typing(page, live_server, sign_in, settings, monkeypatch):
    """Before it warns, the page asks the server how long is left: another tab's activity counts."""
    settings.SESSION_IDLE_MINUTES = 2
    monkeypatch.setattr("planner.middleware.LAST_SEEN_EVERY_SECONDS", 600)
    make_therapist(username="tara", first_name="Tara")
    sign_in("tara", PASSWORD)
    [cookie] = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN_KEY] = time.time() - 57  # this tab believes 63 seconds are left
    session.save()
    page.goto(f"{live_server.url}/accounts/password/")
    page.locator("input[type=password]").first.fill("typed but not sent")
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN_KEY] = time.time()  # meanwhile, another tab was used
    session.save()
    page.wait_for_timeout(6_000)  # past the moment this tab would have warned
    expect(page.get_by_role("alertdialog")).to_be_hidden()
    expect(page.locator("input[type=password]").first).to_have_value("typed but not sent")


def test_signing_out_in_one_tab_takes_the_client_off_the_screen_in_the_others(page, live_server, sign_in):
    """A client's page left open in another tab does not stay on the screen after signing out."""
    from tests.factories import make_client

    tara = make_therapist(username="tara", first_name="Tara")
    client = make_client(first_name="Nora", last_name="Vance", care_team=[tara])
    sign_in("tara", PASSWORD)
    expect(page.get_by_role("heading", name="Good day, Tara")).to_be_visible()
    other = page.context.new_page()
    other.goto(f"{live_server.url}/clients/{client.pk}/")
    expect(other.get_by_role("heading", name="Nora Vance")).to_be_visible()

    page.get_by_role("button", name="Tara").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    # The other tab loads again, onto the sign-in page, within seconds.
    expect(other.get_by_role("button", name="Sign in")).to_be_visible(timeout=8_000)
    expect(other.get_by_text("Nora Vance")).to_have_count(0)
