"""Give every template step its kind (RULES.md "Step kinds"), read from its technique.

Kinds are metadata: template versions are not bumped, and the saved versions' snapshots get
the same kinds so a plan rebuilt from a version drops the same steps. The feet template's sole
kneading becomes 2 minutes, as RULES.md now writes it, so hands and feet on both sides fit the
45-minute limit of a client in chemotherapy.
"""

from django.db import migrations

# First match wins; a technique matching none stays unclassified (the library flags it).
KEYWORDS = (
    ("inspect", "inspection"),
    ("still hold", "still_hold"),
    ("hold", "still_hold"),
    ("effleurage", "effleurage"),
    ("petrissage", "petrissage"),
    ("thumb circle", "thumb_circles"),
    ("knead", "kneading"),
    ("friction", "friction"),
    ("traction", "traction"),
    ("movement", "joint_movement"),
    ("circles and flexing", "joint_movement"),
)
FEET_KEY = "feet-standard"
SOLE_KNEADING = "thumb kneading"


def classify(technique):
    text = technique.lower()
    return next((kind for keyword, kind in KEYWORDS if keyword in text), "")


def forwards(apps, schema_editor):
    TemplateStep = apps.get_model("protocols", "TemplateStep")
    TemplateVersion = apps.get_model("protocols", "TemplateVersion")
    for step in TemplateStep.objects.filter(kind=""):
        kind = classify(step.technique)
        if kind:
            TemplateStep.objects.filter(pk=step.pk).update(kind=kind)
    sole = TemplateStep.objects.filter(template__key=FEET_KEY, technique=SOLE_KNEADING, minutes=3)
    sole.update(minutes=2)

    current = {}
    for version in TemplateVersion.objects.select_related("template"):
        if version.version == version.template.version:
            current[version.pk] = version.template.key
        steps = version.snapshot.get("steps", [])
        for step in steps:
            step.setdefault("kind", classify(step["technique"]))
            if current.get(version.pk) == FEET_KEY and step["technique"] == SOLE_KNEADING and step["minutes"] == 3:
                step["minutes"] = 2
        TemplateVersion.objects.filter(pk=version.pk).update(snapshot=version.snapshot)


class Migration(migrations.Migration):
    dependencies = [("protocols", "0004_template_step_kinds")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
