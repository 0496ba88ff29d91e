"""The clinic's schedule settings: hours, buffer, late entries, calendar feeds (clinic admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone

from planner.feeds import CalendarFeed
from planner.forms import ClinicSettingsForm
from planner.models import ClinicSettings
from planner.roles import is_clinic_admin


def _saved(changed, settings):
    """What saving the settings did, said for what changed: the hours and the buffer hold for sessions
    booked from now on, while the late-entry limit and the calendar feeds take effect at once."""
    if not changed:
        return "Nothing was changed."
    said = ["Clinic settings saved."]
    if {"opens_at", "closes_at", "buffer_minutes"} & set(changed):
        said.append("The hours and the buffer apply to sessions booked from now on; booked ones keep theirs.")
    if "late_entry_days" in changed:
        said.append(f"Sessions can now be recorded afterwards for {settings.late_entry_days} days.")
    if "calendar_feeds_allowed" in changed:
        said.append(
            "Calendar feeds are allowed: each therapist turns theirs on from the schedule."
            if settings.calendar_feeds_allowed
            else "Calendar feeds are off: every feed address stopped working now."
        )
    return " ".join(said)


@login_required
def clinic_settings(request):
    if not is_clinic_admin(request.user):
        raise PermissionDenied("Only clinic admins change the clinic's settings.")
    current = ClinicSettings.load()
    feeds_were_allowed = current.calendar_feeds_allowed
    form = ClinicSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                settings = form.save()
                if feeds_were_allowed and not settings.calendar_feeds_allowed:
                    # Off stops every feed for good: turning feeds on again revives no old address.
                    CalendarFeed.objects.filter(enabled=True).update(
                        enabled=False, token_hash=None, renewed_at=timezone.now()
                    )
            messages.success(request, _saved(form.changed_data, settings))
            return redirect("planner:clinic-settings")
    return render(request, "planner/clinic_settings.html", {"form": form}, status=400 if form.errors else 200)
