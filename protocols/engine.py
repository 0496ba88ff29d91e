"""The planning engine: plain facts about a client on a date in, a plan proposal out.

Pure on purpose: no Django, no database, no clock. The caller names the day of the session, so
the same facts always give the same proposal and every decision carries the rule that made it.
How notes combine follows RULES.md "How the engine combines rules". When a rule fires, and with
which conditions, symptoms, regions and thresholds, is its Trigger in protocols.rules; the engine
has one handler per trigger kind and writes no rule's parameters, severities, caps or texts.

Readings of RULES.md where it leaves room (tests pin each one):

- A condition is active when noted_on <= plan date < resolved_on (resolved today is inactive).
- Lab results and chemotherapy infusions are dated events: resolved_on is ignored for them, so a
  low count stands until a newer result replaces it. Of two results on the same latest day the
  lower value counts. A lab result 14 days old is valid, 15 days old is unknown.
- Physician clearance is on file when dated from plan date - 365 days to the plan date, both
  inclusive; a clearance dated after the plan date is not on file yet.
- A rule scoped to regions ("legs, feet", the limb of a lymphedema, the hand below a PICC line)
  notes only the planned region/sides; with none of them planned it adds no note, so e.g. PAD
  with only arms planned requires no clearance.
- A condition on a region/side that is not planned gets the rule's "elsewhere" variant where
  RULES.md has one (a session note) and no note otherwise (edema, fungal infection, amputation,
  new foot finding and Charcot foot off the plan). A "both" condition is split by side first,
  so with only the left foot planned a wound on both feet avoids the left foot and adds a
  session caution for the right one. A port on an arm that is not planned, or on the chest or
  abdomen, gets the session caution; vte_history without a planned region gets its session
  caution with clearance.
- no_heat looks at every region of the client's profile, planned or not: heat burns happen at
  home and on the table alike. cold_sensitivity fires from cold-sensitive hands or feet anywhere
  in the profile (or oxaliplatin) and notes the planned hands and feet.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from protocols.labels import LAB_NAMES, and_list, count, format_date, place, places, sentence_case
from protocols.rules import (
    AVOID,
    CONDITION,
    DAYS_SINCE,
    DEFER,
    LAB_MISSING,
    LAB_RANGE,
    LIMB,
    MODIFY,
    PLACED,
    PROFILE,
    PROFILE_TO_REGIONS,
    REGION_LIST,
    RULES,
    SESSION,
    SEVERITIES,
    SYMPTOM_AT,
    Rule,
)
from protocols.vocabulary import (
    BOTH,
    CONDITION_SIDES,
    CONDITIONS,
    CONTRIBUTING_CAUSES,
    MAX_PRESSURE,
    NEUROPATHY_TYPES,
    REGIONS,
    SIDES,
    STEP_KINDS,
    SYMPTOMS,
    expand_side,
    validate_condition,
)

OK = "ok"
MAX_SESSION_MINUTES = 60
LAB_VALID_DAYS = 14
CLEARANCE_VALID_DAYS = 365

# Lab results: the conditions that carry a number.
LAB_CODES = tuple(code for code, kind in CONDITIONS.items() if kind.value is not None)
RULE_ORDER = {rule.code: index for index, rule in enumerate(RULES)}

# Every plannable region/side in plan order: arms, hands, legs, feet; left before right.
PLAN_ORDER = {pair: index for index, pair in enumerate((region, side) for region in REGIONS for side in SIDES)}


class EngineError(ValueError):
    """Facts or a request the engine cannot interpret; the message names the bad value."""


@dataclass(frozen=True)
class ConditionFact:
    """One recorded condition of a client, active or not."""

    code: str
    noted_on: date
    location: str | None = None
    side: str | None = None
    value: int | float | Decimal | None = None
    resolved_on: date | None = None
    detail: str = ""


@dataclass(frozen=True)
class ClientFacts:
    """What the engine knows about a client for a session on plan_date."""

    client_id: int | None
    neuropathy_type: str
    plan_date: date
    # (region, side) -> symptom codes, side being left or right.
    symptoms: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    contributing_causes: frozenset[str] = frozenset()
    # All of the client's conditions: the engine decides which are active on plan_date.
    conditions: tuple[ConditionFact, ...] = ()
    clearance_date: date | None = None


@dataclass(frozen=True)
class TemplateStep:
    technique: str
    minutes: int
    pressure: int
    instruction: str
    # A code of vocabulary.STEP_KINDS; None for a clinic's step whose kind is not set yet.
    kind: str | None = None


@dataclass(frozen=True)
class Template:
    """A protocol for one region on one side."""

    key: str
    name: str
    region: str
    steps: tuple[TemplateStep, ...]
    neuropathy_type: str | None = None  # None: for every type
    version: int = 1

    @property
    def minutes(self):
        return sum(step.minutes for step in self.steps)

    @property
    def pressure(self):
        """The template's own pressure: its highest step pressure."""
        return max((step.pressure for step in self.steps), default=0)


def parse_regions(text):
    """Parse "feet,hands:left" into (region, side) pairs in plan order; a bare region means both sides."""
    if text is None or not text.strip():
        raise EngineError("no regions given")
    planned = set()
    for part in text.split(","):
        region, colon, side = (piece.strip() for piece in part.partition(":"))
        if not region and not colon:
            raise EngineError(f"empty region in {text!r}")
        if region not in REGIONS:
            raise EngineError(f"unknown region {region!r}")
        if not colon:
            sides = SIDES
        elif side in CONDITION_SIDES:
            sides = expand_side(side)
        else:
            raise EngineError(f"unknown side {side!r} for region {region!r}")
        planned.update((region, side) for side in sides)
    return sorted(planned, key=PLAN_ORDER.get)


def propose(facts, regions, templates, choices=None):
    """Return the plan proposal (DESIGN.md contract) for the client on facts.plan_date."""
    if facts.neuropathy_type not in NEUROPATHY_TYPES:
        raise EngineError(f"unknown neuropathy type {facts.neuropathy_type!r}")
    planned = _checked_regions(regions)
    chosen = _choose_templates(planned, facts.neuropathy_type, _checked_templates(templates), choices or {})
    situation = _Situation(facts, planned)

    notes = _Notes()
    for rule in RULES:
        _HANDLERS[rule.trigger.kind](rule, situation, notes)
    notes.drop_replaced()

    fired = notes.all()
    session_notes = notes.on(SESSION)
    minutes_caps = [note.rule.minutes_cap for note in fired if note.rule.minutes_cap is not None]
    return {
        "client": facts.client_id,
        "neuropathy_type": facts.neuropathy_type,
        "plan_date": facts.plan_date.isoformat(),
        "session": {
            "status": DEFER if any(note.rule.severity == DEFER for note in fired) else OK,
            "max_minutes": min([MAX_SESSION_MINUTES, *minutes_caps]),
            "requires_clearance": any(note.rule.requires_clearance for note in fired),
            "clearance_on_file": _clearance_on_file(facts.clearance_date, facts.plan_date),
            "notes": [note.as_dict() for note in session_notes],
        },
        "regions": [_region_item(target, chosen[target], notes.on(target), session_notes) for target in planned],
    }


def _region_item(target, template, notes, session_notes):
    """One region/side of the proposal: the template lowered to its cap, without the steps rules drop."""
    region, side = target
    severities = {note.rule.severity for note in notes}
    session_caps = [note for note in session_notes if note.rule.pressure_cap is not None]
    if AVOID in severities:
        status = AVOID
    elif MODIFY in severities or session_caps:
        # A session-wide cap means every region is worked with changes.
        status = MODIFY
    else:
        status = OK

    item = {
        "region": region,
        "side": side,
        "status": status,
        "pressure_max": None,
        "pressure_set_by": [],
        "template": template.name,
        "template_key": template.key,
        "template_version": template.version,
        "minutes": 0,
        "steps": [],
        "dropped_steps": [],
        "notes": [note.as_dict() for note in notes],
    }
    if status == AVOID:
        return item
    capping = [note.rule for note in [*notes, *session_caps] if note.rule.pressure_cap is not None]
    pressure_max = min([template.pressure, *(rule.pressure_cap for rule in capping)])
    kept, dropped = _apply_drops(template.steps, [note.rule for note in [*notes, *session_notes]])
    item["pressure_max"] = pressure_max
    item["pressure_set_by"] = sorted(
        {rule.code for rule in capping if rule.pressure_cap == pressure_max}, key=RULE_ORDER.get
    )
    item["minutes"] = sum(step.minutes for step in kept)
    item["steps"] = [
        {
            "kind": step.kind or None,
            "technique": step.technique,
            "minutes": step.minutes,
            "pressure": min(step.pressure, pressure_max),
            "instruction": step.instruction,
        }
        for step in kept
    ]
    item["dropped_steps"] = dropped
    return item


def _apply_drops(steps, rules):
    """The steps the rules keep, and the dropped ones with why (RULES.md "Step kinds").

    A step whose kind is not set is dropped by every rule that drops any kind: the safe side.
    """
    droppers = sorted((rule for rule in rules if rule.drops), key=lambda rule: RULE_ORDER[rule.code])
    kept, dropped = [], []
    for step in steps:
        by = [rule for rule in droppers if not step.kind or step.kind in rule.drops]
        if not by:
            kept.append(step)
            continue
        what = STEP_KINDS[step.kind].lower() if step.kind else f"{step.technique} (kind not set)"
        reason = and_list(dict.fromkeys(rule.drop_reason for rule in by))
        dropped.append(
            {
                "kind": step.kind or None,
                "technique": step.technique,
                "minutes": step.minutes,
                "rule": by[0].code,
                "rules": [rule.code for rule in by],
                "reason": reason,
                "text": f"dropped: {what}, {reason}",
            }
        )
    return kept, dropped


def _clearance_on_file(clearance_date, plan_date):
    if clearance_date is None:
        return False
    return plan_date - timedelta(days=CLEARANCE_VALID_DAYS) <= clearance_date <= plan_date


# Input checks: anything the engine cannot interpret is refused with its name, never skipped.


def _checked_side_pair(pair, what):
    try:
        region, side = pair
    except (TypeError, ValueError):
        raise EngineError(f"{what} must be a (region, side) pair, not {pair!r}") from None
    if region not in REGIONS:
        raise EngineError(f"unknown region {region!r} in {what}")
    if side not in SIDES:
        raise EngineError(f"unknown side {side!r} for {region!r} in {what}; use left or right")
    return region, side


def _checked_regions(regions):
    planned = {_checked_side_pair(pair, "planned regions") for pair in regions}
    return tuple(sorted(planned, key=PLAN_ORDER.get))


def _checked_templates(templates):
    by_key = {}
    for template in templates:
        if template.region not in REGIONS:
            raise EngineError(f"template {template.key!r} has unknown region {template.region!r}")
        if template.neuropathy_type is not None and template.neuropathy_type not in NEUROPATHY_TYPES:
            raise EngineError(f"template {template.key!r} has unknown neuropathy type {template.neuropathy_type!r}")
        for step in template.steps:
            if not 0 <= step.pressure <= MAX_PRESSURE:
                raise EngineError(f"template {template.key!r} has a step with pressure {step.pressure!r}")
        if template.key in by_key:
            raise EngineError(f"two templates share the key {template.key!r}")
        by_key[template.key] = template
    return by_key


def _choose_templates(planned, neuropathy_type, by_key, choices):
    """Pick each region/side's template: the chosen one, else the type's own, else the generic one."""
    for target, key in choices.items():
        if target not in planned:
            raise EngineError(f"template choice for {target!r}, which is not in the plan")
        if key not in by_key:
            raise EngineError(f"unknown template {key!r}")
        if by_key[key].region != target[0]:
            raise EngineError(f"template {key!r} is for {by_key[key].region}, not {target[0]}")

    chosen = {}
    for target in planned:
        if target in choices:
            chosen[target] = by_key[choices[target]]
            continue
        region = target[0]
        own = [t for t in by_key.values() if t.region == region and t.neuropathy_type == neuropathy_type]
        generic = [t for t in by_key.values() if t.region == region and t.neuropathy_type is None]
        candidates = own or generic
        if not candidates:
            raise EngineError(f"no template for region {region!r}")
        chosen[target] = min(candidates, key=lambda t: t.key)
    return chosen


# What the rules look at.


@dataclass(frozen=True)
class _Condition:
    """A checked condition, with an implied location filled in."""

    fact: ConditionFact
    location: str | None
    side: str | None

    @property
    def code(self):
        return self.fact.code

    @property
    def noted_on(self):
        return self.fact.noted_on

    @property
    def value(self):
        return self.fact.value

    def places(self):
        """The (location, side) pairs it sits on; "both" on a region is split into left and right."""
        if self.location in REGIONS:
            return [(self.location, side) for side in expand_side(self.side)]
        return [(self.location, self.side)]

    def describe(self, where=None):
        """The fact a note quotes, e.g. "open wound (heel) on left foot, noted 2026-11-01"."""
        location, side = where or (self.location, self.side)
        text = _sentence_case(CONDITIONS[self.code].label)
        if self.fact.detail:
            text += f" ({self.fact.detail})"
        if self.code in _SIDE_ONLY_CONDITIONS:
            text += " (both sides)" if side == BOTH else f" ({side} side)"
        elif location is not None and location != "whole_body":
            text += f" on {place(location, side)}"
        return f"{text}, noted {format_date(self.fact.noted_on)}"


# Lymph nodes are recorded by side; the limb they drain is implied, so naming it would mislead.
_SIDE_ONLY_CONDITIONS = frozenset({"node_removal_axillary", "node_removal_inguinal"})


class _Situation:
    """The client's facts on the plan date, checked, and the plan's region/sides."""

    def __init__(self, facts, planned):
        self.plan_date = facts.plan_date
        self.planned = planned
        self.symptoms = _checked_symptoms(facts.symptoms)
        self.causes = _checked_causes(facts.contributing_causes)

        conditions = sorted(
            (_checked_condition(fact) for fact in facts.conditions),
            key=lambda c: (c.code, c.fact.noted_on, c.location or "", c.side or "", c.fact.detail),
        )
        self._active = {}
        for condition in conditions:
            if _is_active(condition.fact, self.plan_date):
                self._active.setdefault(condition.code, []).append(condition)

        self._conditions = conditions
        self.labs = {code: self._valid_lab(conditions, code) for code in LAB_CODES}

    def active(self, *codes):
        """Active conditions with any of these codes."""
        return [condition for code in codes for condition in self._active.get(code, ())]

    def latest(self, code):
        """The latest dated event of a code on or before the plan date."""
        return _latest(self._conditions, code, self.plan_date)

    def on_file(self, *codes):
        """Whether a condition of any of these codes is active on the plan date."""
        return bool(self.active(*codes))

    def symptoms_at(self, target):
        return self.symptoms.get(target, frozenset())

    def _valid_lab(self, conditions, code):
        return lab_in_use([c for c in conditions if c.code == code], self.plan_date)


def _is_active(fact, plan_date):
    return fact.noted_on <= plan_date and (fact.resolved_on is None or fact.resolved_on > plan_date)


def _latest(conditions, code, plan_date):
    return in_use([c for c in conditions if c.code == code], plan_date)


def in_use(events, day, valid_days=None):
    """The one of several dated events of one kind that counts on `day` (RULES.md, settled readings).

    `events` are anything with `noted_on` and `value` (engine facts, the client's saved conditions).
    The latest dated on or before `day` counts; of several on that day the lowest value, to err
    safe. None when there is none, or (with `valid_days`) when the latest is older than that.
    """
    events = [event for event in events if event.noted_on <= day]
    if not events:
        return None
    latest = max(events, key=lambda event: (event.noted_on, -(event.value or 0)))
    if valid_days is not None and (day - latest.noted_on).days > valid_days:
        return None
    return latest


def lab_in_use(results, day):
    """The lab result the engine uses on `day`, or None (unknown): every page that shows a current lab
    value shows this one."""
    return in_use(results, day, LAB_VALID_DAYS)


def _checked_condition(fact):
    if not isinstance(fact.noted_on, date):
        raise EngineError(f"condition {fact.code!r} needs a noted_on date")
    try:
        location, side = validate_condition(fact.code, fact.location, fact.side, fact.value)
    except (KeyError, ValueError) as error:
        raise EngineError(str(error)) from None
    return _Condition(fact, location, side)


def _checked_symptoms(symptoms):
    checked = {}
    for pair, codes in symptoms.items():
        target = _checked_side_pair(pair, "symptoms")
        if isinstance(codes, str):
            raise EngineError(f"symptoms for {place(*target)} must be a set of codes, not {codes!r}")
        codes = frozenset(codes)
        unknown = sorted(codes - SYMPTOMS.keys())
        if unknown:
            raise EngineError(f"unknown symptom {unknown[0]!r} for {place(*target)}")
        checked[target] = codes
    return dict(sorted(checked.items(), key=lambda item: PLAN_ORDER[item[0]]))


def _checked_causes(causes):
    causes = frozenset(causes)
    unknown = sorted(causes - CONTRIBUTING_CAUSES.keys())
    if unknown:
        raise EngineError(f"unknown contributing cause {unknown[0]!r}")
    return causes


# Notes: one per rule per target, quoting every fact that fired it.


@dataclass
class _Note:
    rule: Rule
    facts: list[str]
    # The target is none of the facts' own places (cold hands noted on the feet).
    away: bool
    here: str

    def as_dict(self):
        fact = "; ".join(self.facts)
        text = self.rule.text_away.format(here=self.here) if self.away and self.rule.text_away else self.rule.text
        return {
            "severity": self.rule.severity,
            "rule": self.rule.code,
            "pressure_cap": self.rule.pressure_cap,
            "text": f"{fact[:1].upper()}{fact[1:]}. {text}",
            "fact": fact,
            "sources": list(self.rule.sources),
        }


class _Notes:
    """Notes by target: SESSION or a planned (region, side) pair."""

    def __init__(self):
        self._by_target = {}

    def add(self, target, rule, fact, away=False):
        notes = self._by_target.setdefault(target, {})
        note = notes.get(rule.code)
        if note is None:
            here = target[0] if target != SESSION else ""
            notes[rule.code] = _Note(rule, [fact], away, here)
            return
        # Variants of one rule never meet on one target today; if they did, the stricter wins.
        if SEVERITIES.index(rule.severity) < SEVERITIES.index(note.rule.severity):
            note.rule = rule
        note.away = note.away and away
        if fact not in note.facts:
            note.facts.append(fact)

    def drop_replaced(self):
        """One symptom note per place: a rule's note goes where a rule in its trigger's `unless` noted too."""
        for notes in self._by_target.values():
            for code in list(notes):
                if any(other in notes for other in notes[code].rule.trigger.unless):
                    del notes[code]

    def on(self, target):
        """The target's notes, most severe first, then by rule code."""
        notes = self._by_target.get(target, {}).values()
        return sorted(notes, key=lambda note: (SEVERITIES.index(note.rule.severity), note.rule.code))

    def all(self):
        return [note for notes in self._by_target.values() for note in notes.values()]


# Handlers: one per trigger kind (protocols.rules). Each reads its rule's trigger, decides
# whether the rule fires and where its note goes; no rule's parameters are written here.


def _symptom_at(rule, situation, notes):
    trigger = rule.trigger
    for target in situation.planned:
        present = situation.symptoms_at(target)
        found = present & trigger.symptoms
        if found:
            named = found | (present & trigger.mentions)
            notes.add(target, rule, f"{_symptom_names(named)} in {place(*target)}")
    for condition in situation.active(*trigger.conditions):
        for where in condition.places():
            if where in situation.planned:
                notes.add(where, rule, condition.describe(where))


def _profile(rule, situation, notes):
    trigger = rule.trigger
    found = [target for target, symptoms in situation.symptoms.items() if symptoms & trigger.symptoms]
    if found:
        notes.add(SESSION, rule, f"{_symptom_names(trigger.symptoms)} in {places(found)}")
    for condition in situation.active(*trigger.conditions):
        notes.add(SESSION, rule, condition.describe())


def _profile_to_regions(rule, situation, notes):
    trigger = rule.trigger
    found = [
        target
        for target, symptoms in situation.symptoms.items()
        if target[0] in trigger.symptom_regions and symptoms & trigger.symptoms
    ]
    facts = [(f"{_symptom_names(trigger.symptoms)} in {places(found)}", set(found))] if found else []
    facts += [(condition.describe(), None) for condition in situation.active(*trigger.conditions)]
    for target in situation.planned:
        if target[0] in trigger.regions:
            for fact, where in facts:
                notes.add(target, rule, fact, away=where is not None and target not in where)


def _condition(rule, situation, notes):
    trigger = rule.trigger
    if trigger.without_context and not situation.on_file(*trigger.context) and not _low_counts(situation):
        rule = rule.variant(trigger.without_context)
    for condition in situation.active(*trigger.conditions):
        notes.add(SESSION, rule, condition.describe())
    for cause in trigger.causes:
        if cause in situation.causes:
            notes.add(SESSION, rule, f"{CONTRIBUTING_CAUSES[cause].lower()} recorded as a contributing cause")


def _placed(rule, situation, notes):
    trigger = rule.trigger
    for condition in situation.active(*trigger.conditions):
        for where in condition.places():
            if where in situation.planned:
                notes.add(where, rule.variant(trigger.on_plan), condition.describe(where))
            elif trigger.off_plan is not None:
                notes.add(SESSION, rule.variant(trigger.off_plan), condition.describe(where))


def _region_list(rule, situation, notes):
    for condition in situation.active(*rule.trigger.conditions):
        for target in situation.planned:
            if target[0] in rule.trigger.regions:
                notes.add(target, rule, condition.describe())


def _limb(rule, situation, notes):
    for condition in situation.active(*rule.trigger.conditions):
        for limb, side in condition.places():
            for region, variant in rule.trigger.limb_regions(limb):
                if (region, side) in situation.planned:
                    notes.add((region, side), rule.variant(variant), condition.describe((limb, side)))


def _days_since(rule, situation, notes):
    trigger = rule.trigger
    for code in trigger.conditions:
        event = situation.latest(code)
        if event is None:
            continue
        days = (situation.plan_date - event.fact.noted_on).days
        if trigger.first <= days <= trigger.last:
            label = _sentence_case(CONDITIONS[code].label)
            fact = f"{label} on {format_date(event.fact.noted_on)}, {days} days before the session"
            notes.add(SESSION, rule, fact)


def _lab_missing(rule, situation, notes):
    trigger = rule.trigger
    if situation.labs[trigger.lab] is not None:
        return
    for condition in situation.active(*trigger.conditions):
        lab = _sentence_case(CONDITIONS[trigger.lab].label)
        fact = f"{condition.describe()}, and no {lab} from the {LAB_VALID_DAYS} days before the session"
        notes.add(SESSION, rule, fact)


def _lab_range(rule, situation, notes):
    result = _in_range(rule.trigger, situation)
    if result is not None:
        fact = f"{LAB_NAMES[rule.trigger.lab]} {count(result.fact.value)} on {format_date(result.fact.noted_on)}"
        notes.add(SESSION, rule, fact)


def _in_range(trigger, situation):
    """The valid lab result when it lies in the trigger's range, else None."""
    result = situation.labs.get(trigger.lab)
    if result is not None and trigger.low <= result.fact.value < trigger.high:
        return result
    return None


def _low_counts(situation):
    """Whether any lab rule of the table fires: a low count is on file."""
    return any(_in_range(rule.trigger, situation) for rule in RULES if rule.trigger.kind == LAB_RANGE)


_HANDLERS = {
    SYMPTOM_AT: _symptom_at,
    PROFILE: _profile,
    PROFILE_TO_REGIONS: _profile_to_regions,
    CONDITION: _condition,
    PLACED: _placed,
    REGION_LIST: _region_list,
    LIMB: _limb,
    DAYS_SINCE: _days_since,
    LAB_MISSING: _lab_missing,
    LAB_RANGE: _lab_range,
}


# Wording (the shared words live in protocols.labels).


def _symptom_names(codes):
    """ "tingling, burning and numbness", in the vocabulary's order."""
    return and_list([_sentence_case(label) for code, label in SYMPTOMS.items() if code in codes])


_sentence_case = sentence_case
