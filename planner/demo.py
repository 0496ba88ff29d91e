"""Demo plans for the demo clinic: ready sessions today and in the coming days, drafts, one deferred."""

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from clients.models import Client, Condition
from planner import services
from planner.models import PlanStatus, SessionPlan

# (day offset, start, regions, what to do with it)
SCHEDULE = [
    (0, time(9, 0), "hands,feet", "ready"),
    (0, time(11, 0), "feet", "ready"),
    (0, time(14, 0), "arms,hands", "draft"),
    (1, time(10, 0), "hands,feet", "ready"),
    (2, time(9, 30), "legs,feet", "draft"),
    (3, time(13, 0), "hands,feet", "ready"),
]


@transaction.atomic
def seed_plans(therapists):
    """Create the demo plans once; a second run finds them and changes nothing."""
    if SessionPlan.objects.exists():
        return 0
    today = timezone.localdate()
    created = 0
    for therapist in therapists:
        clients = list(Client.objects.for_user(therapist).active().order_by("last_name", "first_name")[: len(SCHEDULE)])
        for client, (offset, start, regions, outcome) in zip(clients, SCHEDULE, strict=False):
            plan = services.create_plan(
                client=client,
                therapist=therapist,
                scheduled_for=services.as_datetime(today + timedelta(days=offset), start),
                regions=regions,
                created_by=therapist,
                goals="Ease burning and numbness; keep the joints moving.",
            )
            items = list(plan.items.all())
            if outcome == "ready":
                plan.notes_acknowledged = True
                _fit_to_limit(plan, items)
                if not services.ready_problems(plan, items):
                    plan.status = PlanStatus.READY
                plan.save()
            created += 1
        created += _deferred_plan(therapist, today)
    return created


def _fit_to_limit(plan, items):
    """Drop regions from the end until the plan fits the session's minute limit."""
    for item in reversed(items):
        if sum(i.minutes for i in items if i.is_worked) <= plan.max_minutes:
            break
        if item.is_worked:
            item.dropped = True
            item.save(update_fields=["dropped"])


def _deferred_plan(therapist, today):
    """One client with a fever today: the planner defers the session and says why."""
    client = Client.objects.for_user(therapist).active().order_by("-last_name").first()
    if client is None:
        return 0
    if not client.conditions.filter(code="fever", resolved_on__isnull=True).exists():
        Condition.objects.create(client=client, code="fever", location="whole_body", noted_on=today, detail="38.4 °C")
    services.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=services.as_datetime(today, time(16, 30)),
        regions="hands,feet",
        created_by=therapist,
    )
    return 1
