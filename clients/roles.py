"""The two roles of DESIGN.md, as Django groups (created by planner's data migration).

The one place their names are written. Membership is read once per user object and kept on it,
together with the user's permissions (RoleBackend), so a request asks the database once however
many role and permission checks it makes.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connections, router

THERAPIST = "Therapist"
CLINIC_ADMIN = "Clinic admin"
ROLE_NAMES = (THERAPIST, CLINIC_ADMIN)

_CACHE_ATTRIBUTE = "_planner_access"


def staff_name(first_name, last_name, username):
    """How pages name a staff account read as plain columns: its full name, or its username without one
    (as User.get_full_name with the username for a default)."""
    return " ".join(part for part in (first_name, last_name) if part) or username


@dataclass(frozen=True)
class Access:
    roles: list  # role group names held, in ROLE_NAMES' order
    permissions: frozenset  # "app_label.codename", the user's own and their groups'


# Each group of the user's with its permissions, then the permissions given to the account itself. Read on
# every request that checks a role or a permission: as the ORM's union of two querysets, building the
# SQL took twice as long as the database took to run it, so it is written once here. The tables are
# django.contrib.auth's and contenttypes' own (AUTH_USER_MODEL is auth.User).
_ACCESS_SQL = """
    SELECT g.name, ct.app_label, p.codename
    FROM auth_user_groups ug
    JOIN auth_group g ON g.id = ug.group_id
    LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id
    LEFT JOIN auth_permission p ON p.id = gp.permission_id
    LEFT JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE ug.user_id = %s
    UNION ALL
    SELECT '', ct.app_label, p.codename
    FROM auth_user_user_permissions up
    JOIN auth_permission p ON p.id = up.permission_id
    JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE up.user_id = %s
"""


def access(user):
    """A signed-in user's roles and permissions, in one query per user object."""
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        with connections[router.db_for_read(Group)].cursor() as cursor:
            cursor.execute(_ACCESS_SQL, [user.pk, user.pk])
            rows = cursor.fetchall()
        held = {name for name, _app, _codename in rows}
        cached = Access(
            roles=[name for name in ROLE_NAMES if name in held],
            permissions=frozenset(f"{app}.{codename}" for _name, app, codename in rows if codename),
        )
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def role_names(user):
    """The role group names a user holds, in a stable order (read once per user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return access(user).roles


def forget_roles(user):
    """After changing a user's groups: the next check reads them, and the permissions, again."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


class RoleBackend(ModelBackend):
    """Django's ModelBackend with an active user's permissions read with their roles (access above),
    so a page that checks a role and a permission asks the database once instead of three times.
    Superusers and inactive accounts are left to ModelBackend (every permission, and none)."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or user_obj.is_superuser or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        return access(user_obj).permissions  # a frozenset, read for every permission a page checks: not copied


def is_clinic_admin(user):
    return CLINIC_ADMIN in role_names(user)


def is_therapist(user):
    return THERAPIST in role_names(user)


def is_care_team_therapist(user, client):
    """A therapist on the client's care team: who plans, records and confirms for the client (a
    prefetched care team is read without a query)."""
    return is_therapist(user) and any(member.pk == user.pk for member in client.care_team.all())


def therapists():
    """Active accounts that can be on a care team."""
    # Name order, then the account: two therapists with one name keep their places (the schedule pages by it).
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=THERAPIST)
        .order_by("first_name", "last_name", "pk")
    )
