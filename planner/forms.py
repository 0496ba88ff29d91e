from datetime import datetime, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from clients.validators import SHORT_TEXT, limit_length, one_line_of_text, plain_text
from protocols.labels import and_list, format_date, place_title
from protocols.versioning import VersionedFormMixin, VersionField
from protocols.vocabulary import REGIONS, WALTON_SCALE

from .models import CancelReason, ClinicSettings
from .proposals import SIDES_IN_PAGE_ORDER

# Sessions are planned at most this far ahead.
PLAN_AHEAD_DAYS = 365

User = get_user_model()

SERIES_MAX_WEEKS = 26
WEEKDAY_CHOICES = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


def series_dates(first, weeks, weekdays):
    """The dates of a series from `first` on: the chosen weekdays of each of `weeks` weeks (the
    first week is the one of `first`); one date, `first`, when there is no repeat."""
    if weeks <= 1:
        return [first]
    monday = first - timedelta(days=first.weekday())
    found = {monday + timedelta(weeks=w, days=d) for w in range(weeks) for d in set(weekdays)}
    return sorted({first} | {day for day in found if day > first})


REGION_CHOICES = [(f"{region}:{side}", place_title(region, side)) for region in REGIONS for side in SIDES_IN_PAGE_ORDER]


def whole_minutes(at, label):
    """A session's time in hours and minutes: seconds (09:00:59, sent by no browser) are refused."""
    if at.second or at.microsecond:
        raise forms.ValidationError(f"{label}: give hours and minutes only, such as 14:30.")
    return at


def refuse_a_time_gone(form, label, what_instead):
    """A session today starts at the current minute at the earliest: one that already began is
    recorded afterwards (a late entry), not planned or moved to as if it were still to come."""
    day, at = form.cleaned_data.get("date"), form.cleaned_data.get("time")
    if day is None or at is None or day != timezone.localdate():
        return
    if timezone.make_aware(datetime.combine(day, at)) < timezone.localtime().replace(second=0, microsecond=0):
        form.add_error("time", f"{label}: {at:%H:%M} today has passed; {what_instead}")


class PlanRequestForm(forms.Form):
    """The builder: which day and time, which regions and sides; the notes read; goals."""

    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Date: choose the day of the session.",
            "invalid": "Date: enter a date such as 2026-12-24.",
        },
    )
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}),
        initial="09:00",
        error_messages={
            "required": "Time: choose the time the session starts.",
            "invalid": "Time: enter a time such as 14:30.",
        },
    )
    regions = forms.MultipleChoiceField(
        choices=REGION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Regions: tick at least one region and side."},
    )
    goals = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, validators=[plain_text])
    notes_acknowledged = forms.BooleanField(required=False, label="I have read every note of this plan")
    repeat_weeks = forms.IntegerField(
        label="Weeks",
        required=False,
        min_value=1,
        max_value=SERIES_MAX_WEEKS,
        error_messages={
            "min_value": "Weeks: at least 1.",
            "max_value": f"Weeks: at most {SERIES_MAX_WEEKS} in one series.",
            "invalid": "Weeks: a whole number.",
        },
    )
    repeat_days = forms.TypedMultipleChoiceField(
        label="On", choices=WEEKDAY_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self, SHORT_TEXT, "goals")  # as the plan page's goals

    def clean_repeat_weeks(self):
        return self.cleaned_data.get("repeat_weeks") or 1

    def clean_time(self):
        return whole_minutes(self.cleaned_data["time"], "Time")

    def clean(self):
        cleaned = super().clean()
        refuse_a_time_gone(
            self,
            "Time",
            "choose a time still to come, or record a session that took place with Record a session afterwards.",
        )
        weeks, days, day = cleaned.get("repeat_weeks") or 1, cleaned.get("repeat_days") or [], cleaned.get("date")
        if len(days) > 3:
            self.add_error("repeat_days", "On: at most three days a week.")
        elif weeks > 1 and day and not days:
            cleaned["repeat_days"] = [day.weekday()]
        if weeks > 1 and day and "repeat_days" not in self.errors:
            last = series_dates(day, weeks, cleaned["repeat_days"])[-1]
            if last > timezone.localdate() + timedelta(days=PLAN_AHEAD_DAYS):
                self.add_error("repeat_weeks", "Weeks: the series would end more than a year ahead.")
        return cleaned

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError("Date: a session cannot be planned in the past.")
        if day > timezone.localdate() + timedelta(days=PLAN_AHEAD_DAYS):
            raise forms.ValidationError(
                "Date: plan at most a year ahead; the client's conditions will have changed by then."
            )
        return day

    def regions_text(self):
        return ",".join(self.cleaned_data["regions"])


class PlanItemForm(forms.Form):
    """The therapist's adjustments to one worked region/side: template, minutes, pressure, or drop it."""

    template = forms.ChoiceField(required=False)
    minutes = forms.IntegerField(min_value=1)
    pressure = forms.TypedChoiceField(coerce=int)
    dropped = forms.BooleanField(required=False, label="Do not work this region")

    def __init__(self, *args, item, templates, max_minutes, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.max_minutes = max_minutes
        self.templates = {t.key: t for t in templates}
        # Short labels: the fieldset's legend names the region and side for screen readers.
        self.fields["template"].choices = [(t.key, t.name) for t in templates]
        self.fields["template"].label = "Template"
        self.fields["minutes"].label = "Minutes"
        self.fields["minutes"].max_value = max_minutes
        self.fields["minutes"].widget.attrs.update({"min": max(len(item.steps), 1), "max": max_minutes})
        self.fields["pressure"].label = "Pressure"
        self.fields["pressure"].choices = [
            (level, f"{level} · {WALTON_SCALE[level].label}") for level in range(0, (item.pressure_max or 0) + 1)
        ]
        self.fields["dropped"].label = "Do not work this region"

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes > self.max_minutes:
            raise forms.ValidationError(f"Minutes: at most {self.max_minutes}, the session's limit.")
        return minutes

    def clean_pressure(self):
        pressure = self.cleaned_data["pressure"]
        if self.item.pressure_max is None or pressure > self.item.pressure_max:
            raise forms.ValidationError(
                f"Pressure {pressure} is above this region's cap of {self.item.pressure_max}; the notes say why."
            )
        return pressure

    def clean(self):
        cleaned = super().clean()
        minutes, key = cleaned.get("minutes"), cleaned.get("template")
        # A swapped template brings its own steps; the region needs a minute for each.
        steps = len(self.templates[key].steps) if key and key != self.item.template_key else len(self.item.steps)
        if minutes is not None and minutes < steps and "minutes" not in self.errors:
            self.add_error("minutes", f"Minutes: at least {steps}, one for each of the {steps} steps.")
        if cleaned.get("pressure") == 0 and not cleaned.get("dropped"):
            moving = self._moving_steps(key)
            if moving:
                self.add_error(
                    "pressure",
                    f"Pressure 0 is a still hold with no movement, but this template's steps move "
                    f"({and_list(moving)}). Choose 1 or more, or drop the region.",
                )
        return cleaned

    def _moving_steps(self, key):
        """The techniques of the region's steps that move (not an inspection or a still hold)."""
        if key and key != self.item.template_key:
            steps = [(step.kind, step.technique) for step in self.templates[key].steps]
        else:
            steps = [(step.get("kind"), step["technique"]) for step in self.item.steps]
        still = {"inspection", "still_hold"}
        return list(dict.fromkeys(technique for kind, technique in steps if kind not in still))


class PlanDetailsForm(VersionedFormMixin, forms.Form):
    goals = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, validators=[plain_text])
    notes = forms.CharField(
        label="Therapist's notes",
        help_text="Your own notes for this session; they are printed on the sheet.",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        validators=[plain_text],
    )
    notes_acknowledged = forms.BooleanField(required=False, label="I have read every note of this plan")
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self, SHORT_TEXT, "goals", "notes")


class LateEntryForm(forms.Form):
    """A session that took place without a plan, documented afterwards within the clinic's limit."""

    date = forms.DateField(
        label="Date of the session",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Date: enter the day the session took place.",
            "invalid": "Date: enter a date such as 2026-12-24.",
        },
    )
    time = forms.TimeField(
        label="Start",
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}),
        error_messages={
            "required": "Start: enter the time the session started.",
            "invalid": "Start: enter a time such as 14:30.",
        },
    )
    regions = forms.MultipleChoiceField(
        label="Regions worked",
        choices=REGION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Regions: tick at least one region and side that was worked."},
    )
    late_reason = forms.CharField(
        label="Why it was not planned, and why it went ahead",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        validators=[plain_text],
        help_text="Required when the rules deferred a session on that date.",
    )

    def __init__(self, *args, limit_days, client, **kwargs):
        super().__init__(*args, **kwargs)
        limit_length(self, SHORT_TEXT, "late_reason")
        self.limit_days, self.client = limit_days, client
        today = timezone.localdate()
        self.fields["date"].widget.attrs.update(
            {"min": (today - timedelta(days=limit_days)).isoformat(), "max": today.isoformat()}
        )

    def clean_date(self):
        day = self.cleaned_data["date"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError("Date: a late entry records a session that already took place.")
        if day < today - timedelta(days=self.limit_days):
            raise forms.ValidationError(
                f"Date: sessions can be recorded afterwards for {self.limit_days} days at most (the clinic's limit)."
            )
        consent = self.client.consented_on
        if consent is not None and day < consent:
            raise forms.ValidationError(
                f"Date: {self.client} consented to treatment on {format_date(consent)}, after this day. If consent "
                "was given earlier, a clinic admin corrects the consent date first."
            )
        return day

    def clean_time(self):
        return whole_minutes(self.cleaned_data["time"], "Start")

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("date"), cleaned.get("time")
        if day and at and timezone.make_aware(datetime.combine(day, at)) > timezone.now():
            self.add_error("time", "Start: a late entry records a session that already started.")
        return cleaned


class RescheduleForm(forms.Form):
    """A plan's new day and time."""

    date = forms.DateField(
        label="New date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "New date: choose the day to move the session to.",
            "invalid": "New date: enter a date such as 2026-12-24.",
        },
    )
    time = forms.TimeField(
        label="New time",
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}),
        error_messages={
            "required": "New time: choose the time to move the session to.",
            "invalid": "New time: enter a time such as 14:30.",
        },
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError("New date: a session cannot be moved into the past.")
        if day > timezone.localdate() + timedelta(days=PLAN_AHEAD_DAYS):
            raise forms.ValidationError("New date: at most a year ahead.")
        return day

    def clean_time(self):
        return whole_minutes(self.cleaned_data["time"], "New time")

    def clean(self):
        cleaned = super().clean()
        refuse_a_time_gone(self, "New time", "choose a time still to come.")
        return cleaned


class CancelPlanForm(forms.Form):
    category = forms.ChoiceField(
        label="Why did the session not take place?",
        choices=[("", "Choose a reason")] + [c for c in CancelReason.choices if c[0] != CancelReason.CLIENT_ARCHIVED],
        error_messages={
            "required": "Reason: choose why the session did not take place.",
            "invalid_choice": "Reason: choose one of the reasons offered.",
        },
    )
    reason = forms.CharField(
        max_length=200,
        label="Note (optional)",
        required=False,
        error_messages={
            "max_length": "Note: at most %(limit_value)d characters (it has %(show_value)d).",
            "null_characters_not_allowed": "Note: it holds a null character, which cannot be saved; remove it.",
        },
    )

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_reason(self):
        # Said in a message above the page, not under the field: the refusal names it.
        reason = self.cleaned_data["reason"]
        try:
            one_line_of_text(reason)
        except forms.ValidationError as refused:
            raise forms.ValidationError(f"Note: {refused.messages[0]}") from None
        return reason

    def clean_category(self):
        category = self.cleaned_data["category"]
        if category == CancelReason.NO_SHOW and self.plan is not None and self.plan.scheduled_for > timezone.now():
            raise forms.ValidationError("Reason: a no-show can be recorded once the session's start has passed.")
        return category


class ClinicSettingsForm(forms.ModelForm):
    """The clinic's schedule rules, edited by clinic admins."""

    class Meta:
        model = ClinicSettings
        fields = ["opens_at", "closes_at", "buffer_minutes", "late_entry_days", "calendar_feeds_allowed"]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time", "step": 900}),
            "closes_at": forms.TimeInput(attrs={"type": "time", "step": 900}),
        }
        error_messages = {
            "opens_at": {
                "required": "Sessions from: enter the time the first session may start, such as 07:00.",
                "invalid": "Sessions from: enter a time such as 07:00.",
            },
            "closes_at": {
                "required": "Sessions until: enter the time the last session must end, such as 21:00.",
                "invalid": "Sessions until: enter a time such as 21:00.",
            },
            "buffer_minutes": {
                "required": "Buffer: enter the minutes kept free after each session (0 for none).",
                "invalid": "Buffer: a whole number of minutes.",
                "min_value": "Buffer: 0 minutes or more.",
            },
            "late_entry_days": {
                "required": "Late entries: enter for how many days afterwards a session may be recorded.",
                "invalid": "Late entries: a whole number of days.",
                "min_value": "Late entries: 0 days or more.",
            },
        }

    def clean_buffer_minutes(self):
        minutes = self.cleaned_data["buffer_minutes"]
        if minutes > 120:
            raise forms.ValidationError("Buffer: at most 120 minutes between sessions.")
        return minutes

    def clean_late_entry_days(self):
        days = self.cleaned_data["late_entry_days"]
        if days > 90:
            raise forms.ValidationError("Late entries: at most 90 days afterwards; older sessions are not recorded.")
        return days

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "Sessions until: the clinic must close after it opens.")
        return cleaned
