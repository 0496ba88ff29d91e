from django import template
from django.utils.html import format_html

from protocols import labels
from protocols.text import hidden_shown

register = template.Library()


@register.filter
def show_hidden(text):
    """A value from a file as it is, its control and invisible characters written out (⟨U+202E⟩)."""
    return hidden_shown(text)


@register.filter
def type_short(code):
    """A neuropathy type's code as pages show it: "DPN", "CIPN", "Idiopathic"."""
    return labels.type_short(code)


@register.filter
def type_name(code):
    """ "DPN: Diabetic peripheral neuropathy", "Idiopathic peripheral neuropathy"."""
    return labels.type_name(code)


@register.filter
def type_badge(code):
    """The badge of a neuropathy type, "DPN" with its full name as the title: the client page's header
    and every row of the client list (a filter, not an include, costs next to nothing per row)."""
    return format_html(
        '<span class="badge type-badge type-{}" title="{}">{}</span>',
        code.lower(),
        labels.type_name(code),
        labels.type_short(code),
    )


@register.filter(expects_localtime=True)
def format_date(day):
    """ "26 Nov 2026", as |date:"j M Y" writes it, for a fraction of its cost in a list's rows. A time
    is written as its day where the page is read (converted to local time first, as |date does)."""
    return labels.format_date(day)
