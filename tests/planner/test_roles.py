"""Role names are written once (clients/roles.py) and a user's roles are read once per request."""

import importlib
import pathlib

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.models import Group, Permission

from clients.roles import CLINIC_ADMIN, THERAPIST, is_clinic_admin, is_therapist, role_names
from planner.account_forms import set_role

pytestmark = pytest.mark.django_db
ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_membership_is_read_once_per_user_object(therapist, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert is_therapist(therapist) and not is_clinic_admin(therapist)
        assert role_names(therapist) == [THERAPIST]
        assert is_therapist(therapist)


def test_roles_and_permissions_are_read_in_one_query(clinic_admin, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert is_clinic_admin(clinic_admin) and not is_therapist(clinic_admin)
        assert clinic_admin.has_perm("clients.view_all_clients")
        assert clinic_admin.has_perm("auth.change_user")
        assert not clinic_admin.has_perm("clients.no_such_permission")


def test_permissions_come_from_every_group_and_the_account_itself(therapist):
    """Not only the role groups: another group's permissions and one given to the account count too."""
    assert not therapist.has_perm("auth.view_group") and not therapist.has_perm("auth.view_permission")
    extra = Group.objects.create(name="Front desk")
    extra.permissions.add(Permission.objects.get(codename="view_group"))
    therapist.groups.add(extra)
    therapist.user_permissions.add(Permission.objects.get(codename="view_permission"))
    fresh = get_user_model().objects.get(pk=therapist.pk)
    assert fresh.has_perm("auth.view_group") and fresh.has_perm("auth.view_permission")
    assert fresh.has_perm("clients.view_client")
    assert role_names(fresh) == [THERAPIST]
    assert {"auth.view_group", "auth.view_permission", "clients.view_client"} <= fresh.get_all_permissions()


def test_an_inactive_account_has_no_permission_and_a_superuser_every_one(therapist):
    therapist.is_active = False
    assert not therapist.has_perm("clients.view_client")
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x-not-used-9")
    assert root.has_perm("clients.view_all_clients") and root.has_perm("auth.change_user")


def test_sessions_signed_in_through_model_backend_stay_signed_in_after_the_upgrade(login, therapist):
    """Migration 0016 makes sessions that name ModelBackend (no longer configured) name RoleBackend."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    migration = importlib.import_module("planner.migrations.0016_sessions_name_the_role_backend")
    browser = login(therapist)
    store = SessionStore(session_key=browser.session.session_key)
    store[BACKEND_SESSION_KEY] = migration.MODEL_BACKEND
    store.save()
    assert browser.get("/").status_code == 302  # signed out: the backend it names is not configured

    assert migration.rename_backend(Session.objects.all(), migration.MODEL_BACKEND, migration.ROLE_BACKEND) == 1
    assert browser.get("/").status_code == 200
    assert SessionStore(session_key=store.session_key)[BACKEND_SESSION_KEY] == migration.ROLE_BACKEND
    # Undone on the way back, and sessions that name another backend are left alone.
    assert migration.rename_backend(Session.objects.all(), migration.ROLE_BACKEND, migration.MODEL_BACKEND) == 1
    assert migration.rename_backend(Session.objects.all(), "some.other.Backend", migration.ROLE_BACKEND) == 0


def test_changing_the_role_forgets_what_was_read(therapist):
    assert not is_clinic_admin(therapist)
    assert not therapist.has_perm("clients.view_all_clients")
    set_role(therapist, "both")
    assert role_names(therapist) == [THERAPIST, CLINIC_ADMIN]
    assert therapist.has_perm("clients.view_all_clients")


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


def test_a_role_group_without_permissions_is_still_held(therapist):
    """Read with LEFT JOINs: a group that grants nothing still names the role."""
    Group.objects.get(name=THERAPIST).permissions.clear()
    fresh = get_user_model().objects.get(pk=therapist.pk)
    assert role_names(fresh) == [THERAPIST]
    assert not fresh.has_perm("clients.view_client")


def test_the_roles_query_names_the_models_own_tables():
    """clients/roles.py writes the SQL by hand: it must read the tables the auth models use."""
    from django.contrib.contenttypes.models import ContentType

    from clients.roles import _ACCESS_SQL

    User = get_user_model()
    tables = [
        Group._meta.db_table,
        Permission._meta.db_table,
        ContentType._meta.db_table,
        User.groups.through._meta.db_table,
        Group.permissions.through._meta.db_table,
        User.user_permissions.through._meta.db_table,
    ]
    for table in tables:
        assert f" {table} " in _ACCESS_SQL


def test_a_role_changed_between_two_requests_holds_on_the_second(login, therapist):
    """Roles are read afresh on each request, never kept in the session."""
    browser = login(therapist)
    assert browser.get("/team/").status_code == 403
    set_role(therapist, "both")
    assert browser.get("/team/").status_code == 200
    set_role(therapist, "therapist")
    assert browser.get("/team/").status_code == 403
