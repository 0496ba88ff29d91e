"""An archived client refuses every clinical write from every app (Client.ensure_writable); what stays
possible is cancelling open plans and adding addenda to signed records."""

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from clients.importing import import_documents
from clients.models import Client, ClientArchived, Condition, PhysicianClearance
from planner.models import Addendum, PlanStatus, SessionPlan, SessionRecord
from tests.factories import make_clearance
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, plan_data, save_data
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(login, therapist, clinic_admin):
    """A client with a signed record, a ready plan of today and an open plan, then archived."""
    client = make_dpn_client(therapist, external_id="C-77")
    clearance = make_clearance(client)
    signed_plan = create_plan(login, therapist, client, day=TODAY, time="08:00")
    login(therapist).post(f"/plans/{signed_plan.pk}/save/", save_data(signed_plan, mark_ready=True))
    login(therapist).post(f"/plans/{signed_plan.pk}/record/", record_data(signed_plan, sign="1"))
    ready_plan = create_plan(login, therapist, client, day=TODAY, time="11:00")
    login(therapist).post(f"/plans/{ready_plan.pk}/save/", save_data(ready_plan, mark_ready=True))
    open_plan = create_plan(login, therapist, client)
    login(clinic_admin).post(f"/clients/{client.pk}/archive/")
    client.refresh_from_db()
    assert client.is_archived
    return {
        "client": client,
        "condition": client.conditions.first(),
        "clearance": clearance,
        "record": SessionRecord.objects.get(plan=signed_plan),
        "ready_plan": ready_plan,
        "open_plan": open_plan,
    }


def write_urls(archived):
    client, condition, clearance = archived["client"], archived["condition"], archived["clearance"]
    ready, plan = archived["ready_plan"], archived["open_plan"]
    wound = {"code": "open_wound", "location": "feet", "side": "right", "noted_on": TODAY.isoformat()}
    return [
        ("admin", f"/clients/{client.pk}/edit/", {"first_name": "New", "version": client.version}),
        ("therapist", f"/clients/{client.pk}/profile/", {"neuropathy_type": "CIPN", "version": client.version}),
        ("therapist", f"/clients/{client.pk}/conditions/new/", wound),
        ("therapist", f"/clients/{client.pk}/conditions/{condition.pk}/edit/", {**wound, "version": 1}),
        ("therapist", f"/clients/{client.pk}/conditions/{condition.pk}/resolve/", {"resolved_on": TODAY, "version": 1}),
        ("therapist", f"/clients/{client.pk}/conditions/{condition.pk}/entered-in-error/", {}),
        ("therapist", f"/clients/{client.pk}/clearances/new/", {"physician": "Dr. X", "cleared_on": TODAY}),
        ("therapist", f"/clients/{client.pk}/clearances/{clearance.pk}/edit/", {"physician": "Dr. Y", "version": 1}),
        ("therapist", f"/plans/new/?client={client.pk}", plan_data()),
        ("therapist", f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True)),
        ("therapist", f"/plans/{plan.pk}/rebuild/", {}),
        ("therapist", f"/plans/{ready.pk}/record/", record_data(ready, sign="1")),
        ("therapist", f"/plans/{ready.pk}/record/finding/", wound),
    ]


def snapshot(client):
    client.refresh_from_db()
    return (
        client.version,
        client.neuropathy_type,
        list(Condition.objects.values_list("pk", "version", "resolved_on", "entered_in_error")),
        list(PhysicianClearance.objects.values_list("pk", "physician", "version")),
        list(SessionPlan.objects.values_list("pk", "version", "status")),
        SessionRecord.objects.count(),
    )


def test_every_write_url_refuses_an_archived_client(login, therapist, clinic_admin, archived):
    client = archived["client"]
    before = snapshot(client)
    users = {"therapist": login(therapist), "admin": login(clinic_admin)}
    accepted = []
    for who, url, data in write_urls(archived):
        response = users[who].post(url, data)
        said = " ".join(str(m) for m in get_messages(response.wsgi_request))
        if response.status_code != 302 or "is archived" not in said:
            accepted.append((url, response.status_code))
    assert accepted == []
    assert snapshot(client) == before


def test_forms_of_an_archived_client_are_not_offered(login, therapist, archived):
    client = archived["client"]
    response = login(therapist).get(f"/clients/{client.pk}/conditions/new/")
    assert response.status_code == 302 and response["Location"] == f"/clients/{client.pk}/"


def test_archiving_cancelled_the_sessions_to_come_and_addenda_stay_possible(login, therapist, archived):
    plan, record = archived["open_plan"], archived["record"]
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED and plan.cancel_category == "client_archived"
    response = login(therapist).post(f"/records/{record.pk}/addenda/", {"text": "Pressure was 2, not 3."})
    assert response.status_code == 302 and Addendum.objects.filter(record=record).count() == 1


def test_the_guard_lives_on_the_models(archived, therapist):
    client = archived["client"]
    with pytest.raises(ClientArchived, match="is archived"):
        Condition.objects.create(client=client, code="fever", location="whole_body", noted_on=TODAY)
    with pytest.raises(ClientArchived):
        PhysicianClearance.objects.create(client=client, physician="Dr. Z", cleared_on=TODAY)
    plan = archived["open_plan"]
    with pytest.raises(ClientArchived):
        SessionPlan.objects.create(
            client=client,
            therapist=therapist,
            scheduled_for=plan.scheduled_for,
            ends_at=plan.ends_at,
            regions="feet",
            facts={},
            proposal={},
            created_by=therapist,
        )
    with pytest.raises(ClientArchived):
        SessionRecord.objects.create(
            plan=archived["ready_plan"], client=client, therapist=therapist, started_at=timezone.now()
        )


def test_import_refuses_changes_to_an_archived_client(archived):
    client = archived["client"]
    document = {
        "external_id": "C-77",
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "conditions": [{"code": "fever", "location": "whole_body", "noted_on": TODAY.isoformat()}],
    }
    report = import_documents([document])
    assert not report.saved
    assert any("archived" in message for _, message in report.records[0].errors)
    assert Client.objects.get(pk=client.pk).conditions.count() == 2
