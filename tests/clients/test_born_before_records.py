"""Nothing on a client's record is dated before their birth: not a measure an import brings, and not
a record already kept when the date of birth is changed (by the edit form or an import)."""

import datetime

import pytest

from clients import assessments
from clients.assessments import MnsiQuestionnaire, MonofilamentTest
from clients.importing import import_documents
from clients.models import Client, Condition
from tests.clients.test_documents import minimal
from tests.clients.test_import_checks import mnsi, monofilament
from tests.clients.test_intake import identity
from tests.factories import make_clearance, make_client, make_condition

pytestmark = pytest.mark.django_db
BORN = datetime.date(1960, 1, 31)  # minimal()'s date of birth


@pytest.mark.parametrize("entry", [monofilament, mnsi])
def test_an_imported_measure_before_birth_is_refused(therapist, entry):
    report = import_documents(minimal(assessments=[mnsi(), entry(date="1960-01-30")]))
    assert not report.saved
    assert ("assessments[1].date", "This date is before the client's date of birth.") in report.records[0].errors
    assert not Client.objects.exists() and not Condition.objects.exists()
    assert not MonofilamentTest.objects.exists() and not MnsiQuestionnaire.objects.exists()


def test_an_imported_measure_on_the_day_of_birth_is_taken(therapist):
    report = import_documents(minimal(assessments=[monofilament(date="1960-01-31")]))
    assert report.saved, report.error_messages()


def on_record(therapist, **fields):
    """The client of minimal(), on record with a condition of 2 Mar 2020 and a clearance of 1 Jun 2021."""
    client = make_client(external_id="C-2000", date_of_birth=BORN, care_team=[therapist], **fields)
    make_condition(client, "fever", noted_on=datetime.date(2020, 3, 2))
    make_clearance(client, cleared_on=datetime.date(2021, 6, 1))
    return client


def import_birth(born, **overrides):
    document = minimal(date_of_birth=born, **overrides)
    for key in ("conditions", "clearance"):
        del document[key]
    return import_documents(document)


@pytest.mark.parametrize(
    ("born", "message"),
    [
        ("2020-03-03", "A condition was noted on 2 Mar 2020, before this date of birth."),
        ("2024-01-01", "A condition was noted on 2 Mar 2020, before this date of birth."),
    ],
)
def test_an_import_cannot_move_the_birth_after_the_record(therapist, born, message):
    client = on_record(therapist)
    report = import_birth(born)
    assert not report.saved
    assert ("date_of_birth", message) in report.records[0].errors, report.error_messages()
    client.refresh_from_db()
    assert client.date_of_birth == BORN and client.version == 1


def test_an_import_names_the_earliest_measure_too(therapist):
    client = on_record(therapist)
    MnsiQuestionnaire.objects.create(
        client=client,
        answered_on=datetime.date(2019, 8, 8),
        how="read_aloud",
        answers=[False] * 15,
        score=2,
        entered_by=therapist,
    )
    report = import_birth("2022-01-01")
    assert ("date_of_birth", "An MNSI questionnaire was answered on 8 Aug 2019, before this date of birth.") in (
        report.records[0].errors
    )


def test_an_import_cannot_move_the_birth_after_the_stored_diagnosis(therapist):
    client = make_client(
        external_id="C-2000", date_of_birth=BORN, diagnosed_on=datetime.date(2022, 10, 8), care_team=[therapist]
    )
    report = import_birth("2023-01-01")
    assert not report.saved
    assert ("date_of_birth", "The neuropathy was diagnosed on 8 Oct 2022, before this date of birth.") in (
        report.records[0].errors
    ), report.error_messages()
    client.refresh_from_db()
    assert client.date_of_birth == BORN


def test_an_import_names_the_diagnosis_when_it_is_the_earliest(therapist):
    on_record(therapist, diagnosed_on=datetime.date(2019, 5, 1))
    report = import_birth("2021-01-01")
    assert report.records[0].errors == [
        ("date_of_birth", "The neuropathy was diagnosed on 1 May 2019, before this date of birth.")
    ]


def test_an_import_may_move_the_birth_up_to_the_first_record(therapist):
    client = on_record(therapist)
    report = import_birth("2020-03-02")
    assert report.saved, report.error_messages()
    client.refresh_from_db()
    assert client.date_of_birth == datetime.date(2020, 3, 2)


def test_a_condition_entered_in_error_does_not_hold_the_birth_back(therapist):
    client = on_record(therapist)
    make_condition(client, "fall_risk", noted_on=datetime.date(2010, 1, 1), entered_in_error=True)
    assert import_birth("2015-01-01").saved


def test_the_edit_form_refuses_a_birth_after_the_stored_diagnosis_beside_the_field(login, clinic_admin, therapist):
    client = make_client(date_of_birth=BORN, diagnosed_on=datetime.date(2022, 10, 8), care_team=[therapist])
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", identity(client, date_of_birth="2023-01-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"] == [
        "The neuropathy was diagnosed on 8 Oct 2022, before this date of birth."
    ]
    client.refresh_from_db()
    assert client.date_of_birth == BORN and client.version == 1


def test_the_edit_form_names_the_earliest_record(login, clinic_admin, therapist):
    client = on_record(therapist, diagnosed_on=datetime.date(2022, 10, 8))
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", identity(client, date_of_birth="2023-01-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"] == [
        "A condition was noted on 2 Mar 2020, before this date of birth."
    ]
    client.refresh_from_db()
    assert client.date_of_birth == BORN and client.version == 1


def test_the_edit_form_names_a_monofilament_test(login, clinic_admin, therapist):
    client = make_client(date_of_birth=BORN, care_team=[therapist])
    answers = {
        (foot, site): {"tested": True, "real_1": True, "real_2": True, "sham": False}
        for foot in ("right", "left")
        for site in ("hallux", "met1", "met5")
    }
    assessments.record_monofilament(
        client,
        tested_on=datetime.date(2018, 2, 3),
        performed_by="therapist",
        therapist=therapist,
        clinician="",
        notes="",
        answers=answers,
        recorded_by=therapist,
    )
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", identity(client, date_of_birth="2019-01-01"))
    assert response.context["form"].errors["date_of_birth"] == [
        "A monofilament test was done on 3 Feb 2018, before this date of birth."
    ]


def test_the_edit_form_still_saves_a_birth_before_the_record(login, clinic_admin, therapist):
    client = on_record(therapist, diagnosed_on=datetime.date(2022, 10, 8))
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", identity(client, date_of_birth="1961-05-05"))
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.date_of_birth == datetime.date(1961, 5, 5)


def test_the_profile_form_refuses_a_diagnosis_before_birth(login, therapist):
    client = make_client(date_of_birth=BORN, care_team=[therapist])
    data = {"neuropathy_type": "DPN", "diagnosed_on": "1959-12-31", "symptom_grid": [], "version": client.version}
    response = login(therapist).post(f"/clients/{client.pk}/profile/", data)
    assert response.context["form"].errors["diagnosed_on"] == ["The diagnosis date is before the date of birth."]
    client.refresh_from_db()
    assert client.diagnosed_on is None


def test_a_refused_edit_is_headed_by_the_name_as_saved(login, clinic_admin, therapist):
    """The fields keep what was typed; the heading and breadcrumb name the client as the record has them."""
    client = make_client(first_name="Ada", date_of_birth=BORN, diagnosed_on=datetime.date(2022, 10, 8))
    data = identity(client, first_name="Renamed", date_of_birth="2023-01-01")
    page = login(clinic_admin).post(f"/clients/{client.pk}/edit/", data).content.decode()
    assert "Details of Ada " in page and "Details of Renamed" not in page
    assert 'value="Renamed"' in page
