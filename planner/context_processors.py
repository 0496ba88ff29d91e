from .roles import CLINIC_ADMIN, THERAPIST, role_names


def roles(request):
    """Role flags for the navbar, computed once per request."""
    held = role_names(request.user) if hasattr(request, "user") else []
    return {
        "user_roles": held,
        "is_clinic_admin": CLINIC_ADMIN in held,
        "is_therapist": THERAPIST in held,
    }
