"""Attached documents: upload (type checked by content) and download through a permission check."""

import io
import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404
from django.http.multipartparser import MultiPartParser
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from clients.access import AccessKind, record_access
from clients.validators import one_line_of_text
from clients.views import client_for
from planner import attachments, recording
from planner.attachments import Attachment
from planner.models import SessionRecord
from protocols.labels import and_list, exact_size


class AttachmentForm(forms.Form):
    file = forms.FileField(label="File (PDF, PNG or JPEG)")
    description = forms.CharField(
        required=False, max_length=200, validators=[one_line_of_text], help_text="E.g. clearance letter, lab report."
    )
    attach_to = forms.ChoiceField(label="Attach to")
    # Any of the client's documents the user may open is accepted, so that one replaced meanwhile gets
    # its own message.
    supersedes = forms.CharField(label="Replaces", required=False, widget=forms.Select)

    def __init__(self, *args, client, user, name_sent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client, self.name_sent = client, name_sent
        # What may be replaced: the client's documents the user may open (another's draft's are not offered),
        # less those of a session record the user may not add to (recording.may_add_to): a colleague's.
        readable = Attachment.objects.for_user(user).filter(client=client).select_related("record")
        self.replaceable = [a for a in readable if a.record is None or recording.may_add_to(user, a.record)]
        self.targets = {"client": {}}
        for clearance in client.clearances.all():
            self.targets[f"clearance:{clearance.pk}"] = {"clearance": clearance}
        readable_records = SessionRecord.objects.for_user(user).filter(client=client)
        for record in recording.records_to_add_to(user, readable_records).order_by("-started_at")[:30]:
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
        current = [a for a in self.replaceable if a.superseded_by_id is None]
        self.fields["supersedes"].widget.choices = [
            ("", "Nothing: a new document"),
            *((str(a.pk), f"{a.name} ({a.uploaded_at:%-d %b %Y})") for a in current),
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.checked = attachments.check_upload(upload, self.name_sent)
        return upload

    def clean_supersedes(self):
        chosen = self.cleaned_data["supersedes"]
        if not chosen:
            return None
        superseded = next((a for a in self.replaceable if str(a.pk) == chosen), None)
        if superseded is None:
            raise ValidationError("Replaces: choose one of the documents offered.")
        return superseded

    def clean(self):
        cleaned = super().clean()
        cleaned["target"] = self.targets.get(cleaned.get("attach_to"), {})
        return cleaned


class _NameKeepingParser(MultiPartParser):
    """Django's upload parser, noting each file's name as the browser sent it, before Django cleans it."""

    names_sent = None

    def sanitize_file_name(self, file_name):
        self.names_sent.append(file_name)
        return super().sanitize_file_name(file_name)


class _SizeLimitHandler(FileUploadHandler):
    """Hands a file on to Django's own upload handlers up to the attachment limit, then only counts it.

    A file over the limit is still refused by its size, told exactly, but what comes past the limit
    is never written to the server's disk or memory: a huge upload cannot fill them.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.over_limit = False

    def receive_data_chunk(self, raw_data, start):
        self.over_limit = self.over_limit or start + len(raw_data) > settings.ATTACHMENT_MAX_BYTES
        return None if self.over_limit else raw_data

    def file_complete(self, file_size):
        if not self.over_limit:
            return None  # held by Django's handlers
        # Only its size is looked at: the check refuses it before reading what it holds.
        return InMemoryUploadedFile(
            io.BytesIO(), self.field_name, self.file_name, self.content_type, file_size, self.charset
        )


def _note_names_sent(request):
    """Have the request's upload parsed by _NameKeepingParser, the names landing in request.names_sent."""
    request.names_sent = []
    request.upload_handlers.insert(0, _SizeLimitHandler(request))

    def parse_file_upload(META, post_data):
        parser = _NameKeepingParser(META, post_data, request.upload_handlers, request.encoding)
        parser.names_sent = request.names_sent
        return parser.parse()

    request.parse_file_upload = parse_file_upload


def _name_sent(request):
    """The file's name as sent, less any folder (old browsers send it); None unless one file was sent."""
    names = getattr(request, "names_sent", [])
    return re.split(r"[/\\]", names[0])[-1] if len(names) == 1 else None


@csrf_exempt
@login_required
def attachment_new(request, pk):
    # Django removes characters from an uploaded file's name and cuts long ones without a word; to
    # tell the user, the parser must be chosen before the CSRF check reads the form. So the CSRF
    # check is made just after, by csrf_protect (Django's documented way to change upload handling).
    _note_names_sent(request)
    return _attachment_new(request, pk)


@csrf_protect
def _attachment_new(request, pk):
    client = client_for(request, pk)
    if client.is_archived:
        messages.error(request, f"{client} is archived: restore the client before attaching documents.")
        return redirect("clients:detail", client.pk)
    form = AttachmentForm(
        request.POST or None, request.FILES or None, client=client, user=request.user, name_sent=_name_sent(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content_type, name, changes = form.checked
        try:
            attachments.store(
                data["file"],
                content_type,
                name,
                client=client,
                user=request.user,
                description=data["description"].strip(),
                supersedes=data["supersedes"],
                **data["target"],
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            changed = f" Its name differs from the uploaded file's: {and_list(changes)}." if changes else ""
            messages.success(request, f"{name} attached.{changed}")
            return redirect(f"/clients/{client.pk}/#attachments")
    status = 400 if form.is_bound else 200
    context = {"client": client, "form": form, "max_size": exact_size(settings.ATTACHMENT_MAX_BYTES)}
    return render(request, "planner/attachment_form.html", context, status=status)


@login_required
def attachment_file(request, pk):
    """The file itself, to those who may see it (Attachment's for_user); sent as a download under its own type."""
    attachment = get_object_or_404(Attachment.objects.for_user(request.user), pk=pk)
    record_access(request, AccessKind.ATTACHMENT, client_id=attachment.client_id, obj=attachment)
    try:
        handle = open(attachment.path, "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError:
        raise Http404("The stored file is missing; restore it from the backup.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
