"""A session cancelled while its record is first saved ends cancelled or recorded, never both, on PostgreSQL."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from planner import plans, recording
from planner.models import PlanStatus, SessionRecord
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
from tests.planner.test_records import record_data

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def race(therapist, plan, first, started):
    """The record's first save and a cancel sent together: `first` ("record" or "cancel") is sent first
    and sets `started` once past its checks, where it is slowed; the other is sent then."""
    failures, pages = [], {}

    def send(kind):
        try:
            if kind != first:
                started.wait(20)
                time.sleep(0.2)  # the first is past its checks and asleep
            browser = Client()
            browser.force_login(therapist)
            if kind == "record":
                pages[kind] = browser.post(f"/plans/{plan.pk}/record/", record_data(plan))
            else:
                pages[kind] = browser.post(f"/plans/{plan.pk}/cancel/", {"category": "client_cancelled"})
        except Exception as error:  # noqa: BLE001 reported below, where the test can fail on it
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(kind,)) for kind in ("record", "cancel")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish in 30 s"
    return pages


@pytest.mark.parametrize("first", ["record", "cancel"])
def test_a_session_is_either_cancelled_or_recorded(monkeypatch, login, therapist, time_machine, first):
    plan = create_plan(login, therapist, make_dpn_client(therapist), day=TODAY, time="12:15")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    real_refusal, real_cancel = recording.refusal_to_record, plans.cancel_plan
    started = threading.Event()

    def refusal_slowly(*args):
        found = real_refusal(*args)
        if first == "record":
            started.set()
            time.sleep(1)  # past its checks: the cancel comes now
        return found

    def cancel_slowly(*args):
        if first == "cancel":
            started.set()
            time.sleep(1)  # past its checks: the record's first save comes now
        return real_cancel(*args)

    monkeypatch.setattr(recording, "refusal_to_record", refusal_slowly)
    monkeypatch.setattr(plans, "cancel_plan", cancel_slowly)
    pages = race(therapist, plan, first, started)

    # Either way the cancel saved first (the record's checks and the cancel's are both passed before the
    # record's first save): the session is cancelled, takes no record, and the form says why, keeping
    # what was typed. Without the lock it was both cancelled and recorded.
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED
    assert not SessionRecord.objects.filter(plan=plan).exists()
    page = pages["record"].content.decode()
    assert pages["record"].status_code == 400 and "this session was cancelled meanwhile" in page
    assert "Burning eased after the first week." in page
