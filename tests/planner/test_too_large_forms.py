"""A form too large for the server to read (Django's upload limits) gets a page in the site's layout
that says so, and nothing is saved; any other bad request gets the bare page."""

import pytest

from clients.models import Client
from tests.planner.test_plans import make_dpn_client

pytestmark = pytest.mark.django_db


def test_a_form_with_too_many_fields_is_refused_in_words(login, therapist, settings):
    client = make_dpn_client(therapist)
    fields = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 200)}
    response = login(therapist).post(f"/clients/{client.pk}/profile/", {**fields, "first_name": "Changed"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The form was too large to read" in page
    assert "more than 2.5 MB of text, more than 1,000 fields or more than 100 files, so nothing was saved" in page
    assert "Tara Lindqvist" in page  # in the layout, with the account menu
    assert Client.objects.get(pk=client.pk).first_name == "Dora"


def test_a_form_with_too_much_text_is_refused_in_words(login, therapist, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    client = make_dpn_client(therapist)
    response = login(therapist).post(f"/clients/{client.pk}/profile/", {"first_name": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 400
    assert "It held more than 1 MB of text" in response.content.decode()
    assert Client.objects.get(pk=client.pk).first_name == "Dora"


def test_another_bad_request_gets_the_bare_page(login, therapist):
    response = login(therapist).get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This request could not be read" in page and "Nothing was saved" in page
    assert "Tara Lindqvist" not in page
