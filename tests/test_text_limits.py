"""A free-text field keeps one limit everywhere it is written: the monofilament test's notes and
the plan builder's goals take 2,000 characters, as the clearance form and the plan page do."""

import pytest

from clients.assessments import MonofilamentTest
from clients.validators import SHORT_TEXT
from planner.models import SessionPlan
from tests.clients.test_assessments import monofilament_data
from tests.factories import make_client
from tests.planner.test_plans import make_dpn_client, plan_data

pytestmark = pytest.mark.django_db
TOO_LONG = "x" * (SHORT_TEXT + 1)


def test_monofilament_notes_take_at_most_2000_characters(login, therapist):
    client = make_client(care_team=[therapist])
    url = f"/clients/{client.pk}/monofilament/new/"
    response = login(therapist).post(url, monofilament_data(notes=TOO_LONG))
    assert response.status_code == 400
    assert response.context["form"].errors["notes"] == ["Ensure this value has at most 2000 characters (it has 2001)."]
    assert 'maxlength="2000"' in response.content.decode()
    assert not MonofilamentTest.objects.exists()
    assert login(therapist).post(url, monofilament_data(notes="x" * SHORT_TEXT)).status_code == 302


def test_the_builders_goals_take_at_most_2000_characters_as_the_plan_page(login, therapist):
    client = make_dpn_client(therapist)
    url = f"/plans/new/?client={client.pk}"
    response = login(therapist).post(url, {**plan_data(), "goals": TOO_LONG})
    assert response.status_code == 400
    assert response.context["form"].errors["goals"] == ["Ensure this value has at most 2000 characters (it has 2001)."]
    assert not SessionPlan.objects.exists()
    response = login(therapist).post(url, {**plan_data(), "goals": "x" * SHORT_TEXT})
    assert response.status_code == 302
    assert len(SessionPlan.objects.get().goals) == SHORT_TEXT
