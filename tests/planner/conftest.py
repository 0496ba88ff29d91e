"""Fixtures of the attachment tests (tests/planner/test_attachments*.py), which ask for them by name."""

import pytest

from tests.planner.test_plans import make_dpn_client


@pytest.fixture
def private_dir(settings, tmp_path):
    """Attachments stored under the test's own folder, with a limit of 1 KB."""
    settings.ATTACHMENTS_DIR = tmp_path / "private"
    settings.ATTACHMENT_MAX_BYTES = 1024
    return settings.ATTACHMENTS_DIR


@pytest.fixture
def client_record(therapist):
    return make_dpn_client(therapist)
