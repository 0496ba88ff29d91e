import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY

from clients.models import ClientArchived
from clients.roles import is_clinic_admin
from protocols.versioning import StaleVersion

SESSION_KEY = "must_change_password"
SIGNED_IN_AT_KEY = "signed_in_at"
LAST_SEEN_KEY = "last_seen"
# The last request is written to the session at most this often, so most pages save nothing.
LAST_SEEN_EVERY_SECONDS = 60
MFA_PENDING_KEY = "mfa_pending"


def start_session_clock(sender, request, user, **kwargs):
    """At sign-in (user_logged_in): the absolute limit and the idle clock both start now."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT_KEY] = now
        request.session[LAST_SEEN_KEY] = now


def idle_seconds_left(request):
    """Seconds until the session ends for lack of activity (or for the absolute limit, if sooner)."""
    now = time.time()
    idle = settings.SESSION_IDLE_MINUTES * 60 - (now - request.session.get(LAST_SEEN_KEY, 0))
    absolute = settings.SESSION_COOKIE_AGE - (now - request.session.get(SIGNED_IN_AT_KEY, 0))
    return int(min(idle, absolute))


def touch(request):
    request.session[LAST_SEEN_KEY] = time.time()


class IdleTimeoutMiddleware:
    """Sign out a session left idle for SESSION_IDLE_MINUTES, or older than SESSION_COOKIE_AGE.

    Each request moves the idle clock on; static/js/idle-timeout.js warns a minute before the end
    and pings planner:keep-alive for "stay signed in".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if idle_seconds_left(request) <= 0:
                return self.signed_out(request)
            # A page's timer asking how long is left (GET keep-alive) is not activity.
            checking = request.method == "GET" and request.path == reverse("keep-alive")
            if not checking and time.time() - request.session.get(LAST_SEEN_KEY, 0) >= LAST_SEEN_EVERY_SECONDS:
                touch(request)
        return self.get_response(request)

    def signed_out(self, request):
        path = request.get_full_path()
        if request.method != "GET":
            # A form sent after the time was up: signed in again, come back to the page it was on, not
            # to its POST-only address (a GET there is refused).
            path = same_site_referer(request) or reverse("planner:dashboard")
        logout(request)
        if request.path.endswith(".json") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": "Signed out after a time without activity: sign in again."}, status=401)
        return redirect(f"{reverse('login')}?{urlencode({'next': path, 'idle': 1})}")


def same_site_referer(request):
    """The path of the page that sent this request, if it is one of ours, else ""."""
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    parts = urlsplit(back)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, except for a form sent without a session (signed out in another tab, or the day's
    limit passed): the sign-in leads back to the page the form was on, not to its POST-only address;
    and a script asking for JSON gets a 401 it can read, not the sign-in page."""

    def handle_no_permission(self, request, view_func):
        if "application/json" in request.headers.get("Accept", ""):
            # A page's script (the idle timer's keep-alive): an answer it can read, so the page leaves.
            return JsonResponse({"error": "Signed out: sign in again."}, status=401)
        if request.method == "GET":
            return super().handle_no_permission(request, view_func)
        back = same_site_referer(request) or reverse("planner:dashboard")
        return redirect_to_login(back, self.get_login_url(view_func), self.get_redirect_field_name(view_func))


class PasswordChangeRequiredMiddleware:
    """Send a user with a temporary password to the password form before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.get(SESSION_KEY):
            allowed = (reverse("password_change"), reverse("logout"), reverse("mfa"), reverse("keep-alive"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("password_change")
        return self.get_response(request)


class TwoFactorPendingMiddleware:
    """Hold a session whose second factor is due at /accounts/mfa/ until it is done.

    The sign-in decides whether a second factor is due (planner.mfa). A session signed in without one
    is held too once MFA_REQUIRED comes to cover it: an account made a clinic admin meanwhile.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and device_gone(request):
            # The device this session was verified with was removed (a lost phone reset by a clinic
            # admin): whoever holds the session signs in again.
            path = request.get_full_path()
            logout(request)
            return redirect(f"{reverse('login')}?{urlencode({'next': path, 'mfa_reset': 1})}")
        if request.user.is_authenticated and not request.session.get(MFA_PENDING_KEY) and now_due(request):
            request.session[MFA_PENDING_KEY] = True
        if request.user.is_authenticated and request.session.get(MFA_PENDING_KEY):
            allowed = (reverse("mfa"), reverse("logout"), reverse("keep-alive"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("mfa")
        return self.get_response(request)


# A verified session's device is looked up at most this often, so most pages ask nothing more.
DEVICE_CHECK_EVERY_SECONDS = 60
DEVICE_CHECKED_KEY = "mfa_device_checked"


def device_gone(request):
    """Whether the second-factor device this session was verified with no longer exists for this user."""
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id or time.time() - request.session.get(DEVICE_CHECKED_KEY, 0) < DEVICE_CHECK_EVERY_SECONDS:
        return False
    from django_otp.models import Device

    device = Device.from_persistent_id(persistent_id)
    if device is None or device.user_id != request.user.pk:
        return True
    request.session[DEVICE_CHECKED_KEY] = time.time()
    return False


def now_due(request):
    """Whether MFA_REQUIRED covers a session that was signed in without a second factor."""
    if settings.MFA_REQUIRED == "off" or request.session.get(DEVICE_ID_SESSION_KEY):
        return False
    return settings.MFA_REQUIRED == "everyone" or is_clinic_admin(request.user)


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


class StaleVersionMiddleware:
    """A write that lost a race with another save (protocols.versioning.StaleVersion) and that no form
    caught: say so and go back to the page the user was on, where they see the other save; a 409 for
    a JSON request. Nothing was written: the version is claimed in the transaction that saves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StaleVersion):
            return None
        if request.path.endswith(".json") or "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"error": str(exception)}, status=409)
        messages.error(request, str(exception))
        back = request.headers.get("Referer", "")
        here = {request.get_host()}
        if not url_has_allowed_host_and_scheme(back, allowed_hosts=here, require_https=request.is_secure()):
            back = "/"
        return redirect(back)


class NoStoreMiddleware:
    """Every page and file the app itself answers may carry client data: browsers and proxies must
    not keep a copy (`Cache-Control: no-store`). Static files are answered before this, by WhiteNoise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
