"""The schedule (a therapist's week, a clinic's day) and sessions recorded after the fact (late entries)."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.utils import timezone

from clients.forms import therapists
from clients.models import Client
from planner import calendar, plans
from planner.forms import (
    LateEntryForm,
)
from planner.models import SessionPlan
from planner.roles import is_clinic_admin, is_therapist
from protocols import engine
from protocols.labels import place
from protocols.rules import RULES_BY_CODE

from .plans import _client_for_builder

# A clinic admin's day shows this many therapists side by side, a page at a time: columns stay
# wide enough to read a client's name, and the page never holds the whole clinic's day.
THERAPISTS_PER_PAGE = 6


@login_required
def schedule(request):
    """The schedule as a grid. A therapist sees their week; a clinic admin sees one therapist's week
    (?therapist=) or the therapists' day side by side, a page of them at a time (?page=), so the
    page never holds the clinic's week, nor every therapist of a large clinic."""
    today = timezone.localdate()
    is_admin = is_clinic_admin(request.user)
    therapist = request.GET.get("therapist", "").strip() if is_admin else ""
    span = 1 if is_admin and not therapist else 7
    start, end = _schedule_window(request.GET.get("from"), today, span)
    staff = list(therapists().only("username", "first_name", "last_name")) if is_admin else []
    shown = Paginator(staff, THERAPISTS_PER_PAGE).get_page(request.GET.get("page")) if span == 1 else None
    whose, found = _schedule_plans(request.user, is_admin, therapist, staff, start, end, shown)
    show_cancelled = request.GET.get("cancelled") == "1"
    booked, cancelled = calendar.split_cancelled(calendar.label(found))
    days = calendar.days_of(start, span, booked)
    can_book = is_therapist(request.user)
    if span == 1:
        columns = calendar.therapist_columns(start, list(shown), booked, request.user, can_book, today)
    else:
        own = can_book and whose is not None and whose.pk == request.user.pk
        columns = calendar.day_columns(days, own, today)
    settings = plans.clinic()
    context = {
        "days": sorted(days.items()),
        "columns": columns,
        "rows": calendar.grid(columns, settings.opens_at, settings.closes_at, timezone.now()),
        "cancelled": cancelled if show_cancelled else [],
        "start": start,
        "last_day": end - timedelta(days=1),
        "span": span,
        "today": today,
        "previous_week": start - timedelta(days=span),
        "next_week": end,
        "show_cancelled": show_cancelled,
        "therapist": therapist,
        "whose": whose,
        "therapists": staff,
        "shown": shown,
        "therapist_pages": _therapist_pages(shown),
        "can_book": can_book,
    }
    return render(request, "planner/schedule.html", context)


def _therapist_pages(shown):
    """(page number, its first therapist, its last) for each page of therapists; none with one page."""
    if shown is None or shown.paginator.num_pages < 2:
        return []
    staff, size = shown.paginator.object_list, shown.paginator.per_page
    return [(n // size + 1, staff[n], staff[min(n + size, len(staff)) - 1]) for n in range(0, len(staff), size)]


def _schedule_window(asked, today, span):
    """The first day shown (?from=, today when missing or unreadable) and the day after the last."""
    try:
        start = date.fromisoformat(asked) if asked else today
        end = start + timedelta(days=span)
        start - timedelta(days=span)  # the "previous" link must exist too
    except (ValueError, OverflowError):
        start, end = today, today + timedelta(days=span)
    return start, end


def _schedule_plans(user, is_admin, therapist, staff, start, end, shown=None):
    """Whose schedule it is (None for an unknown ?therapist=) and their plans on the days shown.

    `shown` is the page of therapists of a clinic admin's day: their plans only, and on the last
    page also the plans of anyone no longer a therapist, so no session is left off every page."""
    whose = user
    if is_admin:
        found = SessionPlan.objects.all()
    else:
        in_care = Client.care_team.through.objects.filter(client=OuterRef("client_id"), user=user)
        found = SessionPlan.objects.filter(therapist=user).annotate(in_care=Exists(in_care))
    if therapist:
        whose = next((m for m in staff if therapist in (m.username, str(m.pk))), None)
        found = found.filter(therapist=whose) if whose else found.none()
    elif shown is not None:
        on_page = Q(therapist__in=list(shown))
        if not shown.has_next():
            on_page |= ~Q(therapist__in=staff)
        found = found.filter(on_page)
    found = (
        found.on_days(start, end - timedelta(days=1))
        .for_lists()
        .select_related("client", "therapist")
        .only(*SCHEDULE_FIELDS)
        .order_by("scheduled_for", "pk")
    )
    return whose, found


# What the grid and the cancelled list show of a plan, its client and its therapist: whole client
# records and accounts took a third of the query's time on a clinic admin's day.
SCHEDULE_FIELDS = (
    *("scheduled_for", "ends_at", "status", "late_entry", "cancel_category", "client", "therapist"),
    *("client__first_name", "client__last_name"),
    *("therapist__first_name", "therapist__last_name", "therapist__username"),
)


@login_required
def plan_late(request):
    """Record a session that was not planned, afterwards: the proposal is built for its date; where
    it defers the session, a written reason is required and the entry is flagged."""
    client, refusal = _client_for_builder(request, ref="late entry")
    if refusal:
        return refusal
    settings = plans.clinic()
    form = LateEntryForm(request.POST or None, limit_days=settings.late_entry_days, client=client)
    proposal = None
    if request.method == "POST" and form.is_valid():
        day, regions = form.cleaned_data["date"], ",".join(form.cleaned_data["regions"])
        proposal = plans.propose(client.facts_on(day), engine.parse_regions(regions))
        reason = form.cleaned_data["late_reason"].strip()
        if avoided := _avoided(proposal):
            form.add_error("regions", _avoided_message(avoided, day))
        elif proposal["session"]["status"] == "defer" and not reason:
            form.add_error("late_reason", _reason_needed(proposal, day))
        else:
            try:
                plan = plans.create_plan(
                    client=client,
                    therapist=request.user,
                    scheduled_for=plans.as_datetime(day, form.cleaned_data["time"]),
                    regions=regions,
                    created_by=request.user,
                    fit=True,
                    late_reason=reason,
                )
            except (plans.Overlap, plans.OutsideHours) as problem:
                form.add_error("time", f"Start: {problem}")
            else:
                note = " It is flagged: the rules deferred the session that day." if plan.late_flagged else ""
                messages.success(
                    request, "Late entry saved with the proposal for its date. Record the session now." + note
                )
                return redirect("planner:record-edit", plan.pk)
    context = {"client": client, "form": form, "proposal": proposal, "limit_days": settings.late_entry_days}
    return render(request, "planner/plan_late.html", context, status=400 if form.errors else 200)


def _avoided(proposal):
    """[(place, [rule titles])] of the regions the rules avoided on the entry's date."""
    return [
        (
            place(region["region"], region["side"]),
            list(
                dict.fromkeys(
                    RULES_BY_CODE[n["rule"]].title.lower() for n in region["notes"] if n["severity"] == "avoid"
                )
            ),
        )
        for region in proposal["regions"]
        if region["status"] == "avoid"
    ]


def _avoided_message(avoided, day):
    """A late entry cannot record a region the rules avoided: its record would have no row for it."""
    named = "; ".join(f"{where} ({', '.join(why)})" if why else where for where, why in avoided)
    return (
        f"Regions: on {day:%-d %b %Y} the rules avoid {named}, so the record has no place for it. "
        "Leave it out here and write in the record's notes what was done there, and why."
    )


def _reason_needed(proposal, day):
    """The late entry's message when the rules deferred that day's session and no reason was given."""
    rules = ", ".join(note["rule"] for note in proposal["session"]["notes"] if note["severity"] == "defer")
    return (
        f"Why it went ahead: on {day:%-d %b %Y} the rules deferred the session ({rules}); "
        "say why it went ahead. The entry is flagged."
    )
