"""A therapist's private calendar feed (iCalendar): only times and an opaque reference.

The feed is read by calendar servers outside the clinic, without signing in, so it carries no
name, no initials and no health detail. Its secret URL is shown to the therapist; the database
keeps only a hash of the token, so a copy of the database does not open anyone's feed.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from icalendar import Calendar, Event

FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 180


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def reference(plan_pk):
    """An opaque, stable reference of a plan for outside calendars: the plan page shows it too."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"calendar-plan:{plan_pk}".encode(), hashlib.sha256)
    return digest.hexdigest()[:10].upper()


class CalendarFeed(models.Model):
    """Whether a therapist's feed is on, and the hash of its secret token (None when revoked)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    enabled = models.BooleanField(default=False)
    renewed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Calendar feed of {self.user}"

    def renew(self):
        """A new secret URL: the old one stops working at once. Returns the new token (shown once)."""
        token = secrets.token_urlsafe(32)
        self.token_hash = token_hash(token)
        self.enabled = True
        self.renewed_at = timezone.now()
        self.save()
        return token

    def revoke(self):
        self.token_hash = None
        self.enabled = False
        self.renewed_at = timezone.now()
        self.save()


def ics(plans):
    """The plans as an iCalendar document: start, end, status and the opaque reference only.

    A published feed has no METHOD, so DTSTAMP is when the plan was last changed (RFC 5545 3.8.7.2),
    not the time of the download; with LAST-MODIFIED and a SEQUENCE that grows with the plan's
    version, a calendar app sees a moved session as changed and an unchanged one as unchanged."""
    calendar = Calendar()
    calendar.add("prodid", "-//Session planner//Therapist schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Sessions")
    for plan in plans:
        ref = reference(plan.pk)
        event = Event()
        event.add("uid", f"{ref}@session-planner")
        event.add("dtstamp", plan.updated_at)
        event.add("last-modified", plan.updated_at)
        event.add("sequence", plan.version - 1)
        event.add("dtstart", plan.scheduled_for)
        event.add("dtend", plan.ends_at)
        event.add("summary", f"Session {ref}")
        event.add("status", "CONFIRMED" if plan.status in ("ready", "done") else "TENTATIVE")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return calendar.to_ical()


def feed_window(today):
    return today - timedelta(days=FEED_DAYS_BACK), today + timedelta(days=FEED_DAYS_AHEAD)
