"""The client page and the client document, with the planner's part added: plans, records, progress.

`clients` knows nothing of plans, so these two URLs of the client are served here, on top of
what the clients app builds.
"""

import functools
import re

from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.functions import TruncDate
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header

from clients.access import AccessKind, record_access
from clients.documents import export_client
from clients.views import can_archive, client_detail_context, client_for, client_has, page_flags, visible_client
from planner import charts, client_document, corrections, fhir, plans, progress
from planner.attachments import Attachment
from planner.corrections import ScoreCorrection
from planner.letters import ProgressLetter
from planner.models import (
    CancelReason,
    PlanStatus,
    SessionPlan,
    SessionRecord,
    day_start,
)
from planner.roles import is_care_team_therapist, is_clinic_admin

# The client page's sessions panel shows this many coming plans, records and earlier plans (the sessions
# page every one), and the page this many earlier conditions (?older=1 every one).
RECENT_ON_PAGE = 8
# Above this many signed sessions the charts and their table show monthly averages.
CHART_POINTS = 40


def _scores(rows):
    return [charts.SessionScores(day, *scores) for day, *scores in rows if scores[0] is not None]


def _monthly(scores):
    """One point per month, each score the month's mean (rounded), labelled with the number of sessions."""
    months = {}
    for score in scores:
        months.setdefault(score.day.replace(day=1), []).append(score)

    def mean(values):
        values = [v for v in values if v is not None]
        return round(sum(values) / len(values)) if values else None

    return [
        charts.SessionScores(
            day=month,
            pain_before=mean(s.pain_before for s in group),
            pain_after=mean(s.pain_after for s in group),
            numbness_before=mean(s.numbness_before for s in group),
            numbness_after=mean(s.numbness_after for s in group),
            label=f"mean of {len(group)} session{'s' if len(group) != 1 else ''}",
        )
        for month, group in sorted(months.items())
    ]


def _course(scores, points, days):
    """Course progress: before scores against the first, and sessions a week (no queries). The
    sentences read every signed session; the charts draw `points` (monthly means for a long course)."""
    pain, numbness = progress.course_change(scores, "pain"), progress.course_change(scores, "numbness")
    return {
        "pain_chart": progress.course_chart(points, "pain", first=pain and pain["first"]),
        "numbness_chart": progress.course_chart(points, "numbness", first=numbness and numbness["first"]),
        "pain": progress.change_sentence(pain),
        "numbness": progress.change_sentence(numbness),
        "dose": progress.sessions_per_week(days),
    }


@login_required
def client_detail(request, pk):
    client = client_for(request, pk, **page_flags(), **_session_flags())
    record_access(request, AccessKind.CLIENT_PAGE, client=client)
    context = client_detail_context(request, client)
    earlier_conditions = context["past_conditions"]  # newest first; a long course of lab results reads as a page
    if request.GET.get("older") != "1" and len(earlier_conditions) > RECENT_ON_PAGE:
        context["past_conditions"] = earlier_conditions[:RECENT_ON_PAGE]
        context["past_conditions_total"] = len(earlier_conditions)
    context.update(
        {
            # The sessions panel, and the documents and letters of a client with any, load after the page
            # (client_sessions, client_documents).
            "documents_later": client.has_letters or client.has_attachments,
            "can_plan": is_care_team_therapist(request.user, client) and not client.is_archived,
        }
    )
    return render(request, "planner/client_detail.html", context)


# The access log's reference for the client page's sessions panel (a CLIENT_PAGE read of the lists).
SESSIONS_PANEL_REF = "sessions, on the client page"


@login_required
def client_sessions(request, pk):
    """The client's plans, records and progress: with ?panel=1 the client page's sessions panel (the
    recent ones), which the page loads once it is shown (static/js/actions.js); else every plan and
    record, on a page of its own."""
    record = SessionRecord._meta.db_table
    has_corrections = client_has(
        ScoreCorrection._meta.db_table,
        join=f'JOIN "{record}" ON "{record}".id = record_id',
        client_id=f'"{record}".client_id',
    )
    client = visible_client(request, pk, has_corrections=has_corrections)
    panel = request.GET.get("panel") == "1"
    record_access(request, AccessKind.CLIENT_PAGE, client=client, ref=SESSIONS_PANEL_REF if panel else "sessions page")
    context = {"client": client, **_sessions_context(request, client, older=not panel)}
    return render(request, "planner/_sessions.html" if panel else "planner/client_sessions.html", context)


def _sessions_context(request, client, older):
    """The client's coming plans, records, earlier plans, charts and course: the latest RECENT_ON_PAGE
    of each list, or all of them when `older`."""
    today_starts = day_start(timezone.localdate())
    upcoming, past, cancellations = _plans(client, today_starts, None if older else RECENT_ON_PAGE + 1)
    for plan in (*upcoming, *past):
        plan.readable = plan.readable_by(request.user)  # a colleague's plan is listed, without a link
    # The list reads each record's day, scores, signature and the plan's late-entry flag, not the notes
    # or the plan's JSON; then its items and corrections, so a pressure corrected by an addendum shows
    # its deviation and a corrected score its value. The client's corrections are read once for the
    # list and the charts.
    client_fixes = corrections.client_corrections(client) if client.has_corrections else []
    records = (
        SessionRecord.objects.for_user(request.user)
        .filter(client=client)
        .select_related("plan")
        .only("plan_id", "started_at", "signed_at", *corrections.SCORE_FIELDS, "plan__late_entry")
        .order_by("-started_at", "-pk")
    )
    return {
        "cancellations": cancellations,
        "upcoming_plans": upcoming,
        "past_plans": past,
        "records": corrections.read_corrected(list(records if older else records[: RECENT_ON_PAGE + 1]), client_fixes),
        "showing_older": older,
        "recent_on_page": RECENT_ON_PAGE,
        **_chart_context(client, client_fixes),
        # The charts draw corrected scores: said under them, as the record says it beside the value.
        "scores_corrected": len(
            {(record, field) for record, _item, field, *_ in client_fixes if field != corrections.PRESSURE_USED}
        ),
    }


# The access log's reference for the client page's documents and letters (a CLIENT_PAGE read of the lists).
DOCUMENTS_PANEL_REF = "documents and letters, on the client page"


@login_required
def client_documents(request, pk):
    """The client's attached documents and progress letters; with ?panel=1 the lists alone, as the client
    page loads them once the page is shown (static/js/actions.js)."""
    client = visible_client(request, pk)
    panel = request.GET.get("panel") == "1"
    record_access(
        request, AccessKind.CLIENT_PAGE, client=client, ref=DOCUMENTS_PANEL_REF if panel else "documents page"
    )
    context = {"client": client, **_documents_context(request, client)}
    return render(request, "planner/_documents.html" if panel else "planner/client_documents.html", context)


def _documents_context(request, client):
    """The lists read what they show of each letter and document: not a letter's signed HTML and
    figures, nor whole records, clearances and accounts. Two queries."""
    attachments = (
        Attachment.objects.for_user(request.user)
        .filter(client=client)
        .select_related("uploaded_by", "clearance", "record")
        .only(*ATTACHMENT_LIST_FIELDS)
    )
    return {
        "letters": list(client.progress_letters.select_related("signed_by").only(*LETTER_LIST_FIELDS)),
        "attachments": list(attachments),
    }


def _session_flags():
    """Whether the client has any progress letter and any attached document, read with the client's
    row (clients.views.client_for): most clients have neither, and the page then loads neither list."""
    return {
        "has_letters": client_has(ProgressLetter._meta.db_table),
        "has_attachments": client_has(Attachment._meta.db_table),
    }


def _chart_context(client, client_fixes):
    """The client page's score charts, table and course, from the signed sessions' scores and the
    client's corrections (corrections.client_corrections)."""
    # The charts read the day and four scores per signed session, not the records; the day is the
    # session's local date, worked out by the database (a date is read far faster than a time).
    signed = SessionRecord.objects.filter(client=client).signed().order_by("started_at")
    rows = corrections.corrected_score_rows(signed.annotate(day=TruncDate("started_at")), client_fixes, "day")
    return _charts_of(tuple(rows))


@functools.lru_cache(maxsize=256)
def _charts_of(rows):
    """The progress panel and the course panel, drawn from (local day, four scores) per signed
    session. A pure function of the rows, so they are drawn once per process for the same scores:
    a client page opened again without a newly signed or corrected session reuses them."""
    signed = _scores(rows)
    points = _monthly(signed) if len(signed) > CHART_POINTS else signed
    context = {
        "charts_monthly": points is not signed,
        "pain_chart": charts.score_chart(points),
        "numbness_chart": charts.score_chart(
            points, measure="numbness", title="Numbness/tingling before and after each session"
        ),
        "progress": charts.summary(signed),
        "score_rows": charts.score_table_rows(points),
        "course": _course(signed, points, [row[0] for row in rows]),
    }
    context["progress_html"] = render_to_string("planner/_progress_panel.html", context)
    context["course_html"] = render_to_string("planner/_course_panel.html", context)
    return context


# What the sessions panel shows of a progress letter and of a document (templates/planner/client_detail.html).
LETTER_LIST_FIELDS = (
    *("client", "signed_at", "recipient", "period_start", "period_end", "signed_by"),
    *("signed_by__first_name", "signed_by__last_name", "signed_by__username"),
)
ATTACHMENT_LIST_FIELDS = (
    *("client", "name", "size", "description", "uploaded_at", "superseded_by", "clearance", "record", "uploaded_by"),
    *("uploaded_by__first_name", "uploaded_by__last_name", "uploaded_by__username"),
    *("clearance__physician", "clearance__cleared_on", "record__started_at"),
)
# What the sessions panel shows of a plan (templates/planner/client_detail.html), besides its session status.
PLAN_LIST_FIELDS = (
    *("scheduled_for", "status", "late_entry", "therapist"),
    *("therapist__first_name", "therapist__last_name", "therapist__username"),
)


def _plans(client, today_starts, limit):
    """The client's coming plans (soonest first) and its other plans (latest first), at most `limit`
    of each (all with None), and how many sessions did not take place per reason.

    Two queries: the client's plans as (id, still to come, status, reason) rows, chosen and counted here,
    then the chosen ones as lists show them. A client's plans are a few hundred small rows; the
    JSON snapshots of only the plans shown are touched (their session status)."""
    # Whether a plan is still to come is worked out by the database: the rows carry no times to read.
    to_come = Q(scheduled_for__gte=today_starts, status__in=(PlanStatus.DRAFT, PlanStatus.READY))
    rows = (
        SessionPlan.objects.filter(client=client)
        .annotate(to_come=ExpressionWrapper(to_come, output_field=BooleanField()))
        .order_by("scheduled_for", "pk")
        .values_list("pk", "to_come", "status", "cancel_category")
    )
    coming, other, cancelled = [], [], {}
    for pk, is_to_come, status, category in rows:
        if status == PlanStatus.CANCELLED:
            cancelled[category] = cancelled.get(category, 0) + 1
        (coming if is_to_come else other).append(pk)
    if limit is not None:
        coming, other = coming[:limit], other[-limit:]
    # Only what the lists show of a plan and its therapist: whole plans and accounts took a fifth of this.
    shown = (
        SessionPlan.objects.filter(pk__in=[*coming, *other])
        .for_lists()
        .select_related("therapist")
        .only(*PLAN_LIST_FIELDS)
        .in_bulk()
    )
    upcoming = [shown[pk] for pk in coming]
    past = [shown[pk] for pk in reversed(other)]
    return upcoming, past, _cancellation_rows(cancelled)


def _cancellation_rows(counts):
    """[(reason, count)] of the sessions that did not take place, in the reasons' order, "Other" last."""
    rows = [(label, counts[code]) for code, label in CancelReason.choices if counts.get(code)]
    if counts.get(""):
        rows.append(("Other", counts[""]))
    return rows


@login_required
@can_archive
def archive_confirm(request, pk):
    """Before archiving: what it does, and the sessions still to come that it will cancel."""
    client = client_for(request, pk)
    context = {"client": client, "future_plans": list(plans.future_plans(client).select_related("client"))}
    return render(request, "planner/archive_confirm.html", context)


@login_required
def export_json(request, pk):
    """The client document, written as it is read (planner.client_document): a long history is
    megabytes of JSON, never held whole."""
    client = client_for(request, pk)
    record_access(request, AccessKind.EXPORT_JSON, client=client)
    chunks = client_document.document_chunks(
        client, request.user, export_client(client), access_log=is_clinic_admin(request.user)
    )
    response = StreamingHttpResponse(chunks, content_type="application/json")
    return _as_download(response, client, ".json")


@login_required
def fhir_json(request, pk):
    """The client's record as a FHIR R4 Bundle: same permissions as the client document."""
    client = get_object_or_404(fhir.clients_for_export(user=request.user), pk=client_for(request, pk).pk)
    record_access(request, AccessKind.FHIR_JSON, client=client)
    response = JsonResponse(
        fhir.client_bundle(client),
        content_type="application/fhir+json",
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    return _as_download(response, client, ".fhir.json")


def _as_download(response, client, extension):
    """The response as a file download named after the client's external id (else client-<id>), in
    letters, digits, "-", "_" and "." only: an id holding quotes or ";" (say `x";filename*=…`) cannot
    name the file anything else, nor add to the header."""
    name = re.sub(r"[^\w.-]+", "-", client.external_id).strip("-.") or f"client-{client.pk}"
    response["Content-Disposition"] = content_disposition_header(True, f"{name}{extension}")
    return response
