"""The planning engine: plain facts about a client on a date in, a plan proposal out.

Pure on purpose: no Django, no database, no clock. The caller names the day of the session, so
the same facts always give the same proposal and every decision carries the rule that made it.
How notes combine follows RULES.md "How the engine combines rules"; severities, caps, minutes
and clearance come from protocols.rules and are never repeated here.

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

from protocols.rules import (
    AVOID,
    DEFER,
    ELSEWHERE,
    HANDS,
    MODIFY,
    ON_ARMS,
    RULES,
    RULES_BY_CODE,
    SESSION,
    SEVERITIES,
    Rule,
)
from protocols.vocabulary import (
    BOTH,
    CONDITION_SIDES,
    CONDITIONS,
    CONTRIBUTING_CAUSES,
    LOCATION_LABELS,
    MAX_PRESSURE,
    NEUROPATHY_TYPES,
    REGION_SINGULAR,
    REGIONS,
    SIDES,
    SYMPTOMS,
    expand_side,
    validate_condition,
)

OK = "ok"
MAX_SESSION_MINUTES = 60
LAB_VALID_DAYS = 14
NADIR_FIRST_DAY, NADIR_LAST_DAY = 7, 12
CLEARANCE_VALID_DAYS = 365

SENSORY_SYMPTOMS = frozenset({"tingling", "burning", "itching", "pins_and_needles", "pain", "numbness"})

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
        _TRIGGERS[rule.code](situation, notes)

    fired = notes.all()
    session_notes = notes.on(SESSION)
    session_caps = [note.rule.pressure_cap for note in session_notes if note.rule.pressure_cap is not None]
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
        "regions": [_region_item(target, chosen[target], notes.on(target), session_caps) for target in planned],
    }


def _region_item(target, template, notes, session_caps):
    """One region/side of the proposal, with the template lowered to its pressure cap."""
    region, side = target
    severities = {note.rule.severity for note in notes}
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
        "template": template.name,
        "template_key": template.key,
        "template_version": template.version,
        "minutes": 0,
        "steps": [],
        "notes": [note.as_dict() for note in notes],
    }
    if status != AVOID:
        caps = [note.rule.pressure_cap for note in notes if note.rule.pressure_cap is not None]
        pressure_max = min([template.pressure, *caps, *session_caps])
        item["pressure_max"] = pressure_max
        item["minutes"] = template.minutes
        item["steps"] = [
            {
                "technique": step.technique,
                "minutes": step.minutes,
                "pressure": min(step.pressure, pressure_max),
                "instruction": step.instruction,
            }
            for step in template.steps
        ]
    return item


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

    def places(self):
        """The (location, side) pairs it sits on; "both" on a region is split into left and right."""
        if self.location in REGIONS:
            return [(self.location, side) for side in expand_side(self.side)]
        return [(self.location, self.side)]

    def describe(self, place=None):
        """The fact a note quotes, e.g. "open wound (heel) on left foot, noted 2026-11-01"."""
        location, side = place or (self.location, self.side)
        text = _sentence_case(CONDITIONS[self.code].label)
        if self.fact.detail:
            text += f" ({self.fact.detail})"
        if self.code in _SIDE_ONLY_CONDITIONS:
            text += " (both sides)" if side == BOTH else f" ({side} side)"
        elif location is not None and location != "whole_body":
            text += f" on {_place(location, side)}"
        return f"{text}, noted {self.fact.noted_on.isoformat()}"


# Lymph nodes are recorded by side; the limb they drain is implied, so naming it would mislead.
_SIDE_ONLY_CONDITIONS = frozenset({"node_removal_axillary", "node_removal_inguinal"})
_LAB_NAMES = {"platelet_count": "platelets", "anc": "ANC"}


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

        self.labs = {code: self._valid_lab(conditions, code) for code in _LAB_NAMES}
        self.last_infusion = _latest(conditions, "chemo_infusion", self.plan_date)

    def active(self, *codes):
        """Active conditions with any of these codes."""
        return [condition for code in codes for condition in self._active.get(code, ())]

    def symptoms_at(self, target):
        return self.symptoms.get(target, frozenset())

    def _valid_lab(self, conditions, code):
        result = _latest(conditions, code, self.plan_date)
        if result is None or (self.plan_date - result.fact.noted_on).days > LAB_VALID_DAYS:
            return None
        return result


def _is_active(fact, plan_date):
    return fact.noted_on <= plan_date and (fact.resolved_on is None or fact.resolved_on > plan_date)


def _latest(conditions, code, plan_date):
    """The latest dated event on or before the plan date; on the same day the lowest value, to err safe."""
    events = [c for c in conditions if c.code == code and c.fact.noted_on <= plan_date]
    if not events:
        return None
    return max(events, key=lambda c: (c.fact.noted_on, -(c.fact.value or 0)))


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
            raise EngineError(f"symptoms for {_place(*target)} must be a set of codes, not {codes!r}")
        codes = frozenset(codes)
        unknown = sorted(codes - SYMPTOMS.keys())
        if unknown:
            raise EngineError(f"unknown symptom {unknown[0]!r} for {_place(*target)}")
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

    def as_dict(self):
        fact = "; ".join(self.facts)
        return {
            "severity": self.rule.severity,
            "rule": self.rule.code,
            "text": f"{fact[:1].upper()}{fact[1:]}. {self.rule.text}",
            "fact": fact,
            "sources": list(self.rule.sources),
        }


class _Notes:
    """Notes by target: SESSION or a planned (region, side) pair."""

    def __init__(self):
        self._by_target = {}

    def add(self, target, rule, fact):
        notes = self._by_target.setdefault(target, {})
        note = notes.get(rule.code)
        if note is None:
            notes[rule.code] = _Note(rule, [fact])
            return
        # Variants of one rule never meet on one target today; if they did, the stricter wins.
        if SEVERITIES.index(rule.severity) < SEVERITIES.index(note.rule.severity):
            note.rule = rule
        if fact not in note.facts:
            note.facts.append(fact)

    def on(self, target):
        """The target's notes, most severe first, then by rule code."""
        notes = self._by_target.get(target, {}).values()
        return sorted(notes, key=lambda note: (SEVERITIES.index(note.rule.severity), note.rule.code))

    def all(self):
        return [note for notes in self._by_target.values() for note in notes.values()]


# Triggers: one per rule code. Each decides whether its rule fires and where its note goes.


def _symptom_rule(code, symptoms):
    """A rule on each planned region/side that has any of these symptoms."""

    def trigger(situation, notes):
        for target in situation.planned:
            found = situation.symptoms_at(target) & symptoms
            if found:
                notes.add(target, RULES_BY_CODE[code], f"{_symptom_names(found)} in {_place(*target)}")

    return trigger


def _numbness(situation, notes):
    rule = RULES_BY_CODE["numbness"]
    for target in situation.planned:
        if "numbness" in situation.symptoms_at(target):
            notes.add(target, rule, f"numbness in {_place(*target)}")
    for condition in situation.active("loss_of_protective_sensation"):
        for place in condition.places():
            if place in situation.planned:
                notes.add(place, rule, condition.describe(place))


def _no_heat(situation, notes):
    rule = RULES_BY_CODE["no_heat"]
    numb = [target for target, symptoms in situation.symptoms.items() if "numbness" in symptoms]
    if numb:
        notes.add(SESSION, rule, f"numbness in {_places(numb)}")
    for condition in situation.active("loss_of_protective_sensation"):
        notes.add(SESSION, rule, condition.describe())


def _cold_sensitivity(situation, notes):
    rule = RULES_BY_CODE["cold_sensitivity"]
    cold = [
        target
        for target, symptoms in situation.symptoms.items()
        if target[0] in ("hands", "feet") and "cold_sensitivity" in symptoms
    ]
    facts = [f"cold sensitivity in {_places(cold)}"] if cold else []
    facts += [condition.describe() for condition in situation.active("oxaliplatin_course")]
    for target in situation.planned:
        if target[0] in ("hands", "feet"):
            for fact in facts:
                notes.add(target, rule, fact)


def _session_rule(code):
    """A rule that notes the session whenever its condition is active."""

    def trigger(situation, notes):
        for condition in situation.active(code):
            notes.add(SESSION, RULES_BY_CODE[code], condition.describe())

    return trigger


def _placed_rule(code, condition_codes=None):
    """A rule on the planned region/side its condition sits on; off the plan, its "elsewhere" variant if any."""

    def trigger(situation, notes):
        rule = RULES_BY_CODE[code]
        elsewhere = rule.variant(ELSEWHERE) if rule.has_variant(ELSEWHERE) else None
        for condition in situation.active(*(condition_codes or (code,))):
            for place in condition.places():
                if place in situation.planned:
                    notes.add(place, rule, condition.describe(place))
                elif elsewhere is not None:
                    notes.add(SESSION, elsewhere, condition.describe(place))

    return trigger


def _port(situation, notes):
    # The table's own outcome is the session caution (chest, abdomen); a port in a planned arm avoids it.
    rule = RULES_BY_CODE["port"]
    for condition in situation.active("port"):
        for place in condition.places():
            if place in situation.planned:
                notes.add(place, rule.variant(ON_ARMS), condition.describe(place))
            else:
                notes.add(SESSION, rule, condition.describe(place))


def _regions_rule(code, regions):
    """A rule on the named regions, every planned side, whenever its condition is active."""

    def trigger(situation, notes):
        for condition in situation.active(code):
            for target in situation.planned:
                if target[0] in regions:
                    notes.add(target, RULES_BY_CODE[code], condition.describe())

    return trigger


_WHOLE_LIMB = {"arms": ("arms", "hands"), "legs": ("legs", "feet")}


def _limb_rule(code):
    """A rule on the whole limb (arm and hand, or leg and foot) on the condition's side."""

    def trigger(situation, notes):
        for condition in situation.active(code):
            for limb, side in condition.places():
                for region in _WHOLE_LIMB[limb]:
                    if (region, side) in situation.planned:
                        notes.add((region, side), RULES_BY_CODE[code], condition.describe((limb, side)))

    return trigger


def _picc_line(situation, notes):
    rule = RULES_BY_CODE["picc_line"]
    for condition in situation.active("picc_line"):
        for _arms, side in condition.places():
            if ("arms", side) in situation.planned:
                notes.add(("arms", side), rule, condition.describe(("arms", side)))
            if ("hands", side) in situation.planned:
                notes.add(("hands", side), rule.variant(HANDS), condition.describe(("arms", side)))


def _nadir_window(situation, notes):
    infusion = situation.last_infusion
    if infusion is None:
        return
    days = (situation.plan_date - infusion.fact.noted_on).days
    if NADIR_FIRST_DAY <= days <= NADIR_LAST_DAY:
        fact = f"last chemotherapy infusion on {infusion.fact.noted_on.isoformat()}, {days} days before the session"
        notes.add(SESSION, RULES_BY_CODE["nadir_window"], fact)


def _counts_unknown(situation, notes):
    if situation.labs["platelet_count"] is not None:
        return
    for condition in situation.active("active_chemo"):
        fact = f"{condition.describe()}, and no platelet count from the {LAB_VALID_DAYS} days before the session"
        notes.add(SESSION, RULES_BY_CODE["counts_unknown"], fact)


def _lab_rule(code, lab, low, high):
    """A rule on the session when the valid lab result is at least low and below high."""

    def trigger(situation, notes):
        result = situation.labs[lab]
        if result is not None and low <= result.fact.value < high:
            fact = f"{_LAB_NAMES[lab]} {_count(result.fact.value)} on {result.fact.noted_on.isoformat()}"
            notes.add(SESSION, RULES_BY_CODE[code], fact)

    return trigger


def _liver_disease(situation, notes):
    rule = RULES_BY_CODE["liver_disease"]
    for condition in situation.active("liver_disease"):
        notes.add(SESSION, rule, condition.describe())
    if "liver_disease" in situation.causes:
        notes.add(SESSION, rule, "liver disease recorded as a contributing cause")


_TRIGGERS = {
    "sensory_change": _symptom_rule("sensory_change", SENSORY_SYMPTOMS),
    "numbness": _numbness,
    "allodynia": _symptom_rule("allodynia", frozenset({"allodynia"})),
    "weakness": _symptom_rule("weakness", frozenset({"weakness"})),
    "no_heat": _no_heat,
    "cold_sensitivity": _cold_sensitivity,
    "open_wound": _placed_rule("open_wound"),
    "new_foot_finding": _placed_rule("new_foot_finding"),
    "charcot_suspected": _placed_rule("charcot_suspected"),
    "fungal_infection": _placed_rule("fungal_infection"),
    "fragile_skin": _session_rule("fragile_skin"),
    "amputation": _placed_rule("amputation"),
    "pad": _regions_rule("pad", ("legs", "feet")),
    "dvt_suspected": _session_rule("dvt_suspected"),
    "vte_history": _placed_rule("vte_history"),
    "edema": _placed_rule("edema"),
    "lymphedema": _limb_rule("lymphedema"),
    "node_removal_axillary": _limb_rule("node_removal_axillary"),
    "node_removal_inguinal": _limb_rule("node_removal_inguinal"),
    "heart_failure": _regions_rule("heart_failure", ("legs", "feet")),
    "anticoagulant": _session_rule("anticoagulant"),
    "insulin_site": _placed_rule("insulin_site", ("insulin_site", "insulin_pump")),
    "insulin_user": _session_rule("insulin_user"),
    "poor_glycemic_control": _session_rule("poor_glycemic_control"),
    "active_chemo": _session_rule("active_chemo"),
    "nadir_window": _nadir_window,
    "counts_unknown": _counts_unknown,
    "platelets_low": _lab_rule("platelets_low", "platelet_count", 50_000, 100_000),
    "platelets_very_low": _lab_rule("platelets_very_low", "platelet_count", 20_000, 50_000),
    "platelets_critical": _lab_rule("platelets_critical", "platelet_count", 0, 20_000),
    "anc_low": _lab_rule("anc_low", "anc", 500, 1_000),
    "anc_critical": _lab_rule("anc_critical", "anc", 0, 500),
    "port": _port,
    "picc_line": _picc_line,
    "radiation_field": _placed_rule("radiation_field"),
    "bone_metastasis": _placed_rule("bone_metastasis"),
    "cancer_fatigue": _session_rule("cancer_fatigue"),
    "fever": _session_rule("fever"),
    "active_infection": _session_rule("active_infection"),
    "intoxicated": _session_rule("intoxicated"),
    "rapid_progression": _session_rule("rapid_progression"),
    "fall_risk": _session_rule("fall_risk"),
    "liver_disease": _liver_disease,
    "topical_anesthetic": _placed_rule("topical_anesthetic"),
    "neuropathic_pain_medication": _session_rule("neuropathic_pain_medication"),
    "tens_unit": _session_rule("tens_unit"),
}


# Wording.


def _place(location, side):
    """ "left foot", "both feet", "chest (left)"."""
    if location in REGIONS:
        return f"both {location}" if side == BOTH else f"{side} {REGION_SINGULAR[location]}"
    name = LOCATION_LABELS[location].lower()
    if side is None:
        return name
    return f"{name} (both sides)" if side == BOTH else f"{name} ({side})"


def _places(targets):
    """ "both hands and left foot": a region planned or affected on both sides is named once."""
    names = []
    for region in REGIONS:
        sides = [side for side in SIDES if (region, side) in targets]
        if sides:
            names.append(_place(region, BOTH if len(sides) == 2 else sides[0]))
    return _and_list(names)


def _symptom_names(codes):
    """ "tingling, burning and numbness", in the vocabulary's order."""
    return _and_list([_sentence_case(label) for code, label in SYMPTOMS.items() if code in codes])


def _and_list(words):
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _sentence_case(label):
    """Lower the first letter unless the label starts with an acronym (PICC line, TENS unit)."""
    if label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _count(value):
    """Format a lab value the way clinicians write it: 45,000."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,}"
