"""The two roles of DESIGN.md, as Django groups (created by planner's data migration).

The one place their names are written. Membership is read once per user object and kept on it,
so a request asks the database at most once however many checks it makes.
"""

from django.contrib.auth import get_user_model

THERAPIST = "Therapist"
CLINIC_ADMIN = "Clinic admin"
ROLE_NAMES = (THERAPIST, CLINIC_ADMIN)

_CACHE_ATTRIBUTE = "_planner_role_names"


def role_names(user):
    """The role group names a user holds, in a stable order (one query per user object)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        held = set(user.groups.filter(name__in=ROLE_NAMES).values_list("name", flat=True))
        cached = [name for name in ROLE_NAMES if name in held]
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget_roles(user):
    """After changing a user's groups: the next check reads them again."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def is_clinic_admin(user):
    return CLINIC_ADMIN in role_names(user)


def is_therapist(user):
    return THERAPIST in role_names(user)


def therapists():
    """Active accounts that can be on a care team."""
    # Name order, then the account: two therapists with one name keep their places (the schedule pages by it).
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=THERAPIST)
        .order_by("first_name", "last_name", "pk")
    )
