from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from planner.models import PlanStatus
from planner.proposals import region_rows
from protocols.labels import STATUS_LABELS
from protocols.labels import place as place_name
from protocols.rules import LAB_RANGE, RULES_BY_CODE
from protocols.vocabulary import REGION_SINGULAR, WALTON_SCALE

register = template.Library()

SEVERITY_CLASSES = {"defer": "danger", "avoid": "danger", "modify": "warning", "caution": "info"}
STATUS_CLASSES = {"ok": "success", "modify": "warning", "avoid": "danger"}
STATUS = {status: (label, STATUS_CLASSES[status]) for status, label in STATUS_LABELS.items()}
PLAN_STATUS_CLASSES = {"draft": "secondary", "ready": "success", "done": "primary", "cancelled": "dark"}


@register.filter
def severity_class(severity):
    return SEVERITY_CLASSES.get(severity, "secondary")


@register.filter
def with_severity(notes, severity):
    return [note for note in notes if note["severity"] == severity]


@register.filter
def without_severity(notes, severity):
    return [note for note in notes if note["severity"] != severity]


@register.filter
def note_rules(notes):
    return [note["rule"] for note in notes]


@register.filter
def status_label(status):
    return STATUS.get(status, (status, "secondary"))[0]


@register.filter
def status_class(status):
    return STATUS.get(status, (status, "secondary"))[1]


@register.filter
def plan_status_class(status):
    return PLAN_STATUS_CLASSES.get(status, "secondary")


# A plan's status badge as its lists show it: a filter per row, not a template variable per part (a
# long list spent a good part of its render on the parts).
PLAN_STATUS_BADGES = {
    status: format_html('<span class="badge text-bg-{}">{}</span>', PLAN_STATUS_CLASSES[status], label)
    for status, label in PlanStatus.choices
}
LATE_ENTRY_BADGE = mark_safe('<span class="badge text-bg-warning">Late entry</span> ')
DEFERRED_BADGE = mark_safe('<span class="badge text-bg-danger">Deferred</span> ')


@register.filter
def plan_status_badge(plan):
    """ "<span class="badge text-bg-success">Ready</span>"."""
    return PLAN_STATUS_BADGES[plan.status]


@register.filter
def plan_badges(plan):
    """The schedule's badges of a plan: late entry, a deferred session (session_status), its status."""
    return mark_safe(
        (LATE_ENTRY_BADGE if plan.late_entry else "")
        + (DEFERRED_BADGE if plan.session_status == "defer" else "")
        + PLAN_STATUS_BADGES[plan.status]
    )


@register.simple_tag
def place(region, side):
    """ "left foot" for ("feet", "left")."""
    return place_name(region, side)


@register.filter
def walton_label(level):
    """ "light lotioning" for 1 on the Walton scale."""
    return WALTON_SCALE[level].label if level in WALTON_SCALE else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def rule_title(code):
    """The rule's name as the library shows it, for "set by ..." on a card."""
    rule = RULES_BY_CODE.get(code)
    return rule.title if rule else code


@register.filter
def dropped_step(step):
    """ "traction (each finger base to tip), platelets below 50,000" for one dropped step."""
    if not isinstance(step, dict):
        return str(step)
    if step.get("text"):
        # The engine's own line ("dropped: traction, platelets below 50,000"), after our heading.
        return step["text"].removeprefix("dropped: ")
    what = step.get("technique") or step.get("kind", "")
    if step.get("kind") and step.get("technique") and step["kind"] not in step["technique"]:
        what = f"{step['kind']} ({step['technique']})"
    why = step.get("reason") or step.get("why") or rule_title(step.get("rule", ""))
    return f"{what}, {why}" if why else what


@register.filter
def region_singular(region):
    return REGION_SINGULAR.get(region, region)


@register.filter
def in_region_rows(rows):
    """Record-form rows as region rows, the client's right first: (region, [right row, left row])."""
    return region_rows([{**row, "region": row["plan_item"].region, "side": row["plan_item"].side} for row in rows])


@register.filter
def rule_titles(codes):
    """ "Nadir window, PICC line and Very low platelets": the rules that set a cap, as one phrase."""
    titles = [rule_title(code) for code in codes]
    return " and ".join([", ".join(titles[:-1]), titles[-1]]) if len(titles) > 1 else "".join(titles)


# Rules whose note quotes a lab result: the value the engine uses.
_LAB_NOTE_RULES = frozenset(code for code, rule in RULES_BY_CODE.items() if rule.trigger.kind == LAB_RANGE)


@register.filter
def quotes_a_lab(notes):
    """Whether any of the notes quotes a lab result (a platelet or neutrophil count)."""
    return any(note["rule"] in _LAB_NOTE_RULES for note in notes)


@register.simple_tag
def labs_in_use(client, moment):
    """The client's lab results the engine uses on the day of `moment` (one per lab, at most
    LAB_VALID_DAYS old): the values lab notes quote, from the same function as every other page."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from clients.models import Condition
    from protocols.facts import LAB_CODES, LAB_VALID_DAYS, lab_in_use

    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    results = {}
    recent = Condition.objects.recorded().filter(
        client=client, code__in=LAB_CODES, noted_on__lte=day, noted_on__gte=day - timedelta(days=LAB_VALID_DAYS)
    )
    for condition in recent:
        results.setdefault(condition.code, []).append(condition)
    found = (lab_in_use(group, day) for group in results.values())
    return sorted((result for result in found if result is not None), key=lambda result: result.code)


# A list of sessions writes a time in each row: these write what |date:"D j M, H:i" and |time:"H:i"
# write, for a fraction of their cost (Django's date format looks up every letter through the
# translation machinery). Like them, they are handed the time in the page's time zone.


@register.filter(expects_localtime=True)
def day_and_time(moment):
    """ "Sat 6 Dec, 09:00"."""
    return f"{moment:%a} {moment.day} {moment:%b, %H:%M}"


@register.filter(expects_localtime=True)
def day_date_and_time(moment):
    """ "Sat 6 Dec 2026, 09:00", as |date:"D j M Y, H:i" writes it, for a fraction of its cost in a list."""
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M}"


@register.filter(expects_localtime=True)
def clock(moment):
    """ "09:00"."""
    return f"{moment:%H:%M}"
