"""The planning engine: plain facts about a client on a date in, a plan proposal out.

Pure on purpose: no Django, no database, no clock. The caller names the day of the session, so
the same facts always give the same proposal and every decision carries the rule that made it.
How notes combine follows RULES.md "How the engine combines rules". When a rule fires, and with
which conditions, symptoms, regions and thresholds, is its Trigger in protocols.rules; the engine
has one handler per trigger kind (protocols.triggers) and writes no rule's parameters,
severities, caps or texts. The facts it reads are in protocols.facts, re-exported here.

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

from datetime import timedelta

from protocols.facts import (
    CLEARANCE_VALID_DAYS,
    LAB_CODES,
    LAB_VALID_DAYS,
    PLAN_ORDER,
    ClientFacts,
    ConditionFact,
    EngineError,
    Template,
    TemplateStep,
    in_use,
    lab_in_use,
)
from protocols.labels import and_list
from protocols.rules import AVOID, DEFER, MODIFY, RULES, SESSION
from protocols.triggers import HANDLERS, Notes, Situation, checked_side_pair
from protocols.vocabulary import (
    CONDITION_SIDES,
    MAX_PRESSURE,
    NEUROPATHY_TYPES,
    REGIONS,
    SIDES,
    STEP_KINDS,
    expand_side,
)

__all__ = [
    "CLEARANCE_VALID_DAYS",
    "LAB_CODES",
    "LAB_VALID_DAYS",
    "ClientFacts",
    "ConditionFact",
    "EngineError",
    "Template",
    "TemplateStep",
    "in_use",
    "lab_in_use",
    "parse_regions",
    "propose",
]

OK = "ok"
MAX_SESSION_MINUTES = 60
RULE_ORDER = {rule.code: index for index, rule in enumerate(RULES)}


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
    situation = Situation(facts, planned)

    notes = Notes()
    for rule in RULES:
        HANDLERS[rule.trigger.kind](rule, situation, notes)
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


def _checked_regions(regions):
    planned = {checked_side_pair(pair, "planned regions") for pair in regions}
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
