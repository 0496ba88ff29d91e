"""No overlap under concurrent requests: PostgreSQL's exclusion constraints hold the rule."""

import threading
from datetime import time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from planner import plans
from planner.models import PlanStatus, SessionPlan
from tests.planner.test_plans import TOMORROW, create_plan, make_cipn_client, make_dpn_client, plan_data

pytestmark = pytest.mark.postgresql


def _copy(plan, **changes):
    fields = {f.attname: getattr(plan, f.attname) for f in SessionPlan._meta.concrete_fields if not f.primary_key}
    return SessionPlan.objects.create(**{**fields, **changes})


@pytest.mark.django_db
def test_the_database_refuses_overlaps_the_code_did_not_check(login, therapist, second_therapist):
    client, other = make_dpn_client(therapist), make_cipn_client(therapist)
    client.care_team.add(second_therapist)
    first = create_plan(login, therapist, client, time="10:00")
    at = plans.as_datetime(TOMORROW, time(10, 40))  # inside the therapist's buffer
    with pytest.raises(IntegrityError, match="plan_therapist_no_overlap"), transaction.atomic():
        _copy(
            first,
            client_id=other.pk,
            scheduled_for=at,
            ends_at=at + timedelta(minutes=20),
            busy_until=at + timedelta(minutes=30),
        )
    at = plans.as_datetime(TOMORROW, time(10, 20))
    with pytest.raises(IntegrityError, match="plan_client_no_overlap"), transaction.atomic():
        _copy(
            first,
            therapist_id=second_therapist.pk,
            scheduled_for=at,
            ends_at=at + timedelta(minutes=20),
            busy_until=at + timedelta(minutes=30),
        )
    # A cancelled plan holds no place.
    _copy(first, status=PlanStatus.CANCELLED, client_id=other.pk)
    assert SessionPlan.objects.count() == 2


@pytest.mark.django_db
def test_a_save_the_check_missed_gets_the_form_message(login, therapist, monkeypatch):
    create_plan(login, therapist, make_dpn_client(therapist), time="10:00")
    real = plans.overlap_with
    calls = []

    def misses_once(plan):
        calls.append(plan)
        return None if len(calls) == 1 else real(plan)  # as if the other booking committed just after the check

    monkeypatch.setattr(plans, "overlap_with", misses_once)
    monkeypatch.setattr(plans, "clash_and_next_free", lambda *a, **k: (None, None))
    response = login(therapist).post(f"/plans/new/?client={make_cipn_client(therapist).pk}", plan_data(time="10:15"))
    assert response.status_code == 400
    assert "You already have a session with Dora Pine" in " ".join(response.context["form"].errors["time"])
    assert SessionPlan.objects.count() == 1


@pytest.mark.django_db
def test_a_save_cancelled_as_a_deadlock_gets_the_form_message(login, therapist, monkeypatch):
    """Two bookings of one time whose exclusion checks wait on each other: PostgreSQL cancels one as a
    deadlock (SQLSTATE 40P01), which is told as the other booking, not as a server error."""
    import psycopg
    from django.db import OperationalError

    create_plan(login, therapist, make_dpn_client(therapist), time="10:00")
    real_check, real_save = plans.overlap_with, SessionPlan.save
    calls = []

    def misses_once(plan):
        calls.append(plan)
        return None if len(calls) == 1 else real_check(plan)

    def cancelled_once(plan, *args, **kwargs):
        if plan.pk is None and len(calls) == 1:
            raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected("deadlock detected")
        return real_save(plan, *args, **kwargs)

    monkeypatch.setattr(plans, "overlap_with", misses_once)
    monkeypatch.setattr(plans, "clash_and_next_free", lambda *a, **k: (None, None))
    monkeypatch.setattr(SessionPlan, "save", cancelled_once)
    response = login(therapist).post(f"/plans/new/?client={make_cipn_client(therapist).pk}", plan_data(time="10:15"))
    assert response.status_code == 400
    assert "You already have a session with Dora Pine" in " ".join(response.context["form"].errors["time"])
    assert SessionPlan.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("second_time, same_client", [("10:00", False), ("10:20", False), ("10:10", True)])
def test_two_bookings_at_the_same_instant_save_exactly_one(
    therapist, second_therapist, monkeypatch, second_time, same_client
):
    first_client = make_dpn_client(therapist)
    second_client = first_client if same_client else make_cipn_client(therapist)
    second_client.care_team.add(second_therapist)
    booker = second_therapist if same_client else therapist
    # Both requests pass the check before either saves: the database must refuse the second.
    both_checked = threading.Barrier(2, timeout=20)
    local = threading.local()
    real = plans.overlap_with

    def check_then_wait(plan):
        found = real(plan)
        if not getattr(local, "waited", False):
            local.waited = True
            both_checked.wait()
        return found

    monkeypatch.setattr(plans, "overlap_with", check_then_wait)
    responses = {}

    def book(name, user, client, at):
        try:
            browser = Client()
            browser.force_login(user)
            responses[name] = browser.post(f"/plans/new/?client={client.pk}", plan_data(time=at))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=("a", therapist, first_client, "10:00")),
        threading.Thread(target=book, args=("b", booker, second_client, second_time)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(response.status_code for response in responses.values())
    assert statuses == [302, 400]
    [saved] = SessionPlan.objects.booked().select_related("client")
    refused = next(r for r in responses.values() if r.status_code == 400)
    message = " ".join(refused.context["form"].errors["time"])  # names the session that was saved
    assert f"{saved.client} already has" in message or f"a session with {saved.client}" in message
    start, end = timezone.localtime(saved.scheduled_for), timezone.localtime(saved.ends_at)
    assert f"from {start:%H:%M} to {end:%H:%M}" in message
