"""Operations on client records that span several objects: saving with a version, archiving,
reading the conditions through the engine, and the dashboard's clients needing attention."""

import functools
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from protocols.engine import CLEARANCE_VALID_DAYS, LAB_VALID_DAYS, EngineError, lab_in_use, propose
from protocols.labels import and_list, format_date, sentence_case
from protocols.labels import place as place_name
from protocols.rules import AVOID, CAUTION, DEFER, MODIFY, RULES_BY_CODE, lab_thresholds
from protocols.services import engine_templates
from protocols.versioning import claim_version
from protocols.vocabulary import REGIONS, SIDES

from .models import LAB_CODES, Client, Condition, PhysicianClearance
from .signals import client_archived, client_restored


@transaction.atomic
def archive(client, user):
    """Archive the client; listeners (the planner) cancel what was booked for the client ahead."""
    client.archived_at = timezone.now()
    client.archived_by = user
    claim_version(client, client.version)
    client.save(update_fields=["archived_at", "archived_by", "version", "updated_at"])
    client_archived.send(sender=type(client), client=client, user=user)


@transaction.atomic
def restore(client):
    """Restore an archived client; return what listeners (the planner) say the archiving left behind."""
    archived_at = client.archived_at
    client.archived_at = None
    client.archived_by = None
    claim_version(client, client.version)
    client.save(update_fields=["archived_at", "archived_by", "version", "updated_at"])
    replies = client_restored.send(sender=type(client), client=client, archived_at=archived_at)
    return [sentence for _receiver, sentences in replies for sentence in sentences or ()]


# What the active conditions mean for massage, read with all of the client's facts.

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


def condition_meanings(client, day, templates=None):
    """See meanings_and_clearance: the groups alone."""
    return meanings_and_clearance(client, day, templates)[0]


def meanings_and_clearance(client, day, templates=None):
    """Group the client's current conditions by what they mean for massage on `day`; and the titles
    of the rules for which a session that day needs a physician's clearance (none: an empty list;
    None when the engine could not plan).

    The engine plans every place with all of the client's facts and the clinic's templates; a
    condition's meaning is what that plan has and the same plan without the condition has not,
    so active chemotherapy beside a platelet count on file does not read as "counts unknown".
    A normal lab result, or an infusion outside the nadir window, lands under "no effect today".
    """
    if templates is None:
        templates = engine_templates(client.neuropathy_type)
    facts = client.facts_on(day)
    current = client.current_conditions(day)
    frozen = replace(facts, symptoms=tuple(sorted(facts.symptoms.items())))
    read, clearance = _reading(frozen, templates, tuple(condition.as_fact() for condition in current))
    groups = {severity: [] for severity in _ORDER}
    for condition, (severity, effects) in zip(current, read, strict=True):
        groups[severity].append(ConditionMeaning(condition, list(effects)))
    meanings = [
        MeaningGroup(severity, *MEANINGS[severity], items)
        for severity in _ORDER
        if (items := sorted(groups[severity], key=lambda item: (item.condition.label, item.condition.place)))
    ]
    return meanings, None if clearance is None else list(clearance)


@functools.lru_cache(maxsize=256)
def _reading(frozen, templates, current):
    """([(severity, effects)] of each of the `current` condition facts, clearance titles or None): what
    meanings_and_clearance reads from the engine, for the client's facts (`frozen`: symptoms as sorted
    pairs, so the facts can be a key) and the templates. A pure function of them, so a client page
    opened again while nothing of the client and no template changed reuses it: the engine plans every
    place once, and once more without each current condition."""
    facts = replace(frozen, symptoms=dict(frozen.symptoms))
    try:
        proposal = propose(facts, _EVERY_PLACE, templates)
    except EngineError as error:
        return tuple((CAUTION, (f"Could not be checked: {error}",)) for _fact in current), None
    # Every place planned: no plan of fewer places needs a clearance this one does not.
    with_all, clearance = _note_facts(proposal), []
    if proposal["session"]["requires_clearance"]:
        codes = dict.fromkeys(code for code, _place, _fact in with_all)
        clearance = [RULES_BY_CODE[code].title for code in codes if _asks_clearance(RULES_BY_CODE[code])]
    return tuple(_meaning(fact, facts, templates, with_all) for fact in current), tuple(clearance)


def _asks_clearance(rule):
    return rule.requires_clearance or any(variant.requires_clearance for variant in rule.variants)


def _note_facts(proposal):
    """{(rule, place, fact)} of every note: place is None for the session; a note quoting two facts gives two."""
    found = {}
    places = [(None, proposal["session"]["notes"])]
    places += [((item["region"], item["side"]), item["notes"]) for item in proposal["regions"]]
    for place, notes in places:
        for note in notes:
            for fact in note["fact"].split("; "):
                found[(note["rule"], place, fact)] = note
    return found


def _meaning(fact, facts, templates, with_all):
    # Without every copy of it: a condition entered twice must not read as having no effect
    # because its twin still has it.
    others = [other for other in facts.conditions if other != fact]
    without = _note_facts(propose(replace(facts, conditions=tuple(others)), _EVERY_PLACE, templates))
    mine = [(key, note) for key, note in with_all.items() if key not in without]

    severities, effects, by_outcome, seen = set(), [], {}, set()
    for (code, place, _fact), note in mine:
        if (code, place) in seen:
            continue
        seen.add((code, place))
        rule = RULES_BY_CODE[code]
        severities.add(note["severity"])
        if place is None:
            if note["severity"] == DEFER:
                effects.append(f"No hands-on session: {rule.title.lower()}")
            elif note["pressure_cap"] is not None and note["severity"] != CAUTION:
                effects.append(f"Whole session at pressure {note['pressure_cap']} at most: {rule.title.lower()}")
            else:
                effects.append(f"Session note: {_instruction(note)}")
            continue
        if note["severity"] == AVOID:
            outcome = "Do not work"
        elif note["pressure_cap"] is not None:
            outcome = f"Pressure {note['pressure_cap']} at most"
        elif note["severity"] == MODIFY:
            outcome = "Work with changes"
        else:
            outcome = "Take care"
        by_outcome.setdefault(outcome, []).append(place)
    for outcome, places in by_outcome.items():
        places = sorted(places, key=lambda where: (REGIONS.index(where[0]), where[1] != "right"))  # right first
        effects.append(f"{outcome}: {and_list(place_name(*where) for where in places)}")

    rules = {RULES_BY_CODE[code] for (code, _place, _fact), _note in mine}
    minutes = [rule.minutes_cap for rule in rules if rule.minutes_cap is not None]
    if minutes:
        effects.append(f"At most {min(minutes)} minutes")
    if any(rule.requires_clearance for rule in rules):
        effects.append("Needs physician clearance")
    severity = next((s for s in _ORDER if s in severities), None)
    return severity, tuple(effects)


def _instruction(note):
    """What a note asks of the therapist, without the fact it starts with or the reason after the colon:
    "put no pressure over the port and do not lie the client prone without bolsters"."""
    text, fact = note["text"], note["fact"]
    if text[: len(fact)].lower() == fact.lower():
        text = text[len(fact) :].lstrip(". ")
    return sentence_case(text.split(": ", 1)[0].rstrip("."))


# The dashboard: clients whose record needs a look before their next session.

# Kept in step with the partial index condition_attention_noted on Condition.
NEW_FINDING_CODES = ["open_wound", "new_foot_finding", "charcot_suspected"]
NEW_FINDING_DAYS = 14


@dataclass
class Attention:
    client: Client
    reasons: list[str] = field(default_factory=list)
    # Lab results in use that a reason quotes: each is offered "entered in error".
    labs: list = field(default_factory=list)


def needing_attention(user, day, limit=8):
    """See attention_panel: its entries only."""
    return attention_panel(user, day, limit)[0]


def attention_panel(user, day, limit=8):
    """Active clients the user may see with an expired clearance, a latest lab result that changes the
    session, or a wound or foot finding noted in the last two weeks. Two queries whatever the
    clinic's size (for a care team, one more for each time archived clients' entries fill the newest
    chosen).

    The most recent of each kind are picked (newest finding or result, most recently expired
    clearance), up to `limit` clients, shown in name order. No query groups or scans every client.
    Returns (entries, more): `more` when other clients may need attention too.
    """
    if not user.has_perm("clients.view_client"):
        return [], False
    clinic_wide = user.has_perm("clients.view_all_clients")
    if clinic_wide:
        newest = functools.partial(_clinic_conditions, day)
    else:
        newest = functools.partial(_care_team_conditions, user, day)
    # The newest conditions, twice as many as clients are listed; when they run out before it is
    # known whether other clients lie beyond (several per client), a wider window is read.
    count = limit * 2
    while True:
        recent = newest(count)
        found, more = _condition_entries(recent, day, limit)
        if more or len(recent) < count:
            break
        count *= 4

    cutoff = day - timedelta(days=CLEARANCE_VALID_DAYS)
    # A client's latest clearance each, expired; one more than listed tells of more.
    expired = _expired_clearances(None if clinic_wide else user, cutoff, limit + 1)
    for clearance in expired:
        if clearance.client_id in found or len(found) < limit:
            entry = found.setdefault(clearance.client_id, Attention(clearance.client))
            entry.reasons.insert(0, f"Clearance from {clearance.cleared_on:%-d %b %Y} has expired")
        else:
            more = True
    return sorted(found.values(), key=lambda entry: entry.client.sort_name), more


def _expired_clearances(team_of, cutoff, count):
    """The newest `count` clearances dated before `cutoff` that are their active client's latest, newest
    first, with the client's name; of the clients on `team_of`'s care team, or of the clinic (None).
    Written out: the ORM took longer to build this query than PostgreSQL took to run it. It walks the
    date index clearance_date backwards and stops at `count`."""
    team = f"JOIN {Client.care_team.through._meta.db_table} ct ON ct.client_id = pc.client_id AND ct.user_id = %s"
    sql = _EXPIRED_CLEARANCES_SQL.format(
        clearance=PhysicianClearance._meta.db_table, client=Client._meta.db_table, team=team if team_of else ""
    )
    params = [team_of.pk] if team_of else []
    return _with_named_clients(list(PhysicianClearance.objects.raw(sql, [*params, cutoff, count])))


def _with_named_clients(rows):
    """Rows read with their client's first_name and last_name: each given its client, as far as the
    attention panel reads one (its id and name)."""
    for row in rows:
        row.client = Client(pk=row.client_id, first_name=row.first_name, last_name=row.last_name)
    return rows


_EXPIRED_CLEARANCES_SQL = """
    SELECT pc.id, pc.client_id, pc.cleared_on, cl.first_name, cl.last_name
    FROM {clearance} pc
    JOIN {client} cl ON cl.id = pc.client_id
    {team}
    WHERE cl.archived_at IS NULL AND pc.cleared_on < %s
      AND NOT EXISTS (
          SELECT 1 FROM {clearance} newer
          WHERE newer.client_id = pc.client_id
            AND (newer.cleared_on > pc.cleared_on OR (newer.cleared_on = pc.cleared_on AND newer.id > pc.id))
      )
    ORDER BY pc.cleared_on DESC, pc.id DESC
    LIMIT %s
"""


def _condition_entries(recent, day, limit):
    """({client id: Attention}, more) from the newest conditions: each lab's value in use and each
    finding, for up to `limit` clients; `more` when a client was left out."""
    found, more = {}, False
    # Of results of one lab on its latest day, the one the engine uses (the lowest, so it is among these).
    results = {}
    for condition in recent:
        if condition.code in LAB_CODES:
            results.setdefault((condition.client_id, condition.code), []).append(condition)
    in_use_now = {lab_in_use(group, day) for group in results.values()}
    for condition in recent:
        if condition.code in LAB_CODES and condition not in in_use_now:
            continue
        if condition.is_event:
            reason = f"{condition.label} {condition.value:,}/µL on {format_date(condition.noted_on)}, the value in use"
        else:
            reason = f"New: {condition}"
        if condition.client_id in found or len(found) < limit:
            entry = found.setdefault(condition.client_id, Attention(condition.client))
            if reason not in entry.reasons:  # a condition entered twice is one reason
                entry.reasons.append(reason)
                if condition.is_event:
                    entry.labs.append(condition)
        else:
            more = True
    return found, more


def _windows(day):
    """The first day a lab result still counts, and the first day a finding is still new."""
    return day - timedelta(days=LAB_VALID_DAYS), day - timedelta(days=NEW_FINDING_DAYS)


def _clinic_conditions(day, count):
    """The newest `count` conditions that may need attention, newest first, of the clinic's active
    clients: each lab result on its latest day below a bound that changes a session, each finding noted
    in the window and still open. The query walks the date index condition_attention_noted from today
    backwards and stops at `count`. Written out: the ORM took several times longer to build it than
    PostgreSQL took to run it."""
    clinic_sql = _CLINIC_ATTENTION_SQL.replace("{walk}", "").replace("{team}", "")
    sql, window, rest = _attention_sql(clinic_sql, day, later=True)
    return _with_named_clients(list(Condition.objects.raw(sql, [*window, *rest, count])))


def _attention_sql(sql, day, later=False):
    """(sql, window params, other params) of one of the attention queries below, for `day`, without the
    care team's and the LIMITs: the clinic's (`later`) takes the day once more, up to which a later
    result is looked for."""
    lab_window, finding_window = _windows(day)
    below = lab_values_that_change_a_session()
    chosen_labs = " OR ".join("(code = %s AND value < %s)" for _ in below) or "1 = 0"
    window = [*ATTENTION_CODES, min(lab_window, finding_window), day]
    rest = [
        lab_window,
        *[value for code_and_bound in below.items() for value in code_and_bound],
        *([day] if later else []),
        *NEW_FINDING_CODES,
        finding_window,
        day,
    ]
    sql = sql.format(
        condition=Condition._meta.db_table,
        client=Client._meta.db_table,
        care_team=Client.care_team.through._meta.db_table,
        codes=", ".join(["%s"] * len(ATTENTION_CODES)),
        chosen_labs=chosen_labs,
        findings=", ".join(["%s"] * len(NEW_FINDING_CODES)),
    )
    return sql, window, rest


# The clinic's attention entries (see _clinic_conditions): of the entries in the window (in a team's
# walk, the newest TEAM_WALK of them), of each lab its results on the latest day it has in the window,
# below the bound that changes a session (no later result of the lab up to the day), and the findings
# still open; of active clients (in a team's walk, on the care team: a probe per entry, which PostgreSQL
# does not turn into a join, so the walk still stops early), the newest `count`, chosen from the index
# condition_attention_noted alone and then read whole.
_CLINIC_ATTENTION_SQL = """
    SELECT c.id, c.client_id, c.code, c.location, c.side, c.value, c.detail, c.noted_on, c.resolved_on,
           cl.first_name, cl.last_name
    FROM (
        SELECT e.id, e.noted_on FROM (
            SELECT id, client_id, code, value, noted_on, resolved_on FROM {condition}
            WHERE NOT entered_in_error AND code IN ({codes}) AND noted_on >= %s AND noted_on <= %s
            ORDER BY noted_on DESC, id DESC
            {walk}
        ) e
        JOIN {client} active ON active.id = e.client_id AND active.archived_at IS NULL
        WHERE ((e.noted_on >= %s AND ({chosen_labs})
                AND NOT EXISTS (
                    SELECT 1 FROM {condition} later
                    WHERE later.client_id = e.client_id AND later.code = e.code AND NOT later.entered_in_error
                      AND later.noted_on > e.noted_on AND later.noted_on <= %s
                ))
               OR (e.code IN ({findings}) AND e.noted_on >= %s AND (e.resolved_on IS NULL OR e.resolved_on > %s)))
          {team}
        ORDER BY e.noted_on DESC, e.id DESC
        LIMIT %s
    ) chosen
    JOIN {condition} c ON c.id = chosen.id
    JOIN {client} cl ON cl.id = c.client_id
    ORDER BY chosen.noted_on DESC, chosen.id DESC
"""
_TEAM_MEMBER = "AND (SELECT true FROM {care_team} t WHERE t.client_id = e.client_id AND t.user_id = %s)"


# How many of the clinic's newest entries a care team's first query reads (see _care_team_conditions).
TEAM_WALK = 2000


def _care_team_conditions(user, day, count):
    """The same conditions as _clinic_conditions, for a care team.

    First the clinic's newest TEAM_WALK entries are walked, with a probe of the care team per entry: a
    team of a few thousand clients finds its `count` within a few hundred entries (about a millisecond
    at 100,000 clients), and in a clinic whose window holds fewer entries the walk reads them all. A
    small team in a large clinic may find fewer: then the team's entries in the window are read from
    the covering index condition_attention_noted and chosen there (each lab's latest day by a window
    function), at a cost that does not grow with the clinic's window. Only the newest chosen ones are
    read whole, with their clients' names; the archived clients' among them are left out here, and the
    query is run again, reading twice as many, when they took places."""
    found, whole_window = _team_walk(user, day, count)
    if len(found) == count or whole_window:
        return found
    sql, window, rest = _attention_sql(_CARE_TEAM_ATTENTION_SQL, day)
    params = [user.pk, *window, *rest]
    read = count
    while True:
        rows = list(Condition.objects.raw(sql, [*params, read]))
        found = [row for row in rows if row.client_is_active]
        if len(found) >= count or len(rows) < read:
            break
        read *= 2  # archived clients' entries took places: read twice as many
    return _with_named_clients(found[:count])


def _team_walk(user, day, count):
    """([conditions], whether the walk read the clinic's whole window): the first query of
    _care_team_conditions, which also counts the window's entries up to TEAM_WALK (an index-only
    count) so that a walk that read them all is known complete, even when it found none."""
    sql, window, rest = _attention_sql(
        _TEAM_WALK_SQL.replace(
            "{walk_query}",
            _CLINIC_ATTENTION_SQL.replace("{walk}", "LIMIT %s").replace("{team}", _TEAM_MEMBER),
        ),
        day,
        later=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*window, TEAM_WALK, *window, TEAM_WALK, *rest, user.pk, count])
        rows = cursor.fetchall()
    walked = rows[0][0] if rows else 0
    as_date = Condition._meta.get_field("noted_on").to_python  # SQLite gives a derived table's dates as text
    found = []
    for _walked, pk, client_id, code, location, side, value, detail, noted_on, resolved_on, first, last in rows:
        if pk is None:
            continue  # the walk found none: the row only carries the count
        condition = Condition(
            pk=pk,
            client_id=client_id,
            code=code,
            location=location,
            side=side,
            value=value,
            detail=detail,
            noted_on=as_date(noted_on),
            resolved_on=as_date(resolved_on),
        )
        condition.first_name, condition.last_name = first, last
        found.append(condition)
    return _with_named_clients(found), walked < TEAM_WALK


# The team's walk (see _team_walk): how many of the window's entries there are, up to TEAM_WALK, beside
# each row the walk found (one row of NULLs when it found none).
_TEAM_WALK_SQL = """
    SELECT walked.n, found.*
    FROM (
        SELECT COUNT(*) AS n FROM (
            SELECT 1 FROM {condition}
            WHERE NOT entered_in_error AND code IN ({codes}) AND noted_on >= %s AND noted_on <= %s
            LIMIT %s
        ) window_entries
    ) walked
    LEFT JOIN ({walk_query}) found ON 1 = 1
    ORDER BY found.noted_on DESC, found.id DESC
"""


# The care team's attention entries (see _care_team_conditions): the team's lab results and findings in
# the window; of each lab, results on its latest day below the bound that changes a session, and the
# findings still open; the newest `read` of them whole, with whether their client is active.
_CARE_TEAM_ATTENTION_SQL = """
    SELECT c.id, c.client_id, c.code, c.location, c.side, c.value, c.detail, c.noted_on, c.resolved_on,
           cl.first_name, cl.last_name, CASE WHEN cl.archived_at IS NULL THEN 1 ELSE 0 END AS client_is_active
    FROM (
        SELECT id, noted_on FROM (
            SELECT id, code, noted_on, value, resolved_on,
                   MAX(noted_on) OVER (PARTITION BY client_id, code) AS latest_day
            FROM {condition}
            WHERE client_id IN (SELECT client_id FROM {care_team} WHERE user_id = %s)
              AND NOT entered_in_error AND code IN ({codes}) AND noted_on >= %s AND noted_on <= %s
        ) in_window
        WHERE (noted_on = latest_day AND noted_on >= %s AND ({chosen_labs}))
           OR (code IN ({findings}) AND noted_on >= %s AND (resolved_on IS NULL OR resolved_on > %s))
        ORDER BY noted_on DESC, id DESC
        LIMIT %s
    ) chosen
    JOIN {condition} c ON c.id = chosen.id
    JOIN {client} cl ON cl.id = c.client_id
    ORDER BY chosen.noted_on DESC, chosen.id DESC
"""


ATTENTION_CODES = [*LAB_CODES, *NEW_FINDING_CODES]


def lab_values_that_change_a_session():
    """{lab code: the value below which a result defers or modifies a session}, from the rule table."""
    return lab_thresholds(DEFER, MODIFY)
