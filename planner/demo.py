"""Demo plans for the demo clinic: ready sessions today and in the coming days, drafts, one deferred."""

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from clients.demo import MEASURES_CLIENT
from clients.models import Client, Condition
from planner import plans, recording
from planner.models import PlanStatus, SessionPlan, SessionRecord

# (day offset, start, regions, what to do with it)
SCHEDULE = [
    (0, time(9, 0), "hands,feet", "ready"),
    (0, time(11, 0), "feet", "ready"),
    (0, time(14, 0), "arms,hands", "draft"),
    (1, time(10, 0), "hands,feet", "ready"),
    (2, time(9, 30), "legs,feet", "draft"),
    (3, time(13, 0), "hands,feet", "ready"),
]


def _book(*, scheduled_for, **kwargs):
    """create_plan at the given time or, where the therapist or the client is busy then, the next
    hour that is free: the demo clinic never double-books."""
    for _ in range(12):
        try:
            return plans.create_plan(scheduled_for=scheduled_for, **kwargs)
        except plans.Overlap:
            scheduled_for += timedelta(hours=1)
    raise plans.Overlap(f"No free hour for a demo session on {scheduled_for:%Y-%m-%d}.")


@transaction.atomic
def seed_plans(therapists):
    """Create the demo plans once; a second run finds them and changes nothing."""
    if SessionPlan.objects.filter(scheduled_for__date__gte=timezone.localdate()).exists():
        return 0
    today = timezone.localdate()
    created = 0
    for therapist in therapists:
        clients = list(Client.objects.for_user(therapist).active().order_by("last_name", "first_name")[: len(SCHEDULE)])
        for client, (offset, start, regions, outcome) in zip(clients, SCHEDULE, strict=False):
            _book(
                client=client,
                therapist=therapist,
                scheduled_for=plans.as_datetime(today + timedelta(days=offset), start),
                regions=regions,
                created_by=therapist,
                goals="Ease burning and numbness; keep the joints moving.",
                fit=True,
                ready=outcome == "ready",
            )
            created += 1
        created += _deferred_plan(therapist, today)
    return created


def _deferred_plan(therapist, today):
    """One client with a fever today: the planner defers the session and says why."""
    client = Client.objects.for_user(therapist).active().order_by("-last_name").first()
    if client is None:
        return 0
    if not client.conditions.filter(code="fever", resolved_on__isnull=True).exists():
        Condition.objects.create(client=client, code="fever", location="whole_body", noted_on=today, detail="38.4 °C")
    _book(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(today, time(16, 30)),
        regions="hands,feet",
        created_by=therapist,
    )
    return 1


# Pain and numbness before/after for weekly sessions, oldest first: a believable slow improvement.
SCORE_STORIES = [
    [(7, 4, 6, 5), (6, 4, 6, 5), (6, 3, 6, 4), (5, 3, 5, 4), (5, 2, 5, 4), (4, 2, 4, 3), (4, 2, 4, 3), (3, 1, 4, 3)],
    [(5, 4, 7, 6), (6, 4, 7, 6), (5, 3, 6, 6), (5, 4, 6, 5), (4, 3, 6, 5), (4, 2, 5, 4)],
]
SOAP = {
    "subjective": "Reports burning in the feet at night, a little less than last week.",
    "objective": "Skin intact, feet warm and pink; light pressure tolerated throughout.",
    "assessment": "Responds well to gentle effleurage and still holds.",
    "soap_plan": "Continue weekly; check the feet at every visit.",
}


@transaction.atomic
def seed_records(therapists):
    """Weeks of signed records for two clients per therapist, one draft, one addendum; once only."""
    if SessionRecord.objects.exists():
        return 0
    today = timezone.localdate()
    created = 0
    for therapist in therapists:
        clients = list(Client.objects.for_user(therapist).active().order_by("first_name")[: len(SCORE_STORIES)])
        for client, story in zip(clients, SCORE_STORIES, strict=False):
            for week, scores in enumerate(story):
                day = today - timedelta(days=7 * (len(story) - week))
                created += _recorded_session(therapist, client, day, scores, sign=True)
        if clients:
            # A session two days ago, recorded but not yet signed: the dashboard reminds the therapist.
            created += _recorded_session(therapist, clients[0], today - timedelta(days=2), (4, 2, 4, 3))
    first = SessionRecord.objects.signed().order_by("started_at").first()
    if first:
        recording.add_addendum(
            first, "Client phoned the next day: the burning stayed lower until evening.", first.therapist
        )
    return created


# Twice a week for five weeks, pain falling: the course and the progress letter of the measures client.
COURSE_STORY = [
    (6, 4, 6, 5),
    (6, 4, 6, 5),
    (6, 3, 6, 5),
    (5, 3, 5, 4),
    (5, 3, 5, 4),
    (5, 2, 5, 4),
    (4, 2, 5, 4),
    (4, 2, 4, 3),
    (4, 2, 4, 3),
    (3, 2, 4, 3),
]


@transaction.atomic
def seed_course(therapist):
    """Signed sessions for the client of the measures story, on Mondays and Thursdays; once only."""
    client = Client.objects.filter(external_id=MEASURES_CLIENT).first()
    if client is None or SessionRecord.objects.filter(client=client).exists():
        return 0
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 7 * (len(COURSE_STORY) // 2))
    days = [monday + timedelta(days=7 * (n // 2) + (3 if n % 2 else 0)) for n in range(len(COURSE_STORY))]
    return sum(
        _recorded_session(therapist, client, day, scores, sign=True, regions="feet")
        for day, scores in zip(days, COURSE_STORY, strict=True)
        if day < today
    )


def _recorded_session(therapist, client, day, scores, sign=False, regions="hands,feet"):
    plan = _book(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(day, time(8, 0)),
        regions=regions,
        created_by=therapist,
        fit=True,
    )
    items = list(plan.items.all())
    plan.status, plan.notes_acknowledged = PlanStatus.READY, True
    plan.save()
    worked = [item for item in items if item.is_worked]
    if not worked:
        return 0
    pain_before, pain_after, numb_before, numb_after = scores
    cleaned = {
        "version": 0,
        "minutes": sum(item.minutes for item in worked),
        "pain_before": pain_before,
        "pain_after": pain_after,
        "numbness_before": numb_before,
        "numbness_after": numb_after,
        "skin_check": "Feet inspected: no new findings.",
        "adverse_events": ["none"],
        **SOAP,
    }
    rows = [(item, {"done": True, "minutes": item.minutes, "pressure_used": item.pressure}) for item in worked]
    record = recording.save_record(plan, cleaned, rows, therapist, sign=sign)
    if sign:
        type(record).objects.filter(pk=record.pk).update(signed_at=plan.scheduled_for + timedelta(hours=1))
    return 1
