"""A plan as it is read: proposal-shaped documents, places in page order, notes new since last time."""

from itertools import groupby
from operator import itemgetter

from django.db.models import Func, JSONField

from protocols.labels import SEVERITY_LABELS, place, places
from protocols.steps import scale_steps
from protocols.vocabulary import REGIONS

from .models import SessionRecord

# Client's right first, as on the body map (a front view): every page and sheet uses this order.
SIDES_IN_PAGE_ORDER = ("right", "left")


def place_key(region):
    """Sort key of a region/side dict or object: arms, hands, legs, feet; right before left."""
    name, side = (region["region"], region["side"]) if isinstance(region, dict) else (region.region, region.side)
    return REGIONS.index(name), SIDES_IN_PAGE_ORDER.index(side)


def region_rows(places):
    """Places grouped by region, one row each: (region, [right or None, left or None])."""
    by_place = {place_key(place): place for place in places}
    rows = []
    for index, region in enumerate(REGIONS):
        pair = [by_place.get((index, side)) for side in range(len(SIDES_IN_PAGE_ORDER))]
        if any(pair):
            rows.append((region, pair))
    return rows


def display_steps(steps, minutes, pressure):
    """The steps as they will be worked: scaled to the region's minutes and at most its planned pressure."""
    if not steps or minutes < len(steps):
        return list(steps)
    return [
        {**step, "pressure": min(step["pressure"], pressure)} if pressure is not None else step
        for step in scale_steps(steps, minutes)
    ]


def region_document(region):
    """One region/side of an engine proposal with its steps scaled to its minutes (the builder's cards)."""
    return {
        **region,
        "pressure": region["pressure_max"],
        "pressure_set_by": region.get("pressure_set_by", []),
        "dropped_steps": region.get("dropped_steps", []),
        "steps": display_steps(region["steps"], region["minutes"], region["pressure_max"]),
    }


def item_document(item, proposed=None):
    """One planned region/side in the proposal's shape, with the therapist's pressure and minutes.

    `pressure_max` is the rules' cap (as in the preview) and `pressure` the therapist's choice;
    `proposed` is the engine's region from the plan's snapshot, for what the item does not keep.
    """
    proposed = proposed or {}
    minutes = item.minutes if item.is_worked else 0
    return {
        "region": item.region,
        "side": item.side,
        "status": item.status,
        "pressure_max": item.pressure_max,
        "pressure": item.pressure,
        "pressure_set_by": proposed.get("pressure_set_by", []),
        "template": item.template_name,
        "template_key": item.template_key,
        "template_version": item.template_version,
        "minutes": minutes,
        "steps": display_steps(item.steps, item.minutes, item.pressure) if item.status != "avoid" else [],
        "dropped_steps": proposed.get("dropped_steps", []),
        "notes": item.notes,
    }


def _proposed_regions(plan):
    return {(r["region"], r["side"]): r for r in plan.proposal["regions"]}


def item_documents(plan, items):
    proposed = _proposed_regions(plan)
    return [item_document(item, proposed.get((item.region, item.side))) for item in items]


class ProposalOutline(Func):
    """What a plan's document reads from its proposal, without the regions' steps and notes (which
    the plan's items keep): {"neuropathy_type", "session", "regions": [{region, side,
    pressure_set_by, dropped_steps}]}, a tenth of the proposal to read and decode."""

    output_field = JSONField()
    template = (
        "(SELECT jsonb_build_object('neuropathy_type', %(expressions)s->'neuropathy_type', "
        "'session', %(expressions)s->'session', 'regions', COALESCE(jsonb_agg(jsonb_build_object("
        "'region', r->'region', 'side', r->'side', "
        "'pressure_set_by', COALESCE(r->'pressure_set_by', '[]'::jsonb), "
        "'dropped_steps', COALESCE(r->'dropped_steps', '[]'::jsonb))), '[]'::jsonb)) "
        "FROM jsonb_array_elements(%(expressions)s->'regions') AS r)"
    )

    def __init__(self, proposal="proposal"):
        super().__init__(proposal)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = (
            "(SELECT json_object('neuropathy_type', json_extract(%(expressions)s, '$.neuropathy_type'), "
            "'session', json(json_extract(%(expressions)s, '$.session')), 'regions', json_group_array(json_object("
            "'region', json_extract(r.value, '$.region'), 'side', json_extract(r.value, '$.side'), "
            "'pressure_set_by', json(COALESCE(json_extract(r.value, '$.pressure_set_by'), '[]')), "
            "'dropped_steps', json(COALESCE(json_extract(r.value, '$.dropped_steps'), '[]'))))) "
            "FROM json_each(%(expressions)s, '$.regions') AS r)"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)


def plan_document(plan, items, outline=None):
    """The saved plan in the proposal's shape (DESIGN.md) plus id, date, status and therapist.

    `outline` (see ProposalOutline) stands in for the proposal when the plan was read without it."""
    proposal = outline or plan.proposal
    items = sorted(items, key=place_key)
    proposed = {(r["region"], r["side"]): r for r in proposal["regions"]}
    documents = [item_document(item, proposed.get((item.region, item.side))) for item in items]
    regions = [doc for item, doc in zip(items, documents, strict=True) if not item.dropped]
    return {
        "id": plan.pk,
        "client": plan.client_id,
        "neuropathy_type": proposal["neuropathy_type"],
        "scheduled_for": plan.scheduled_for.isoformat(),
        "status": plan.status,
        "therapist": plan.therapist.username,
        "goals": plan.goals,
        "notes": plan.notes,
        "session": {**proposal["session"], "planned_minutes": sum(r["minutes"] for r in regions)},
        "regions": regions,
        "dropped": [{"region": i.region, "side": i.side} for i in items if i.dropped],
        # Flagged when the rules deferred the session on its date (read from the outline when given).
        **(
            {
                "late_entry": True,
                "late_reason": plan.late_reason,
                "late_flagged": proposal["session"]["status"] == "defer",
            }
            if plan.late_entry
            else {}
        ),
    }


SEVERITY_ORDER = list(SEVERITY_LABELS.items())


def notes_by_severity(session, regions):
    """Every note, of the session and the regions, grouped by severity for the print sheet.

    A note whose rule and text are the same on several places is printed once, naming them all
    ("both hands: Cold sensitivity in both hands. ..."), and so is a note that differs only by
    the place it names ("Numbness in right foot." and "... left foot." read "Numbness in both
    feet."), so the sheet repeats no sentence. A limb's note on the arm and the hand names the arm,
    where the fact is; printed once, it says it is about both ("left arm and left hand"), and the
    same note of each arm reads "both arms and both hands: ... on both arms", unless it says "this
    limb", when each arm keeps its own sentence. The same
    sentence on a place worked and on one not worked names both: "right foot (not worked); left foot".
    """
    groups = {severity: [] for severity, _ in SEVERITY_ORDER}
    for note in session["notes"]:
        groups[note["severity"]].append({**note, "where": "session"})
    # First the same sentence on several places ("Lymphedema on left arm ..." on the left arm and the
    # left hand, or on a foot worked and a foot not worked) is one entry ...
    by_text, entries = {}, []
    for order, region in enumerate(sorted(regions, key=place_key)):
        target = (region["region"], region["side"])
        for note in region["notes"]:
            # A place that is not worked keeps its other notes, said to be about a place not worked today.
            resting = region["status"] == "avoid" and note["severity"] != "avoid"
            key = (note["severity"], note["rule"], note["text"])
            entry = by_text.get(key)
            if entry is None:
                entry = by_text[key] = {**note, "targets": [], "new": False}
                entries.append(entry)
            entry["targets"].append((order, target, resting))
            entry["new"] = entry["new"] or note.get("new", False)
    # ... then entries whose sentences differ only by the place they name ("Numbness in right foot."
    # and "... left foot.", or the arm's note of each arm) are one, naming the places named together.
    by_any_place, merged = {}, []
    for entry in entries:
        any_place, named = _any_place_of(entry)
        restings = {resting for _order, _target, resting in entry["targets"]}
        key = (entry["severity"], entry["rule"], *restings, any_place)
        first = by_any_place.get(key) if named and len(restings) == 1 else None
        if first is None:
            entry["any_place"], entry["named"] = any_place, named and [named]
            by_any_place.setdefault(key, entry)
            merged.append(entry)
        else:
            first["targets"] = sorted(first["targets"] + entry["targets"])
            first["named"].append(named)
            first["new"] = first["new"] or entry["new"]
    for entry in merged:
        targets = [(target, resting) for _order, target, resting in entry.pop("targets")]
        entry["resting"] = all(resting for _target, resting in targets)
        if entry["resting"] or not any(resting for _target, resting in targets):
            entry["where"] = _places([target for target, _resting in targets])
        else:
            # Places in page order, those not worked said to be: "right foot (not worked); left foot".
            runs = [(resting, [target for target, _ in run]) for resting, run in groupby(targets, key=itemgetter(1))]
            entry["where"] = "; ".join(_places(run) + (" (not worked)" if resting else "") for resting, run in runs)
        named = entry.pop("named")
        if named and len(named) > 1:
            entry["text"] = entry["any_place"].replace(_ANY_PLACE, _places(named))
        del entry["any_place"]
        groups[entry["severity"]].append(entry)
    return [{"severity": severity, "label": label, "notes": groups[severity]} for severity, label in SEVERITY_ORDER]


_ANY_PLACE = "\x00place\x00"


def _places(targets):
    return places(targets) if len(targets) > 1 else place(*targets[0])


def _any_place_of(entry):
    """The entry's text with the one place of its own it names made a blank, and that place; or the
    text and None when it names none of its places, or several."""
    blanks = {}
    for _order, target, _resting in entry["targets"]:
        any_place = _text_of_any_place(entry["text"], target)
        if any_place != entry["text"]:
            blanks[target] = any_place
    if len(blanks) != 1:
        return entry["text"], None
    [(target, any_place)] = blanks.items()
    return any_place, target


def _text_of_any_place(text, target):
    """The note's text with its own place's name ("right foot") made a blank, when it names it once
    and never says "this foot", "this limb" or "this region" (which would not read for two)."""
    name = place(*target)
    if text.count(name) != 1 or any(f"this {word}" in text for word in (name.split()[-1], "limb", "region")):
        return text
    return text.replace(name, _ANY_PLACE)


# "New" notes (RULES.md "How a plan reads"): by rule code and place, never by text.

SESSION_PLACE = ("session", "")


def note_places(proposal):
    """{(rule, region, side)} of every note of a proposal; session notes sit at ("session", "")."""
    places = {(note["rule"], *SESSION_PLACE) for note in proposal["session"]["notes"]}
    for region in proposal["regions"]:
        places.update((note["rule"], region["region"], region["side"]) for note in region["notes"])
    return places


def last_signed_proposal(client, before, exclude_plan=None):
    """The proposal of the plan of the client's last signed session before `before`, or None."""
    records = SessionRecord.objects.signed().filter(client=client, started_at__lt=before).select_related("plan")
    if exclude_plan is not None:
        records = records.exclude(plan=exclude_plan)
    record = records.order_by("-started_at", "-pk").first()
    return record.plan.proposal if record else None


def mark_new(session, regions, earlier):
    """The session and regions with each note marked "new" when the earlier proposal had no such note there.

    With no earlier signed session there is nothing to compare with: no note is marked.
    """
    if earlier is None:
        return session, regions
    known = note_places(earlier)

    def marked(notes, region, side):
        return [{**note, "new": (note["rule"], region, side) not in known} for note in notes]

    session = {**session, "notes": marked(session["notes"], *SESSION_PLACE)}
    regions = [{**r, "notes": marked(r["notes"], r["region"], r["side"])} for r in regions]
    return session, regions
