from django import template
from django.utils import timezone

from clients.services import needing_attention

register = template.Library()


@register.simple_tag(takes_context=True)
def clients_needing_attention(context):
    """For the dashboard's clients panel: see clients.services.needing_attention."""
    return needing_attention(context["request"].user, timezone.localdate())
