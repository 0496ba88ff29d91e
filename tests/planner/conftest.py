"""Fixtures shared by the planner's tests, which ask for them by name."""

import pytest

from planner.models import PlanStatus
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data


@pytest.fixture
def private_dir(settings, tmp_path):
    """Attachments stored under the test's own folder, with a limit of 1 KB."""
    settings.ATTACHMENTS_DIR = tmp_path / "private"
    settings.ATTACHMENT_MAX_BYTES = 1024
    return settings.ATTACHMENTS_DIR


@pytest.fixture
def client_record(therapist):
    return make_dpn_client(therapist)


@pytest.fixture
def ready_plan(login, therapist):
    """A plan of today's, marked ready by its therapist: the record form's starting point."""
    plan = create_plan(login, therapist, make_dpn_client(therapist), day=TODAY)
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
    return plan
