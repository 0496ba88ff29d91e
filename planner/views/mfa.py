"""Two-factor sign-in: enrol an authenticator app, verify a code after the password, recovery codes."""

import math
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from planner import mfa


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The six digits your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


def _next(request):
    target = request.session.pop(mfa.NEXT_SESSION_KEY, None)
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "planner:dashboard"


def _wrong_code(form, throttled_until, enrolling=False):
    if throttled_until is not None and throttled_until - timezone.now() > timedelta(minutes=1):
        # The wait doubles with each wrong code: after a few it is far longer than a minute.
        # Shown to the minute, so rounded up: a try at the minute shown is never refused again.
        until = timezone.localtime(throttled_until)
        if until.second or until.microsecond:
            until = until.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = "" if until.date() == timezone.localdate() else f" on {until:%-d %b %Y}"
        form.add_error("code", f"Too many wrong codes: try again after {until:%H:%M}{day}.")
    elif throttled_until is not None:
        # After one wrong code the wait is a second: "too many" and "a minute" would both be untrue.
        seconds = max(1, math.ceil((throttled_until - timezone.now()).total_seconds()))
        form.add_error(
            "code",
            f"A wrong code was entered just before: wait {seconds} second{'s' if seconds != 1 else ''}, then "
            "enter the code your app shows now. Each wrong code doubles the wait.",
        )
    elif enrolling:
        form.add_error("code", "That code is not right. Try the code your app shows now.")
    else:
        form.add_error("code", "That code is not right, or was already used. Try the code your app shows now.")


@login_required
def mfa_page(request):
    """Enrolment for a user without an authenticator; verification, or the status, for one with it."""
    user = request.user
    if mfa.is_enrolled(user):
        if not mfa.is_pending(request):
            context = {"codes_left": mfa.recovery_codes_left(user), "required": mfa.required_for(user)}
            return render(request, "registration/mfa_status.html", context)
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            throttled = mfa.throttled_until(user)
            device = mfa.verify(user, form.cleaned_data["code"])
            if device is not None:
                mfa.release(request, device)
                return redirect(_next(request))
            _wrong_code(form, throttled)
        return render(request, "registration/mfa_verify.html", {"form": form}, status=400 if form.errors else 200)

    device = mfa.enrolment_device(user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The six digits your authenticator app shows after adding this account."
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        allowed, data = device.verify_is_allowed()
        throttled = None if allowed else (data or {}).get("locked_until") or timezone.now()
        if device.verify_token(code):
            codes = mfa.confirm(device)
            mfa.release(request, device)
            context = {"codes": codes, "next": resolve_url(_next(request))}
            return render(request, "registration/mfa_codes.html", context)
        _wrong_code(form, throttled, enrolling=True)
    context = {
        "form": form,
        "qr_svg": mfa.qr_svg(device),
        "key": mfa.readable_key(device),
        "required": mfa.required_for(user),
        "pending": mfa.is_pending(request),
    }
    return render(request, "registration/mfa_enrol.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def recovery_codes(request):
    """Replace one's recovery codes (the old ones stop working), shown once."""
    if not mfa.is_enrolled(request.user) or mfa.is_pending(request):
        return redirect("mfa")
    codes = mfa.new_recovery_codes(request.user)
    messages.success(request, "New recovery codes made: the old ones no longer work.")
    return render(request, "registration/mfa_codes.html", {"codes": codes, "next": resolve_url("mfa")})
