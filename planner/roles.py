"""The two roles of DESIGN.md, as Django groups (created by planner's data migration)."""

THERAPIST = "Therapist"
CLINIC_ADMIN = "Clinic admin"
ROLE_NAMES = (THERAPIST, CLINIC_ADMIN)


def role_names(user):
    """The role group names a user holds, in a stable order."""
    if not user.is_authenticated:
        return []
    held = {group.name for group in user.groups.all()}
    return [name for name in ROLE_NAMES if name in held]


def is_clinic_admin(user):
    return CLINIC_ADMIN in role_names(user)


def is_therapist(user):
    return THERAPIST in role_names(user)
