from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "must_change_password"


class PasswordChangeRequiredMiddleware:
    """Send a user with a temporary password to the password form before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.get(SESSION_KEY):
            allowed = (reverse("password_change"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)
