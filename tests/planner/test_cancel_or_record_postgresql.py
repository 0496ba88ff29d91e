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


def slowed(function, started, first):
    """`function` that, when it runs first, says so and then takes a second: the other request runs meanwhile."""

    def run(*args):
        if first:
            started.set()
            time.sleep(1)
        return function(*args)

    return run


def waiting(function, started, second):
    """`function` that, in the request sent second, runs once the first has said it is under way."""

    def run(*args):
        if second:
            started.wait(20)
        return function(*args)

    return run


@pytest.mark.parametrize(
    ("slow", "winner"),
    [
        ("record-checks", "cancel"),  # the record's checks passed, its first save not yet begun
        ("cancel-locked", "cancel"),  # the cancel holds the plan's row
        ("record-locked", "record"),  # the record's first save holds the plan's row
    ],
)
def test_a_session_is_either_cancelled_or_recorded(monkeypatch, login, therapist, slow, winner):
    """The record's first save and a cancel sent together, one slowed at a point where, without a lock,
    the other would pass its checks too and both be saved."""
    plan = create_plan(login, therapist, make_dpn_client(therapist), day=TODAY, time="12:15")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    started = threading.Event()
    record_first = slow.startswith("record")
    if slow == "record-checks":
        monkeypatch.setattr(recording, "refusal_to_record", slowed(recording.refusal_to_record, started, True))
    else:
        monkeypatch.setattr(
            recording, "refusal_to_record", waiting(recording.refusal_to_record, started, not record_first)
        )
    if slow == "record-locked":
        monkeypatch.setattr(recording, "claim_version", slowed(recording.claim_version, started, True))
    if slow == "cancel-locked":
        monkeypatch.setattr(plans, "claim_version", slowed(plans.claim_version, started, True))
    monkeypatch.setattr(plan_views, "_plan_to_cancel", waiting(plan_views._plan_to_cancel, started, record_first))

    recorded, cancelled = post_together(
        (therapist, f"/plans/{plan.pk}/record/", record_data(plan)),
        (therapist, f"/plans/{plan.pk}/cancel/", {"category": "client_cancelled"}),
    )

    plan.refresh_from_db()
    has_record = SessionRecord.objects.filter(plan=plan).exists()
    assert (plan.status == PlanStatus.CANCELLED) != has_record  # never both; without the locks, both
    if winner == "cancel":
        # The form says why and keeps what was typed.
        page = recorded.content.decode()
        assert plan.status == PlanStatus.CANCELLED and cancelled.status_code == 302
        assert recorded.status_code == 400 and "this session was cancelled meanwhile" in page
        assert "Burning eased after the first week." in page
    else:
        assert has_record and plan.status == PlanStatus.READY and recorded.status_code == 302
        said = " ".join(str(m) for m in cancelled.wsgi_request._messages)
        assert "Not cancelled: this session's record is started." in said
