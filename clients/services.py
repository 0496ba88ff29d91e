"""Operations on client records that span several objects: saving with a version, archiving,
reading the conditions through the engine, and the dashboard's clients needing attention."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F, Max, Q
from django.utils import timezone

from protocols.default_templates import DEFAULT_TEMPLATES
from protocols.engine import CLEARANCE_VALID_DAYS, LAB_VALID_DAYS, ClientFacts, EngineError, propose
from protocols.rules import AVOID, CAUTION, DEFER, MODIFY, RULES_BY_CODE
from protocols.vocabulary import REGION_SINGULAR, REGIONS, SIDES

from .models import LAB_CODES, Client, Condition


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


def archive(client, user):
    client.archived_at = timezone.now()
    client.archived_by = user
    client.version += 1
    client.save(update_fields=["archived_at", "archived_by", "version", "updated_at"])


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

NEW_FINDING_CODES = ["open_wound", "new_foot_finding", "charcot_suspected"]
NEW_FINDING_DAYS = 14


@dataclass
class Attention:
    client: Client
    reasons: list[str] = field(default_factory=list)


def needing_attention(user, day, limit=8):
    """Active clients the user may see with an expired clearance, a lab result that changes the
    session, or a wound or foot finding noted in the last two weeks. Two queries."""
    clients = Client.objects.for_user(user).active()
    found = {}

    cutoff = day - timedelta(days=CLEARANCE_VALID_DAYS)
    expired = clients.annotate(last_cleared=Max("clearances__cleared_on")).filter(last_cleared__lt=cutoff)
    for client in expired.order_by("last_cleared")[:limit]:
        entry = found.setdefault(client.pk, Attention(client))
        entry.reasons.append(f"Clearance from {client.last_cleared:%-d %b %Y} has expired")

    recent = (
        Condition.objects.recorded()
        .filter(client__in=clients, noted_on__lte=day)
        .filter(
            Q(code__in=LAB_CODES, noted_on__gte=day - timedelta(days=LAB_VALID_DAYS))
            | Q(code__in=NEW_FINDING_CODES, noted_on__gte=day - timedelta(days=NEW_FINDING_DAYS))
        )
        .select_related("client")
        .order_by("-noted_on", "pk")
    )
    latest_lab = set()
    for condition in recent:
        if not condition.is_active_on(day) and not condition.is_event:
            continue
        if condition.is_event:
            # Only the latest result of each kind counts, and only if it changes the session.
            if (condition.client_id, condition.code) in latest_lab:
                continue
            latest_lab.add((condition.client_id, condition.code))
            severity, _ = _meaning(condition.client, condition, day)
            if severity not in (DEFER, MODIFY):
                continue
            reason = f"{condition.label} {condition.value:,}/µL on {condition.noted_on:%-d %b}"
        else:
            reason = f"New: {condition}"
        entry = found.setdefault(condition.client_id, Attention(condition.client))
        entry.reasons.append(reason)
    return sorted(found.values(), key=lambda entry: entry.client.sort_name)[:limit]
