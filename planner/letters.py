"""The progress letter to the referring physician: what the course of massage did over a period.

The letter is built from the records (with their corrections), the plans, the measures and the
current conditions, shown for review, then signed by the therapist and saved exactly as sent.
It reports what was recorded; it never states a diagnosis.
"""

import json
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone

from clients.services import lab_values_that_change_a_session
from protocols.labels import place, type_name

from . import progress
from .charts import SessionScores, _day_label
from .corrections import with_corrected_pressure, with_corrected_scores
from .proposals import place_key


class ProgressLetter(models.Model):
    """A progress letter as signed and sent: its period, recipient, figures and the text itself."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="progress_letters")
    period_start = models.DateField()
    period_end = models.DateField()
    recipient = models.CharField(max_length=200)
    facts = models.JSONField(help_text="The figures the letter was written from.")
    html = models.TextField(help_text="The letter exactly as signed.")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="letter_period_in_order"
            ),
        ]
        indexes = [
            # The client page: a client's letters, newest first.
            models.Index(fields=["client", "signed_at"], name="letter_client_signed"),
        ]

    def __str__(self):
        return f"Progress letter to {self.recipient}, {self.signed_at:%d %b %Y}"


def _records(client, start, end):
    from .models import SessionRecord

    records = (
        SessionRecord.objects.signed()
        .filter(client=client, started_at__date__gte=start, started_at__date__lte=end)
        .order_by("started_at", "pk")
    )
    return list(with_corrected_scores(records))


PLACE = ("region", "side")


def _pressures(records):
    """Pressure used per place over the period: lowest, highest and at the latest session (corrected)."""
    from .models import RecordItem

    items = with_corrected_pressure(
        RecordItem.objects.filter(record__in=[r.pk for r in records], done=True).select_related("record")
    ).order_by("record__started_at", "pk")
    used = defaultdict(list)
    above = 0
    for item in items:
        if item.corrected_pressure_used is not None:
            used[(item.region, item.side)].append(item.corrected_pressure_used)
            above += item.pressure_planned is not None and item.corrected_pressure_used > item.pressure_planned
    # Arms, hands, legs, feet, the client's right first, as on every page.
    rows = [
        {"place": place(region, side), "low": min(v), "high": max(v), "latest": v[-1]}
        for (region, side), v in sorted(
            used.items(), key=lambda pair: place_key(dict(zip(PLACE, pair[0], strict=True)))
        )
    ]
    return rows, above


def _adherence(client, start, end, given):
    from .models import PlanStatus, SessionPlan

    # A session later today has not been missed: an open one still to come is not counted as planned.
    # Done and cancelled sessions count whenever they were due: a cancellation is known as soon as it is made.
    plans = (
        SessionPlan.objects.filter(client=client, scheduled_for__date__gte=start, scheduled_for__date__lte=end)
        .exclude(status__in=(PlanStatus.DRAFT, PlanStatus.READY), scheduled_for__gt=timezone.now())
        .values_list("status", flat=True)
    )
    statuses = list(plans)
    cancelled = statuses.count(PlanStatus.CANCELLED)
    return {"planned": len(statuses) - cancelled, "given": given, "cancelled": cancelled}


def _adverse(records):
    events = []
    for record in records:
        labels = [label for label in record.adverse_event_labels() if label != "None"]
        if labels:
            events.append(f"{_day_label(record.started_at.date(), True)}: {', '.join(labels).lower()}")
    return events


def _monofilament(client, start, end):
    """The tests of the period, after the latest one before it (to compare with)."""
    tests = list(client.monofilament_tests.filter(tested_on__lte=end).prefetch_related("sites"))
    chosen = [t for t in tests if t.tested_on < start][-1:] + [t for t in tests if t.tested_on >= start]
    rows = []
    for test in chosen:
        feet = test.feet()
        rows.append(
            {
                "date": _day_label(test.tested_on, True),
                "feet": [
                    f"{f['label'].lower()} {f['felt']} of {f['tested']} sites felt"
                    + (" (unreliable)" if f["unreliable"] else "")
                    for f in feet
                ],
                "loss": [f["label"].lower() for f in feet if f["result"] == "absent"],
            }
        )
    return rows


def _mnsi(client, start, end):
    questionnaires = list(client.mnsi_questionnaires.filter(answered_on__lte=end))
    earlier = [q for q in questionnaires if q.answered_on < start][-1:]
    return [
        {"date": _day_label(q.answered_on, True), "wording": q.wording}
        for q in earlier + [q for q in questionnaires if q.answered_on >= start]
    ]


def _restrictions(client, day):
    """The clearance in force, and what the sessions are adapted to: the active conditions, and the lab
    results in use whose value changes a session (a low platelet count caps every region's pressure)."""
    clearance = client.latest_clearance(on=day)
    bounds = lab_values_that_change_a_session()
    conditions = []
    for c in client.current_conditions(day):
        if not c.is_event:
            conditions.append(f"{c.label}{', ' + c.place if c.place else ''}")
        elif c.code in bounds and c.value is not None and c.value < bounds[c.code]:
            conditions.append(f"{c.label} {c.value:,}/µL on {_day_label(c.noted_on, True)}")
    return {
        "clearance": (
            f"{clearance.physician}, {_day_label(clearance.cleared_on, True)}: "
            # The letter ends the line with its own full stop.
            f"{clearance.restrictions.strip().rstrip('.') or 'no restrictions noted'}"
        )
        if clearance
        else "",
        "conditions": conditions,
    }


def letter_facts(client, start, end, therapist):
    """Everything the letter says, as plain JSON-ready values."""
    records = _records(client, start, end)
    scores = [
        SessionScores(
            day=timezone.localdate(r.started_at),
            pain_before=r.corrected_pain_before,
            pain_after=r.corrected_pain_after,
            numbness_before=r.corrected_numbness_before,
            numbness_after=r.corrected_numbness_after,
        )
        for r in records
    ]
    dose = progress.sessions_per_week([s.day for s in scores])
    pressures, above_plan = _pressures(records)
    return {
        "client": client.full_name,
        "born": _day_label(client.date_of_birth, True),
        "neuropathy_type": type_name(client.neuropathy_type),
        "start": _day_label(start, True),
        "end": _day_label(end, True),
        "therapist": therapist.get_full_name() or therapist.username,
        "sessions": dose["sentence"] if dose else "No signed sessions in this period.",
        "adherence": _adherence(client, start, end, len(records)),
        "pressures": pressures,
        "above_plan": int(above_plan),
        "pain": progress.change_sentence(progress.course_change(scores, "pain")),
        "numbness": progress.change_sentence(progress.course_change(scores, "numbness")),
        "adverse": _adverse(records),
        "monofilament": _monofilament(client, start, end),
        "mnsi": _mnsi(client, start, end),
        "restrictions": _restrictions(client, end),
    }


def render_letter(facts, recipient, signed_by=None, signed_at=None):
    context = {"facts": facts, "recipient": recipient, "signed_by": signed_by, "signed_at": signed_at}
    return render_to_string("planner/_letter_body.html", context)


def default_period(today):
    """The last twelve weeks, ending today."""
    return today - timedelta(weeks=12), today


def signed_twin(client, start, end, recipient, therapist):
    """The same letter (period, recipient, signer) signed today, with the same facts: a form sent twice."""
    facts = json.loads(json.dumps(letter_facts(client, start, end, therapist)))
    for letter in ProgressLetter.objects.filter(
        client=client,
        period_start=start,
        period_end=end,
        recipient=recipient,
        signed_by=therapist,
        signed_at__date=timezone.localdate(),
    ):
        if letter.facts == facts:
            return letter
    return None


def sign_letter(client, start, end, recipient, therapist):
    """Build, sign and save the letter as it is sent."""
    facts = letter_facts(client, start, end, therapist)
    now = timezone.now()
    return ProgressLetter.objects.create(
        client=client,
        period_start=start,
        period_end=end,
        recipient=recipient,
        facts=facts,
        html=render_letter(facts, recipient, therapist.get_full_name() or therapist.username, now),
        signed_by=therapist,
        signed_at=now,
    )
