"""A therapist's private calendar feed: turning it on, renewing or revoking its secret URL, and the feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from planner.feeds import CalendarFeed, feed_window, ics, token_hash
from planner.models import ClinicSettings, SessionPlan
from planner.roles import is_therapist


@login_required
def calendar_settings(request):
    if not is_therapist(request.user):
        raise PermissionDenied("Calendar feeds are for therapists' own sessions.")
    feed, _ = CalendarFeed.objects.get_or_create(user=request.user)
    allowed = ClinicSettings.load().calendar_feeds_allowed
    token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("on", "renew") and not allowed:
            messages.error(request, "The clinic has turned calendar feeds off: ask a clinic admin.")
            return redirect("planner:calendar-settings")
        if action in ("on", "renew"):
            token = feed.renew()
            messages.success(
                request,
                "Your calendar feed is on. Copy its address below into your calendar app now: "
                "it is shown only this once (renew it to get a new one).",
            )
        elif action == "off":
            feed.revoke()
            messages.success(request, "Your calendar feed is off and its address no longer works.")
            return redirect("planner:calendar-settings")
        else:
            messages.error(request, "Choose to turn the feed on, renew its address or turn it off.")
            return redirect("planner:calendar-settings")
    url = request.build_absolute_uri(f"/calendar/{token}.ics") if token else ""
    return render(request, "planner/calendar_settings.html", {"feed": feed, "allowed": allowed, "url": url})


@login_not_required
@require_safe  # GET, and HEAD: some calendar apps ask whether the feed changed first
def calendar_feed(request, token):
    """The feed itself: no sign-in, the secret URL is the key. Anything wrong is a plain 404."""
    feed = CalendarFeed.objects.filter(token_hash=token_hash(token), enabled=True).select_related("user").first()
    if feed is None or not feed.user.is_active or not is_therapist(feed.user):
        raise Http404("No such calendar.")
    if not ClinicSettings.load().calendar_feeds_allowed:
        raise Http404("No such calendar.")
    first, last = feed_window(timezone.localdate())
    plans = (
        SessionPlan.objects.booked()
        .filter(therapist=feed.user)
        .on_days(first, last)
        .only("pk", "scheduled_for", "ends_at", "status", "updated_at", "version")
        .order_by("scheduled_for", "pk")
    )
    response = HttpResponse(ics(plans), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    return response
