from .middleware import idle_seconds_left
from .roles import CLINIC_ADMIN, THERAPIST, role_names


def roles(request):
    """Role flags for the navbar, computed once per request."""
    held = role_names(request.user) if hasattr(request, "user") else []
    return {
        "user_roles": held,
        "is_clinic_admin": CLINIC_ADMIN in held,
        "is_therapist": THERAPIST in held,
    }


def idle_timeout(request):
    """Seconds left before an idle session ends, for static/js/idle-timeout.js (no queries)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {}
    return {"idle_seconds_left": max(0, idle_seconds_left(request))}
