"""Plan builder and plan page: build, save, rebuild, fit, reschedule, cancel.

The schedule and late entries are in `schedule.py`, the print sheet and JSON in `plan_documents.py`.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients.access import AccessKind, record_access
from clients.models import Client
from clients.validators import is_database_id
from planner import builder, feeds, plans, proposals, recording
from planner.forms import (
    WEEKDAY_CHOICES,
    CancelPlanForm,
    PlanDetailsForm,
    PlanItemForm,
    PlanRequestForm,
    RescheduleForm,
)
from planner.models import PlanStatus, SessionPlan, SessionRecord
from planner.roles import is_clinic_admin, is_therapist
from protocols.labels import and_list
from protocols.services import engine_templates
from protocols.versioning import StaleVersion
from protocols.vocabulary import REGIONS


def _plan_for(request, pk):
    """A plan the user may see: their own as a therapist, any as a clinic admin; 404 otherwise."""
    visible = SessionPlan.objects.for_user(request.user).select_related("client", "therapist")
    return get_object_or_404(visible, pk=pk)


def _own_plan(request, pk):
    """A plan the user may change: only its therapist, still a therapist on the client's care team
    (callers check that it is still open)."""
    plan = _plan_for(request, pk)
    if plan.therapist_id != request.user.pk:
        raise PermissionDenied("Only the plan's therapist can change it.")
    plans.check_still_on_care_team(request.user, plan.client, "change this plan")
    return plan


def _plan_to_cancel(request, pk):
    """A plan the user may cancel: its therapist, or a clinic admin once that therapist has left."""
    plan = _plan_for(request, pk)
    if not _may_cancel(request.user, plan):
        raise PermissionDenied("Only the plan's therapist can cancel it, or a clinic admin once they have left.")
    return plan


def _may_cancel(user, plan):
    if plan.therapist_id == user.pk:
        return True
    return is_clinic_admin(user) and plans.therapist_has_left(plan)


def _client_to_plan(request, pk):
    """A client the user may plan for: a therapist on the client's care team. A clinic admin sees
    every client, so one who is a therapist too plans only for the clients of their own care teams."""
    if not is_therapist(request.user):
        raise PermissionDenied("Only therapists plan sessions.")
    on_team = plans.on_care_team(request.user, client="pk")
    client = get_object_or_404(Client.objects.for_user(request.user).annotate(on_team=on_team), pk=pk)
    if not client.on_team:  # read with the client: no query of its own
        raise PermissionDenied(
            f"Only a therapist on {client}'s care team plans their sessions: a clinic admin adds you to it."
        )
    return client


def _client_to_preview(request, pk):
    return get_object_or_404(Client.objects.for_user(request.user), pk=pk)


def _rows(plan, items, editable, data=None):
    """The plan's places in page order, each with its document and, when editable, its form."""
    templates = engine_templates() if editable else []
    documents = proposals.item_documents(plan, items)
    earlier = proposals.last_signed_proposal(plan.client, plan.scheduled_for, exclude_plan=plan)
    session, documents = proposals.mark_new(plan.session, documents, earlier)
    places = []
    for item, document in zip(items, documents, strict=True):
        form = None
        if editable and item.status != "avoid":
            suitable = [
                t
                for t in templates
                if t.region == item.region and t.neuropathy_type in (None, plan.proposal["neuropathy_type"])
            ]
            initial = {
                "template": item.template_key,
                "minutes": item.minutes,
                "pressure": item.pressure,
                "dropped": item.dropped,
            }
            form = PlanItemForm(
                data,
                prefix=f"item-{item.pk}",
                initial=initial,
                item=item,
                templates=suitable,
                max_minutes=plan.max_minutes,
            )
        places.append({"region": item.region, "side": item.side, "item": item, "document": document, "form": form})
    return session, places


def _plan_context(request, plan, details_form=None, data=None):
    """Everything the plan page shows; `data` re-binds the adjustment forms after a refused save."""
    items = list(plan.items.all())
    stale = plan.is_open and plans.facts_changed(plan)
    can_edit = plan.is_open and plan.therapist_id == request.user.pk and not plan.client.is_archived
    record = SessionRecord.objects.filter(plan=plan).first()
    editing = can_edit and (plan.status == PlanStatus.DRAFT or request.GET.get("edit") == "1" or data is not None)
    session, places = _rows(plan, items, editing, data)
    initial = {
        "goals": plan.goals,
        "notes": plan.notes,
        "notes_acknowledged": plan.notes_acknowledged,
        "version": plan.version,
    }
    return {
        "plan": plan,
        "client": plan.client,
        "items": items,
        "session": session,
        "region_rows": proposals.region_rows(places),
        "details_form": details_form or PlanDetailsForm(initial=initial),
        "cancel_form": CancelPlanForm(),
        "calendar_ref": feeds.reference(plan.pk),
        "reschedule_form": RescheduleForm(
            initial={
                "date": timezone.localdate(plan.scheduled_for),
                "time": timezone.localtime(plan.scheduled_for).time(),
            }
        ),
        "stale": stale,
        "can_edit": can_edit,
        "editing": editing,
        "total_minutes": sum(item.minutes for item in items if item.is_worked),
        "blockers": plans.plan_blockers(plan, items, stale) if plan.is_open else [],
        "done": "" if plan.is_open else plan.get_status_display(),
        "clearance": plan.client.latest_clearance(on=timezone.localdate(plan.scheduled_for)),
        "record": record,
        # A started record says the session took place; an archived client's leftover plan may still be cancelled.
        "can_cancel": plan.is_open and record is None and _may_cancel(request.user, plan),
        "can_record": plan.therapist_id == request.user.pk
        and plan.status in (PlanStatus.READY, PlanStatus.DONE)
        and recording.opens_at(plan) <= recording.now(),
        "has_errors": any(p["form"] is not None and p["form"].is_bound and p["form"].errors for p in places),
        "cancelled_by": _cancelled_by(plan),
    }


def _cancelled_by(plan):
    """Who cancelled the plan or recorded the no-show (read from its history: the save that cancelled
    it), or None for a plan not cancelled, or cancelled by no one signed in (a command)."""
    if plan.status != PlanStatus.CANCELLED:
        return None
    cancel = (
        plan.history.filter(status=PlanStatus.CANCELLED, cancelled_at=plan.cancelled_at)
        .select_related("history_user")
        .order_by("history_date", "history_id")
        .first()
    )
    return cancel.history_user if cancel is not None else None


def _slot_from(request):
    """The day and time a schedule slot asked for (?date=&time=), when both are valid; else None."""
    form = RescheduleForm({"date": request.GET.get("date", ""), "time": request.GET.get("time", "")})
    return (form.cleaned_data["date"], form.cleaned_data["time"]) if form.is_valid() else None


def _choose_client(request, slot):
    """A free slot of the schedule was chosen: which of the therapist's clients is it for?"""
    if not is_therapist(request.user):
        raise PermissionDenied("Only therapists plan sessions.")
    clients = Client.objects.filter(care_team=request.user).active().order_by("last_name", "first_name")
    day, at = slot
    query = f"date={day.isoformat()}&time={at:%H:%M}"
    context = {"day": day, "at": at, "query": query, "clients": list(clients.only("first_name", "last_name"))}
    return render(request, "planner/plan_choose_client.html", context)


def _client_for_builder(request, ref=""):
    """The client named in the request, if the user may plan for them; else (None, a redirect). The
    builder shows the client's conditions and the plan's notes, so opening it is in the access log."""
    client_id = str(request.GET.get("client") or request.POST.get("client") or "")
    is_id = is_database_id(client_id)
    if not is_id and request.method == "GET" and (slot := _slot_from(request)):
        return None, _choose_client(request, slot)
    if not is_id:
        messages.error(request, "Choose a client to plan for, from the client list.")
        return None, redirect("/clients/")
    client = _client_to_plan(request, int(client_id))
    if client.is_archived:
        messages.error(request, f"{client} is archived: archived clients cannot be planned for.")
        return None, redirect(f"/clients/{client.pk}/")
    record_access(request, AccessKind.PLAN_BUILDER, client=client, ref=ref)
    return client, None


@login_required
def plan_new(request):
    """The one-page builder: the proposal follows the choices; save as draft or as ready from here."""
    client, refusal = _client_for_builder(request)
    if refusal:
        return refusal
    data = builder.request_data(request, client)
    day, at = _slot_from(request) or builder.default_slot()
    form = PlanRequestForm(data, initial={"date": day, "time": at, "regions": []})
    draft = builder.Draft(client, request.user, form.cleaned_data) if data is not None and form.is_valid() else None
    saving = request.method == "POST" and not {"preview", "preset", "use_time"} & set(request.POST)
    if saving and draft and draft.series:
        return _save_series(request, form, draft, context_for=lambda: _builder_context(client, form, draft))
    if saving and draft and draft.hours_problem:
        form.add_error("time", draft.hours_problem)
    elif saving and draft and draft.clash:
        form.add_error("time", draft.clash_text())
    elif saving and draft and "ready" in request.POST and draft.blockers:
        form.add_error(None, "Not saved: it cannot be ready yet. " + " ".join(b.to_editor for b in draft.blockers))
    elif saving and draft:
        try:
            plan = draft.save(request.user, ready="ready" in request.POST)
        except (plans.Overlap, plans.OutsideHours) as refusal:
            form.add_error("time", str(refusal))
        else:
            done = "The plan is ready." if plan.status == PlanStatus.READY else "Plan saved as a draft."
            messages.success(request, done)
            return redirect("planner:plan-detail", plan.pk)
    context = _builder_context(client, form, draft)
    return render(request, "planner/plan_new.html", context, status=400 if form.errors and saving else 200)


def _builder_context(client, form, draft):
    context = {"client": client, "form": form, "draft": draft, "presets": builder.presets(client)}
    context["region_rows"] = [
        (region, [f"{region}:{side}" for side in proposals.SIDES_IN_PAGE_ORDER]) for region in REGIONS
    ]
    context["weekdays"] = WEEKDAY_CHOICES
    context["chosen_days"] = [int(v) for v in (form["repeat_days"].value() or []) if is_database_id(str(v))]
    return context


def _series_attention(series):
    """ "clearance needed on every date; nadir window on Tue 15 Dec": what needs attention, by reason."""
    said = []
    for reason, flagged in (
        ("deferred", lambda entry: entry.deferred),
        ("nadir window", lambda entry: entry.nadir),
        ("clearance needed", lambda entry: entry.needs_clearance),
    ):
        dates = [f"{timezone.localtime(entry.starts_at):%a %-d %b}" for entry in series if flagged(entry)]
        if dates:
            said.append(f"{reason} on {'every date' if len(dates) == len(series) > 1 else and_list(dates)}")
    return "; ".join(said)


def _save_series(request, form, draft, context_for):
    """Save every date of a series as a draft, or none, with the dates in the way named."""
    if problems := draft.series_problems:
        dates = "; ".join(f"{timezone.localtime(entry.starts_at):%a %-d %b}: {entry.problem}" for entry in problems)
        form.add_error("time", f"Not saved: {len(problems)} date(s) of the series cannot be booked. {dates}")
    else:
        try:
            saved = draft.save_series(request.user)
        except (plans.Overlap, plans.OutsideHours) as refusal:
            form.add_error("time", f"Not saved: {refusal}")
        else:
            attention = _series_attention(draft.series)
            note = f" Check before they go ahead: {attention}." if attention else ""
            messages.success(
                request, f"{len(saved)} sessions saved as drafts; mark each ready once its notes are read.{note}"
            )
            return redirect("planner:plan-detail", saved[0].pk)
    return render(request, "planner/plan_new.html", context_for(), status=400)


@login_required
def plan_detail(request, pk):
    plan = _plan_for(request, pk)
    record_access(request, AccessKind.PLAN, client=plan.client, obj=plan)
    return render(request, "planner/plan_detail.html", _plan_context(request, plan))


@login_required
@require_POST
def plan_save(request, pk):
    """Save the therapist's adjustments; with "mark_ready", also pass the ready gate."""
    plan = _own_plan(request, pk)
    if refusal := _locked(request, plan):
        return refusal
    context = _plan_context(request, plan, PlanDetailsForm(request.POST), request.POST)
    places = [p for row in context["region_rows"] for p in row[1] if p and p["form"]]
    details = context["details_form"]
    if not (all([p["form"].is_valid() for p in places]) & details.is_valid()):
        return render(request, "planner/plan_detail.html", context, status=400)
    changes = {p["item"]: p["form"].cleaned_data for p in places}
    try:
        left = plans.save_changes(
            plan,
            version=details.cleaned_data["version"],
            items=context["items"],
            changes=changes,
            details=details.cleaned_data,
            mark_ready="mark_ready" in request.POST,
        )
    except StaleVersion as stale:
        context["details_form"] = _with_version(details, stale.current_version)
        context["details_form"].add_error(None, VERSION_CONFLICT)
        return render(request, "planner/plan_detail.html", context, status=400)
    except plans.Overlap as overlap:
        details.add_error(None, f"Not saved: the longer session would overlap another. {overlap}")
        return render(request, "planner/plan_detail.html", context, status=400)
    except plans.OutsideHours as problem:
        details.add_error(None, f"Not saved: the longer session would run outside the clinic's hours. {problem}")
        return render(request, "planner/plan_detail.html", context, status=400)
    if left:
        messages.warning(
            request, "Saved as a draft. It cannot be marked ready yet. " + " ".join(b.to_editor for b in left)
        )
    else:
        messages.success(request, "The plan is ready." if plan.status == PlanStatus.READY else "Draft saved.")
    return redirect("planner:plan-detail", plan.pk)


VERSION_CONFLICT = (
    "Someone saved this plan after you opened it, so your changes were not saved. "
    "Your input is below; the plan as saved is on the plan page. Review and save again to keep yours."
)


def _locked(request, plan):
    """A redirect with the reason when the plan cannot be changed any more; None when it can."""
    if plan.client.is_archived:
        messages.error(request, f"{plan.client} is archived: restore the client to change this plan, or cancel it.")
    elif not plan.is_open:
        messages.error(request, f"This plan is {plan.get_status_display().lower()} and can no longer be changed.")
    else:
        return None
    return redirect("planner:plan-detail", plan.pk)


def _with_version(form, version):
    """The same submitted form, carrying the current version so the next save can go through."""
    data = form.data.copy()
    data["version"] = version
    fresh = type(form)(data)
    fresh.is_valid()
    return fresh


@login_required
@require_POST
def plan_rebuild(request, pk):
    plan = _own_plan(request, pk)
    plan.client.ensure_writable()
    if not plan.is_open:
        messages.error(request, "Only a draft or ready plan can be rebuilt.")
        return redirect("planner:plan-detail", plan.pk)
    day = date.fromisoformat(plan.facts["plan_date"])
    try:
        plans.rebuild_plan(plan, facts=plan.client.facts_on(day), user=request.user)
    except plans.Overlap as overlap:
        messages.error(request, f"Not rebuilt: the rebuilt session would be longer and overlap another. {overlap}")
        return redirect("planner:plan-detail", plan.pk)
    except plans.OutsideHours as problem:
        messages.error(
            request,
            f"Not rebuilt: the longer session would run outside the clinic's hours. {problem} "
            "Reschedule it earlier, then rebuild it.",
        )
        return redirect("planner:plan-detail", plan.pk)
    messages.success(request, "The plan was rebuilt with the client's current record. Read the notes again.")
    return redirect("planner:plan-detail", plan.pk)


@login_required
@require_POST
def plan_fit(request, pk):
    """Trim an over-long plan to the session's minutes limit, in proportion."""
    plan = _own_plan(request, pk)
    if refusal := _locked(request, plan):
        return refusal
    try:
        total = plans.fit_plan(plan)
    except plans.Overlap as overlap:
        messages.error(request, f"Not trimmed: with the clinic's current buffer it would overlap another. {overlap}")
        return redirect("planner:plan-detail", plan.pk)
    if total > plan.max_minutes:
        messages.warning(request, f"Even at one minute per step the plan takes {total} minutes: drop a region.")
    else:
        messages.success(request, f"Trimmed to {total} minutes: each region shortened in proportion.")
    return redirect("planner:plan-detail", plan.pk)


@login_required
@require_POST
def plan_reschedule(request, pk):
    """New day and time; the proposal is checked again for the new date."""
    plan = _own_plan(request, pk)
    if refusal := _locked(request, plan):
        return refusal
    if plan.late_entry or SessionRecord.objects.filter(plan=plan).exists():
        messages.error(request, "Not rescheduled: this session has taken place and its record is started.")
        return redirect("planner:plan-detail", plan.pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not rescheduled. " + " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("planner:plan-detail", plan.pk)
    was = timezone.localtime(plan.scheduled_for)
    starts_at = plans.as_datetime(form.cleaned_data["date"], form.cleaned_data["time"])
    if starts_at == plan.scheduled_for:
        messages.info(request, f"Not rescheduled: the session is already on {was:%a %-d %b} at {was:%H:%M}.")
        return redirect("planner:plan-detail", plan.pk)
    try:
        plans.reschedule_plan(plan, starts_at, request.user)
    except (plans.Overlap, plans.OutsideHours) as refusal:
        messages.error(request, f"Not rescheduled. New time: {refusal}")
        return redirect("planner:plan-detail", plan.pk)
    now = timezone.localtime(plan.scheduled_for)
    text = f"Moved from {was:%a %-d %b %H:%M} to {now:%a %-d %b %H:%M}. The proposal was checked again for the new date"
    if plan.is_deferred:
        messages.warning(request, text + ": on that day the session is deferred (see the notes).")
    else:
        messages.success(request, text + ": read the notes again and mark the plan ready.")
    return redirect("planner:plan-detail", plan.pk)


@login_required
@require_POST
def plan_cancel(request, pk):
    plan = _plan_to_cancel(request, pk)
    form = CancelPlanForm(request.POST, plan=plan)
    # A started record says the session took place; cancelling would leave it unfinishable.
    started = "Not cancelled: this session's record is started. Finish and sign the record."
    if not plan.is_open:
        messages.error(request, "Only a draft or ready plan can be cancelled.")
    elif SessionRecord.objects.filter(plan=plan).exists():
        messages.error(request, started)
    elif not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            plans.cancel_plan(plan, form.cleaned_data["reason"].strip(), form.cleaned_data["category"])
        except plans.RecordStarted:  # its first save came while this was checked
            messages.error(request, started)
        else:
            done = "Recorded as a no-show." if form.cleaned_data["category"] == "no_show" else "The plan is cancelled."
            messages.success(request, done + " It stays in the client's record.")
    return redirect("planner:plan-detail", plan.pk)
