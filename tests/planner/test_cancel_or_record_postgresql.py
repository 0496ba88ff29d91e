"""A session cancelled while its record is first saved ends cancelled or recorded, never both, on PostgreSQL."""

import threading
import time

import pytest

from planner import plans, recording
from planner.models import PlanStatus, SessionRecord
from planner.views import plans as plan_views
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
from tests.planner.test_records import record_data
from tests.threads import post_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("first", ["record", "cancel"])
def test_a_session_is_either_cancelled_or_recorded(monkeypatch, login, therapist, first):
    """The record's first save and a cancel sent together: `first` gets past its checks and is slowed
    there, then the other is let through, so that without a lock both would pass their checks."""
    plan = create_plan(login, therapist, make_dpn_client(therapist), day=TODAY, time="12:15")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    past_checks = threading.Event()
    real_refusal, real_cancel, real_plan_to_cancel = (
        recording.refusal_to_record,
        plans.cancel_plan,
        plan_views._plan_to_cancel,
    )

    def record_checks(*args):
        if first == "cancel":
            past_checks.wait(20)
        found = real_refusal(*args)
        if first == "record":
            past_checks.set()
            time.sleep(1)
        return found

    def cancel_checked(*args):
        if first == "record":
            past_checks.wait(20)
        return real_plan_to_cancel(*args)

    def cancel(*args):
        if first == "cancel":
            past_checks.set()
            time.sleep(1)
        return real_cancel(*args)

    monkeypatch.setattr(recording, "refusal_to_record", record_checks)
    monkeypatch.setattr(plan_views, "_plan_to_cancel", cancel_checked)
    monkeypatch.setattr(plans, "cancel_plan", cancel)
    recorded, cancelled = post_together(
        (therapist, f"/plans/{plan.pk}/record/", record_data(plan)),
        (therapist, f"/plans/{plan.pk}/cancel/", {"category": "client_cancelled"}),
    )

    # Either way the cancel saves first (both are past their checks before the record's first save):
    # the session is cancelled, takes no record, and the form says why, keeping what was typed.
    # Without the lock it was both cancelled and recorded.
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED and cancelled.status_code == 302
    assert not SessionRecord.objects.filter(plan=plan).exists()
    page = recorded.content.decode()
    assert recorded.status_code == 400 and "this session was cancelled meanwhile" in page
    assert "Burning eased after the first week." in page
