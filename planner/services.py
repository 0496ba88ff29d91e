"""Building, saving and exporting session plans: the planner's use of the engine."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from protocols import engine
from protocols.services import engine_templates
from protocols.vocabulary import REGION_SINGULAR

from .models import PlanItem, PlanSnapshot, PlanStatus, SessionPlan, SnapshotReason

# A booking holds at least this long, for intake and the skin check, even if little is worked.
MIN_SLOT_MINUTES = 15


def facts_to_json(facts):
    """The engine facts as a JSON-safe dict, so a plan keeps exactly what it was built from."""
    return {
        "client_id": facts.client_id,
        "neuropathy_type": facts.neuropathy_type,
        "plan_date": facts.plan_date.isoformat(),
        "symptoms": [
            {"region": region, "side": side, "symptoms": sorted(codes)}
            for (region, side), codes in sorted(facts.symptoms.items())
            if codes
        ],
        "contributing_causes": sorted(facts.contributing_causes),
        "conditions": [
            {
                "code": c.code,
                "noted_on": c.noted_on.isoformat(),
                "location": c.location,
                "side": c.side,
                "value": None if c.value is None else str(c.value),
                "resolved_on": c.resolved_on.isoformat() if c.resolved_on else None,
                "detail": c.detail,
            }
            for c in facts.conditions
        ],
        "clearance_date": facts.clearance_date.isoformat() if facts.clearance_date else None,
    }


def facts_from_json(data):
    def day(value):
        return date.fromisoformat(value) if value else None

    return engine.ClientFacts(
        client_id=data["client_id"],
        neuropathy_type=data["neuropathy_type"],
        plan_date=day(data["plan_date"]),
        symptoms={(row["region"], row["side"]): frozenset(row["symptoms"]) for row in data["symptoms"]},
        contributing_causes=frozenset(data["contributing_causes"]),
        conditions=tuple(
            engine.ConditionFact(
                code=c["code"],
                noted_on=day(c["noted_on"]),
                location=c["location"],
                side=c["side"],
                value=None if c["value"] is None else Decimal(c["value"]),
                resolved_on=day(c["resolved_on"]),
                detail=c["detail"],
            )
            for c in data["conditions"]
        ),
        clearance_date=day(data["clearance_date"]),
    )


def propose(facts, regions, choices=None):
    """The engine's proposal with the clinic's current templates."""
    return engine.propose(facts, regions, engine_templates(), choices)


def local_day(moment):
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def slot_end(starts_at, minutes):
    return starts_at + timedelta(minutes=max(minutes, MIN_SLOT_MINUTES))


def worked_minutes(proposal):
    return sum(region["minutes"] for region in proposal["regions"])


def _item_from_region(plan, position, region):
    return PlanItem(
        plan=plan,
        position=position,
        region=region["region"],
        side=region["side"],
        status=region["status"],
        template_key=region["template_key"],
        template_name=region["template"],
        template_version=region["template_version"],
        pressure_max=region["pressure_max"],
        pressure=region["pressure_max"],
        proposed_minutes=region["minutes"],
        minutes=region["minutes"],
        steps=region["steps"],
        notes=region["notes"],
    )


@transaction.atomic
def create_plan(*, client, therapist, scheduled_for, regions, created_by, goals=""):
    """Build the proposal for the client on the session day and save it as a draft plan."""
    pairs = engine.parse_regions(regions)
    facts = client.facts_on(local_day(scheduled_for))
    proposal = propose(facts, pairs)
    plan = SessionPlan.objects.create(
        client=client,
        therapist=therapist,
        scheduled_for=scheduled_for,
        ends_at=slot_end(scheduled_for, worked_minutes(proposal)),
        regions=regions,
        facts=facts_to_json(facts),
        proposal=proposal,
        goals=goals,
        created_by=created_by,
    )
    PlanItem.objects.bulk_create(
        _item_from_region(plan, position, region) for position, region in enumerate(proposal["regions"])
    )
    PlanSnapshot.keep(plan, SnapshotReason.BUILT, created_by)
    return plan


@transaction.atomic
def rebuild_plan(plan, facts=None, choices=None, reason=None, user=None):
    """Replace the plan's proposal: with today's facts (a rebuild) or the stored ones (a template swap).

    The therapist's minutes, pressures and dropped regions are kept where the new proposal still
    allows them; the plan returns to draft and the notes must be read again.
    """
    if reason is None:
        reason = SnapshotReason.TEMPLATE if choices is not None else SnapshotReason.REBUILT
    facts = facts or facts_from_json(plan.facts)
    previous = {(item.region, item.side): item for item in plan.items.all()}
    if choices is None:
        choices = {key: item.template_key for key, item in previous.items()}
    proposal = propose(facts, list(previous), _valid_choices(choices))
    items = []
    for position, region in enumerate(proposal["regions"]):
        old = previous[(region["region"], region["side"])]
        item = _item_from_region(plan, position, region)
        item.pk = old.pk  # the same region/side keeps its row, so records that point at it stay valid
        if item.status != "avoid" and old.template_key == item.template_key:
            item.dropped = old.dropped
            item.minutes = old.minutes
            if old.pressure is not None:
                item.pressure = min(old.pressure, item.pressure_max)
        item.save()
        items.append(item)
    plan.facts = facts_to_json(facts)
    plan.proposal = proposal
    plan.status = PlanStatus.DRAFT
    plan.notes_acknowledged = False
    plan.ends_at = slot_end(plan.scheduled_for, sum(i.minutes for i in items if i.status != "avoid" and not i.dropped))
    plan.version += 1
    plan.save()
    PlanSnapshot.keep(plan, reason, user)
    return plan


def _valid_choices(choices):
    """Template choices that still exist; a retired template falls back to the default."""
    keys = {template.key for template in engine_templates()}
    return {target: key for target, key in choices.items() if key in keys}


def facts_changed(plan):
    """True when the client's facts for the session day differ from those the plan was built on."""
    current = plan.client.facts_on(date.fromisoformat(plan.facts["plan_date"]))
    return facts_to_json(current) != plan.facts


def ready_problems(plan, items, stale=False):
    """Why the plan cannot be marked ready yet (RULES.md step 7), as sentences; empty when it can."""
    session = plan.session
    problems = []
    if session["status"] == "defer":
        problems.append("The session is deferred: no hands-on session today (see the session notes).")
    if session["requires_clearance"] and not session["clearance_on_file"]:
        problems.append(
            "Physician clearance is required and none dated within the last 365 days was on file. "
            "Record the clearance on the client's page, then rebuild the plan."
        )
    total = sum(item.minutes for item in items if item.is_worked)
    if total > session["max_minutes"]:
        problems.append(f"The plan totals {total} minutes; this session allows {session['max_minutes']} at most.")
    if not any(item.is_worked for item in items):
        problems.append("No region is planned to be worked.")
    if stale:
        problems.append("The client's record changed after this plan was built: rebuild it with today's facts.")
    if not plan.notes_acknowledged:
        problems.append("Tick that you have read every contraindication note.")
    return problems


def item_document(item):
    """One planned region/side as in the proposal, with the therapist's pressure and minutes."""
    pressure = item.pressure
    return {
        "region": item.region,
        "side": item.side,
        "status": item.status,
        "pressure_max": pressure,
        "pressure_cap": item.pressure_max,
        "template": item.template_name,
        "template_key": item.template_key,
        "template_version": item.template_version,
        "minutes": item.minutes if item.is_worked else 0,
        "steps": [
            {**step, "pressure": min(step["pressure"], pressure)} if pressure is not None else step
            for step in item.steps
        ],
        "notes": item.notes,
    }


SEVERITY_ORDER = [("defer", "Defer"), ("avoid", "Do not work"), ("modify", "Work with changes"), ("caution", "Caution")]


def notes_by_severity(plan, items):
    """Every note of the plan, session and regions, grouped by severity for the print sheet."""
    groups = {severity: [] for severity, _ in SEVERITY_ORDER}
    for note in plan.session["notes"]:
        groups[note["severity"]].append({**note, "where": "session"})
    for item in items:
        for note in item.notes:
            groups[note["severity"]].append({**note, "where": f"{item.side} {REGION_SINGULAR[item.region]}"})
    return [{"severity": severity, "label": label, "notes": groups[severity]} for severity, label in SEVERITY_ORDER]


def plan_document(plan, items):
    """The saved plan in the proposal's shape (DESIGN.md) plus id, date, status and therapist."""
    regions = [item_document(item) for item in items if not item.dropped]
    return {
        "id": plan.pk,
        "client": plan.client_id,
        "neuropathy_type": plan.proposal["neuropathy_type"],
        "scheduled_for": plan.scheduled_for.isoformat(),
        "status": plan.status,
        "therapist": plan.therapist.username,
        "goals": plan.goals,
        "notes": plan.notes,
        "session": {**plan.session, "planned_minutes": sum(r["minutes"] for r in regions)},
        "regions": regions,
        "dropped": [{"region": i.region, "side": i.side} for i in items if i.dropped],
    }


def as_datetime(day, time):
    return timezone.make_aware(datetime.combine(day, time))
