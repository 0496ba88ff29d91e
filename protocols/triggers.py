"""How the rules of protocols.rules fire: the client's facts on the plan date, checked, and one
handler per trigger kind that decides whether a rule fires and where its note goes.

Pure (no Django). No rule's parameters are written here: each handler reads its rule's trigger.
"""

from dataclasses import dataclass
from datetime import date

from protocols.facts import LAB_CODES, LAB_VALID_DAYS, PLAN_ORDER, ConditionFact, EngineError, in_use, lab_in_use
from protocols.labels import LAB_NAMES, and_list, count, format_date, place, places, sentence_case
from protocols.rules import (
    BELOW,
    CONDITION,
    DAYS_SINCE,
    LAB_MISSING,
    LAB_RANGE,
    LIMB,
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
    CONDITIONS,
    CONTRIBUTING_CAUSES,
    LOCATION_LABELS,
    REGIONS,
    SIDES,
    SYMPTOMS,
    expand_side,
    validate_condition,
)


def checked_side_pair(pair, what):
    """A (region, side) pair with a planned region and left or right, or EngineError naming `what`."""
    try:
        region, side = pair
    except (TypeError, ValueError):
        raise EngineError(f"{what} must be a (region, side) pair, not {pair!r}") from None
    if region not in REGIONS:
        raise EngineError(f"unknown region {region!r} in {what}")
    if side not in SIDES:
        raise EngineError(f"unknown side {side!r} for {region!r} in {what}; use left or right")
    return region, side


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

    def places_with_below(self):
        """(place, where it sits): its own places, then the hand or foot below an arm or leg."""
        own = [(where, where) for where in self.places()]
        return own + [((_BELOW[where[0]], where[1]), where) for where, _ in own if where[0] in _BELOW]

    def describe(self, where=None):
        """The fact a note quotes, e.g. "open wound (heel) on left foot, noted 2026-11-01"."""
        location, side = where or (self.location, self.side)
        text = _sentence_case(CONDITIONS[self.code].label)
        if self.fact.detail:
            text += f" ({self.fact.detail})"
        if self.code in _SIDE_ONLY_CONDITIONS:
            text += " on both sides" if side == BOTH else f" on the {side} side"
        elif location in REGIONS:
            text += f" on {place(location, side)}"
        elif location is not None and location != "whole_body":
            text += f" {_on_the_side_of(location, side)}"
        return f"{text}, noted {format_date(self.fact.noted_on)}"


def _on_the_side_of(location, side):
    """ "on the right side of the chest": a fact on the trunk, head or neck, said as a sentence says it."""
    name = LOCATION_LABELS[location].lower()
    if side is None:
        return f"on the {name}"
    return f"on both sides of the {name}" if side == BOTH else f"on the {side} side of the {name}"


# The region below a limb's upper region, same side.
_BELOW = {"arms": "hands", "legs": "feet"}

# Lymph nodes are recorded by side; the limb they drain is implied, so naming it would mislead.
_SIDE_ONLY_CONDITIONS = frozenset({"node_removal_axillary", "node_removal_inguinal"})


class Situation:
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
        target = checked_side_pair(pair, "symptoms")
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
        if self.away and self.rule.text_away:
            text = self.rule.text_away.format(here=self.here)
        else:
            text = self.rule.text_many if len(self.facts) > 1 and self.rule.text_many else self.rule.text
        return {
            "severity": self.rule.severity,
            "rule": self.rule.code,
            "pressure_cap": self.rule.pressure_cap,
            "text": f"{fact[:1].upper()}{fact[1:]}. {text}",
            "fact": fact,
            "sources": list(self.rule.sources),
        }


class Notes:
    """Notes by target: SESSION or a planned (region, side) pair."""

    def __init__(self):
        self._by_target = {}

    def add(self, target, rule, fact, away=False, here=None):
        """`here` names the target in an away note's text: its region ("the feet"), unless the
        handler names the place itself (the right hand, when the fact is in the left)."""
        notes = self._by_target.setdefault(target, {})
        note = notes.get(rule.code)
        if note is None:
            if here is None:
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
                # The place's symptoms the note names (loss of protective sensation with burning there),
                # unless a symptom of the rule's own already named them.
                others = situation.symptoms_at(where) & trigger.mentions
                if others and not situation.symptoms_at(where) & trigger.symptoms:
                    notes.add(where, rule, f"{_symptom_names(others)} in {place(*where)}")
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
                away = where is not None and target not in where
                # The same region's other side is named as a place: "keep the right hand warm too",
                # not "the hands", which would take in the hand the fact is about.
                here = place(*target) if away and any(other[0] == target[0] for other in where) else None
                notes.add(target, rule, fact, away=away, here=here)


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
        places = condition.places_with_below() if trigger.with_below else [(w, w) for w in condition.places()]
        for target, where in places:
            if target in situation.planned:
                variant = trigger.on_plan if target == where else BELOW
                notes.add(target, rule.variant(variant), condition.describe(where))
        own = condition.places()
        off = [where for where in own if where not in situation.planned]
        if trigger.off_plan is not None and off:
            # A condition on both sides, neither planned, is said once ("on both feet").
            for fact in [condition.describe()] if len(off) == len(own) > 1 else map(condition.describe, off):
                notes.add(SESSION, rule.variant(trigger.off_plan), fact)


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


HANDLERS = {
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
