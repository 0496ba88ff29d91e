"""Session records: the record form, signing, addenda, the record page and its print view."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients.access import AccessKind, record_access
from clients.forms import ConditionForm
from planner import corrections, plans, recording
from planner.models import SessionPlan, SessionRecord
from planner.record_forms import AddendumForm, RecordForm, RecordItemForm
from protocols.versioning import StaleVersion


def _record_for(request, pk):
    """A record the user may see: their own as a therapist, any as a clinic admin; 404 otherwise."""
    queryset = SessionRecord.objects.for_user(request.user).select_related("client", "therapist", "plan", "signed_by")
    return get_object_or_404(queryset, pk=pk)


def _plan_to_record(request, pk):
    """Only the plan's therapist records its session, while a therapist on the client's care team. The plan
    comes with its record, if any (plan.record)."""
    plans_seen = (
        SessionPlan.objects.for_user(request.user)
        .select_related("client", "therapist", "record")
        .annotate(on_team=plans.on_care_team(request.user))
    )
    plan = get_object_or_404(plans_seen, pk=pk)
    if plan.therapist_id != request.user.pk:
        raise PermissionDenied("Only the plan's therapist records the session.")
    plans.check_still_on_care_team(request.user, plan.client, "record this session", plan.on_team)
    return plan


def _saved_record(plan):
    """The plan's record as read with the plan (_plan_to_record), None before its first save."""
    return getattr(plan, "record", None)  # a missing reverse one-to-one raises a subclass of AttributeError


def _item_forms(plan_items, record, data=None):
    existing = {item.plan_item_id: item for item in record.items.all()} if record else {}
    rows = []
    for plan_item in plan_items:
        saved = existing.get(plan_item.pk)
        initial = (
            {
                "done": saved.done,
                "minutes": saved.minutes,
                "pressure_used": saved.pressure_used,
                "deviation_reason": saved.deviation_reason,
            }
            if saved
            else {"done": True, "minutes": plan_item.minutes, "pressure_used": plan_item.pressure}
        )
        form = RecordItemForm(data, prefix=f"area-{plan_item.pk}", initial=initial, plan_item=plan_item)
        rows.append({"plan_item": plan_item, "form": form})
    return rows


@login_required
def record_edit(request, pk):
    plan = _plan_to_record(request, pk)
    record = _saved_record(plan)
    if record and record.is_signed:
        # The same record sent again (a double click on Sign) is already what was signed: no refusal.
        if request.method == "POST" and not _sent_as_saved(plan, record, request.POST):
            messages.error(request, "This record is signed and cannot be edited. Add an addendum instead.")
        return redirect("planner:record-detail", record.pk)
    refusal = recording.refusal_to_record(plan, record, recording.now())
    if refusal:
        messages.error(request, refusal)
        return redirect("planner:plan-detail", plan.pk)
    prefetch_related_objects([plan], "items")  # the worked items here, the ones not worked on the page
    plan_items = recording.worked_items(plan)
    if request.method != "POST":
        record_access(request, AccessKind.RECORD, client=plan.client, obj=record or plan)
        minutes = sum(item.minutes for item in plan_items) or None
        form = RecordForm(instance=record, initial={"minutes": minutes, "version": record.version if record else 0})
        return _record_form_page(request, plan, record, form, _item_forms(plan_items, record), status=200)
    signing = "sign" in request.POST
    form, rows, valid = _bound_forms(plan_items, record, request.POST, signing)
    # A finding filled in below and the record sent (Enter in the finding's field sends the record): the
    # finding is not dropped unseen, nor the record saved without it.
    finding = {name: request.POST.get(name, "").strip() for name in FINDING_FIELDS}
    if valid and any(finding.values()):
        form.add_error(None, FINDING_LEFT)
        valid = False
    if valid and signing and (refusal := recording.refusal_to_sign(plan, recording.now())):
        form.add_error(None, refusal)
        valid = False
    if valid:
        item_rows = [(row["plan_item"], row["form"].cleaned_data) for row in rows]
        try:
            record = recording.save_record(plan, form.cleaned_data, item_rows, request.user, sign=signing)
        except recording.RecordLocked:
            current = SessionRecord.objects.get(plan=plan)
            if not recording.says_the_same(current, form.cleaned_data, item_rows):
                messages.error(request, "This record was signed meanwhile and cannot be edited. Add an addendum.")
            return redirect("planner:record-detail", current.pk)
        except recording.PlanChanged as changed:
            # What was typed stays on the page, to be copied: the plan no longer takes this record.
            form.add_error(None, str(changed))
        except StaleVersion:
            current = SessionRecord.objects.filter(plan=plan).first()
            if signing or current is None or not recording.says_the_same(current, form.cleaned_data, item_rows):
                form = _stale_form(plan, request.POST, signing)
            else:  # the same draft sent twice: it is saved
                messages.success(request, "Draft saved. Sign it when it is complete.")
                return redirect("planner:record-edit", plan.pk)
        else:
            if signing:
                messages.success(request, "Record signed. It can now only be corrected by an addendum.")
                return redirect("planner:record-detail", record.pk)
            messages.success(request, "Draft saved. Sign it when it is complete.")
            return redirect("planner:record-edit", plan.pk)
    kept = _finding_form(plan.client, initial=finding) if any(finding.values()) else None
    return _record_form_page(request, plan, record, form, rows, status=400, finding_form=kept)


def _bound_forms(plan_items, record, data, signing):
    """The record form and one form per worked region, validated together; (form, rows, all valid)."""
    form = RecordForm(data, instance=record, signing=signing)
    rows = _item_forms(plan_items, record, data)
    rows_valid = all([row["form"].is_valid() for row in rows])
    if form.is_valid():
        form.check_regions_fit(
            sum(row["form"].cleaned_data.get("minutes") or 0 for row in rows if row["form"].is_valid())
        )
    return form, rows, form.is_valid() and rows_valid


def _sent_as_saved(plan, record, data):
    """True when the data sent is exactly what the record already says (the same form sent twice)."""
    prefetch_related_objects([plan], "items")
    # Built on no instance: a model form writes what it cleans into its instance, and this one is signed.
    form, rows, valid = _bound_forms(recording.worked_items(plan), None, data, signing=False)
    item_rows = [(row["plan_item"], row["form"].cleaned_data) for row in rows]
    return valid and recording.says_the_same(record, form.cleaned_data, item_rows)


def _stale_form(plan, data, signing):
    """The user's input on the record as it now is, with the refusal on top; nothing of either edit is lost."""
    current = SessionRecord.objects.filter(plan=plan).first()
    data = data.copy()
    data["version"] = current.version if current else 0
    form = RecordForm(data, instance=current, signing=signing)
    form.is_valid()
    form.add_error(
        None,
        "Someone saved this record after you opened it, so your changes were not saved. "
        "Your input is below; the saved record is on the record page. Review and save again to keep yours.",
    )
    return form


def _record_form_page(request, plan, record, form, rows, status, finding_form=None):
    facts = plans.current_facts(plan)
    stale = plans.facts_changed(plan, facts)
    if stale:
        # What the client's record says now about each place: one now avoided starts unticked (until a
        # draft says otherwise), and says why in its row.
        changed = plans.places_read_otherwise(plan, [row["plan_item"] for row in rows], facts)
        for row in rows:
            item = row["plan_item"]
            avoided, row["now"] = changed.get((item.region, item.side), (False, ""))
            if avoided and record is None and not row["form"].is_bound:
                row["form"].initial["done"] = False
    context = {
        "plan": plan,
        "client": plan.client,
        "record": record,
        "form": form,
        "rows": rows,
        # Places not to be worked whose region has no row: a region with a row says it in its empty cell.
        "not_worked": [
            item
            for item in plan.items.all()
            if not item.is_worked and item.region not in {row["plan_item"].region for row in rows}
        ],
        "finding_form": finding_form or _finding_form(plan.client),
        "stale": stale,
        "read_otherwise": stale and any(row.get("now") for row in rows),
        "has_item_errors": any(row["form"].is_bound and row["form"].errors for row in rows),
    }
    return render(request, "planner/record_form.html", context, status=status)


FINDING_FIELDS = ("code", "location", "side", "detail")
FINDING_LEFT = (
    "Not saved: a new finding is filled in below. Add it with “Add as a condition”, or clear it, then save the record."
)


def _finding_form(client, initial=None):
    """The condition form, offering only what a skin or foot check finds (the catalogue is grouped). Its
    fields belong to the record form (#record-form), which its button sends to finding_add."""
    form = ConditionForm(client=client, prefix=None, initial=initial)
    for field in form.fields.values():
        field.widget.attrs["form"] = "record-form"
    findings = []
    for value, label in form.fields["code"].choices:
        options = label if isinstance(label, list | tuple) else [(value, label)]
        findings.extend((code, name) for code, name in options if code in FINDING_CODES)
    form.fields["code"].choices = [("", "Choose a finding…"), *findings]
    return form


def _record_context(record, **extra):
    """What the record page and the printed record show: the scores as corrected, and each correction."""
    record_corrections = corrections.in_order(record)
    items = list(corrections.with_corrected_pressure(record.items.select_related("plan_item")))
    scores = {name: getattr(record, name) for name in corrections.SCORE_FIELDS}
    for correction in record_corrections:
        if correction.field in scores:
            scores[correction.field] = correction.corrected
    corrections.mark_deviations(items, record_corrections)
    return {
        "record": record,
        "plan": record.plan,
        "client": record.client,
        "items": items,
        "scores": scores,
        "corrected_fields": {c.field for c in record_corrections if c.field in scores},
        "corrections": record_corrections,
        "addenda": list(record.addenda.select_related("author")),
        "attachments": list(record.attachments.select_related("uploaded_by")),
        **extra,
    }


@login_required
def record_detail(request, pk):
    record = _record_for(request, pk)
    record_access(request, AccessKind.RECORD, client=record.client, obj=record)
    may_add = record.is_signed and recording.may_add_to(request.user, record)
    form = (
        AddendumForm(record=record, items=record.items.all(), may_correct=_may_correct(request.user, record))
        if may_add
        else None
    )
    context = _record_context(record, addendum_form=form, can_add_addendum=may_add)
    return render(request, "planner/record_detail.html", context)


def _may_correct(user, record):
    """Scores and pressures used are corrected by the record's therapist only (a clinic admin adds text)."""
    return record.therapist_id == user.pk


@login_required
@require_POST
def addendum_add(request, pk):
    record = _record_for(request, pk)
    if not recording.may_add_to(request.user, record):
        raise PermissionDenied
    if not record.is_signed:
        messages.error(request, "This record is still a draft: edit it instead of adding an addendum.")
        return redirect("planner:record-edit", record.plan_id)
    sent = request.POST
    # One addendum form at a time per record: a form sent twice at once (a double click) waits here for
    # the first to be saved, then reads it as already on the record.
    with transaction.atomic():
        SessionRecord.objects.select_for_update().filter(pk=record.pk).exists()
        if recording.repeated_addendum(record, request.user, sent.get("text"), sent.get("correct"), sent.get("value")):
            messages.info(request, "This addendum is already on the record.")
            return redirect("planner:record-detail", record.pk)
        form = AddendumForm(
            request.POST, record=record, items=record.items.all(), may_correct=_may_correct(request.user, record)
        )
        if form.is_valid():
            data = form.cleaned_data
            recording.add_addendum(
                record,
                data["text"],
                request.user,
                field=data["field"],
                value=data["value"],
                item=data["item"],
                deviation_reason=data["deviation_reason"],
            )
            messages.success(
                request, "Addendum added." + (" The corrected value is used from now on." if data["field"] else "")
            )
            return redirect("planner:record-detail", record.pk)
    context = _record_context(record, addendum_form=form, can_add_addendum=True)
    return render(request, "planner/record_detail.html", context, status=400)


@login_required
def record_print(request, pk):
    record = _record_for(request, pk)
    record_access(request, AccessKind.RECORD_PRINT, client=record.client, obj=record)
    return render(request, "planner/record_print.html", _record_context(record))


FINDING_CODES = ["open_wound", "new_foot_finding", "fungal_infection", "charcot_suspected", "edema", "fragile_skin"]


@login_required
@require_POST
def finding_add(request, pk):
    """A skin or foot finding from the session becomes a condition on the client, noted today.

    The button is part of the record form, so what was typed in the record comes with the finding:
    the record page is shown again with it, not saved yet, where a reload would have lost it."""
    plan = _plan_to_record(request, pk)
    plan.client.ensure_writable()
    data = request.POST.copy()
    data["noted_on"] = timezone.localdate().isoformat()
    form = ConditionForm(data, client=plan.client)
    if data.get("code") not in FINDING_CODES:
        form.add_error(None, "Choose a finding from the list.")
    added = form.is_valid()
    if added:
        condition = form.save()
        messages.success(
            request, f"{condition} added to {plan.client}'s conditions: the next plan will take it into account."
        )
    else:
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else 'Finding'}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"The finding was not added. {problems}")
    record = SessionRecord.objects.filter(plan=plan).first()
    if (
        "version" not in request.POST
        or (record and record.is_signed)
        or recording.refusal_to_record(plan, record, recording.now())
    ):
        return redirect("planner:record-edit", plan.pk)  # the finding came alone: the page as saved
    messages.warning(request, "What you typed in the record is below, not saved yet: save the draft or sign it.")
    prefetch_related_objects([plan], "items")
    record_form, rows, _valid = _bound_forms(recording.worked_items(plan), record, request.POST, signing=False)
    return _record_form_page(
        request,
        plan,
        record,
        record_form,
        rows,
        status=200 if added else 400,
        # A refused finding is offered again as it was sent, its problems named in the message above.
        finding_form=None
        if added
        else _finding_form(plan.client, initial={n: data.get(n, "") for n in FINDING_FIELDS}),
    )
