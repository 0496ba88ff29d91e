from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from protocols import rules, services
from protocols.forms import EditTemplateForm, NewStepFormSet, StepFormSet, TemplateForm, step_initial
from protocols.labels import LIBRARY_SEVERITY_LABELS as SEVERITY_LABELS
from protocols.models import NeuropathyType, ProtocolTemplate, Region, Source
from protocols.versioning import StaleVersion
from protocols.vocabulary import ANYWHERE, CONDITION_GROUPS, CONDITIONS, LOCATION_LABELS, WALTON_SCALE

add_templates = permission_required("protocols.add_protocoltemplate", raise_exception=True)
change_templates = permission_required("protocols.change_protocoltemplate", raise_exception=True)

SCOPE_LABELS = {rules.REGION: "Region/side", rules.SESSION: "Session"}


def _template_for(request, key):
    """Every signed-in user may read every template, retired ones included (plans may name them)."""
    templates = ProtocolTemplate.objects.select_related("neuropathy_type").prefetch_related("steps")
    return get_object_or_404(templates, key=key)


@login_required
def library(request):
    can_edit = request.user.has_perm("protocols.change_protocoltemplate")
    templates = ProtocolTemplate.objects.select_related("neuropathy_type").prefetch_related("steps", "sources")
    if not can_edit:
        templates = templates.active()
    by_region = {region: [] for region in Region}
    # Generic templates first, then each type's own, active before retired.
    for template in sorted(templates, key=lambda t: (not t.is_active, t.neuropathy_type_id or "", t.name)):
        by_region[template.region].append(template)

    sources = list(Source.objects.all())
    source_titles = {source.key: source.title for source in sources}
    context = {
        "types": NeuropathyType.objects.all(),
        "walton_scale": WALTON_SCALE.values(),
        "regions": [(region, by_region[region]) for region in Region],
        "rules": [_rule_row(rule, source_titles) for rule in rules.RULES],
        "severities": [(severity, SEVERITY_LABELS[severity]) for severity in rules.SEVERITIES],
        "condition_groups": [
            (label, [_condition_row(kind) for kind in CONDITIONS.values() if kind.group == value])
            for value, label in CONDITION_GROUPS.items()
        ],
        "sources": sources,
        "can_edit": can_edit,
        "can_add": request.user.has_perm("protocols.add_protocoltemplate"),
    }
    return render(request, "protocols/library.html", context)


@login_required
def template_detail(request, key):
    template = _template_for(request, key)
    context = {
        "template": template,
        "steps": template.steps.all(),
        "sources": template.sources.order_by("display_order"),
        "versions": template.versions.select_related("edited_by"),
        "can_edit": request.user.has_perm("protocols.change_protocoltemplate"),
    }
    return render(request, "protocols/template_detail.html", context)


@login_required
@add_templates
def template_new(request):
    region = request.GET.get("region")
    initial = {"region": region} if region in Region.values else {}
    form = TemplateForm(request.POST or None, initial=initial)
    steps = NewStepFormSet(request.POST or None, prefix="steps")
    if request.method == "POST" and all([form.is_valid(), steps.is_valid()]):
        template = services.create_template(form, steps, request.user)
        messages.success(request, f"Template “{template.name}” added as version 1.")
        return redirect("protocols:template-detail", key=template.key)
    context = {"form": form, "steps": steps, "title": "New template"}
    return render(request, "protocols/template_form.html", context)


@login_required
@change_templates
def template_edit(request, key):
    template = _template_for(request, key)
    title = f"Edit {template.name}"
    form = EditTemplateForm(request.POST or None, instance=template, initial={"base_version": template.version})
    steps = StepFormSet(request.POST or None, initial=step_initial(template), prefix="steps")
    if request.method == "POST" and all([form.is_valid(), steps.is_valid()]):
        try:
            saved = services.update_template(template, form, steps, request.user, form.cleaned_data["base_version"])
        except StaleVersion as stale:
            # Keep the editor's input; saving again now knowingly replaces the newer version,
            # which stays in the history either way.
            template.version = stale.current_version
            form.data = form.data.copy()
            form.data["base_version"] = stale.current_version
            form.add_error(
                None,
                f"Someone else saved version {stale.current_version} of this template while you were editing, "
                "so nothing of yours was saved. Your changes are still below. Open the template in a new tab to "
                "compare, then save again to replace their version, or cancel.",
            )
        else:
            if saved is None:
                messages.info(request, "Nothing changed, so no new version was saved.")
            else:
                messages.success(request, f"Template “{saved.name}” saved as version {saved.version}.")
            return redirect("protocols:template-detail", key=template.key)
    context = {"form": form, "steps": steps, "template": template, "title": title}
    return render(request, "protocols/template_form.html", context)


@login_required
@change_templates
@require_POST
def template_retire(request, key):
    template = _template_for(request, key)
    if template.is_active and template.neuropathy_type_id is None and not TemplateForm._other_generic_exists(template):
        messages.error(
            request,
            f"“{template.name}” is the only active {template.get_region_display().lower()} template for every type, "
            "so the planner needs it. Add another one first.",
        )
    else:
        template = services.set_active(template, False, request.user)
        messages.success(request, f"“{template.name}” retired: the planner no longer offers it.")
    return redirect("protocols:template-detail", key=template.key)


@login_required
@change_templates
@require_POST
def template_restore(request, key):
    template = services.set_active(_template_for(request, key), True, request.user)
    messages.success(request, f"“{template.name}” is offered to the planner again.")
    return redirect("protocols:template-detail", key=template.key)


def _rule_row(rule, source_titles):
    outcomes = [_outcome(rule, rule.title)] + [
        _outcome(rule.variant(variant.key), _variant_label(variant)) for variant in rule.variants
    ]
    return {
        "code": rule.code,
        "title": rule.title,
        "outcomes": outcomes,
        "sources": [(str(key), source_titles.get(str(key), "")) for key in rule.sources],
    }


def _outcome(entry, label):
    return {
        "label": label,
        "fires_when": entry.fires_when,
        "scope": SCOPE_LABELS.get(entry.scope, entry.scope),
        "severity": entry.severity,
        "severity_label": SEVERITY_LABELS[entry.severity],
        "pressure_cap": entry.pressure_cap,
        "minutes_cap": entry.minutes_cap,
        "requires_clearance": entry.requires_clearance,
        "text": entry.text,
    }


def _variant_label(variant):
    return {
        rules.ELSEWHERE: "Not on a planned region",
        rules.ON_ARMS: "On a planned arm",
        rules.HANDS: "The hand below it",
        rules.BELOW: "The hand or foot below it",
        rules.NO_COUNTS: "No chemotherapy, no low count",
    }.get(variant.key, variant.key)


def _condition_row(kind):
    if kind.whole_body:
        where = "Whole body"
    elif tuple(kind.locations) == ANYWHERE:
        where = "Any location"
    else:
        labels = [LOCATION_LABELS[location].lower() for location in kind.locations]
        where = (", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]).capitalize()
    if kind.needs_side:
        where += " + side"
    if kind.location_optional:
        where += " (location optional)"
    return {"kind": kind, "where": where}
