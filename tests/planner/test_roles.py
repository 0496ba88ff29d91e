"""Role names are written once (clients/roles.py) and a user's roles are read once per request."""

import pathlib

import pytest

from clients.roles import CLINIC_ADMIN, THERAPIST, is_clinic_admin, is_therapist, role_names
from planner.account_forms import set_role

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_membership_is_read_once_per_user_object(therapist, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert is_therapist(therapist) and not is_clinic_admin(therapist)
        assert role_names(therapist) == [THERAPIST]
        assert is_therapist(therapist)


def test_changing_the_role_forgets_what_was_read(therapist):
    assert not is_clinic_admin(therapist)
    set_role(therapist, "both")
    assert role_names(therapist) == [THERAPIST, CLINIC_ADMIN]


def test_the_role_names_are_written_in_one_place():
    """Outside clients/roles.py, only migrations (frozen history) spell the group names."""
    spelled = []
    for app in ("clients", "planner", "protocols"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path.name == "roles.py":
                continue
            text = path.read_text()
            if '"Therapist"' in text or '"Clinic admin"' in text:
                spelled.append(str(path.relative_to(ROOT)))
    assert spelled == []
