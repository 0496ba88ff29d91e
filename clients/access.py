"""The access log (an append-only model), its writer, and the one answer to "where does this request come from"."""

import ipaddress

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from ipware import get_client_ip

__all__ = ["AccessKind", "client_ip", "record_access"]


class AccessLogIsAppendOnly(Exception):
    """An attempt to change or remove a row of the access log."""


class AccessKind(models.TextChoices):
    CLIENT_PAGE = "client_page", "Client page"
    HISTORY = "history", "Change history"
    PLAN = "plan", "Plan"
    PLAN_JSON = "plan_json", "Plan JSON"
    PLAN_PRINT = "plan_print", "Plan print sheet"
    PLAN_BUILDER = "plan_builder", "Plan builder"
    PLAN_PREVIEW = "plan_preview", "Plan preview (JSON)"
    RECORD = "record", "Session record"
    RECORD_PRINT = "record_print", "Record print sheet"
    ASSESSMENT = "assessment", "Assessment"
    CONDITION = "condition", "Condition"
    CLEARANCE = "clearance", "Physician clearance"
    CLIENT_DETAILS = "client_details", "Client details form"
    PROFILE = "profile", "Neuropathy profile form"
    LETTER = "letter", "Progress letter"
    ATTACHMENT = "attachment", "Attachment"
    EXPORT_JSON = "export_json", "Client document (JSON)"
    FHIR_JSON = "fhir_json", "FHIR JSON"
    CSV_EXPORT = "csv_export", "CSV export of all clients"
    PASSWORD_RESET = "password_reset", "Temporary password set"
    ROLE_CHANGE = "role_change", "Role changed"
    MFA_RESET = "mfa_reset", "Two-factor device reset"
    LOCK_LIFT = "lock_lift", "Sign-in lock lifted"
    ACCOUNT_CREATED = "account_created", "Account created"
    ACCOUNT_DEACTIVATED = "account_deactivated", "Account deactivated"
    ACCOUNT_REACTIVATED = "account_reactivated", "Account reactivated"


# Kinds that name an account acted on rather than a client read.
ACCOUNT_KINDS = (
    AccessKind.PASSWORD_RESET,
    AccessKind.ROLE_CHANGE,
    AccessKind.MFA_RESET,
    AccessKind.LOCK_LIFT,
    AccessKind.ACCOUNT_CREATED,
    AccessKind.ACCOUNT_DEACTIVATED,
    AccessKind.ACCOUNT_REACTIVATED,
)


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AccessLogIsAppendOnly("The access log cannot be changed.")

    def delete(self):
        raise AccessLogIsAppendOnly("The access log cannot be deleted.")

    def about_account(self, user):
        """Everything an account did, and everything done to it."""
        return self.filter(Q(actor=user) | Q(subject=user))

    def documents(self):
        """The rows, oldest first, as the client document carries them (for reading; import ignores
        them), one at a time. Read as plain rows through a cursor: a client seen for years has thousands."""
        rows = self.order_by("at", "pk").values_list("at", "actor__username", "kind", "object_ref", "ip_address")
        for at, user, kind, ref, address in rows.iterator(chunk_size=1000):
            yield {"at": at.isoformat(), "user": user, "kind": kind, "object": ref, "ip_address": address}


class AccessEvent(models.Model):
    """One read of a client's clinical data, or one change to an account's access: append-only.

    The log outlives what it names: its references are plain ids that no deletion cascades to.
    """

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        help_text="Who read or acted.",
    )
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account acted on (created, deactivated, reactivated, password reset, role change, "
        "two-factor reset, lock lifted).",
    )
    object_ref = models.CharField(max_length=100, blank=True, help_text="What was read, e.g. plan 12.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The access page of a client, newest first.
            models.Index(fields=["client", "-at"], name="access_client_at"),
            # The access page of an account: what it read.
            models.Index(fields=["actor", "-at"], name="access_actor_at"),
            # The access page of an account: what was done to it.
            models.Index(fields=["subject", "-at"], name="access_subject_at"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by user {self.actor_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AccessLogIsAppendOnly("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AccessLogIsAppendOnly("The access log cannot be deleted.")


def _trusted(address):
    """Whether an address is one of TRUSTED_PROXIES (addresses or networks such as 10.0.0.0/8)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES)


def client_ip(request):
    """The client's address: X-Forwarded-For is believed only when it comes from a trusted proxy.

    Without TRUSTED_PROXIES the address is the connection's. Behind them, the forwarded chain is
    read from the right, skipping our own proxies, so a client cannot name itself by sending the
    header; django-ipware then checks the address it is left with.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.TRUSTED_PROXIES or not remote or not _trusted(remote):
        meta = {"REMOTE_ADDR": remote or ""}
    else:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in forwarded if hop]
        while hops and _trusted(hops[-1]):
            hops.pop()
        meta = {"HTTP_X_FORWARDED_FOR": hops[-1] if hops else remote, "REMOTE_ADDR": remote}
    ip, _routable = get_client_ip(_Meta(meta), proxy_order="right-most", proxy_count=0, request_header_order=list(meta))
    return _valid(ip) or _valid(remote)


def _valid(address):
    """The address if it is one (the log's column takes nothing else), else None."""
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


class _Meta:
    """What django-ipware reads of a request."""

    def __init__(self, meta):
        self.META = meta


def record_access(request, kind, *, client=None, client_id=None, obj=None, subject=None, ref=""):
    """One row of the access log: a single INSERT, nothing read. None for a HEAD request: Django answers
    it with the page's headers alone, so nothing of the client was sent."""
    if request.method == "HEAD":
        return None
    if obj is not None and not ref:
        ref = f"{obj._meta.verbose_name} {obj.pk}"
    return AccessEvent.objects.create(
        actor_id=request.user.pk if request.user.is_authenticated else None,
        kind=kind,
        client_id=client.pk if client is not None else client_id,
        subject_id=subject.pk if subject is not None else None,
        object_ref=ref[:100],
        ip_address=client_ip(request),
    )
