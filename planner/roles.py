"""The roles live with the clients app (the lowest app that needs them); the planner reads them from there."""

from clients.roles import (
    CLINIC_ADMIN,
    ROLE_NAMES,
    THERAPIST,
    forget_roles,
    is_care_team_therapist,
    is_clinic_admin,
    is_therapist,
    role_names,
)

__all__ = [
    "CLINIC_ADMIN",
    "ROLE_NAMES",
    "THERAPIST",
    "forget_roles",
    "is_care_team_therapist",
    "is_clinic_admin",
    "is_therapist",
    "role_names",
]
