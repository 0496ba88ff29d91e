"""Rescheduling a plan, and the recording gate from 30 minutes before the start."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from clients.models import Condition
from planner import recording
from planner.models import PlanStatus, SessionRecord
from tests.planner.test_plans import TODAY, TOMORROW, create_plan, make_cipn_client, make_dpn_client, save_data
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db


def said(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def move(login, user, plan, day, at="10:00"):
    return login(user).post(f"/plans/{plan.pk}/reschedule/", {"date": day.isoformat(), "time": at})


def cipn_after_infusion(therapist):
    """A CIPN client whose last infusion was today: days 7 to 12 from now are a nadir window."""
    client = make_cipn_client(therapist)
    Condition.objects.create(client=client, code="chemo_infusion", location="whole_body", noted_on=TODAY)
    return client


def nadir(plan):
    return "nadir_window" in {note["rule"] for note in plan.session["notes"]}


def test_rescheduling_into_and_out_of_a_nadir_window(login, therapist):
    client = cipn_after_infusion(therapist)
    plan = create_plan(login, therapist, client, day=TODAY + timedelta(days=3), regions=("hands:left", "hands:right"))
    assert not nadir(plan)
    hand = plan.items.get(region="hands", side="left")
    minutes = hand.minutes - 2
    data = save_data(plan, mark_ready=True, **{f"item-{hand.pk}-minutes": minutes})
    login(therapist).post(f"/plans/{plan.pk}/save/", data)
    plan.refresh_from_db()
    assert plan.status in (PlanStatus.READY, PlanStatus.DRAFT)
    pressure_before = plan.items.get(pk=hand.pk).pressure

    response = move(login, therapist, plan, TODAY + timedelta(days=9), "14:00")
    assert "Moved from" in said(response) and "checked again for the new date" in said(response)
    plan.refresh_from_db()
    assert timezone.localtime(plan.scheduled_for).time() == time(14, 0)
    assert plan.facts["plan_date"] == (TODAY + timedelta(days=9)).isoformat()
    assert nadir(plan)
    hand.refresh_from_db()
    assert hand.pressure_max == 1 and hand.pressure == min(pressure_before, 1)
    assert hand.minutes == minutes  # the therapist's shorter region is kept
    assert plan.status == PlanStatus.DRAFT and not plan.notes_acknowledged
    assert [s.reason for s in plan.snapshots.all()][-1] == "rescheduled"
    change = plan.history.first()
    assert change.history_change_reason.startswith("Rescheduled from ") and "14:00" in change.history_change_reason

    move(login, therapist, plan, TODAY + timedelta(days=14), "14:00")
    plan.refresh_from_db()
    assert not nadir(plan)
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert "Reschedule this session" in page


def test_rescheduling_is_refused_into_an_overlap_outside_hours_or_the_past(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist), time="10:00")
    other = create_plan(login, therapist, make_cipn_client(therapist), time="14:00")
    response = move(login, therapist, plan, TOMORROW, "14:20")
    assert "Not rescheduled" in said(response) and "You already have a session with Cleo Ng" in said(response)
    response = move(login, therapist, plan, TOMORROW, "20:50")
    assert "Sessions are given between 07:00 and 21:00" in said(response)
    response = move(login, therapist, plan, TODAY - timedelta(days=1))
    assert "New date: a session cannot be moved into the past." in said(response)
    earlier_today = timezone.localtime() - timedelta(minutes=5)
    response = move(login, therapist, plan, TODAY, f"{earlier_today:%H:%M}")
    assert f"New time: {earlier_today:%H:%M} today has passed; choose a time still to come." in said(response)
    response = move(login, therapist, plan, TOMORROW, "15:00:59")
    assert "New time: give hours and minutes only, such as 14:30." in said(response)
    response = login(therapist).post(f"/plans/{plan.pk}/reschedule/", {"date": "soon", "time": "10:00"})
    assert said(response) == "Not rescheduled. New date: enter a date such as 2026-12-24."
    response = login(therapist).post(f"/plans/{plan.pk}/reschedule/", {"date": "", "time": ""})
    assert said(response) == (
        "Not rescheduled. New date: choose the day to move the session to. "
        "New time: choose the time to move the session to."
    )
    # Its own date and time is no move: nothing changes and the notes need no new reading.
    response = move(login, therapist, plan, TOMORROW, "10:00")
    assert said(response).startswith("Not rescheduled: the session is already on ")
    plan.refresh_from_db()
    assert timezone.localtime(plan.scheduled_for).time() == time(10, 0) and plan.version == 1
    assert list(plan.snapshots.values_list("reason", flat=True)) == ["built"]
    assert other.pk != plan.pk


def test_only_the_plans_therapist_reschedules_an_open_plan(login, therapist, clinic_admin):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    assert move(login, clinic_admin, plan, TOMORROW, "15:00").status_code == 403
    assert login(therapist).get(f"/plans/{plan.pk}/reschedule/").status_code == 405
    login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "client_cancelled"})
    assert "can no longer be changed" in said(move(login, therapist, plan, TOMORROW, "15:00"))
    plan.refresh_from_db()
    assert timezone.localtime(plan.scheduled_for).time() == time(10, 0)


def test_a_session_with_a_record_started_is_not_moved(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist), day=TODAY, time="08:00")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan))  # a draft record
    assert SessionRecord.objects.filter(plan=plan).exists()
    assert "its record is started" in said(move(login, therapist, plan, TOMORROW, "15:00"))
    plan.refresh_from_db()
    assert timezone.localdate(plan.scheduled_for) == TODAY


def at_today(hour, minute=0):
    return timezone.make_aware(datetime.combine(TODAY, time(hour, minute)))


def test_recording_opens_30_minutes_before_the_start(login, therapist, monkeypatch):
    plan = create_plan(login, therapist, make_dpn_client(therapist), day=TODAY, time="20:00")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    monkeypatch.setattr(recording, "now", lambda: at_today(19, 29))
    assert "Record the session</a>" not in login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    response = login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, sign="1"))
    assert "recording opens at 19:30 that day" in said(response)
    assert not SessionRecord.objects.filter(plan=plan).exists()
    monkeypatch.setattr(recording, "now", lambda: at_today(19, 30))
    assert "Record the session</a>" in login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    # Open: the scores before the session go into a draft; the record is signed once the session has begun.
    response = login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan))
    assert response.status_code == 302 and "recording opens" not in said(response)
    record = SessionRecord.objects.get(plan=plan)
    monkeypatch.setattr(recording, "now", lambda: at_today(20, 0))
    response = login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, version=record.version, sign="1"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DONE
