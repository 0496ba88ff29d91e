from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from protocols.forms import ModelMultipleChoiceField
from protocols.labels import format_date, place, sizes_over_limit, type_name
from protocols.versioning import VersionedFormMixin, VersionField
from protocols.vocabulary import CONTRIBUTING_CAUSES, LOCATION_LABELS, NEUROPATHY_TYPES, REGIONS, SIDES, SYMPTOMS

from .models import EVENT_CODES, EXTERNAL_ID_TAKEN, Client, Condition, PhysicianClearance
from .roles import therapists
from .validators import (
    CONTROL_CHARACTER,
    DIAGNOSED_BEFORE_BIRTH,
    SHORT_TEXT,
    born_before_records,
    check_condition,
    clean_causes,
    clean_symptoms,
    limit_length,
    not_in_future,
    place_key,
)

# The types as forms offer them: "DPN: Diabetic peripheral neuropathy", "Idiopathic peripheral neuropathy".
TYPE_CHOICES = [(code, type_name(code)) for code in NEUROPATHY_TYPES]

User = get_user_model()
MAX_IMPORT_BYTES = 5 * 1024 * 1024
EVENT_NOT_RESOLVED = "A lab result or infusion is a dated event and is not resolved: a newer one replaces it."

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TherapistChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user.get_full_name() or user.username} ({user.username})"


class KeepsStoredTextMixin:
    """For a model form: a control character is refused in text typed or changed, not in text the record
    already holds unchanged. Rows saved before the check may hold a tab or an escape; an edit of
    something else (the phone, a resolution date) or an import that updates the client is not refused
    for them. The stored values are read when the form is built, before it fills the instance in, and
    compared as the form strips what it is sent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stored_text = {}
        if self.instance.pk is not None:
            for name in self.fields:
                value = getattr(self.instance, name, None)
                if isinstance(value, str):
                    self._stored_text[name] = value.strip()

    def full_clean(self):
        super().full_clean()
        for name, stored in self._stored_text.items():
            errors = self._errors.get(name) if self._errors else None
            # The model's validators refused the value the form put on the instance: is it the one on record?
            if not errors or getattr(self.instance, name, None) != stored:
                continue
            kept = [error for error in errors.as_data() if error.code != CONTROL_CHARACTER]
            if kept:
                self._errors[name] = self.error_class(kept, renderer=self.renderer)
            else:
                del self._errors[name]
                self.cleaned_data[name] = stored


class VersionedForm(KeepsStoredTextMixin, VersionedFormMixin, forms.ModelForm):
    """A form that carries the version of the object it was built from (absent when creating)."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version"]
        else:
            self.fields["version"].initial = self.instance.version


class ClientForm(VersionedForm):
    """Identity, contact and care team: what a clinic admin keeps up to date."""

    care_team = TherapistChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The therapists who see and treat this client.",
    )

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "phone",
            "email",
            "emergency_contact",
            "referring_physician",
            "external_id",
            "consented_on",
            "care_team",
        ]
        widgets = {"date_of_birth": DATE_WIDGET, "consented_on": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        team = therapists()
        if self.instance.pk:
            # A therapist who has since left stays listed while still on the team.
            team = (team | User.objects.filter(pk__in=self.instance.care_team.all())).distinct()
        self.fields["care_team"].queryset = team

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if self.instance.pk and born != self.instance.date_of_birth:
            # The diagnosis date is not on this form, and the record's dates are elsewhere: none may come before birth.
            born_before_records(born, self.instance.dated_records())
        return born

    def clean_external_id(self):
        external_id = self.cleaned_data["external_id"].strip()
        # Ids are compared without case, as search and import compare them.
        if external_id and Client.objects.same_external_id(external_id).exclude(pk=self.instance.pk).exists():
            raise ValidationError(EXTERNAL_ID_TAKEN, code="external_id_taken")
        return external_id


class SymptomGridField(forms.MultipleChoiceField):
    """Every symptom of every region and side as one field; values are "feet:left:numbness"."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        choices = [
            (f"{place_key(region, side)}:{code}", f"{label}, {place(region, side)}")
            for region in REGIONS
            for side in SIDES
            for code, label in SYMPTOMS.items()
        ]
        super().__init__(choices=choices, required=False, **kwargs)


def symptoms_to_values(symptoms):
    return [f"{key}:{code}" for key, codes in symptoms.items() for code in codes]


def values_to_places(values):
    places = {}
    for value in values:
        region, side, code = value.split(":")
        places.setdefault((region, side), set()).add(code)
    return places


class ProfileForm(VersionedForm):
    """The neuropathy profile: type, diagnosis, contributing causes and the symptom grid."""

    contributing_causes = forms.MultipleChoiceField(
        choices=list(CONTRIBUTING_CAUSES.items()), widget=forms.CheckboxSelectMultiple, required=False
    )
    symptom_grid = SymptomGridField(label="Symptoms")

    class Meta:
        model = Client
        fields = ["neuropathy_type", "diagnosed_on", "contributing_causes"]
        widgets = {"diagnosed_on": DATE_WIDGET, "neuropathy_type": forms.RadioSelect}
        labels = {"neuropathy_type": "Neuropathy type"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neuropathy_type"].choices = TYPE_CHOICES
        if self.instance.pk:
            self.fields["symptom_grid"].initial = symptoms_to_values(self.instance.symptoms)

    def clean_contributing_causes(self):
        return clean_causes(self.cleaned_data["contributing_causes"])

    def clean_symptom_grid(self):
        return clean_symptoms(values_to_places(self.cleaned_data["symptom_grid"]))

    def clean(self):
        cleaned = super().clean()
        born = self.instance.date_of_birth
        diagnosed = cleaned.get("diagnosed_on")
        if born and diagnosed and diagnosed < born:
            self.add_error("diagnosed_on", DIAGNOSED_BEFORE_BIRTH)
        return cleaned

    def save(self, commit=True):
        self.instance.ensure_writable()
        self.instance.symptoms = self.cleaned_data["symptom_grid"]
        return super().save(commit)

    def grid(self):
        """The symptom grid for the template: a row per symptom, a column per region and side.

        Right comes before left, as on the body map (a front view).
        """
        checked = set(self["symptom_grid"].value() or [])
        field_id = self["symptom_grid"].auto_id
        rows = []
        for code, label in SYMPTOMS.items():
            cells = []
            for region in REGIONS:
                for side in reversed(SIDES):
                    value = f"{place_key(region, side)}:{code}"
                    cells.append(
                        {
                            "value": value,
                            "id": f"{field_id}-{region}-{side}-{code}",
                            "checked": value in checked,
                            "label": f"{label.split(' (')[0]}, {place(region, side)}",
                            "first_of_region": side == SIDES[-1],
                        }
                    )
            rows.append({"label": label, "cells": cells})
        return {"regions": [LOCATION_LABELS[region] for region in REGIONS], "rows": rows}


def _identity(condition):
    """What makes two conditions the same entry: kind, place, detail, value and date."""
    return (
        condition.code,
        condition.location or "",
        condition.side or "",
        condition.detail or "",
        condition.value,
        condition.noted_on,
    )


class ConditionForm(VersionedForm):
    class Meta:
        model = Condition
        fields = ["code", "location", "side", "value", "detail", "noted_on", "resolved_on"]
        widgets = {"noted_on": DATE_WIDGET, "resolved_on": DATE_WIDGET}
        labels = {"value": "Value (lab results)", "noted_on": "Noted on", "resolved_on": "Resolved on"}
        help_texts = {
            "location": "Where on the body, for conditions that sit somewhere.",
            "side": "Right, left or both; leave empty for the whole body.",
        }

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["code"].choices = [("", "Choose a condition…"), *self.fields["code"].choices[1:]]
        self.fields["location"].choices = [("", "Not on one place"), *self.fields["location"].choices[1:]]
        # The client's right first, as every page lists places.
        sides = dict(self.fields["side"].choices[1:])
        self.fields["side"].choices = [("", "No side"), *((side, sides[side]) for side in ("right", "left", "both"))]

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("code")
        if code:
            location, side, errors = check_condition(
                code, cleaned.get("location"), cleaned.get("side"), cleaned.get("value")
            )
            for name, message in errors.items():
                if name not in self.errors:
                    self.add_error(name, message)
            cleaned["location"], cleaned["side"] = location, side
        noted, resolved = cleaned.get("noted_on"), cleaned.get("resolved_on")
        if code in EVENT_CODES and resolved:
            self.add_error("resolved_on", EVENT_NOT_RESOLVED)
        elif noted and resolved and resolved < noted:
            self.add_error("resolved_on", "The condition cannot be resolved before it was noted.")
        if self.client is not None and not self.errors:
            self._refuse_a_twin(cleaned)
        return cleaned

    def _refuse_a_twin(self, cleaned):
        """The same condition, place, detail, value and date already on the record (a form sent twice)."""
        same = Condition(
            client=self.client,
            **{name: cleaned.get(name) or "" for name in ("code", "location", "side", "detail")},
            value=cleaned.get("value"),
            noted_on=cleaned["noted_on"],
        )
        twins = Condition.objects.recorded().filter(
            client=self.client,
            code=same.code,
            location=same.location,
            side=same.side,
            detail=same.detail,
            value=same.value,
            noted_on=same.noted_on,
        )
        if self.instance.pk is not None:
            if _identity(self.instance) == _identity(same):
                return  # an edit that leaves what the condition is alone (say, resolving it) makes no new twin
            twins = twins.exclude(pk=self.instance.pk)
        if twins.exists():
            detail = f" ({same.detail})" if same.detail else ""
            self.add_error(
                None,
                f"{same}{detail} noted on {format_date(same.noted_on)} is already on the record. "
                "If this is another one, say in Detail where it is.",
            )

    def _post_clean(self):
        if self.client is not None:
            self.instance.client = self.client
        super()._post_clean()


class ResolveForm(VersionedFormMixin, forms.Form):
    resolved_on = forms.DateField(label="Resolved on", widget=DATE_WIDGET)
    version = VersionField()

    def __init__(self, *args, condition, **kwargs):
        super().__init__(*args, **kwargs)
        self.condition = condition

    def clean_resolved_on(self):
        resolved = self.cleaned_data["resolved_on"]
        not_in_future(resolved)
        if resolved < self.condition.noted_on:
            raise ValidationError("The condition cannot be resolved before it was noted.")
        return resolved


class ClearanceForm(VersionedForm):
    class Meta:
        model = PhysicianClearance
        fields = ["physician", "cleared_on", "restrictions"]
        widgets = {"cleared_on": DATE_WIDGET, "restrictions": forms.Textarea(attrs={"rows": 3})}
        labels = {"cleared_on": "Date of clearance"}

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        limit_length(self, SHORT_TEXT, "restrictions")

    def clean(self):
        cleaned = super().clean()
        if self.client is not None and not self.errors:
            twins = PhysicianClearance.objects.filter(
                client=self.client,
                physician=cleaned["physician"],
                cleared_on=cleaned["cleared_on"],
                restrictions=cleaned.get("restrictions", ""),
            )
            if self.instance.pk is not None:
                twins = twins.exclude(pk=self.instance.pk)
            if twins.exists():
                self.add_error(
                    None,
                    f"The clearance by {cleaned['physician']} on {format_date(cleaned['cleared_on'])} is already "
                    "on the record: change that one instead of adding it again.",
                )
        return cleaned

    def _post_clean(self):
        if self.client is not None:
            self.instance.client = self.client
        super()._post_clean()


STATUS_CHOICES = [("active", "Active"), ("archived", "Archived"), ("all", "All")]


class ClientFilterForm(forms.Form):
    """The list's filters; anything unexpected is ignored rather than refused, and the list says so."""

    q = forms.CharField(
        required=False,
        label="Search",
        max_length=100,
        error_messages={
            "max_length": "Search: at most %(limit_value)d characters (it has %(show_value)d).",
            "null_characters_not_allowed": "Search: it holds a null character.",
        },
    )
    type = forms.ChoiceField(
        required=False,
        choices=[("", "All types"), *TYPE_CHOICES],
        error_messages={"invalid_choice": "Type: “%(value)s” is not a neuropathy type."},
    )
    therapist = forms.CharField(
        required=False, error_messages={"null_characters_not_allowed": "Therapist: it holds a null character."}
    )
    status = forms.ChoiceField(
        required=False,
        choices=STATUS_CHOICES,
        error_messages={"invalid_choice": "Status: “%(value)s” is not one of active, archived or all."},
    )

    def ignored(self):
        """What the list did not apply, each naming its filter."""
        self.is_valid()
        return [error for errors in self.errors.values() for error in errors]

    def value(self, name, default=""):
        self.is_valid()  # fills cleaned_data with the fields that are valid
        return self.cleaned_data.get(name) or default


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Client file",
        help_text="A JSON file (one client document or a list of them) or a CSV file, at most 5 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".json", ".csv")):
            raise ValidationError("Choose a .json or .csv file.")
        if upload.size > MAX_IMPORT_BYTES:
            said_size, said_limit = sizes_over_limit(upload.size, MAX_IMPORT_BYTES)
            raise ValidationError(f"The file is {said_size}; the limit is {said_limit}.")
        return upload
