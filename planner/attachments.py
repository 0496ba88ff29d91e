"""Attached documents: PDFs and images on a client, a clearance or a session record.

The type is read from the file's first bytes, never from its name; files live outside the web
root under a random name and are only ever read through a view that checks who is asking.
Nothing is deleted: a newer file supersedes an older one, which stays listed.
"""

import hashlib
import re
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from clients.models import Client
from protocols.labels import format_date, sizes_over_limit

# content type -> (first bytes, the extensions a name may have, words for people)
TYPES = {
    "application/pdf": (b"%PDF-", (".pdf",), "a PDF"),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",), "a PNG image"),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg"), "a JPEG image"),
}
MAX_NAME = 150
# Django's upload handling cuts a longer name to this many characters before the app sees it.
DJANGO_NAME_CUT = 255
# How browsers send a double quote, a line feed and a carriage return in a file's name (HTML's
# multipart/form-data encoding); nothing else is escaped, so other %xx are the name's own.
BROWSER_ESCAPES = re.compile("%22|%0A|%0D", re.IGNORECASE)


class AttachmentQuerySet(models.QuerySet):
    def for_user(self, user):
        """The documents a user may open: those of the clients they may see, but a document on a session
        record only while they may read the record. A draft is its author's (SessionRecord's for_user),
        and so is what is attached to it; signed, it is the care team's."""
        from planner.models import SessionRecord  # planner.models imports this module at its end

        if user.has_perm("clients.view_all_clients"):  # clinic admins (and superusers) read every record
            return self
        readable = SessionRecord.objects.for_user(user).filter(pk=models.OuterRef("record_id"))
        return self.filter(client__in=Client.objects.for_user(user)).filter(
            models.Q(record__isnull=True) | models.Exists(readable)
        )


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

    objects = AttachmentQuerySet.as_manager()

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
        """ "47 bytes", "12 KB", "2.5 MB": a file under a kilobyte is not "0 KB"."""
        if self.size < 1024:
            return f"{self.size} byte{'s' if self.size != 1 else ''}"
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
    """(the name to keep, what changed in it for people to be told) or ValidationError saying what is wrong.

    Line breaks, tabs and special spaces become plain spaces, and other control or invisible
    characters (a right-to-left override that disguises invoice.exe.pdf, a zero-width space) are
    removed: they are not part of the name as anyone reads it, and the type is checked by content.
    """
    sent = name or ""
    changes = []
    name = BROWSER_ESCAPES.sub(lambda escape: chr(int(escape.group()[1:], 16)), sent)
    name = unicodedata.normalize("NFC", name)
    spaced = re.sub(r"[^\S ]+", " ", name)  # any run of whitespace other than plain spaces
    if spaced != name:
        changes.append("line breaks, tabs or special spaces became plain spaces")
    # The zero-width joiner and non-joiner are kept: they shape letters in Persian and Indic names.
    name = "".join(char for char in spaced if char in "\u200c\u200d" or not unicodedata.category(char).startswith("C"))
    if name != spaced:
        changes.append("control or invisible characters were removed")
    name = name.strip()
    # A name that is wrong only once invisible characters are gone says what it became.
    became = f" Once its invisible characters are removed, the name is “{name}”." if name != spaced.strip() else ""
    if not name:
        raise ValidationError("The file has no name." + (" It had only invisible characters." if became else ""))
    if "/" in name or "\\" in name or name.startswith("."):
        raise ValidationError(
            "The file name must not contain a folder path or start with a dot; rename the file." + became
        )
    if len(name) > MAX_NAME:
        # A name of Django's cut length may have been longer: its true length is not known.
        length = (
            f"{DJANGO_NAME_CUT} characters or more" if len(sent) == DJANGO_NAME_CUT else f"{len(name)} characters long"
        )
        raise ValidationError(f"The file name is {length}; rename it to {MAX_NAME} at most.")
    return name, changes


def check_upload(upload, name_sent=None):
    """(content type, clean name, changes to the name) of an uploaded file, or ValidationError for people.

    `name_sent` is the file's name as the browser sent it, when known: Django's upload handling
    removes some characters and cuts long names without saying so.
    """
    name, changes = clean_name(upload.name if name_sent is None else name_sent)
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size == 0:
        raise ValidationError("The file is empty.")
    if upload.size > limit:
        said_size, said_limit = sizes_over_limit(upload.size, limit)
        raise ValidationError(f"The file is {said_size}; attachments may be {said_limit} at most.")
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
    return content_type, name, changes


def store(upload, content_type, name, *, client, user, description="", clearance=None, record=None, supersedes=None):
    """Write the file under a random name and record it; a superseded attachment points to the new one.

    Raises ValidationError, storing nothing, when the same file is already attached there (a form
    sent twice) or when the attachment it replaces was replaced meanwhile; ClientArchived when the
    client was archived meanwhile.
    """
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    written = None
    try:
        with transaction.atomic():
            # Uploads to one client wait for each other here, so that two sent at once (a double
            # click, two people replacing the same document) cannot both pass the checks below. The
            # row read is current: a client archived meanwhile raises ClientArchived and nothing is stored.
            Client.objects.held(client).ensure_writable()
            twin = (
                Attachment.objects.filter(
                    client=client, clearance=clearance, record=record, name=name, sha256=digest.hexdigest()
                )
                .filter(superseded_by__isnull=True)
                .exclude(pk=getattr(supersedes, "pk", None))  # sent again to replace itself: not a twin
                .select_related("uploaded_by", "clearance", "record")
                .first()
            )
            if twin is not None:
                place = "the client's record" if twin.attached_to == "client" else f"the {twin.attached_to}"
                raise ValidationError(
                    f"{twin.name} is already attached to {place} with the same content "
                    f"(uploaded {_when_and_who(twin)}). To change its description, attach it again "
                    "choosing it under Replaces."
                )
            if supersedes is not None:
                # Read again now that no other upload to this client can be saving.
                newer = (
                    Attachment.objects.select_related("superseded_by__uploaded_by").get(pk=supersedes.pk).superseded_by
                )
                if newer is not None:
                    if Attachment.objects.for_user(user).filter(pk=newer.pk).exists():
                        by = f"{newer.name} (uploaded {_when_and_who(newer)})"
                    else:  # on another therapist's draft record: theirs until signed
                        by = "a document on a session record not yet signed"
                    raise ValidationError(
                        f"{supersedes.name} was replaced meanwhile by {by}. "
                        "Choose again what this file replaces, if anything."
                    )
            folder = settings.ATTACHMENTS_DIR
            folder.mkdir(parents=True, exist_ok=True)
            stored_as = uuid.uuid4().hex
            written = folder / stored_as
            with open(written, "xb") as out:
                for chunk in upload.chunks():
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
                Attachment.objects.filter(pk=supersedes.pk).update(superseded_by=attachment)
                supersedes.superseded_by = attachment
    except BaseException:
        # The row was not committed (a dropped connection, a full disk, a check that failed after
        # the write): no file is kept without its row.
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    return attachment


def _when_and_who(attachment):
    who = attachment.uploaded_by.get_full_name() or attachment.uploaded_by.username
    return f"{format_date(timezone.localdate(attachment.uploaded_at))} by {who}"
