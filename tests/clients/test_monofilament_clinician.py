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


def test_an_imported_clinician_too_long_is_told_only_that(therapist):
    from clients.importing import import_documents
    from tests.clients.test_documents import minimal
    from tests.clients.test_import_checks import monofilament

    entry = monofilament(performed_by="clinician", therapist=None, clinician="Dr " + "C" * 300)
    report = import_documents(minimal(assessments=[entry]))
    assert [m for m in report.error_messages() if "clinician" in m] == [
        "document 1, assessments[0].clinician: expected text of at most 200 characters"
    ]
