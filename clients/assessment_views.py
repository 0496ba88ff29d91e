"""Pages of the outcome measures: record and read monofilament tests and MNSI questionnaires."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import assessments, footmap
from .access import AccessKind, record_access
from .assessment_forms import MnsiForm, MonofilamentForm, ResolveLopsForm
from .assessments import FOOT_LABELS, MNSI_QUESTIONS, MnsiQuestionnaire, MonofilamentTest
from .models import Client
from .roles import is_care_team_therapist
from .views import client_for

can_test = permission_required("clients.add_monofilamenttest", raise_exception=True)
can_enter_mnsi = permission_required("clients.add_mnsiquestionnaire", raise_exception=True)


def _writable_client(request, pk):
    """A client the user may see and record for; None (with a message) when archived."""
    client = client_for(request, pk)
    if client.is_archived:
        messages.error(request, f"{client} is archived: restore the client before recording a measure.")
        return client, False
    return client, True


def _test_for(request, pk, test_pk):
    client = client_for(request, pk)
    tests = MonofilamentTest.objects.select_related("therapist", "client").prefetch_related("sites")
    return client, get_object_or_404(tests, client=client, pk=test_pk)


@login_required
@can_test
def monofilament_new(request, pk):
    client, writable = _writable_client(request, pk)
    if not writable:
        return redirect("clients:detail", client.pk)
    initial = {"tested_on": timezone.localdate(), "performed_by": assessments.Performer.THERAPIST}
    form = MonofilamentForm(request.POST or None, client=client, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            # Archived meanwhile: ClientArchived, which the middleware turns into the client page and the reason.
            Client.objects.held(client).ensure_writable()
            if (same := assessments.same_test(client, data["tested_on"], data["answers"])) is not None:
                messages.info(request, "This test, with these answers, is already on record for that day.")
                return redirect("clients:monofilament-detail", client.pk, same.pk)
            test = assessments.record_monofilament(
                client,
                tested_on=data["tested_on"],
                performed_by=data["performed_by"],
                therapist=request.user,
                clinician=data["clinician"].strip(),
                notes=data["notes"].strip(),
                answers=data["answers"],
                recorded_by=request.user,
            )
        lost = [FOOT_LABELS[foot].lower() for foot in assessments.FEET if test.condition_of(foot)]
        text = "Monofilament test saved."
        if lost:
            where = " and the ".join(lost)
            text += f" Loss of protective sensation is on record for the {where}: plans cap pressure there."
        messages.success(request, text)
        return redirect("clients:monofilament-detail", client.pk, test.pk)
    status = 400 if form.is_bound else 200
    return render(request, "clients/monofilament_form.html", {"client": client, "form": form}, status=status)


@login_required
def monofilament_detail(request, pk, test_pk):
    client, test = _test_for(request, pk, test_pk)
    record_access(request, AccessKind.ASSESSMENT, client=client, obj=test)
    context = {
        "client": client,
        "test": test,
        "feet": test.feet(),
        "foot_map": footmap.foot_map(test),
        "legend": footmap.LEGEND,
        "offers": [(foot, FOOT_LABELS[foot], condition) for foot, condition in assessments.resolution_offers(test)],
        "can_resolve": _may_confirm_resolution(request.user, client) and not client.is_archived,
    }
    return render(request, "clients/monofilament_detail.html", context)


def _may_confirm_resolution(user, client):
    """RULES.md: the therapist confirms the end of a loss of protective sensation: a therapist on the
    client's care team (DESIGN.md), never a clinic admin as such (who may still correct the
    condition's record), nor a therapist who is also a clinic admin for a client of another team."""
    return is_care_team_therapist(user, client) and user.has_perm("clients.change_condition")


@login_required
@require_POST
def monofilament_resolve(request, pk, test_pk):
    """The therapist confirms the offered resolution of loss of protective sensation on one foot."""
    client, test = _test_for(request, pk, test_pk)
    if not _may_confirm_resolution(request.user, client):
        raise PermissionDenied("A therapist on the care team confirms that protective sensation has returned.")
    form = ResolveLopsForm(request.POST)
    if client.is_archived:
        messages.error(request, f"{client} is archived: restore the client before changing the record.")
    elif not form.is_valid():
        messages.error(request, "Choose the foot whose loss of protective sensation is resolved.")
    else:
        foot = form.cleaned_data["foot"]
        try:
            condition = assessments.resolve_lops(test, foot)
        except ValueError as refusal:
            if (done := assessments.resolved_from(test, foot)) is not None:
                messages.info(request, f"{done} is already marked resolved from {test.tested_on:%-d %b %Y}.")
            else:
                messages.error(request, str(refusal))
        else:
            messages.success(request, f"{condition} marked resolved from {test.tested_on:%-d %b %Y}.")
    return redirect("clients:monofilament-detail", client.pk, test.pk)


@login_required
@can_enter_mnsi
def mnsi_new(request, pk):
    client, writable = _writable_client(request, pk)
    if not writable:
        return redirect("clients:detail", client.pk)
    form = MnsiForm(request.POST or None, client=client, initial={"answered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            Client.objects.held(client).ensure_writable()  # a form sent twice at once waits here
            same = MnsiQuestionnaire.objects.filter(
                client=client, answered_on=data["answered_on"], answers=data["answers"]
            ).first()
            if same is not None:  # a form sent twice
                messages.info(request, "These answers of that day are already on record.")
                return redirect("clients:mnsi-detail", client.pk, same.pk)
            questionnaire = MnsiQuestionnaire.objects.create(
                client=client,
                answered_on=data["answered_on"],
                how=data["how"],
                answers=data["answers"],
                score=data["score"],
                entered_by=request.user,
            )
        messages.success(request, f"MNSI history saved: {questionnaire.wording}.")
        return redirect("clients:mnsi-detail", client.pk, questionnaire.pk)
    status = 400 if form.is_bound else 200
    return render(request, "clients/mnsi_form.html", {"client": client, "form": form}, status=status)


@login_required
def mnsi_detail(request, pk, mnsi_pk):
    client = client_for(request, pk)
    questionnaire = get_object_or_404(MnsiQuestionnaire.objects.select_related("entered_by"), client=client, pk=mnsi_pk)
    record_access(request, AccessKind.ASSESSMENT, client=client, obj=questionnaire)
    return render(request, "clients/mnsi_detail.html", {"client": client, "questionnaire": questionnaire})


@login_required
def mnsi_blank(request, pk):
    """The printable questionnaire the client fills in with a pen; the therapist enters the answers."""
    client = client_for(request, pk)
    record_access(request, AccessKind.ASSESSMENT, client=client, ref="printable MNSI form")
    context = {"client": client, "questions": list(enumerate(MNSI_QUESTIONS, start=1))}
    return render(request, "clients/mnsi_print.html", context)
