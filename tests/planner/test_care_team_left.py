"""Taking a therapist off a client's care team tells the clinic admin what they leave behind."""

from datetime import timedelta

import pytest

from planner.models import SessionRecord
from tests.clients.test_intake import identity
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db


def warnings(response):
    return [str(message) for message in response.context["messages"] if message.level_tag == "warning"]


def test_taking_a_therapist_off_the_team_names_their_unsigned_record_and_booked_session(
    login, clinic_admin, therapist, second_therapist
):
    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    today = create_plan(login, therapist, client, day=TODAY, time="09:00")
    login(therapist).post(f"/plans/{today.pk}/save/", save_data(today, mark_ready=True))
    today.refresh_from_db()
    assert login(therapist).post(f"/plans/{today.pk}/record/", record_data(today)).status_code == 302
    assert not SessionRecord.objects.get(plan=today).is_signed
    create_plan(login, therapist, client, day=TODAY + timedelta(days=3), time="10:00")

    client.refresh_from_db()
    data = identity(client, care_team=[second_therapist.pk])
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", data, follow=True)
    name = therapist.get_full_name()
    assert warnings(response) == [
        f"{name} left 1 session record of {client} unsigned: only they can sign it, and off the care team "
        "they cannot open it. Add them back to the care team until it is signed.",
        f"{name} still has 1 session to come with {client}: cancel it from the plan page, or add them back "
        "to the care team.",
    ]


def test_a_team_change_that_leaves_nothing_behind_says_nothing_more(login, clinic_admin, therapist, second_therapist):
    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    client.refresh_from_db()
    response = login(clinic_admin).post(
        f"/clients/{client.pk}/edit/", identity(client, care_team=[therapist.pk]), follow=True
    )
    assert response.status_code == 200 and warnings(response) == []
    assert list(client.care_team.all()) == [therapist]


def test_a_therapist_who_is_also_a_clinic_admin_leaves_nothing_they_cannot_open(
    login, clinic_admin, therapist, second_therapist
):
    from planner.account_forms import set_role

    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    create_plan(login, therapist, client, day=TODAY + timedelta(days=3), time="10:00")
    set_role(therapist, "both")  # a clinic admin opens every client's plans, care team or not
    client.refresh_from_db()
    data = identity(client, care_team=[second_therapist.pk])
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", data, follow=True)
    assert response.status_code == 200 and warnings(response) == []
