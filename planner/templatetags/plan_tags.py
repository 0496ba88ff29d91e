from django import template

from protocols.vocabulary import REGION_SINGULAR, WALTON_SCALE

register = template.Library()

SEVERITY_CLASSES = {"defer": "danger", "avoid": "danger", "modify": "warning", "caution": "info"}
STATUS = {
    "ok": ("Work", "success"),
    "modify": ("Work with changes", "warning"),
    "avoid": ("Do not work", "danger"),
}
PLAN_STATUS_CLASSES = {"draft": "secondary", "ready": "success", "done": "primary", "cancelled": "dark"}


@register.filter
def severity_class(severity):
    return SEVERITY_CLASSES.get(severity, "secondary")


@register.filter
def status_label(status):
    return STATUS.get(status, (status, "secondary"))[0]


@register.filter
def status_class(status):
    return STATUS.get(status, (status, "secondary"))[1]


@register.filter
def plan_status_class(status):
    return PLAN_STATUS_CLASSES.get(status, "secondary")


@register.simple_tag
def place(region, side):
    """ "left foot" for ("feet", "left")."""
    return f"{side} {REGION_SINGULAR.get(region, region)}"


@register.filter
def walton_label(level):
    """ "light lotioning" for 1 on the Walton scale."""
    return WALTON_SCALE[level].label if level in WALTON_SCALE else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
