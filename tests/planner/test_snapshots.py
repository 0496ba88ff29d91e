"""Plan history keeps who changed what and when, and each version of the snapshots only once."""

import pytest

from planner.models import PlanSnapshot, SessionPlan
from tests.planner.test_plans import create_plan, make_dpn_client, save_data

pytestmark = pytest.mark.django_db


def test_saving_a_plan_adds_history_without_copying_its_snapshots(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    [built] = plan.snapshots.all()
    assert built.reason == "built" and built.created_by == therapist
    assert built.proposal == plan.proposal and built.facts == plan.facts

    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, goals="Ease the burning."))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.goals == "Ease the burning."
    assert plan.snapshots.count() == 1  # the proposal did not change
    latest = plan.history.first()
    assert latest.goals == "Ease the burning." and latest.history_user == therapist
    assert not hasattr(latest, "proposal") and not hasattr(latest, "facts")
    assert not hasattr(plan.items.first().history.first(), "steps")


def test_rebuilding_keeps_a_new_version(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    assert login(therapist).post(f"/plans/{plan.pk}/rebuild/").status_code == 302
    versions = list(PlanSnapshot.objects.filter(plan=plan))
    assert [v.reason for v in versions] == ["built", "rebuilt"]
    assert versions[-1].created_by == therapist
    assert versions[-1].proposal == SessionPlan.objects.get(pk=plan.pk).proposal
