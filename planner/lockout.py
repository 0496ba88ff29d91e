"""Sign-in lockouts (django-axes): a username is locked for one address after AXES_FAILURE_LIMIT
failures from it, and everywhere after USERNAME_FAILURE_LIMIT failures from any addresses.

Axes counts one combination of parameters (username and address); the second, wider rule is
added here by counting the username's failures across all its addresses.
"""

from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

# Failures of one username from any number of addresses that lock it everywhere.
USERNAME_FAILURE_LIMIT = 20


def _recent():
    """Attempts that still count: the last one within the cool-off time."""
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None):
        """The failures that decide a lock: from this address, or the wider rule's limit once reached."""
        failures = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if username and failures < settings.AXES_FAILURE_LIMIT:
            everywhere = _recent().filter(username=username).aggregate(total=Sum("failures_since_start"))["total"]
            if (everywhere or 0) >= USERNAME_FAILURE_LIMIT:
                return settings.AXES_FAILURE_LIMIT
        return failures


def locked_out(request, original_response=None, credentials=None):
    """The sign-in page again, saying why the password (even the right one) was refused."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = get_client_username(request, credentials) or ""
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "locked_out": (
            f"Too many failed sign-ins: this account is locked for {minutes} minutes. "
            "Try again later, or ask a clinic admin to lift the lock."
        ),
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


@dataclass
class Lock:
    username: str
    ip_address: str | None  # None: locked from every address
    failures: int
    last_failure: datetime

    @property
    def until(self):
        return self.last_failure + settings.AXES_COOLOFF_TIME


def current_locks():
    """Locks in force now: usernames locked everywhere first, then username and address pairs."""
    recent = _recent().order_by()
    everywhere = [
        Lock(row["username"], None, row["failures"], row["last"])
        for row in recent.values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=USERNAME_FAILURE_LIMIT)
        .order_by("username")
    ]
    locked_everywhere = {lock.username for lock in everywhere}
    pairs = [
        Lock(row["username"], row["ip_address"], row["failures"], row["last"])
        for row in recent.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("username", "ip_address")
        if row["username"] not in locked_everywhere
    ]
    return everywhere + pairs


def lift(username, ip_address=None):
    """Forget the failures behind a lock: of the username from one address, or from all of them."""
    attempts = AccessAttempt.objects.filter(username=username)
    if ip_address:
        attempts = attempts.filter(ip_address=ip_address)
    count, _ = attempts.delete()
    return count
