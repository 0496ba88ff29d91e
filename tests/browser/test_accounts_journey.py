import re

import pytest
from playwright.sync_api import expect

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
    page.get_by_label("Old password").fill("welcome-to-the-clinic")
    page.locator("#id_new_password1").fill("nia-own-secret-42")
    page.locator("#id_new_password2").fill("nia-own-secret-42")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", name="Good day, Nia")).to_be_visible()
