"""The monofilament form's clinician field: one message for one problem."""

import pytest

from tests.clients.test_assessments import monofilament_data
from tests.factories import make_client

pytestmark = pytest.mark.django_db


def test_a_clinician_named_at_too_great_a_length_is_told_only_that(login, therapist):
    client = make_client(care_team=[therapist])
    data = monofilament_data(performed_by="clinician", clinician="Dr " + "C" * 300)
    response = login(therapist).post(f"/clients/{client.pk}/monofilament/new/", data)
    assert response.context["form"].errors["clinician"] == [
        "Ensure this value has at most 200 characters (it has 303)."
    ]
