"""Planning, changing a plan and recording its session are a therapist's, on the client's care team.

A clinic admin reads every client, so an account that holds both roles can open any client's pages;
reading a client must not make it able to plan, record or sign for one off its care teams. And a
plan's therapist whose account has lost the Therapist role can no longer act on the plan.
"""

import pytest
from django.contrib.auth.models import Group

from clients.roles import forget_roles
from planner.models import SessionPlan, SessionRecord
from planner.roles import CLINIC_ADMIN, THERAPIST
from tests.factories import make_user
from tests.planner.test_late_entry import late_data, post_late
from tests.planner.test_plans import create_plan, make_dpn_client, plan_data, save_data
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(db):
    """A therapist who is a clinic admin too."""
    return make_user(THERAPIST, CLINIC_ADMIN, username="riley", first_name="Riley", last_name="Hale")


def test_an_admin_therapist_plans_only_for_the_clients_of_their_care_teams(login, therapist, both):
    theirs, not_theirs = make_dpn_client(both, last_name="Own"), make_dpn_client(therapist, last_name="Other")
    browser = login(both)
    # As a clinic admin they read the other team's client...
    assert browser.get(f"/clients/{not_theirs.pk}/").status_code == 200
    # ...but cannot plan for them, by the builder or by a late entry, and are told why.
    refused = browser.get(f"/plans/new/?client={not_theirs.pk}")
    assert refused.status_code == 403
    assert f"Only a therapist on {not_theirs}&#x27;s care team plans their sessions" in refused.content.decode()
    assert browser.post(f"/plans/new/?client={not_theirs.pk}", plan_data()).status_code == 403
    late = browser.post(f"/plans/late/?client={not_theirs.pk}", {"client": not_theirs.pk, **late_data()})
    assert late.status_code == 403
    assert not SessionPlan.objects.exists()
    # Their own client's sessions they plan as any therapist does.
    plan = create_plan(login, both, theirs)
    assert plan.client == theirs and plan.therapist == both


def plans_of(login, user, client):
    """A plan booked for tomorrow, and a late entry of yesterday's session waiting for its record."""
    booked = create_plan(login, user, client)
    assert post_late(login, user, client).status_code == 302
    late = SessionPlan.objects.latest("pk")
    assert login(user).get(f"/plans/{late.pk}/record/").status_code == 200
    return booked, late


def assert_cannot_act(browser, booked, late, why):
    """Neither plan can be changed, nor its session recorded or signed, and the refusal says why."""
    refused = browser.get(f"/plans/{late.pk}/record/")
    assert refused.status_code == 403
    assert why in refused.content.decode()
    assert browser.post(f"/plans/{late.pk}/record/", record_data(late, sign="1")).status_code == 403
    assert browser.post(f"/plans/{booked.pk}/save/", save_data(booked, goals="Changed")).status_code == 403
    assert not SessionRecord.objects.exists()
    booked.refresh_from_db()
    assert booked.goals == "Ease burning"


def test_an_admin_therapist_off_the_care_team_no_longer_records_or_changes_their_plans(login, both):
    client = make_dpn_client(both)
    booked, late = plans_of(login, both, client)
    client.care_team.remove(both)
    browser = login(both)
    # Still able to read the plans as a clinic admin, but not to act on them as their therapist.
    assert browser.get(f"/plans/{booked.pk}/").status_code == 200
    assert_cannot_act(browser, booked, late, f"You are no longer on {client}&#x27;s care team")


def test_a_therapist_who_lost_the_role_no_longer_records_signs_or_changes_their_plans(login, therapist):
    client = make_dpn_client(therapist)
    booked, late = plans_of(login, therapist, client)
    # The clinic admin makes them a clinic admin only.
    therapist.groups.set([Group.objects.get(name=CLINIC_ADMIN)])
    forget_roles(therapist)
    browser = login(therapist)
    why = "Your account is no longer a therapist&#x27;s, so you cannot record this session"
    assert_cannot_act(browser, booked, late, why)


def test_whether_the_planner_is_on_the_care_team_is_read_with_the_client(
    login, therapist, both, django_assert_num_queries
):
    """The care-team check costs the builder no query of its own, for a therapist or an admin therapist."""
    for user in (therapist, both):
        client = make_dpn_client(user, last_name=f"Of{user.username}")
        browser = login(user)
        browser.get(f"/plans/new/?client={client.pk}")
        # Session, user, roles and permissions, the client with whether the user is on its care team,
        # the client's care team (the page names it), the access log row.
        with django_assert_num_queries(6):
            assert browser.get(f"/plans/new/?client={client.pk}").status_code == 200
