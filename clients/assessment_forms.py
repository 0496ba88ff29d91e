"""Forms of the outcome measures: the monofilament test (six sites) and the MNSI history questionnaire."""

from django import forms
from django.core.exceptions import ValidationError

from .assessments import (
    FEET,
    FOOT_LABELS,
    MNSI_QUESTIONS,
    MONOFILAMENT_SITES,
    HowAnswered,
    Performer,
    mnsi_score,
)
from .validators import SHORT_TEXT, limit_length, not_in_future, one_line_of_text, plain_text

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TOUCH_CHOICES = [("", "—"), ("yes", "Felt"), ("no", "Not felt")]
SHAM_CHOICES = [("", "—"), ("no", 'Said "no"'), ("yes", 'Said "yes"')]
YES_NO = [("yes", "Yes"), ("no", "No")]


def _dated_after_birth(day, client):
    not_in_future(day)
    if client is not None and day < client.date_of_birth:
        raise ValidationError("This date is before the client's date of birth.")
    return day


class MonofilamentForm(forms.Form):
    tested_on = forms.DateField(
        label="Date of the test", widget=DATE_WIDGET, error_messages={"required": "Enter the date of the test."}
    )
    performed_by = forms.ChoiceField(
        label="Performed by",
        choices=Performer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who performed the test."},
    )
    clinician = forms.CharField(
        label="Clinician's name",
        max_length=200,
        required=False,
        validators=[one_line_of_text],
        help_text="For a result the client's clinician supplied.",
    )
    notes = forms.CharField(required=False, validators=[plain_text], widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        limit_length(self, SHORT_TEXT, "notes")  # a short note, as a clearance's restrictions; the import agrees
        for foot in FEET:
            for site, site_label in MONOFILAMENT_SITES.items():
                where = f"{FOOT_LABELS[foot]}, {site_label.lower()}"
                prefix = f"{foot}_{site}"
                self.fields[f"{prefix}_not_tested"] = forms.BooleanField(
                    label=f"{where}: not tested (ulcer, callus or scar)", required=False
                )
                self.fields[f"{prefix}_real_1"] = forms.ChoiceField(
                    label=f"{where}, first real touch", choices=TOUCH_CHOICES, required=False
                )
                self.fields[f"{prefix}_real_2"] = forms.ChoiceField(
                    label=f"{where}, second real touch", choices=TOUCH_CHOICES, required=False
                )
                self.fields[f"{prefix}_sham"] = forms.ChoiceField(
                    label=f"{where}, sham touch", choices=SHAM_CHOICES, required=False
                )

    def clean_tested_on(self):
        return _dated_after_birth(self.cleaned_data["tested_on"], self.client)

    def clean(self):
        cleaned = super().clean()
        named = (cleaned.get("clinician") or "").strip() or "clinician" in self.errors  # too long is said already
        if cleaned.get("performed_by") == Performer.CLINICIAN and not named:
            self.add_error("clinician", "Name the clinician who performed a supplied test.")
        answers, tested_any = {}, False
        for foot in FEET:
            for site in MONOFILAMENT_SITES:
                prefix = f"{foot}_{site}"
                tested = not cleaned.get(f"{prefix}_not_tested")
                given = {name: cleaned.get(f"{prefix}_{name}") or "" for name in ("real_1", "real_2", "sham")}
                if tested:
                    tested_any = True
                    for name, value in given.items():
                        if not value and f"{prefix}_{name}" not in self.errors:  # an invalid choice is said already
                            self.add_error(f"{prefix}_{name}", "Choose the answer the client gave.")
                elif any(given.values()):
                    self.add_error(f"{prefix}_not_tested", "A site that was not tested has no answers: clear them.")
                answers[(foot, site)] = {
                    "tested": tested,
                    **{name: value == "yes" if value else None for name, value in given.items()},
                }
        if not tested_any:
            raise ValidationError("At least one site must be tested.")
        cleaned["answers"] = answers
        return cleaned

    def site_rows(self):
        """Rows for the template's table: one per foot and site, client's right foot first."""
        return [
            {
                "foot": FOOT_LABELS[foot],
                "site": label,
                "fields": [self[f"{foot}_{site}_{name}"] for name in ("not_tested", "real_1", "real_2", "sham")],
            }
            for foot in FEET
            for site, label in MONOFILAMENT_SITES.items()
        ]


class MnsiForm(forms.Form):
    answered_on = forms.DateField(
        label="Date answered",
        widget=DATE_WIDGET,
        error_messages={"required": "Enter the date the questionnaire was answered."},
    )
    how = forms.ChoiceField(
        label="How it was answered",
        choices=HowAnswered.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the questionnaire was answered."},
    )

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        for number, question in enumerate(MNSI_QUESTIONS, start=1):
            self.fields[f"q{number}"] = forms.ChoiceField(
                label=f"{number}. {question}",
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": f"Question {number}: choose the client's answer, yes or no."},
            )

    def clean_answered_on(self):
        return _dated_after_birth(self.cleaned_data["answered_on"], self.client)

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(f"q{number}") for number in range(1, len(MNSI_QUESTIONS) + 1)]
        if all(values):
            cleaned["answers"] = [value == "yes" for value in values]
            cleaned["score"] = mnsi_score(cleaned["answers"])
        return cleaned

    def questions(self):
        return [self[f"q{number}"] for number in range(1, len(MNSI_QUESTIONS) + 1)]


class ResolveLopsForm(forms.Form):
    foot = forms.ChoiceField(choices=[(foot, FOOT_LABELS[foot]) for foot in FEET])
