"""Saving templates (template, steps and version together) and handing them to the engine."""

from django.db import transaction
from django.utils import timezone

from protocols import engine
from protocols.models import ProtocolTemplate, TemplateStep, TemplateVersion
from protocols.versioning import claim_version


def engine_templates(neuropathy_type=None):
    """The active templates as engine Templates; with a type, only those a client of that type may use.

    One query: each template joined with its steps in order, read as plain rows (a template
    without steps is one row of nulls).
    """
    templates = ProtocolTemplate.objects.active()
    if neuropathy_type is not None:
        templates = templates.for_type(neuropathy_type)
    rows = templates.order_by("key", "steps__order").values_list(
        *("key", "name", "region", "neuropathy_type_id", "version"),
        *("steps__technique", "steps__minutes", "steps__pressure", "steps__instruction", "steps__kind"),
    )
    built = {}  # key -> (template fields, [steps])
    for key, name, region, neuropathy_type_id, version, technique, minutes, pressure, instruction, kind in rows:
        _fields, steps = built.setdefault(key, ((key, name, region, neuropathy_type_id, version), []))
        if technique is not None:
            steps.append(engine.TemplateStep(technique, minutes, pressure, instruction, kind or None))
    return tuple(
        engine.Template(
            key=key, name=name, region=region, neuropathy_type=neuropathy_type_id, version=version, steps=tuple(steps)
        )
        for (key, name, region, neuropathy_type_id, version), steps in built.values()
    )


def template_version(key, version):
    """The engine Template exactly as it was saved at that version; raises TemplateVersion.DoesNotExist."""
    saved = TemplateVersion.objects.get(template__key=key, version=version)
    snapshot = saved.snapshot
    return engine.Template(
        key=key,
        name=snapshot["name"],
        region=snapshot["region"],
        neuropathy_type=snapshot["neuropathy_type"],
        version=saved.version,
        steps=tuple(_engine_step(step) for step in snapshot["steps"]),
    )


def template_version_steps(key, version):
    """The ordered engine TemplateSteps of one saved version of a template."""
    return template_version(key, version).steps


def _engine_step(step):
    if isinstance(step, dict):
        return engine.TemplateStep(
            step["technique"], step["minutes"], step["pressure"], step["instruction"], step.get("kind") or None
        )
    return engine.TemplateStep(step.technique, step.minutes, step.pressure, step.instruction, step.kind or None)


def create_template(form, steps, user):
    """Save a new template from a valid TemplateForm and StepFormSet, as version 1."""
    with transaction.atomic():
        template = form.save(commit=False)
        template.key = ProtocolTemplate.unique_key_for(template.name, template.region)
        template.version = 1
        template.save()
        form.save_m2m()
        saved_steps = _write_steps(template, steps.ordered_steps())
        _record_version(template, saved_steps, user, "Created")
    return template


def update_template(template, form, steps, user, base_version):
    """Save an edit as the next version; StaleVersion if someone saved since `base_version`.

    Returns the saved template, or None when nothing changed (no new version).
    """
    with transaction.atomic():
        claim_version(template, base_version)
        changes = form.changes() + steps.changes()
        if not changes:
            transaction.set_rollback(True)  # the claim only checked: nothing new to number
            return None
        template = form.save(commit=False)
        template.save()
        form.save_m2m()
        saved_steps = _write_steps(template, steps.ordered_steps())
        _record_version(template, saved_steps, user, "Changed " + ", ".join(changes))
    return template


def set_active(template, active, user):
    """Retire a template (the planner stops offering it) or bring it back, as a new version."""
    with transaction.atomic():
        template = ProtocolTemplate.objects.select_for_update().get(pk=template.pk)
        if template.is_active == active:
            return template
        template.is_active = active
        claim_version(template, template.version)
        template.save(update_fields=["is_active", "version"])
        _record_version(template, list(template.steps.order_by("order")), user, "Restored" if active else "Retired")
    return template


def _write_steps(template, wanted):
    """Make the template's steps the wanted ones, in order, saving only the rows that change.

    Steps are kept as numbered slots 1..n: slot i takes the i-th wanted step. Rows are only ever
    renumbered downwards, in ascending order, so the unique (template, order) pair never clashes.
    """
    existing = list(template.steps.order_by("order"))
    saved = []
    for order, values in enumerate(wanted, start=1):
        if order <= len(existing):
            step = existing[order - 1]
            changed = step.order != order or any(getattr(step, name) != value for name, value in values.items())
            if changed:
                step.order = order
                for name, value in values.items():
                    setattr(step, name, value)
                step.save()
        else:
            step = TemplateStep.objects.create(template=template, order=order, **values)
        saved.append(step)
    for step in existing[len(wanted) :]:
        step.delete()
    return saved


def _record_version(template, steps, user, summary):
    return TemplateVersion.objects.create(
        template=template,
        version=template.version,
        snapshot=template.snapshot(steps),
        summary=summary[:300],
        edited_by=user,
        edited_at=timezone.now(),
    )
