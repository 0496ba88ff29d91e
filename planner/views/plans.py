"""Plan builder, plan page, print sheet, schedule and the JSON endpoints."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients.forms import therapists
from clients.models import Client
from planner import bodymap, services
from planner.forms import CancelPlanForm, PlanDetailsForm, PlanItemForm, PlanRequestForm
from planner.models import PlanStatus, SessionPlan, SessionRecord
from planner.roles import CLINIC_ADMIN, is_therapist
from protocols import engine
from protocols.services import engine_templates
from protocols.vocabulary import REGION_SINGULAR, REGIONS, SIDES, WALTON_SCALE


def _plan_for(request, pk):
    """A plan the user may see: their own as a therapist, any as a clinic admin; 404 otherwise."""
    plans = SessionPlan.objects.for_user(request.user).select_related("client", "therapist")
    return get_object_or_404(plans, pk=pk)


def _own_plan(request, pk):
    """A plan the user may change: only its therapist (callers check that it is still open)."""
    plan = _plan_for(request, pk)
    if plan.therapist_id != request.user.pk:
        raise PermissionDenied("Only the plan's therapist can change it.")
    return plan


def _client_to_plan(request, pk):
    """A client the user may plan for: a therapist on the client's care team."""
    if not is_therapist(request.user):
        raise PermissionDenied("Only therapists plan sessions.")
    return get_object_or_404(Client.objects.for_user(request.user), pk=pk)


def _client_to_preview(request, pk):
    return get_object_or_404(Client.objects.for_user(request.user), pk=pk)


def _items_with_forms(plan, items, data=None):
    templates = engine_templates()
    rows = []
    for item in items:
        form = None
        if item.status != "avoid":
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
        rows.append({"item": item, "region": services.item_document(item), "form": form})
    return rows


def _with_version(form, version):
    """The same submitted form, carrying the current version so the next save can go through."""
    data = form.data.copy()
    data["version"] = version
    fresh = type(form)(data)
    fresh.is_valid()
    return fresh


def _plan_context(plan, items, rows, details_form, stale):
    total = sum(item.minutes for item in items if item.is_worked)
    return {
        "plan": plan,
        "client": plan.client,
        "session": plan.session,
        "rows": rows,
        "details_form": details_form,
        "cancel_form": CancelPlanForm(),
        "stale": stale,
        "total_minutes": total,
        "problems": services.ready_problems(plan, items, stale) if plan.is_open else [],
        "walton": WALTON_SCALE,
        "region_singular": REGION_SINGULAR,
        "has_errors": any(row["form"] is not None and row["form"].is_bound and row["form"].errors for row in rows),
    }


@login_required
def plan_new(request):
    client_id = request.GET.get("client") or request.POST.get("client")
    if not str(client_id or "").isdigit():
        messages.error(request, "Choose a client to plan for, from the client list.")
        return redirect("/clients/")
    client = _client_to_plan(request, int(client_id))
    if client.is_archived:
        messages.error(request, f"{client} is archived: archived clients cannot be planned for.")
        return redirect(f"/clients/{client.pk}/")

    data = request.POST if request.method == "POST" else (request.GET if "date" in request.GET else None)
    saving = request.method == "POST" and "preview" not in request.POST
    form = PlanRequestForm(data, initial={"date": timezone.localdate(), "regions": []})
    proposal = None
    if data is not None and form.is_valid():
        facts = client.facts_on(form.cleaned_data["date"])
        proposal = services.propose(facts, engine.parse_regions(form.regions_text()))
        if saving:
            starts_at = services.as_datetime(form.cleaned_data["date"], form.cleaned_data["time"])
            ends_at = services.slot_end(starts_at, services.worked_minutes(proposal))
            clash = SessionPlan.objects.overlapping(request.user, starts_at, ends_at).select_related("client").first()
            if clash:
                start, end = timezone.localtime(clash.scheduled_for), timezone.localtime(clash.ends_at)
                form.add_error(
                    "time", f"You already have a session with {clash.client} from {start:%H:%M} to {end:%H:%M}."
                )
            else:
                plan = services.create_plan(
                    client=client,
                    therapist=request.user,
                    scheduled_for=starts_at,
                    regions=form.regions_text(),
                    created_by=request.user,
                    goals=form.cleaned_data["goals"],
                )
                messages.success(request, "Plan saved as a draft. Adjust it, read the notes and mark it ready.")
                return redirect("planner:plan-detail", plan.pk)
    context = {
        "client": client,
        "form": form,
        "proposal": proposal,
        # Client's right first, as on the body map and the symptom grid (a front view).
        "region_rows": [(region, [f"{region}:{side}" for side in reversed(SIDES)]) for region in REGIONS],
        "region_singular": REGION_SINGULAR,
        "planned_minutes": services.worked_minutes(proposal) if proposal else 0,
    }
    return render(request, "planner/plan_new.html", context)


@login_required
def plan_detail(request, pk):
    plan = _plan_for(request, pk)
    items = list(plan.items.all())
    stale = plan.is_open and services.facts_changed(plan)
    can_edit = plan.is_open and plan.therapist_id == request.user.pk and not plan.client.is_archived
    rows = (
        _items_with_forms(plan, items)
        if can_edit
        else [{"item": item, "region": services.item_document(item), "form": None} for item in items]
    )
    details_form = PlanDetailsForm(
        initial={
            "goals": plan.goals,
            "notes": plan.notes,
            "notes_acknowledged": plan.notes_acknowledged,
            "version": plan.version,
        }
    )
    context = _plan_context(plan, items, rows, details_form, stale)
    context["can_edit"] = can_edit
    context["clearance"] = plan.client.latest_clearance(on=timezone.localdate(plan.scheduled_for))
    context["record"] = SessionRecord.objects.filter(plan=plan).first()
    context["can_record"] = (
        plan.therapist_id == request.user.pk
        and plan.status in (PlanStatus.READY, PlanStatus.DONE)
        and timezone.localdate(plan.scheduled_for) <= timezone.localdate()
    )
    return render(request, "planner/plan_detail.html", context)


@login_required
@require_POST
def plan_save(request, pk):
    """Save the therapist's adjustments; with "mark_ready", also pass the ready gate."""
    plan = _own_plan(request, pk)
    if not plan.is_open:
        messages.error(request, f"This plan is {plan.get_status_display().lower()} and can no longer be changed.")
        return redirect("planner:plan-detail", plan.pk)
    if plan.client.is_archived:
        messages.error(request, f"{plan.client} is archived: restore the client to change this plan, or cancel it.")
        return redirect("planner:plan-detail", plan.pk)
    items = list(plan.items.all())
    rows = _items_with_forms(plan, items, request.POST)
    details_form = PlanDetailsForm(request.POST)
    forms_valid = all(row["form"].is_valid() for row in rows if row["form"]) & details_form.is_valid()
    if forms_valid and details_form.cleaned_data["version"] != plan.version:
        details_form = _with_version(details_form, plan.version)
        details_form.add_error(
            None,
            "Someone saved this plan after you opened it, so your changes were not saved. "
            "Your input is below; the plan as saved is on the plan page. Review and save again to keep yours.",
        )
        forms_valid = False
    if not forms_valid:
        stale = services.facts_changed(plan)
        context = _plan_context(plan, items, rows, details_form, stale)
        context["can_edit"] = True
        return render(request, "planner/plan_detail.html", context, status=400)

    with transaction.atomic():
        swaps = {
            (row["item"].region, row["item"].side): row["form"].cleaned_data["template"]
            for row in rows
            if row["form"]
            and row["form"].cleaned_data["template"]
            and row["form"].cleaned_data["template"] != row["item"].template_key
        }
        for row in rows:
            if not row["form"]:
                continue
            item, cleaned = row["item"], row["form"].cleaned_data
            item.minutes, item.pressure, item.dropped = cleaned["minutes"], cleaned["pressure"], cleaned["dropped"]
            item.save(update_fields=["minutes", "pressure", "dropped"])
        plan.goals = details_form.cleaned_data["goals"]
        plan.notes = details_form.cleaned_data["notes"]
        plan.notes_acknowledged = details_form.cleaned_data["notes_acknowledged"]
        updated = SessionPlan.objects.filter(pk=plan.pk, version=plan.version).update(version=plan.version + 1)
        if not updated:
            transaction.set_rollback(True)
            messages.error(request, "Someone saved this plan at the same moment; nothing was saved. Try again.")
            return redirect("planner:plan-detail", plan.pk)
        plan.version += 1
        if swaps:
            choices = {(item.region, item.side): item.template_key for item in items}
            choices.update(swaps)
            services.rebuild_plan(plan, choices=choices, user=request.user)
            plan.refresh_from_db()
            plan.notes_acknowledged = details_form.cleaned_data["notes_acknowledged"]
        items = list(plan.items.all())
        plan.ends_at = services.slot_end(plan.scheduled_for, sum(i.minutes for i in items if i.is_worked))
        plan.status = PlanStatus.DRAFT
        problems = []
        if "mark_ready" in request.POST:
            problems = services.ready_problems(plan, items, services.facts_changed(plan))
            if not problems:
                plan.status = PlanStatus.READY
        plan.save()

    if "mark_ready" in request.POST and problems:
        messages.warning(request, "Saved as a draft. It cannot be marked ready yet: " + " ".join(problems))
    elif plan.status == PlanStatus.READY:
        messages.success(request, "The plan is ready.")
    else:
        messages.success(request, "Draft saved.")
    return redirect("planner:plan-detail", plan.pk)


@login_required
@require_POST
def plan_rebuild(request, pk):
    plan = _own_plan(request, pk)
    if not plan.is_open or plan.client.is_archived:
        messages.error(request, "Only a draft or ready plan of a client who is not archived can be rebuilt.")
        return redirect("planner:plan-detail", plan.pk)
    day = date.fromisoformat(plan.facts["plan_date"])
    services.rebuild_plan(plan, facts=plan.client.facts_on(day), user=request.user)
    messages.success(request, "The plan was rebuilt with the client's current record. Read the notes again.")
    return redirect("planner:plan-detail", plan.pk)


@login_required
@require_POST
def plan_cancel(request, pk):
    plan = _own_plan(request, pk)
    form = CancelPlanForm(request.POST)
    if not plan.is_open:
        messages.error(request, "Only a draft or ready plan can be cancelled.")
    elif not form.is_valid():
        messages.error(request, "Say why the session is cancelled: the reason is kept with the plan.")
    else:
        plan.status = PlanStatus.CANCELLED
        plan.cancelled_at = timezone.now()
        plan.cancel_reason = form.cleaned_data["reason"]
        plan.version += 1
        plan.save()
        messages.success(request, "The plan is cancelled. It stays in the client's record.")
    return redirect("planner:plan-detail", plan.pk)


@login_required
def plan_print(request, pk):
    plan = _plan_for(request, pk)
    items = list(plan.items.all())
    statuses = {(i.region, i.side): "dropped" if i.dropped else i.status for i in items}
    context = {
        "plan": plan,
        "client": plan.client,
        "session": plan.session,
        "document": services.plan_document(plan, items),
        "severities": services.notes_by_severity(plan, items),
        "stale": plan.is_open and services.facts_changed(plan),
        "clearance": plan.client.latest_clearance(on=timezone.localdate(plan.scheduled_for)),
        "body_map": bodymap.status_map(statuses),
    }
    return render(request, "planner/plan_print.html", context)


@login_required
def plan_json(request, pk):
    plan = _plan_for(request, pk)
    return JsonResponse(services.plan_document(plan, list(plan.items.all())), json_dumps_params={"indent": 2})


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
    return JsonResponse(services.propose(client.facts_on(day), regions), json_dumps_params={"indent": 2})


@login_required
def schedule(request):
    """A therapist's week; a clinic admin sees one therapist's week (?therapist=) or the whole clinic one day at a
    time, so the page never holds every session of the clinic."""
    today = timezone.localdate()
    is_admin = request.user.groups.filter(name=CLINIC_ADMIN).exists()
    therapist = request.GET.get("therapist", "").strip() if is_admin else ""
    span = 1 if is_admin and not therapist else 7
    try:
        start = date.fromisoformat(request.GET["from"]) if request.GET.get("from") else today
        end = start + timedelta(days=span)
        start - timedelta(days=span)  # the "previous" link must exist too
    except (ValueError, OverflowError):
        start, end = today, today + timedelta(days=span)
    plans = SessionPlan.objects.all() if is_admin else SessionPlan.objects.filter(therapist=request.user)
    if therapist:
        plans = (
            plans.filter(therapist__pk=therapist)
            if therapist.isdigit()
            else plans.filter(therapist__username=therapist)
        )
    plans = (
        plans.on_days(start, end - timedelta(days=1))
        .for_lists()
        .select_related("client", "therapist")
        .order_by("scheduled_for", "pk")
    )
    show_cancelled = request.GET.get("cancelled") == "1"
    if not show_cancelled:
        plans = plans.booked()
    days = {start + timedelta(days=n): [] for n in range(span)}
    for plan in plans:
        days.setdefault(timezone.localdate(plan.scheduled_for), []).append(plan)
    context = {
        "days": sorted(days.items()),
        "start": start,
        "last_day": end - timedelta(days=1),
        "span": span,
        "today": today,
        "previous_week": start - timedelta(days=span),
        "next_week": end,
        "show_cancelled": show_cancelled,
        "therapist": therapist,
        "therapists": list(therapists().only("username", "first_name", "last_name")) if is_admin else [],
    }
    return render(request, "planner/schedule.html", context)
