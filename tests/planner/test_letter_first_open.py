"""Opening a progress letter for a client with no referring physician on file."""

import pytest

from tests.factories import make_client

pytestmark = pytest.mark.django_db


def test_a_client_without_a_referring_physician_gets_a_question_not_an_error(login, therapist):
    client = make_client(care_team=[therapist], referring_physician="")
    response = login(therapist).get(f"/clients/{client.pk}/letters/new/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "No referring physician is on file" in page
    assert "This field is required" not in page and "is-invalid" not in page
    # The period is offered as usual; naming the physician shows the letter.
    form = response.context["form"]
    named = login(therapist).get(
        f"/clients/{client.pk}/letters/new/",
        {"start": form.initial["start"].isoformat(), "end": form.initial["end"].isoformat(), "recipient": "Dr Lee"},
    )
    assert named.status_code == 200 and named.context["preview"]
    assert "No referring physician is on file" not in named.content.decode()


def test_a_physician_left_out_when_asked_for_is_named_as_missing(login, therapist):
    client = make_client(care_team=[therapist], referring_physician="")
    response = login(therapist).get(
        f"/clients/{client.pk}/letters/new/", {"start": "2026-01-01", "end": "2026-01-31", "recipient": ""}
    )
    assert response.status_code == 400
    assert "To (physician): name the physician the letter goes to." in response.content.decode()


def test_a_period_left_empty_or_mistyped_is_named(login, therapist):
    client = make_client(care_team=[therapist], referring_physician="Dr Lee")
    response = login(therapist).get(
        f"/clients/{client.pk}/letters/new/", {"start": "", "end": "31/13/2026", "recipient": "Dr Lee"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "From: enter the first day of the period." in page and "To: enter a date." in page
