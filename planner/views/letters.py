"""Progress letters: choose the period, review the letter, sign and save it; read a letter as sent."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from clients.access import AccessKind, record_access
from clients.models import Client
from clients.validators import one_line_of_text
from clients.views import client_for
from planner import letters
from planner.roles import is_care_team_therapist

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LetterForm(forms.Form):
    start = forms.DateField(
        label="From",
        widget=DATE_WIDGET,
        error_messages={"required": "From: enter the first day of the period.", "invalid": "From: enter a date."},
    )
    end = forms.DateField(
        label="To",
        widget=DATE_WIDGET,
        error_messages={"required": "To: enter the last day of the period.", "invalid": "To: enter a date."},
    )
    recipient = forms.CharField(
        label="To (physician)",
        max_length=200,
        validators=[one_line_of_text],  # the letter is kept as signed: no hidden character in who it went to
        error_messages={"required": "To (physician): name the physician the letter goes to."},
    )

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if end and end > timezone.localdate():
            self.add_error("end", "The period cannot end in the future.")
        elif start and end and start > end:
            self.add_error("start", "The period must start on or before its end.")
        elif start and self.client is not None and start < self.client.date_of_birth:
            self.add_error(
                "start", f"From: the period starts before the client was born ({self.client.date_of_birth:%-d %b %Y})."
            )
        return cleaned


def _may_sign(user, client):
    return is_care_team_therapist(user, client)


@login_required
def letter_new(request, pk):
    """Anyone who may see the client reviews the letter; a therapist of the care team signs it."""
    client = client_for(request, pk)
    start, end = letters.default_period(timezone.localdate())
    initial = {"start": start, "end": end, "recipient": client.referring_physician}
    form = LetterForm(request.POST or request.GET or None, initial=initial, client=client)
    if not form.is_bound:
        form = LetterForm(initial, client=client)
        if not initial["recipient"]:
            # No referring physician on file: the page asks for one, without calling the empty field an error.
            form = LetterForm(initial=initial, client=client)
            return render(request, "planner/letter_new.html", {"client": client, "form": form, "ask_recipient": True})
    may_sign = _may_sign(request.user, client)
    if not form.is_valid():
        return render(request, "planner/letter_new.html", {"client": client, "form": form}, status=400)
    data = form.cleaned_data
    if request.method == "POST":
        if not may_sign:
            raise PermissionDenied("Only a therapist of the client's care team signs a progress letter.")
        with transaction.atomic():
            # Letters of one client signed at once wait for each other here, so that a form sent twice
            # at once finds the letter the first one signed.
            Client.objects.held(client)
            same = letters.signed_twin(client, data["start"], data["end"], data["recipient"], request.user)
            if same is not None:  # a form sent twice: the letter is signed once
                messages.info(request, f"This letter was already signed on {same.signed_at:%-d %b %Y at %H:%M}.")
                return redirect("planner:letter-detail", same.pk)
            letter = letters.sign_letter(client, data["start"], data["end"], data["recipient"], request.user)
        messages.success(request, "Progress letter signed and saved as sent. Print it or save it as PDF.")
        return redirect("planner:letter-detail", letter.pk)
    facts = letters.letter_facts(client, data["start"], data["end"], request.user)
    # The preview is the whole letter: the sessions, measures, conditions and clearance of the period.
    period = f"preview {data['start']:%Y-%m-%d} to {data['end']:%Y-%m-%d}"
    record_access(request, AccessKind.LETTER, client=client, ref=period)
    context = {
        "client": client,
        "form": form,
        "preview": letters.render_letter(facts, data["recipient"]),
        "may_sign": may_sign,
    }
    return render(request, "planner/letter_new.html", context)


@login_required
def letter_detail(request, pk):
    clients = Client.objects.for_user(request.user)
    letter = get_object_or_404(letters.ProgressLetter.objects.select_related("client"), pk=pk, client__in=clients)
    record_access(request, AccessKind.LETTER, client=letter.client, obj=letter)
    return render(request, "planner/letter_print.html", {"letter": letter, "client": letter.client})
