from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from clients.models import ClientArchived

SESSION_KEY = "must_change_password"
MFA_PENDING_KEY = "mfa_pending"


class PasswordChangeRequiredMiddleware:
    """Send a user with a temporary password to the password form before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.get(SESSION_KEY):
            allowed = (reverse("password_change"), reverse("logout"), reverse("mfa"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


class TwoFactorPendingMiddleware:
    """Hold a session whose second factor is due at /accounts/mfa/ until it is done.

    Reads only the session: the sign-in decided whether a second factor is due (planner.mfa).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.get(MFA_PENDING_KEY):
            allowed = (reverse("mfa"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("mfa")
        return self.get_response(request)


class ClientArchivedMiddleware:
    """Turn a refused write on an archived client (Client.ensure_writable) into a clear message.

    The rule lives on the model; this is the one place any view's refusal becomes a response:
    back to the client page with the reason, or a 409 with the reason for a JSON request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ClientArchived):
            return None
        if request.path.endswith(".json") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": str(exception)}, status=409)
        messages.error(request, str(exception))
        return redirect("clients:detail", exception.client.pk)


class NoStoreMiddleware:
    """Every page and file the app itself answers may carry client data: browsers and proxies must
    not keep a copy (`Cache-Control: no-store`). Static files are answered before this, by WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
