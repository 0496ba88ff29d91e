from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from protocols.models import NeuropathyType, ProtocolTemplate, Source
from protocols.text import one_line_of_text, plain_text, refuse_hidden_characters
from protocols.versioning import VersionField
from protocols.vocabulary import STEP_KINDS, WALTON_SCALE

# A session is at most 60 minutes (RULES.md), so no single step can be longer.
MAX_STEP_MINUTES = 60
STEP_FIELDS = ("technique", "kind", "minutes", "pressure", "instruction")
KIND_CHOICES = [("", "Not set (dropped by any rule that drops steps)"), *STEP_KINDS.items()]
PRESSURE_CHOICES = [("", "Choose…")] + [
    (level.level, f"{level.level} · {level.label}") for level in WALTON_SCALE.values()
]


# The largest id a database integer column holds (64 bits).
MAX_ID = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, with an id beyond any integer column ("99999999999999999999999") refused as an
    invalid choice: its `pk__in` query crashes on SQLite (OverflowError) instead of finding nothing.
    Every multiple choice of rows in the app subclasses this one."""

    def _check_values(self, value):
        if self.to_field_name is None:  # an id; `value` is a list, clean() checked that
            for key in value:
                try:
                    beyond = abs(int(key)) > MAX_ID
                except (TypeError, ValueError):
                    continue  # not a number: Django's own check names it
                if beyond:
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": key}
                    )
        return super()._check_values(value)


class SourceChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"[{obj.key}] {obj.title}"


class TemplateForm(forms.ModelForm):
    """A template's texts, region, type and sources. The steps come in a StepFormSet beside it."""

    neuropathy_type = forms.ModelChoiceField(
        queryset=NeuropathyType.objects.all(),
        required=False,
        empty_label="Every type",
        label="Neuropathy type",
        help_text="Leave at “Every type” unless this protocol is only for one kind of neuropathy.",
        to_field_name="code",
    )
    sources = SourceChoiceField(
        queryset=Source.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The references this protocol rests on.",
    )

    class Meta:
        model = ProtocolTemplate
        fields = ["name", "region", "neuropathy_type", "goal", "position", "notes", "sources"]
        labels = {"position": "Client position"}
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 2}),
            "position": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "name": "What the therapist sees on a plan, e.g. “Feet: circulation and sensation”.",
            "notes": "Shown with the template on every plan.",
        }
        error_messages = {
            "region": {
                "required": "Choose the body region this template is for.",
                "invalid_choice": "Choose arms, hands, legs or feet.",
            },
            "name": {"required": "Give the template a name."},
            "goal": {"required": "Say what this protocol is for."},
            "position": {"required": "Say how the client lies or sits."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Choose a region…"), *self.fields["region"].choices[1:]]
        # Shown on every plan of every therapist: no hidden character turns a name or a note around.
        refuse_hidden_characters(self, "name", "goal", "position", "notes")

    def clean(self):
        cleaned = super().clean()
        template = self.instance
        if template.pk and template.is_active and template.neuropathy_type_id is None:
            # The planner needs an active template for every type in every region.
            moved = cleaned.get("region") not in (None, template.region) or cleaned.get("neuropathy_type")
            if moved and not self._other_generic_exists(template):
                field = "region" if cleaned.get("region") != template.region else "neuropathy_type"
                self.add_error(
                    field,
                    f"This is the only active {template.get_region_display().lower()} template for every type; "
                    "add another one before changing its region or type.",
                )
        return cleaned

    @staticmethod
    def _other_generic_exists(template):
        others = ProtocolTemplate.objects.active().filter(region=template.region, neuropathy_type__isnull=True)
        return others.exclude(pk=template.pk).exists()

    def changes(self):
        """Labels of the fields that changed, for the version's summary."""
        return [str(self.fields[name].label or name).lower() for name in self.changed_data]


class StepForm(forms.Form):
    order = forms.IntegerField(
        validators=[MinValueValidator(1, "The order starts at 1.")],
        error_messages={"required": "Give the step its place in the order.", "invalid": "Enter a whole number."},
        widget=forms.NumberInput(attrs={"min": 1}),
    )
    technique = forms.CharField(
        max_length=80,
        validators=[one_line_of_text],
        error_messages={"required": "Name the technique, e.g. effleurage."},
    )
    kind = forms.ChoiceField(
        choices=KIND_CHOICES,
        required=False,
        help_text="What the step does, so rules can drop it (e.g. traction with very low platelets).",
        error_messages={"invalid_choice": "Choose one of the step kinds in the list."},
    )
    minutes = forms.IntegerField(
        validators=[
            MinValueValidator(1, "Minutes must be at least 1."),
            MaxValueValidator(MAX_STEP_MINUTES, f"A step can last at most {MAX_STEP_MINUTES} minutes."),
        ],
        error_messages={"required": "Give the step's minutes.", "invalid": "Minutes must be a whole number."},
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_STEP_MINUTES}),
    )
    pressure = forms.TypedChoiceField(
        choices=PRESSURE_CHOICES,
        coerce=int,
        error_messages={
            "required": "Choose a pressure from 0 to 5.",
            "invalid_choice": "Pressure must be on the Walton scale, from 0 (still hold) to 5 (very deep).",
        },
    )
    instruction = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        validators=[plain_text],
        error_messages={"required": "Say what the therapist does in this step."},
    )


class BaseStepFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove"

    def initial_form_count(self):
        """The steps the editor started from, as the server knows them: a posted count (the hidden
        INITIAL_FORMS field) is not trusted, so -1 or a million cannot turn rows into what they are not."""
        return len(self.initial or ()) if self.is_bound else super().initial_form_count()

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index >= len(self.initial or ()):
            # Blank rows come numbered, so a row filled in without JavaScript lands at the end.
            kwargs["initial"] = {"order": index + 1}
        return kwargs

    def kept_forms(self):
        """Forms holding a step that stays: not removed, not left blank."""
        return [
            form
            for form in self.forms
            if form.has_changed() or form in self.initial_forms
            if not self._should_delete_form(form)
        ]

    def clean(self):
        if any(self.errors):
            return
        kept = self.kept_forms()
        if not kept:
            raise forms.ValidationError("A template needs at least one step.", code="no_steps")
        seen = set()
        for form in kept:
            order = form.cleaned_data["order"]
            if order in seen:
                form.add_error("order", f"Another step already has order {order}; give each step its own place.")
            seen.add(order)
        # One region on one side is part of a session of at most 60 minutes: so is its template.
        total = sum(form.cleaned_data["minutes"] for form in kept)
        if total > MAX_STEP_MINUTES:
            raise forms.ValidationError(
                f"Steps: the template lasts {total} minutes; a region's template lasts at most "
                f"{MAX_STEP_MINUTES}, the longest session.",
                code="too_long",
            )

    def ordered_steps(self):
        """The kept steps as field dicts, in the order the editor gave."""
        kept = sorted(self.kept_forms(), key=lambda form: form.cleaned_data["order"])
        return [{name: form.cleaned_data[name] for name in STEP_FIELDS} for form in kept]

    def changes(self):
        before = [{name: step[name] for name in STEP_FIELDS} for step in self.initial or ()]
        return ["steps"] if self.ordered_steps() != before else []


StepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=3, can_delete=True)
NewStepFormSet = forms.formset_factory(StepForm, formset=BaseStepFormSet, extra=6, can_delete=True)


def step_initial(template):
    return [
        {"order": step.order, **{name: getattr(step, name) for name in STEP_FIELDS}} for step in template.steps.all()
    ]


class EditTemplateForm(TemplateForm):
    # The version the editor started from: a save on top of someone else's is refused.
    base_version = VersionField()

    def changes(self):
        return [change for change in super().changes() if change != "base version"]
