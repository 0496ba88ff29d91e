"""The protocol library as data: neuropathy types, sources, templates.

The rules live in protocols/rules.py and the condition catalogue in protocols/vocabulary.py
(reviewed like code); what clinic admins may change lives here. Templates keep every saved
version so a plan can name the one it used.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from protocols.vocabulary import MAX_PRESSURE, REGIONS, STEP_KINDS, WALTON_SCALE


class Region(models.TextChoices):
    """The planned body regions of RULES.md, in plan order."""

    ARMS = "arms", "Arms"
    HANDS = "hands", "Hands"
    LEGS = "legs", "Legs"
    FEET = "feet", "Feet"


class NeuropathyType(models.Model):
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(help_text="What it is.")
    causes = models.TextField()
    massage_focus = models.TextField("what matters for massage")
    display_order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "code"]

    def __str__(self):
        return self.name


class Source(models.Model):
    """A reference the rules and templates rest on; `key` is its number in RULES.md."""

    key = models.SlugField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    citation = models.TextField()
    display_order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "key"]

    def __str__(self):
        return f"[{self.key}] {self.title}"

    @property
    def anchor(self):
        return f"source-{self.key}"


class ProtocolTemplateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_type(self, code):
        """Templates a client of this neuropathy type may use: the type's own and the generic ones."""
        return self.filter(models.Q(neuropathy_type__isnull=True) | models.Q(neuropathy_type=code))


class ProtocolTemplate(models.Model):
    """A massage protocol for one region on one side; clinic admins edit it, each save is a new version."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    region = models.CharField(max_length=10, choices=Region)
    # Empty: the template is for every type. The code is the key, so reading it needs no join.
    neuropathy_type = models.ForeignKey(
        NeuropathyType,
        to_field="code",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="templates",
    )
    goal = models.TextField()
    position = models.TextField(help_text="How the client lies or sits, and the limb's support.")
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(default=True, help_text="Retired templates are not offered to the planner.")
    sources = models.ManyToManyField(Source, blank=True, related_name="templates")
    history = HistoricalRecords()

    objects = ProtocolTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(version__gte=1), name="template_version_from_one"),
            models.CheckConstraint(condition=models.Q(region__in=REGIONS), name="template_region_known"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def unique_key_for(cls, name, region):
        """A URL key for a new template, unique among every template ever made."""
        base = slugify(name)[:50].strip("-")
        if not base.startswith(region):
            base = f"{region}-{base}".strip("-")
        key, n = base, 1
        while cls.objects.filter(key=key).exists():
            n += 1
            key = f"{base}-{n}"
        return key

    # Both read the steps through .all(), so a prefetch serves them without a query.
    @property
    def total_minutes(self):
        return sum(step.minutes for step in self.steps.all())

    @property
    def max_pressure(self):
        return max((step.pressure for step in self.steps.all()), default=0)

    @property
    def unclassified_steps(self):
        """Steps whose kind is not set: every rule that drops a kind drops them."""
        return [step for step in self.steps.all() if not step.kind]

    @property
    def max_pressure_label(self):
        return WALTON_SCALE[self.max_pressure].label

    def snapshot(self, steps):
        """Everything a plan needs to rebuild this version: texts, sources and ordered steps."""
        return {
            "key": self.key,
            "name": self.name,
            "region": self.region,
            "neuropathy_type": self.neuropathy_type_id,
            "goal": self.goal,
            "position": self.position,
            "notes": self.notes,
            "is_active": self.is_active,
            "sources": sorted(source.key for source in self.sources.all()),
            "steps": [step.as_dict() for step in steps],
        }


class TemplateStep(models.Model):
    template = models.ForeignKey(ProtocolTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    technique = models.CharField(max_length=80)
    # What the step does, for rules that drop steps; blank until an admin chooses it (treated as dropped).
    kind = models.CharField(max_length=20, choices=list(STEP_KINDS.items()), blank=True)
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    pressure = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAX_PRESSURE)])
    instruction = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "order"]
        constraints = [
            models.UniqueConstraint(fields=["template", "order"], name="step_order_unique_in_template"),
            models.CheckConstraint(condition=models.Q(order__gte=1), name="step_order_from_one"),
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="step_minutes_positive"),
            models.CheckConstraint(
                condition=models.Q(pressure__gte=0, pressure__lte=MAX_PRESSURE), name="step_pressure_walton_scale"
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.technique}"

    @property
    def pressure_label(self):
        return WALTON_SCALE[self.pressure].label

    @property
    def kind_label(self):
        return STEP_KINDS.get(self.kind, "")

    def as_dict(self):
        return {
            "order": self.order,
            "technique": self.technique,
            "kind": self.kind,
            "minutes": self.minutes,
            "pressure": self.pressure,
            "instruction": self.instruction,
        }


class TemplateVersion(models.Model):
    """One saved version of a template, whole, with who saved it and when.

    Written once per save and never changed, so it is its own history.
    """

    template = models.ForeignKey(ProtocolTemplate, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    summary = models.CharField(max_length=300, blank=True)
    # Empty only for the versions the library was seeded with.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    edited_at = models.DateTimeField()

    class Meta:
        ordering = ["template", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["template", "version"], name="template_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="template_version_number_from_one"),
        ]

    def __str__(self):
        return f"{self.template.key} v{self.version}"

    @property
    def steps(self):
        return [
            {
                **step,
                "pressure_label": WALTON_SCALE[step["pressure"]].label,
                "kind_label": STEP_KINDS.get(step.get("kind") or "", ""),
            }
            for step in self.snapshot["steps"]
        ]

    @property
    def total_minutes(self):
        return sum(step["minutes"] for step in self.snapshot["steps"])
