"""Attached documents: upload (type checked by content) and download through a permission check."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from clients.access import AccessKind, record_access
from clients.models import Client
from clients.views import client_for
from planner import attachments
from planner.attachments import Attachment
from planner.models import SessionRecord


class AttachmentForm(forms.Form):
    file = forms.FileField(label="File (PDF, PNG or JPEG)")
    description = forms.CharField(required=False, max_length=200, help_text="E.g. clearance letter, lab report.")
    attach_to = forms.ChoiceField(label="Attach to")
    supersedes = forms.ChoiceField(label="Replaces", required=False)

    def __init__(self, *args, client, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = {"client": {}}
        for clearance in client.clearances.all():
            self.targets[f"clearance:{clearance.pk}"] = {"clearance": clearance}
        records = SessionRecord.objects.for_user(user).filter(client=client).order_by("-started_at")[:30]
        for record in records:
            self.targets[f"record:{record.pk}"] = {"record": record}
        self.fields["attach_to"].choices = [
            ("client", "The client's record"),
            *(
                (key, f"Clearance by {t['clearance'].physician}, {t['clearance'].cleared_on:%-d %b %Y}")
                for key, t in self.targets.items()
                if "clearance" in t
            ),
            *(
                (key, f"Session record of {t['record'].started_at:%-d %b %Y}")
                for key, t in self.targets.items()
                if "record" in t
            ),
        ]
        self.current = {str(a.pk): a for a in client.attachments.filter(superseded_by__isnull=True)}
        self.fields["supersedes"].choices = [
            ("", "Nothing: a new document"),
            *((pk, f"{a.name} ({a.uploaded_at:%-d %b %Y})") for pk, a in self.current.items()),
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.checked = attachments.check_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        cleaned["target"] = self.targets.get(cleaned.get("attach_to"), {})
        cleaned["superseded"] = self.current.get(cleaned.get("supersedes") or "")
        return cleaned


@login_required
def attachment_new(request, pk):
    client = client_for(request, pk)
    if client.is_archived:
        messages.error(request, f"{client} is archived: restore the client before attaching documents.")
        return redirect("clients:detail", client.pk)
    form = AttachmentForm(request.POST or None, request.FILES or None, client=client, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content_type, name = form.checked
        attachments.store(
            data["file"],
            content_type,
            name,
            client=client,
            user=request.user,
            description=data["description"].strip(),
            supersedes=data["superseded"],
            **data["target"],
        )
        messages.success(request, f"{name} attached.")
        return redirect(f"/clients/{client.pk}/#attachments")
    status = 400 if form.is_bound else 200
    context = {"client": client, "form": form, "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
    return render(request, "planner/attachment_form.html", context, status=status)


@login_required
def attachment_file(request, pk):
    """The file itself, to those who may see its client; sent as a download under its own type."""
    visible = Client.objects.for_user(request.user)
    attachment = get_object_or_404(Attachment, pk=pk, client__in=visible)
    record_access(request, AccessKind.ATTACHMENT, client_id=attachment.client_id, obj=attachment)
    try:
        handle = open(attachment.path, "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        raise Http404("The stored file is missing; restore it from the backup.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
