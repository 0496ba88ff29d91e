"""Recording a session: the record, its region items, addenda."""

from django import forms

from clients.validators import LONG_TEXT, limit_length, one_line_of_text, plain_text, refuse_hidden_characters
from protocols.labels import place as place_name
from protocols.versioning import VersionedFormMixin, VersionField

from .corrections import SCORE_FIELDS as SCORE_FIELD_LABELS
from .corrections import current_value
from .models import AdverseEvent, SessionRecord

# A session record longer than this is a typing error.
MAX_RECORD_MINUTES = 180

SCORE_FIELDS = ["pain_before", "pain_after", "numbness_before", "numbness_after"]
SCORE_RANGE = "Scores run from 0 to 10."


class RecordForm(VersionedFormMixin, forms.ModelForm):
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
        limit_length(self, LONG_TEXT, "skin_check", "subjective", "objective", "assessment", "soap_plan", "next_time")
        refuse_hidden_characters(
            self, "skin_check", "subjective", "objective", "assessment", "soap_plan", "next_time", "adverse_other"
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

    def check_regions_fit(self, region_minutes):
        """The session's minutes cannot be fewer than the minutes of the regions worked in it."""
        minutes = self.cleaned_data.get("minutes")
        if minutes is not None and region_minutes > minutes:
            self.add_error(
                "minutes",
                f"Session minutes: {minutes} is fewer than the {region_minutes} minutes of the regions worked. "
                "Correct the session minutes or the minutes of a region.",
            )


def above_plan(pressure, planned):
    """A pressure used above the plan's is a deviation and needs a reason, as recorded or as corrected."""
    return pressure is not None and pressure > (planned or 0)


class RecordItemForm(forms.Form):
    """One planned region/side as actually worked; a pressure above the plan needs a reason."""

    done = forms.BooleanField(required=False)
    minutes = forms.IntegerField(required=False, min_value=1)
    pressure_used = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, choices=[("", "—")] + [(n, str(n)) for n in range(6)]
    )
    deviation_reason = forms.CharField(max_length=300, required=False, validators=[one_line_of_text])

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
        elif above_plan(pressure, self.plan_item.pressure) and not cleaned.get("deviation_reason", "").strip():
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
        validators=[plain_text],
        help_text="What is added or corrected, and why.",
        error_messages={"required": "Write the addendum before adding it."},
    )
    correct = forms.ChoiceField(label="Correct a value (optional)", required=False)
    value = forms.IntegerField(
        label="Corrected value",
        required=False,
        min_value=0,
        max_value=10,
        error_messages={"min_value": SCORE_RANGE, "max_value": SCORE_RANGE},
    )
    deviation_reason = forms.CharField(
        label="Reason for a pressure above the plan",
        max_length=300,
        required=False,
        validators=[one_line_of_text],
        help_text="Only when correcting a pressure used to one above the plan's.",
    )

    def __init__(self, *args, record=None, items=(), may_correct=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        # A score or a pressure used is the therapist's clinical statement: only the record's
        # therapist corrects one; anyone else allowed an addendum adds text.
        self.may_correct = may_correct
        limit_length(self, LONG_TEXT, "text")
        self.items = {str(item.pk): item for item in items if item.done}
        self.fields["correct"].choices = [
            ("", "Nothing to correct"),
            *SCORE_FIELD_LABELS.items(),
            *(
                (f"pressure_used:{pk}", f"Pressure used, {place_name(item.region, item.side)}")
                for pk, item in self.items.items()
            ),
        ]
        if not may_correct:
            del self.fields["correct"], self.fields["value"], self.fields["deviation_reason"]
            self.fields[
                "text"
            ].help_text = (
                "What is added, and why. Scores and pressures are corrected by the therapist who recorded the session."
            )

    def _out_of_range(self, name):
        return any(error.code in ("min_value", "max_value") for error in self.errors.as_data().get(name, []))

    def clean(self):
        cleaned = super().clean()
        if not self.may_correct:
            cleaned.update(field="", item=None, value=None, deviation_reason="")
            if self.data.get("correct") or self.data.get("value"):
                self.add_error(
                    None,
                    "Only the therapist who recorded the session can correct a score or a pressure used: "
                    "this addendum adds text only.",
                )
            return cleaned
        choice, value = cleaned.get("correct") or "", cleaned.get("value")
        field, _, item_pk = choice.partition(":")
        item = self.items.get(item_pk)
        cleaned["field"], cleaned["item"] = field, item
        reason = cleaned.get("deviation_reason", "").strip()
        label = dict(self.fields["correct"].choices).get(choice, "")
        if field and value is None and "value" not in self.errors:
            self.add_error("value", "Enter the corrected value.")
        elif value is not None and not field:
            self.add_error("correct", "Choose the value this number corrects.")
        elif field == "pressure_used" and (value is not None and value > 5 or self._out_of_range("value")):
            self.errors.pop("value", None)  # said for a score ("0 to 10"): a pressure has its own scale
            self.add_error("value", "Pressure uses the Walton scale, 0 to 5.")
        elif field and self.record is not None and value == current_value(self.record, field, item):
            self.add_error("value", f"{label} is already {value}: enter the value it should be.")
        elif field == "pressure_used" and above_plan(value, item.pressure_planned):
            if not reason:
                self.add_error(
                    "deviation_reason",
                    f"Pressure {value} is above the plan's {item.pressure_planned} for the "
                    f"{place_name(item.region, item.side)}: say why.",
                )
        else:
            reason = ""  # a reason belongs only to a pressure above the plan
        cleaned["deviation_reason"] = reason
        return cleaned
