"""Forms that take a client's details ask the browser not to remember what is typed in them: on a
workstation shared by a clinic, one client's name, birth date or wound would be offered to the next
person typing in the same field."""

import re

import pytest

from tests.factories import make_client

pytestmark = pytest.mark.django_db


def form_tags(page):
    return re.findall(r"<form\b[^>]*>", page)


def test_forms_of_client_details_turn_off_the_browsers_autofill(login, therapist, clinic_admin, ready_plan):
    client = make_client(care_team=[therapist])
    pages = {
        clinic_admin: ["/clients/", "/clients/new/", f"/clients/{client.pk}/edit/"],
        therapist: [
            f"/clients/{client.pk}/profile/",
            f"/clients/{client.pk}/conditions/new/",
            f"/clients/{client.pk}/clearances/new/",
            f"/clients/{client.pk}/monofilament/new/",
            f"/plans/{ready_plan.pk}/record/",
        ],
    }
    for user, urls in pages.items():
        for url in urls:
            response = login(user).get(url)
            assert response.status_code == 200, url
            tags = [tag for tag in form_tags(response.content.decode()) if "logout" not in tag]
            typed_in = [tag for tag in tags if "entered-in-error" not in tag]  # a button alone, nothing typed
            assert typed_in and all('autocomplete="off"' in tag for tag in typed_in), (url, tags)


def test_the_sign_in_form_still_lets_a_password_manager_fill_it(anonymous):
    [tag] = form_tags(anonymous.get("/accounts/login/").content.decode())
    assert "autocomplete" not in tag
