"""The access log's writer, and the one answer to "where does this request come from"."""

import ipaddress

from django.conf import settings
from ipware import get_client_ip

from .models import AccessEvent, AccessKind

__all__ = ["AccessKind", "client_ip", "record_access"]


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
    ip, _routable = get_client_ip(
        _Meta(meta), proxy_order="right-most", proxy_count=0, request_header_order=list(meta)
    )
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
    """One row of the access log: a single INSERT, nothing read."""
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
