"""A client's health conditions and physician clearances: added, corrected, resolved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from protocols.versioning import claim_version
from protocols.vocabulary import CONDITIONS

from .access import AccessKind, record_access
from .forms import ClearanceForm, ConditionForm, ResolveForm
from .views import (
    _clearance_for,
    _condition_for,
    _save_versioned,
    can_add_clearance,
    can_add_condition,
    can_change_clearance,
    can_change_condition,
    client_for,
)

# What the condition form's script needs to show only the fields a condition uses.
CATALOGUE = {
    code: {"meaning": kind.meaning, "locations": kind.locations, "whole_body": kind.whole_body, "value": kind.value}
    for code, kind in CONDITIONS.items()
}


@login_required
@can_add_condition
def condition_new(request, pk):
    client = client_for(request, pk)
    client.ensure_writable()
    form = ConditionForm(request.POST or None, client=client, initial={"noted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        condition = form.save()
        messages.success(request, f"{condition} added to {client}'s conditions.")
        return redirect("clients:detail", client.pk)
    context = {"form": form, "client": client, "catalogue": CATALOGUE}
    return render(request, "clients/condition_form.html", context)


@login_required
@can_change_condition
def condition_edit(request, pk, condition_pk):
    client, condition = _condition_for(request, pk, condition_pk)
    client.ensure_writable()
    form = ConditionForm(request.POST or None, instance=condition, client=client)
    if request.method == "POST" and form.is_valid():
        if _save_versioned(form, condition, form.save):
            messages.success(request, f"{condition} saved.")
            return redirect("clients:detail", client.pk)
    record_access(request, AccessKind.CONDITION, client=client, obj=condition)
    context = {"form": form, "client": client, "condition": condition, "catalogue": CATALOGUE}
    return render(request, "clients/condition_form.html", context)


@login_required
@can_change_condition
def condition_resolve(request, pk, condition_pk):
    client, condition = _condition_for(request, pk, condition_pk)
    client.ensure_writable()
    initial = {"resolved_on": timezone.localdate(), "version": condition.version}
    form = ResolveForm(request.POST or None, condition=condition, initial=initial)
    if request.method == "POST" and form.is_valid():

        def resolve():
            condition.resolved_on = form.cleaned_data["resolved_on"]
            condition.save()

        if _save_versioned(form, condition, resolve):
            messages.success(request, f"{condition} marked resolved on {condition.resolved_on:%-d %b %Y}.")
            return redirect("clients:detail", client.pk)
    record_access(request, AccessKind.CONDITION, client=client, obj=condition)
    context = {"form": form, "client": client, "condition": condition}
    return render(request, "clients/condition_resolve.html", context)


@login_required
@can_change_condition
@require_POST
def condition_entered_in_error(request, pk, condition_pk):
    client, condition = _condition_for(request, pk, condition_pk)
    client.ensure_writable()
    if not condition.entered_in_error:
        condition.entered_in_error = True
        with transaction.atomic():
            claim_version(condition, condition.version)
            condition.save()
        messages.success(request, f"{condition} marked as entered in error. It stays in the history.")
    return redirect("clients:detail", client.pk)


@login_required
@can_add_clearance
def clearance_new(request, pk):
    client = client_for(request, pk)
    client.ensure_writable()
    form = ClearanceForm(
        request.POST or None,
        client=client,
        initial={"cleared_on": timezone.localdate(), "physician": client.referring_physician},
    )
    if request.method == "POST" and form.is_valid():
        clearance = form.save()
        if clearance.is_current():
            messages.success(request, f"Physician clearance recorded for {client}.")
        else:
            messages.warning(
                request,
                f"Physician clearance recorded for {client}, but it is older than a year: it does not count "
                "for a session today. A session that needs a clearance needs a newer one.",
            )
        return redirect("clients:detail", client.pk)
    return render(request, "clients/clearance_form.html", {"form": form, "client": client})


@login_required
@can_change_clearance
def clearance_edit(request, pk, clearance_pk):
    client, clearance = _clearance_for(request, pk, clearance_pk)
    client.ensure_writable()
    form = ClearanceForm(request.POST or None, instance=clearance, client=client)
    if request.method == "POST" and form.is_valid():
        if _save_versioned(form, clearance, form.save):
            messages.success(request, "Physician clearance saved.")
            return redirect("clients:detail", client.pk)
    record_access(request, AccessKind.CLEARANCE, client=client, obj=clearance)
    context = {"form": form, "client": client, "clearance": clearance}
    return render(request, "clients/clearance_form.html", context)
