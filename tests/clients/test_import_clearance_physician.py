"""An imported clearance's physician: a value that is not a name is said to be so, not said to be missing."""

import pytest

from clients.importing import import_documents
from clients.models import Client
from tests.clients.test_documents import minimal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "physician, message",
    [
        (["Dr Shah"], "expected the physician's name (text), not ['Dr Shah']"),
        (42, "expected the physician's name (text), not 42"),
        ("  ", "the physician's name is required"),
        (None, "the physician's name is required"),
    ],
)
def test_a_physician_that_is_not_a_name_is_named_as_such(therapist, physician, message):
    report = import_documents(minimal(clearance={"physician": physician, "date": "2024-01-01", "restrictions": ""}))
    assert report.error_messages() == [f"document 1, clearance.physician: {message}"]
    assert not Client.objects.exists()
