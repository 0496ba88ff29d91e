"""Operations on client records that span several objects: saving with a version, archiving,
reading the conditions through the engine, and the dashboard's clients needing attention."""

import functools
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from protocols.default_templates import DEFAULT_TEMPLATES
from protocols.engine import CLEARANCE_VALID_DAYS, LAB_VALID_DAYS, ClientFacts, EngineError, propose
from protocols.rules import AVOID, CAUTION, DEFER, MODIFY, RULES_BY_CODE
from protocols.vocabulary import REGION_SINGULAR, REGIONS, SIDES

from .models import LAB_CODES, Client, Condition, PhysicianClearance
from .signals import client_archived


class StaleVersion(Exception):
    """Someone saved the object after the form was built from it."""

    def __init__(self, instance):
        latest = instance.history.select_related("history_user").first()
        who = "Someone else"
        when = ""
        if latest is not None:
            if latest.history_user is not None:
                who = latest.history_user.get_full_name() or latest.history_user.username
            when = f" at {timezone.localtime(latest.history_date):%H:%M}"
        self.current_version = type(instance).objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        super().__init__(
            f"{who} saved this {instance._meta.verbose_name}{when}; your changes were not saved. "
            "Review them and save again."
        )


def claim_version(instance, version):
    """Take the row's next version if it still has `version`; raise StaleVersion if someone saved it since.

    Call inside the transaction that then saves the object: the UPDATE ... WHERE version = N
    holds the row until commit, so of two concurrent saves exactly one gets through.
    """
    model = type(instance)
    claimed = model.objects.filter(pk=instance.pk, version=version).update(version=F("version") + 1)
    if not claimed:
        raise StaleVersion(instance)
    instance.version = version + 1


@transaction.atomic
def archive(client, user):
    """Archive the client; listeners (the planner) cancel what was booked for the client ahead."""
    client.archived_at = timezone.now()
    client.archived_by = user
    client.version += 1
    client.save(update_fields=["archived_at", "archived_by", "version", "updated_at"])
    client_archived.send(sender=type(client), client=client, user=user)


def restore(client):
    client.archived_at = None
    client.archived_by = None
    client.version += 1
    client.save(update_fields=["archived_at", "archived_by", "version", "updated_at"])


# What the active conditions mean for massage, as the engine sees each one on its own.

MEANINGS = {
    DEFER: ("No hands-on session while this lasts", "danger"),
    AVOID: ("Keep off an area", "danger"),
    MODIFY: ("Work with changes", "warning"),
    CAUTION: ("Take care", "info"),
    None: ("No effect on a session today", "secondary"),
}
_ORDER = [DEFER, AVOID, MODIFY, CAUTION, None]
_EVERY_PLACE = [(region, side) for region in REGIONS for side in SIDES]


@dataclass
class ConditionMeaning:
    condition: Condition
    effects: list[str] = field(default_factory=list)
    number: int | None = None  # its marker on the body map
    drawn: bool = False


@dataclass
class MeaningGroup:
    severity: str | None
    title: str
    tone: str
    items: list[ConditionMeaning]


def condition_meanings(client, day):
    """Group the client's active conditions by what they mean for massage on `day`.

    Each condition is run through the engine on its own, with every region planned, so the
    grouping follows the rule library and never restates it. A normal lab result, or an infusion
    outside the nadir window, lands under "no effect today".
    """
    groups = {severity: [] for severity in _ORDER}
    for condition in client.current_conditions(day):
        severity, effects = _meaning(client, condition, day)
        groups[severity].append(ConditionMeaning(condition, effects))
    return [
        MeaningGroup(severity, *MEANINGS[severity], items)
        for severity in _ORDER
        if (items := sorted(groups[severity], key=lambda item: (item.condition.label, item.condition.place)))
    ]


def _meaning(client, condition, day):
    facts = ClientFacts(
        client_id=client.pk, neuropathy_type=client.neuropathy_type, plan_date=day, conditions=(condition.as_fact(),)
    )
    try:
        proposal = propose(facts, _EVERY_PLACE, DEFAULT_TEMPLATES)
    except EngineError as error:
        return CAUTION, [f"Could not be checked: {error}"]

    session = proposal["session"]
    severities = {note["severity"] for note in session["notes"]}
    effects = []
    if session["status"] == DEFER:
        severities.add(DEFER)
    for note in session["notes"]:
        rule = RULES_BY_CODE[note["rule"]]
        if note["severity"] == DEFER:
            effects.append(f"No hands-on session: {rule.title.lower()}")
        elif rule.pressure_cap is not None and note["severity"] != CAUTION:
            effects.append(f"Whole session at pressure {rule.pressure_cap} at most: {rule.title.lower()}")
        else:
            effects.append(f"Session note: {rule.title.lower()}")

    by_outcome = {}
    for item in proposal["regions"]:
        if not item["notes"]:
            continue
        severities.update(note["severity"] for note in item["notes"])
        if item["status"] == AVOID:
            outcome = "Do not work"
        elif item["status"] == MODIFY:
            outcome = f"Pressure {item['pressure_max']} at most"
        else:
            outcome = "Take care"
        by_outcome.setdefault(outcome, []).append(f"{item['side']} {REGION_SINGULAR[item['region']]}")
    for outcome, places in by_outcome.items():
        effects.append(f"{outcome}: {_and_list(places)}")

    if session["max_minutes"] < 60:
        effects.append(f"At most {session['max_minutes']} minutes")
    if session["requires_clearance"]:
        effects.append("Needs physician clearance")
    severity = next((s for s in _ORDER if s in severities), None)
    return severity, effects


def _and_list(words):
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


# The dashboard: clients whose record needs a look before their next session.

# Kept in step with the partial index condition_attention_noted on Condition.
NEW_FINDING_CODES = ["open_wound", "new_foot_finding", "charcot_suspected"]
NEW_FINDING_DAYS = 14


@dataclass
class Attention:
    client: Client
    reasons: list[str] = field(default_factory=list)


def needing_attention(user, day, limit=8):
    """Active clients the user may see with an expired clearance, a latest lab result that changes the
    session, or a wound or foot finding noted in the last two weeks. Two queries, whatever the clinic's size.

    The most recent of each kind are picked (newest finding or result, most recently expired
    clearance), up to `limit` clients, shown in name order. Each query walks a date index from
    today backwards and stops once it has enough, so no query groups or scans every client.
    """
    if not user.has_perm("clients.view_client"):
        return []
    visible = Q(client__archived_at__isnull=True)
    if not user.has_perm("clients.view_all_clients"):
        visible &= Q(client__care_team=user)
    found = {}

    later_result = Condition.objects.recorded().filter(
        client=OuterRef("client"), code=OuterRef("code"), noted_on__gt=OuterRef("noted_on"), noted_on__lte=day
    )
    changes_session = Q()
    for code, below in lab_values_that_change_a_session().items():
        changes_session |= Q(code=code, value__lt=below)
    lab_window = day - timedelta(days=LAB_VALID_DAYS)
    finding_window = day - timedelta(days=NEW_FINDING_DAYS)
    recent = (
        Condition.objects.recorded()
        .filter(visible, code__in=ATTENTION_CODES, noted_on__lte=day, noted_on__gte=min(lab_window, finding_window))
        .filter(
            (changes_session & Q(noted_on__gte=lab_window) & ~Exists(later_result))
            | Q(
                Q(resolved_on__isnull=True) | Q(resolved_on__gt=day),
                code__in=NEW_FINDING_CODES,
                noted_on__gte=finding_window,
            )
        )
        .select_related("client")
        .order_by("-noted_on", "-pk")[: limit * 2]
    )
    for condition in recent:
        if condition.is_event:
            reason = f"{condition.label} {condition.value:,}/µL on {condition.noted_on:%-d %b}"
        else:
            reason = f"New: {condition}"
        if condition.client_id in found or len(found) < limit:
            found.setdefault(condition.client_id, Attention(condition.client)).reasons.append(reason)

    cutoff = day - timedelta(days=CLEARANCE_VALID_DAYS)
    newer = PhysicianClearance.objects.filter(client=OuterRef("client")).filter(
        Q(cleared_on__gt=OuterRef("cleared_on")) | Q(cleared_on=OuterRef("cleared_on"), pk__gt=OuterRef("pk"))
    )
    expired = (
        PhysicianClearance.objects.filter(visible, cleared_on__lt=cutoff)
        .exclude(Exists(newer))
        .select_related("client")
        .order_by("-cleared_on", "-pk")[:limit]
    )
    for clearance in expired:
        if clearance.client_id in found or len(found) < limit:
            entry = found.setdefault(clearance.client_id, Attention(clearance.client))
            entry.reasons.insert(0, f"Clearance from {clearance.cleared_on:%-d %b %Y} has expired")
    return sorted(found.values(), key=lambda entry: entry.client.sort_name)


ATTENTION_CODES = [*LAB_CODES, *NEW_FINDING_CODES]


@functools.cache
def lab_values_that_change_a_session():
    """{lab code: the value below which a result defers or modifies a session}, found by asking the
    engine itself about a lone result (so the rule library stays the one place that says it)."""
    day = date(2026, 1, 15)
    client = Client(neuropathy_type="DPN")
    thresholds = {}
    for code in LAB_CODES:

        def changes(value, code=code):
            result = Condition(code=code, location="whole_body", value=value, noted_on=day)
            return _meaning(client, result, day)[0] in (DEFER, MODIFY)

        low, high = 0, 10_000_000  # the engine's answer changes between these
        if not changes(low) or changes(high):
            continue
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if changes(middle) else (low, middle)
        thresholds[code] = high
    return thresholds
