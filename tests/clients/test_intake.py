"""Intake, identity edits, the neuropathy profile and the version check that stops lost updates."""

import datetime

import pytest
from django.utils import timezone

from clients.models import Client
from protocols.versioning import StaleVersion, claim_version
from tests.factories import make_client

pytestmark = pytest.mark.django_db


def intake(therapist, **overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Quinn",
        "date_of_birth": "1958-04-02",
        "phone": "555-0100",
        "email": "ada@example.com",
        "emergency_contact": "Ben Quinn, 555-0101",
        "referring_physician": "Dr. Shah",
        "external_id": "C-1001",
        "consented_on": "2024-01-10",
        "care_team": [therapist.pk],
        "neuropathy_type": "DPN",
        "diagnosed_on": "2019-05-01",
        "contributing_causes": ["b12_deficiency"],
        "symptom_grid": ["feet:left:numbness", "feet:right:numbness", "feet:left:burning"],
    }
    data.update(overrides)
    return data


def test_admin_creates_a_client_with_profile_and_care_team(login, clinic_admin, therapist):
    response = login(clinic_admin).post("/clients/new/", intake(therapist))
    client = Client.objects.get(external_id="C-1001")
    assert response.status_code == 302
    assert response["Location"] == f"/clients/{client.pk}/"
    assert client.full_name == "Ada Quinn"
    assert client.date_of_birth == datetime.date(1958, 4, 2)
    assert list(client.care_team.all()) == [therapist]
    assert client.contributing_causes == ["b12_deficiency"]
    # Stored in the vocabulary's order, whatever order the boxes came in.
    assert client.symptoms == {"feet:left": ["burning", "numbness"], "feet:right": ["numbness"]}
    assert client.version == 1
    assert client.history.first().history_user == clinic_admin


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "This date is in the future."),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth", "Enter a date from 1900 onwards."),
        ({"date_of_birth": "02/30/1958"}, "date_of_birth", "Enter a valid date."),
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"care_team": []}, "care_team", "This field is required."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"neuropathy_type": "ALCOHOLIC"}, "neuropathy_type", "Select a valid choice."),
        ({"diagnosed_on": "1950-01-01"}, "diagnosed_on", "The diagnosis date is before the date of birth."),
        ({"contributing_causes": ["gluten"]}, "contributing_causes", "Select a valid choice."),
        ({"symptom_grid": ["feet:left:itchiness"]}, "symptom_grid", "Select a valid choice."),
    ],
)
def test_bad_intake_is_refused_beside_the_field_and_nothing_is_saved(
    login, clinic_admin, therapist, change, field, message
):
    response = login(clinic_admin).post("/clients/new/", intake(therapist, **change))
    assert response.status_code == 200
    forms = [response.context["form"], response.context["profile"]]
    errors = " ".join(" ".join(form.errors.get(field, [])) for form in forms)
    assert message in errors
    assert "The client was not saved" in response.content.decode()
    assert not Client.objects.exists()


@pytest.mark.parametrize("taken", ["C-1001", "c-1001"])
def test_duplicate_external_id_is_refused_in_any_case(login, clinic_admin, therapist, taken):
    make_client(external_id=taken)
    response = login(clinic_admin).post("/clients/new/", intake(therapist))
    assert response.context["form"].errors["external_id"] == [
        "Another client already has this external id (ids are compared without regard to case)."
    ]
    assert Client.objects.count() == 1


def test_the_database_refuses_ids_differing_only_in_case():
    from django.db import IntegrityError, transaction

    make_client(external_id="DEMO-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_client(external_id="demo-001")
    assert Client.objects.same_external_id("Demo-001").count() == 1


def test_empty_external_ids_do_not_clash(login, clinic_admin, therapist):
    make_client(external_id="")
    response = login(clinic_admin).post("/clients/new/", intake(therapist, external_id=""))
    assert response.status_code == 302
    assert Client.objects.filter(external_id="").count() == 2


def test_new_client_form_shows_the_symptom_grid_with_labelled_boxes(login, clinic_admin):
    page = login(clinic_admin).get("/clients/new/").content.decode()
    # 4 regions x 2 sides x 9 symptoms, each box with its own label.
    assert page.count('name="symptom_grid"') == 72
    assert '<label class="visually-hidden" for="id_symptom_grid-feet-left-numbness">Numbness, left foot</label>' in page


def identity(client, **overrides):
    data = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "phone": client.phone,
        "email": client.email,
        "emergency_contact": client.emergency_contact,
        "referring_physician": client.referring_physician,
        "external_id": client.external_id,
        "consented_on": "",
        "care_team": [user.pk for user in client.care_team.all()],
        "version": client.version,
    }
    data.update(overrides)
    return data


def test_admin_edits_identity_and_care_team(login, clinic_admin, therapist, second_therapist):
    client = make_client(care_team=[therapist])
    data = identity(client, phone="555-9999", care_team=[therapist.pk, second_therapist.pk])
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", data)
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.phone == "555-9999"
    assert set(client.care_team.all()) == {therapist, second_therapist}
    assert client.version == 2


def test_second_save_of_a_stale_form_is_refused_and_keeps_the_input(login, clinic_admin, therapist):
    client = make_client(care_team=[therapist], phone="555-0000")
    admin = login(clinic_admin)
    first = admin.post(f"/clients/{client.pk}/edit/", identity(client, phone="555-1111"))
    assert first.status_code == 302

    # Built from version 1, saved after someone else saved version 2.
    second = admin.post(f"/clients/{client.pk}/edit/", identity(client, phone="555-2222", version=1))
    assert second.status_code == 200
    page = second.content.decode()
    assert "saved this client at" in page and "your changes were not saved" in page
    assert 'value="555-2222"' in page  # their input is still in the form
    client.refresh_from_db()
    assert client.phone == "555-1111"
    assert client.version == 2
    # The form now carries the current version: saving again after review goes through.
    assert second.context["form"].data["version"] == 2
    third = admin.post(f"/clients/{client.pk}/edit/", identity(client, phone="555-2222", version=2))
    assert third.status_code == 302
    client.refresh_from_db()
    assert client.phone == "555-2222"


def test_therapist_updates_the_profile_of_a_client_on_their_team(login, therapist):
    client = make_client(care_team=[therapist], symptoms={"feet:left": ["numbness"]})
    data = {
        "neuropathy_type": "CIPN",
        "diagnosed_on": "2020-01-01",
        "contributing_causes": ["alcohol", "b12_deficiency"],
        "symptom_grid": ["hands:right:tingling", "hands:left:tingling", "feet:left:numbness"],
        "version": client.version,
    }
    response = login(therapist).post(f"/clients/{client.pk}/profile/", data)
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.neuropathy_type == "CIPN"
    assert client.contributing_causes == ["b12_deficiency", "alcohol"]
    assert client.symptoms == {
        "hands:left": ["tingling"],
        "hands:right": ["tingling"],
        "feet:left": ["numbness"],
    }
    assert client.version == 2
    assert client.history.first().history_user == therapist


def test_profile_save_with_a_stale_version_is_refused(login, therapist):
    client = make_client(care_team=[therapist])
    Client.objects.filter(pk=client.pk).update(version=5)
    data = {"neuropathy_type": "CIPN", "symptom_grid": ["feet:left:pain"], "version": 4}
    response = login(therapist).post(f"/clients/{client.pk}/profile/", data)
    assert "your changes were not saved" in response.content.decode()
    client.refresh_from_db()
    assert client.neuropathy_type == "DPN" and client.symptoms == {}


def test_archived_client_is_read_only_until_restored(login, clinic_admin, therapist):
    client = make_client(care_team=[therapist])
    admin = login(clinic_admin)
    admin.post(f"/clients/{client.pk}/archive/")
    client.refresh_from_db()
    assert client.is_archived and client.archived_by == clinic_admin
    assert not Client.objects.active().filter(pk=client.pk).exists()

    data = {"neuropathy_type": "CIPN", "version": client.version}
    response = login(therapist).post(f"/clients/{client.pk}/profile/", data)
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.neuropathy_type == "DPN"

    admin.post(f"/clients/{client.pk}/restore/")
    client.refresh_from_db()
    assert not client.is_archived and client.archived_by is None
    # Nothing was deleted, and both steps are in the history.
    assert client.history.filter(archived_at__isnull=False).exists()


def test_client_age_and_facts_helpers():
    client = make_client(date_of_birth=datetime.date(1958, 4, 2))
    assert client.age_on(datetime.date(2026, 4, 1)) == 67
    assert client.age_on(datetime.date(2026, 4, 2)) == 68
    assert client.age == client.age_on(timezone.localdate())


def test_of_two_saves_from_the_same_version_only_the_first_goes_through(clinic_admin):
    client = make_client()
    first, second = Client.objects.get(pk=client.pk), Client.objects.get(pk=client.pk)
    claim_version(first, 1)
    first.save()
    with pytest.raises(StaleVersion, match="saved this client at"):
        claim_version(second, 1)
    assert Client.objects.get(pk=client.pk).version == 2
