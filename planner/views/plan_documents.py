"""A plan as a document: the print sheet, the plan's JSON and the builder's preview JSON."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from clients.access import AccessKind, record_access
from planner import bodymap, plans, proposals
from planner.forms import PLAN_AHEAD_DAYS
from protocols import engine
from protocols.labels import format_date

from .plans import _client_to_preview, _plan_for


@login_required
def plan_print(request, pk):
    plan = _plan_for(request, pk)
    record_access(request, AccessKind.PLAN_PRINT, client=plan.client, obj=plan)
    items = list(plan.items.all())
    statuses = {(i.region, i.side): "dropped" if i.dropped else i.status for i in items}
    document = proposals.plan_document(plan, items)
    earlier = proposals.last_signed_proposal(plan.client, plan.scheduled_for, exclude_plan=plan)
    session, regions = proposals.mark_new(plan.session, document["regions"], earlier)
    # A late entry documents a session that took place: nothing is left to rebuild or make ready.
    stale = plan.is_open and not plan.late_entry and plans.facts_changed(plan)
    # A deferred session (not entered afterwards as having gone ahead) is not worked anywhere: the
    # sheet must not read as one to run.
    deferred = session["status"] == "defer" and not plan.late_entry
    if deferred:
        statuses = {place: "avoid" if status == "avoid" else "dropped" for place, status in statuses.items()}
    context = {
        "deferred": deferred,
        "plan": plan,
        "client": plan.client,
        "session": session,
        "document": document,
        # A place the therapist dropped keeps its cell in the table, saying so.
        "region_rows": proposals.region_rows(regions + [{**place, "dropped": True} for place in document["dropped"]]),
        "severities": proposals.notes_by_severity(session, regions),
        "stale": stale,
        # The deferral and a changed record have their own boxes on the sheet.
        "blockers": [b for b in plans.plan_blockers(plan, items, stale) if b.code not in ("deferred", "stale")]
        if plan.is_open and not plan.late_entry
        else [],
        "clearance": plan.client.latest_clearance(on=timezone.localdate(plan.scheduled_for)),
        "body_map": bodymap.status_map(statuses, dropped_label="not today" if deferred else "dropped"),
    }
    return render(request, "planner/plan_print.html", context)


@login_required
def plan_json(request, pk):
    plan = _plan_for(request, pk)
    record_access(request, AccessKind.PLAN_JSON, client=plan.client, obj=plan)
    return JsonResponse(proposals.plan_document(plan, list(plan.items.all())), json_dumps_params={"indent": 2})


PREVIEW_BACK_DAYS = 365


def _json_error(parameter, message):
    return JsonResponse({"error": message, "parameter": parameter}, status=400)


@login_required
def plan_preview_json(request, pk):
    client = _client_to_preview(request, pk)
    try:
        regions = engine.parse_regions(request.GET.get("regions", ""))
    except engine.EngineError as error:
        return _json_error("regions", f"regions: {error}")
    day_text = request.GET.get("date")
    try:
        day = date.fromisoformat(day_text) if day_text else timezone.localdate()
    except ValueError:
        return _json_error("date", f"date: {day_text!r} is not a date in the form YYYY-MM-DD")
    today = timezone.localdate()
    # As far ahead as a session can be planned, and a year back (what the rules said then).
    earliest, latest = today - timedelta(days=PREVIEW_BACK_DAYS), today + timedelta(days=PLAN_AHEAD_DAYS)
    if not earliest <= day <= latest:
        return _json_error(
            "date", f"date: {day.isoformat()} is outside {format_date(earliest)} to {format_date(latest)}"
        )
    record_access(
        request,
        AccessKind.PLAN_PREVIEW,
        client=client,
        ref=f"{day.isoformat()} {','.join(sorted({r for r, _ in regions}))}",
    )
    return JsonResponse(plans.propose(client.facts_on(day), regions), json_dumps_params={"indent": 2})
