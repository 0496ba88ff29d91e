"""Two-factor sign-in (django-otp): an authenticator app (TOTP) and one-time recovery codes.

After the password, a user who has an authenticator, or whom MFA_REQUIRED obliges to have one,
is held at /accounts/mfa/ (a session flag, so pages ask the database nothing more) until a code
is verified, or the authenticator is enrolled.
"""

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clients.roles import is_clinic_admin
from planner.middleware import MFA_PENDING_KEY

PENDING_SESSION_KEY = MFA_PENDING_KEY
NEXT_SESSION_KEY = "mfa_next"
RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def required_for(user):
    """Whether the clinic's MFA_REQUIRED obliges this user to use a second factor."""
    if settings.MFA_REQUIRED == "everyone":
        return True
    return settings.MFA_REQUIRED == "admins" and is_clinic_admin(user)


def app_device(user, confirmed=True):
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def is_enrolled(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def hold_after_password(request, user):
    """Right after the password step: hold the session until the second factor is done, if one is due."""
    if is_enrolled(user) or required_for(user):
        request.session[PENDING_SESSION_KEY] = True


def is_pending(request):
    return bool(request.session.get(PENDING_SESSION_KEY))


def is_verified(request):
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def release(request, device):
    """The second factor is done: the session is a full one from now on."""
    otp_login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)


def enrolment_device(user):
    """The unconfirmed authenticator being set up, made on first visit and kept until confirmed."""
    device = app_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def qr_svg(device):
    """The authenticator's set-up link as an inline SVG QR code, drawn here (nothing leaves the server)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" class="mfa-qr" ', 1)


def readable_key(device):
    """The secret in base32 groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm(device):
    """Confirm a verified authenticator and issue fresh recovery codes (returned once, to show)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user):
    """Replace the user's recovery codes with RECOVERY_CODES new ones."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(user, code):
    """The device that accepts this code (an app's six digits, or an unused recovery code, which is
    used up), or None. Wrong codes slow further tries down (django-otp's throttling)."""
    code = "".join(code.split()).lower()
    if len(code) == 6 and code.isascii() and code.isdigit():  # an app's code is ASCII digits, never "²"
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    with transaction.atomic():
        for device in devices.select_for_update().order_by("pk"):
            if device.verify_token(code):
                return device
    return None


def throttled_until(user):
    """When too many wrong codes let the user try again (each wrong one doubles the wait), or None if now."""
    devices = [*TOTPDevice.objects.filter(user=user, confirmed=True), *StaticDevice.objects.filter(user=user)]
    until = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            until.append((data or {}).get("locked_until") or timezone.now())
    return max(until, default=None)


@transaction.atomic
def reset(user):
    """Remove a user's authenticator and recovery codes (a lost phone): they enrol again at next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
