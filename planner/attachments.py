"""Attached documents: PDFs and images on a client, a clearance or a session record.

The type is read from the file's first bytes, never from its name; files live outside the web
root under a random name and are only ever read through a view that checks who is asking.
Nothing is deleted: a newer file supersedes an older one, which stays listed.
"""

import hashlib
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

# content type -> (first bytes, the extensions a name may have, words for people)
TYPES = {
    "application/pdf": (b"%PDF-", (".pdf",), "a PDF"),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",), "a PNG image"),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg"), "a JPEG image"),
}
MAX_NAME = 150


class Attachment(models.Model):
    """One stored file and what it is attached to."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="attachments")
    clearance = models.ForeignKey(
        "clients.PhysicianClearance", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    record = models.ForeignKey(
        "planner.SessionRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    name = models.CharField(max_length=MAX_NAME)
    content_type = models.CharField(max_length=40, choices=[(t, t) for t in TYPES])
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_as = models.CharField(max_length=64, unique=True)
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty"),
            models.CheckConstraint(condition=models.Q(content_type__in=list(TYPES)), name="attachment_type_valid"),
            models.CheckConstraint(
                condition=models.Q(clearance__isnull=True) | models.Q(record__isnull=True),
                name="attachment_on_one_thing",
            ),
        ]
        indexes = [
            # The client page and the export: a client's attachments, newest first.
            models.Index(fields=["client", "uploaded_at"], name="attachment_client_time"),
        ]

    def __str__(self):
        return self.name

    @property
    def path(self):
        return settings.ATTACHMENTS_DIR / self.stored_as

    @property
    def attached_to(self):
        if self.clearance_id:
            return f"clearance by {self.clearance.physician}, {self.clearance.cleared_on:%-d %b %Y}"
        if self.record_id:
            return f"session record of {self.record.started_at:%-d %b %Y}"
        return "client"

    @property
    def size_display(self):
        return f"{self.size / 1024:.0f} KB" if self.size < 1024 * 1024 else f"{self.size / 1024 / 1024:.1f} MB"

    def document(self):
        """The attachment in the client document's list (for reading; ignored on import)."""
        return {
            "name": self.name,
            "type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "on": "clearance" if self.clearance_id else "record" if self.record_id else "client",
            "uploaded_at": self.uploaded_at.isoformat(),
            "uploaded_by": self.uploaded_by.username,
            "superseded": self.superseded_by_id is not None,
        }


def clean_name(name):
    """The name to keep, or ValidationError saying what is wrong with it."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise ValidationError("The file has no name.")
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValidationError("The file name must not contain a folder path or start with a dot; rename the file.")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise ValidationError("The file name contains control or invisible characters; rename the file.")
    if len(name) > MAX_NAME:
        raise ValidationError(f"The file name is {len(name)} characters long; rename it to {MAX_NAME} at most.")
    return name


def check_upload(upload):
    """(content type, clean name) of an uploaded file, or ValidationError with a message for people."""
    name = clean_name(upload.name)
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    if upload.size > limit:
        raise ValidationError(
            f"The file is {upload.size / 1024 / 1024:.1f} MB; attachments may be {limit / 1024 / 1024:.0f} MB at most."
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = next((kind for kind, (magic, _, _) in TYPES.items() if head.startswith(magic)), None)
    if content_type is None:
        raise ValidationError("This file is not a PDF, PNG or JPEG image (its content was checked, not its name).")
    _, extensions, words = TYPES[content_type]
    if not name.lower().endswith(extensions):
        raise ValidationError(
            f"The file holds {words} but its name says otherwise; rename it to end in {extensions[0]}."
        )
    return content_type, name


@transaction.atomic
def store(upload, content_type, name, *, client, user, description="", clearance=None, record=None, supersedes=None):
    """Write the file under a random name and record it; a superseded attachment points to the new one."""
    folder = settings.ATTACHMENTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stored_as = uuid.uuid4().hex
    digest = hashlib.sha256()
    with open(folder / stored_as, "xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    attachment = Attachment.objects.create(
        client=client,
        clearance=clearance,
        record=record,
        name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        stored_as=stored_as,
        description=description,
        uploaded_by=user,
    )
    if supersedes is not None:
        supersedes.superseded_by = attachment
        supersedes.save(update_fields=["superseded_by"])
    return attachment
