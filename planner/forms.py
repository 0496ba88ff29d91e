from datetime import datetime, timedelta

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import Group
from django.utils import timezone

from protocols.labels import place as place_name
from protocols.labels import place_title
from protocols.versioning import VersionedFormMixin, VersionField
from protocols.vocabulary import REGIONS, SIDES, WALTON_SCALE

from .corrections import SCORE_FIELDS as SCORE_FIELD_LABELS
from .corrections import current_value
from .models import AdverseEvent, CancelReason, ClinicSettings, SessionRecord
from .roles import CLINIC_ADMIN, THERAPIST, forget_roles, role_names

# Sessions are planned at most this far ahead.
PLAN_AHEAD_DAYS = 365
# A session record longer than this is a typing error.
MAX_RECORD_MINUTES = 180

User = get_user_model()

ROLE_CHOICES = [
    ("therapist", THERAPIST),
    ("admin", CLINIC_ADMIN),
    ("both", f"{THERAPIST} and {CLINIC_ADMIN.lower()}"),
]
ROLE_GROUPS = {"therapist": [THERAPIST], "admin": [CLINIC_ADMIN], "both": [THERAPIST, CLINIC_ADMIN]}


def role_of(user):
    held = set(role_names(user))
    if {THERAPIST, CLINIC_ADMIN} <= held:
        return "both"
    if CLINIC_ADMIN in held:
        return "admin"
    return "therapist"


def set_role(user, role):
    """Replace the user's role groups with those of the chosen role, leaving other groups alone."""
    wanted = set(ROLE_GROUPS[role])
    for group in Group.objects.filter(name__in=[THERAPIST, CLINIC_ADMIN]):
        if group.name in wanted:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    forget_roles(user)


class StaffForm(VersionedFormMixin, forms.ModelForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="therapist")

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]
        labels = {"email": "E-mail"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["email"].required = True
        if self.instance.pk:
            self.fields["role"].initial = role_of(self.instance)
            self.fields["version"] = VersionField(initial=self.instance.staff_profile.version)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Another account already uses this e-mail address.")
        return email


class NewStaffForm(StaffForm):
    username = forms.CharField(
        max_length=150,
        help_text="Letters, digits and @ . + - _ only. Used to sign in; cannot be changed later.",
        validators=[User.username_validator],
    )
    temporary_password = forms.CharField(
        widget=forms.PasswordInput(render_value=True),
        help_text="Give this to the person; they must choose their own password when they first sign in.",
    )

    class Meta(StaffForm.Meta):
        fields = ["first_name", "last_name", "username", "email"]

    field_order = ["first_name", "last_name", "username", "email", "role", "temporary_password"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is already taken.")
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("temporary_password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("temporary_password", error)
        return cleaned


class OwnPasswordForm(PasswordChangeForm):
    """Changing one's password: the new one must differ from the old (a temporary one in particular)."""

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error("new_password1", "Choose a password different from the current one.")
        return cleaned


class TemporaryPasswordForm(forms.Form):
    temporary_password = forms.CharField(
        widget=forms.PasswordInput(render_value=True),
        help_text="The person must choose their own password when they next sign in.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_temporary_password(self):
        password = self.cleaned_data["temporary_password"]
        password_validation.validate_password(password, self.user)
        return password


# A series: the same session each week, on one to three days of the week, for at most this many weeks.
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


REGION_CHOICES = [
    (f"{region}:{side}", place_title(region, side)) for region in REGIONS for side in SIDES
]


class PlanRequestForm(forms.Form):
    """The builder: which day and time, which regions and sides; the notes read; goals."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 900}), initial="09:00")
    regions = forms.MultipleChoiceField(
        choices=REGION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Regions: tick at least one region and side."},
    )
    goals = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    notes_acknowledged = forms.BooleanField(required=False, label="I have read every note of this proposal")
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

    def clean_repeat_weeks(self):
        return self.cleaned_data.get("repeat_weeks") or 1

    def clean(self):
        cleaned = super().clean()
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
            raise forms.ValidationError("A session cannot be planned in the past.")
        if day > timezone.localdate() + timedelta(days=PLAN_AHEAD_DAYS):
            raise forms.ValidationError("Plan at most a year ahead: the client's conditions will have changed by then.")
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
        return cleaned


class PlanDetailsForm(forms.Form):
    goals = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    notes = forms.CharField(label="Session notes", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    notes_acknowledged = forms.BooleanField(
        required=False, label="I have read every contraindication note of this plan"
    )
    version = VersionField()


class LateEntryForm(forms.Form):
    """A session that took place without a plan, documented afterwards within the clinic's limit."""

    date = forms.DateField(label="Date of the session", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="Start", widget=forms.TimeInput(attrs={"type": "time", "step": 300}))
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
        help_text="Required when the rules deferred a session on that date.",
    )

    def __init__(self, *args, limit_days, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_days = limit_days
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
        return day

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("date"), cleaned.get("time")
        if day and at and timezone.make_aware(datetime.combine(day, at)) > timezone.now():
            self.add_error("time", "Start: a late entry records a session that already started.")
        return cleaned


class RescheduleForm(forms.Form):
    """A plan's new day and time."""

    date = forms.DateField(label="New date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="New time", widget=forms.TimeInput(attrs={"type": "time", "step": 900}))

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < timezone.localdate():
            raise forms.ValidationError("New date: a session cannot be moved into the past.")
        if day > timezone.localdate() + timedelta(days=PLAN_AHEAD_DAYS):
            raise forms.ValidationError("New date: at most a year ahead.")
        return day


class CancelPlanForm(forms.Form):
    category = forms.ChoiceField(
        label="Why did the session not take place?",
        choices=[("", "Choose a reason")] + [c for c in CancelReason.choices if c[0] != CancelReason.CLIENT_ARCHIVED],
        error_messages={
            "required": "Reason: choose why the session did not take place.",
            "invalid_choice": "Reason: choose one of the reasons offered.",
        },
    )
    reason = forms.CharField(max_length=200, label="Note (optional)", required=False)

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_category(self):
        category = self.cleaned_data["category"]
        if category == CancelReason.NO_SHOW and self.plan is not None and self.plan.scheduled_for > timezone.now():
            raise forms.ValidationError("Reason: a no-show can be recorded once the session's start has passed.")
        return category


SCORE_FIELDS = ["pain_before", "pain_after", "numbness_before", "numbness_after"]


class RecordForm(forms.ModelForm):
    """The session as it happened; a draft may be incomplete, signing needs every score."""

    adverse_events = forms.MultipleChoiceField(
        choices=AdverseEvent.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    version = VersionField(min_value=0, required=False)  # 0: no record yet

    class Meta:
        model = SessionRecord
        fields = [
            "minutes",
            *SCORE_FIELDS,
            "skin_check",
            "subjective",
            "objective",
            "assessment",
            "soap_plan",
            "adverse_events",
            "adverse_other",
            "next_time",
        ]
        labels = {
            "minutes": "Session minutes",
            "pain_before": "Pain before (0-10)",
            "pain_after": "Pain after (0-10)",
            "numbness_before": "Numbness/tingling before (0-10)",
            "numbness_after": "Numbness/tingling after (0-10)",
            "soap_plan": "Plan (SOAP)",
            "next_time": "What to do next time",
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ["skin_check", "subjective", "objective", "assessment", "soap_plan", "next_time"]
        }

    def __init__(self, *args, signing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.signing = signing
        for name in SCORE_FIELDS:
            self.fields[name] = forms.IntegerField(
                label=self.fields[name].label,
                required=False,
                min_value=0,
                max_value=10,
                widget=forms.NumberInput(attrs={"min": 0, "max": 10, "inputmode": "numeric"}),
            )
        self.fields["minutes"] = forms.IntegerField(
            label="Session minutes",
            required=False,
            min_value=1,
            max_value=MAX_RECORD_MINUTES,
            widget=forms.NumberInput(attrs={"min": 1, "max": MAX_RECORD_MINUTES}),
        )

    def clean(self):
        cleaned = super().clean()
        events = cleaned.get("adverse_events") or []
        if AdverseEvent.NONE in events and len(events) > 1:
            self.add_error("adverse_events", "Choose “None” or the events that happened, not both.")
        if AdverseEvent.OTHER in events and not cleaned.get("adverse_other", "").strip():
            self.add_error("adverse_other", "Describe the other adverse event.")
        if self.signing:
            for name in [*SCORE_FIELDS, "minutes"]:
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, "Needed to sign the record.")
            if not events and "adverse_events" not in self.errors:
                self.add_error("adverse_events", "Tick “None” or the events that happened, to sign the record.")
        return cleaned


class RecordItemForm(forms.Form):
    """One planned region/side as actually worked; a pressure above the plan needs a reason."""

    done = forms.BooleanField(required=False)
    minutes = forms.IntegerField(required=False, min_value=1)
    pressure_used = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, choices=[("", "—")] + [(n, str(n)) for n in range(6)]
    )
    deviation_reason = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, plan_item, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_item = plan_item
        place = place_name(plan_item.region, plan_item.side)
        self.max_minutes = max(2 * plan_item.minutes, 15)
        self.fields["done"].label = f"Worked the {place}"
        self.fields["minutes"].label = f"Minutes, {place}"
        self.fields["minutes"].widget.attrs.update({"min": 1, "max": self.max_minutes})
        self.fields["pressure_used"].label = f"Pressure used, {place}"
        self.fields["deviation_reason"].label = f"Reason for a pressure above the plan, {place}"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("done"):
            return {**cleaned, "minutes": None, "pressure_used": None}
        minutes, pressure = cleaned.get("minutes"), cleaned.get("pressure_used")
        if minutes is None and "minutes" not in self.errors:
            self.add_error("minutes", "Enter the minutes worked, or untick the region.")
        elif minutes is not None and minutes > self.max_minutes:
            self.add_error(
                "minutes",
                f"{minutes} minutes is far beyond the {self.plan_item.minutes} planned: at most {self.max_minutes}.",
            )
        if pressure is None and "pressure_used" not in self.errors:
            self.add_error("pressure_used", "Enter the pressure used, or untick the region.")
        elif (
            pressure is not None
            and pressure > (self.plan_item.pressure or 0)
            and not cleaned.get("deviation_reason", "").strip()
        ):
            self.add_error(
                "deviation_reason",
                f"Pressure {pressure} is above the plan's {self.plan_item.pressure} for this region: say why.",
            )
        return cleaned


class AddendumForm(forms.Form):
    """An addendum to a signed record; it may also correct one score or one region's pressure used."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Addendum",
        strip=True,
        help_text="What is added or corrected, and why.",
        error_messages={"required": "Write the addendum before adding it."},
    )
    correct = forms.ChoiceField(label="Correct a value (optional)", required=False)
    value = forms.IntegerField(label="Corrected value", required=False, min_value=0, max_value=10)

    def __init__(self, *args, record=None, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.items = {str(item.pk): item for item in items if item.done}
        self.fields["correct"].choices = [
            ("", "Nothing to correct"),
            *SCORE_FIELD_LABELS.items(),
            *(
                (f"pressure_used:{pk}", f"Pressure used, {place_name(item.region, item.side)}")
                for pk, item in self.items.items()
            ),
        ]

    def clean(self):
        cleaned = super().clean()
        choice, value = cleaned.get("correct") or "", cleaned.get("value")
        field, _, item_pk = choice.partition(":")
        cleaned["field"], cleaned["item"] = field, self.items.get(item_pk)
        if field and value is None and "value" not in self.errors:
            self.add_error("value", "Enter the corrected value.")
        elif value is not None and not field:
            self.add_error("correct", "Choose the value this number corrects.")
        elif field == "pressure_used" and value is not None and value > 5:
            self.add_error("value", "Pressure uses the Walton scale, 0 to 5.")
        elif field and self.record is not None and value == current_value(self.record, field, cleaned["item"]):
            self.add_error("value", f"{value} is already the value on record.")
        return cleaned


class ClinicSettingsForm(forms.ModelForm):
    """The clinic's schedule rules, edited by clinic admins."""

    class Meta:
        model = ClinicSettings
        fields = ["opens_at", "closes_at", "buffer_minutes", "late_entry_days", "calendar_feeds_allowed"]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time", "step": 900}),
            "closes_at": forms.TimeInput(attrs={"type": "time", "step": 900}),
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
