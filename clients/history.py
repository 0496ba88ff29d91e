"""The change history of a client, its conditions and its clearances, in words: who, when, what."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Max

from protocols.labels import place, type_name
from protocols.vocabulary import CONTRIBUTING_CAUSES, REGIONS, SIDES, SYMPTOMS

from .models import Client, Condition, HistoricalClient_care_team, PhysicianClearance
from .roles import staff_name
from .validators import place_key


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: object
    summary: str  # "added a condition: open wound, left foot"
    changes: list[Change]


# A form save writes the record, then its care team (one more record per add or remove); within
# this time they are shown as one change.
_SAME_EDIT = timedelta(seconds=5)
_HIDDEN_FIELDS = {"created_at", "client"}
_M2M_FIELDS = ["care_team"]


def history_entries(client, limit=None):
    """The client's change history, newest first: the record, its conditions and its clearances.

    With a limit (the client page's recent changes), the newest `limit` changes, read from each
    history's newest rows and the row before each of them: the same entries as the whole history's
    newest, at a cost that does not grow with the client's history."""
    streams = [
        ("Client record", client.history.all()),
        (None, Condition.history.filter(client_id=client.pk)),
        ("Physician clearance", PhysicianClearance.history.filter(client_id=client.pk)),
    ]
    pairs = []
    for subject, history in streams:
        pairs += _stream_pairs(subject, history.select_related("history_user"), limit)
    pairs.sort(key=lambda pair: (pair[1].history_date, pair[1].history_id), reverse=True)
    if limit is not None:
        pairs = pairs[:limit]

    client_records = [record for subject, record, _ in pairs if subject == "Client record"]
    client_records += [old for subject, _, old in pairs if subject == "Client record" and old is not None]
    teams, users = _care_teams(client_records)
    entries = []
    for subject, record, old in pairs:
        entry = _entry(subject, record, old, teams, users)
        if entry is not None:
            entries.append(entry)
    return entries


def _first_window(limit):
    """How many of a history's newest rows are read first for its newest `limit` changes: a change can
    be two rows (a save and its care team), and a few more keep the edge away from the changes shown."""
    return 3 * limit + 1


def _stream_pairs(subject, history, limit):
    """[(subject, change, the change before it of the same object or None)], oldest first: every change
    of one history, or (with a limit) its newest `limit`.

    With a limit, the history's newest rows (a window) are read; a history longer than the window is
    read once more, for each object in the window its last row before it: what that object's first
    change in the window is compared with. When the window holds fewer than `limit` changes (saves
    folded with their care team are two rows), or one of the newest began before it (folded across
    the edge, so it cannot be compared), the window doubles and the history is read again."""
    chronological = ("history_date", "history_id")
    if limit is None:
        return _paired(subject, list(history.order_by(*chronological)), before=set())[0]
    window = _first_window(limit)
    while True:
        rows = list(history.order_by("-history_date", "-history_id")[: window + 1])[::-1]
        if len(rows) <= window:  # the whole history
            return _paired(subject, rows, before=set())[0][-limit:]
        rows = rows[1:]  # the oldest row read only told that there are more
        last_before = (
            history.filter(id__in={row.id for row in rows})
            .exclude(history_id__in=[row.history_id for row in rows])  # every row outside the window is older
            .values("id")
            .annotate(last=Max("history_id"))
            .values("last")
        )
        earlier = list(history.filter(history_id__in=last_before).order_by(*chronological))
        pairs, cut = _paired(subject, earlier + rows, before={row.history_id for row in earlier})
        shown = pairs[-limit:]
        if len(shown) == limit and not any(record.history_id in cut for _subject, record, _old in shown):
            return shown
        window *= 2


def _paired(subject, records, before):
    """(pairs, cut): a pair per change after the rows in `before` (read only to compare with), and the
    history ids of the changes whose first row is one of those."""
    pairs, cut, previous_of = [], set(), {}
    for record in _merge_same_edits(records):
        first = getattr(record, "first_history_id", record.history_id)
        if record.history_id not in before:
            pairs.append((subject, record, previous_of.get(record.id)))
            if first in before:
                cut.add(record.history_id)
        previous_of[record.id] = record
    return pairs, cut


def _merge_same_edits(records):
    """Fold a care-team-only record into the same user's save of the same object just before it."""
    kept = []
    for record in records:
        if (
            kept
            and kept[-1].id == record.id
            and kept[-1].history_user_id == record.history_user_id
            and record.history_type == "~"
            and record.history_date - kept[-1].history_date <= _SAME_EDIT
            and not record.diff_against(kept[-1], excluded_fields=_M2M_FIELDS).changes
        ):
            record.merged_type = getattr(kept[-1], "merged_type", kept[-1].history_type)
            record.first_history_id = getattr(kept[-1], "first_history_id", kept[-1].history_id)
            kept[-1] = record
        else:
            kept.append(record)
    return kept


def _care_teams(records):
    """({history_id: set of user ids}, {user id: name}): the care team as each client record saw it,
    and the names to show for them (full name, as the entries name who made the change), in one query."""
    teams, names = {record.history_id: set() for record in records}, {}
    rows = HistoricalClient_care_team.objects.filter(history_id__in=list(teams)).values_list(
        "history_id", "user_id", "user__first_name", "user__last_name", "user__username"
    )
    for history_id, user_id, first_name, last_name, username in rows:
        teams[history_id].add(user_id)
        if username is not None:  # an account removed since is left unnamed, as before
            names[user_id] = staff_name(first_name, last_name, username)
    return teams, names


SUMMARIES = {
    ("Client record", "+"): "created the client record",
    ("Client record", "~"): "changed the client record",
    ("Physician clearance", "+"): "recorded a physician clearance",
    ("Physician clearance", "~"): "changed a physician clearance",
    ("Condition", "+"): "added a condition: {}",
    ("Condition", "~"): "changed a condition: {}",
}


def _entry(subject, record, old, teams, users):
    history_type = getattr(record, "merged_type", record.history_type)
    if subject is None:
        subject = "Condition"
        what = str(Condition(code=record.code, location=record.location, side=record.side))
    else:
        what = ""
    if history_type == "+":
        changes = _creation_summary(subject, record, teams, users)
    elif history_type == "-":
        return HistoryEntry(record.history_date, record.history_user, f"deleted {subject.lower()} {what}", [])
    else:
        changes = _changes(record, old, teams, users) if old is not None else []
        if not changes:
            return None
    summary = SUMMARIES[(subject, history_type)].format(what)
    return HistoryEntry(record.history_date, record.history_user, summary, changes)


def _creation_summary(subject, record, teams, users):
    if subject == "Client record" and teams.get(record.history_id):
        return [Change("Care team", "", _names(teams[record.history_id], users))]
    if subject == "Condition":
        summary = [Change("Noted on", "", _date(record.noted_on))]
        if record.value is not None:
            summary.append(Change("Value", "", f"{record.value:,}"))
        if record.resolved_on:
            summary.append(Change("Resolved on", "", _date(record.resolved_on)))
        return summary + _texts_given(record, "detail")
    if subject == "Physician clearance":
        given = [Change("Physician", "", record.physician), Change("Date", "", _date(record.cleared_on))]
        return given + _texts_given(record, "restrictions")
    return []


def _texts_given(record, *names):
    """The free texts a new record was created with, labelled as a change of them would be: what was
    written at creation is in the history as much as what was written later."""
    fields = record.instance_type._meta
    return [
        Change(str(fields.get_field(name).verbose_name).capitalize(), "", getattr(record, name))
        for name in names
        if getattr(record, name)
    ]


def _changes(record, old, teams, users):
    delta = record.diff_against(old, excluded_fields=["care_team", *_HIDDEN_FIELDS])
    changes = []
    for change in delta.changes:
        model_field = record.instance_type._meta.get_field(change.field)
        label = str(model_field.verbose_name).capitalize()
        if change.field == "symptoms":
            changes.extend(_symptom_changes(change.old or {}, change.new or {}))
        elif change.field == "contributing_causes":
            changes.append(_set_change("Contributing causes", change.old or [], change.new or [], CONTRIBUTING_CAUSES))
        elif change.field == "archived_at":
            changes.append(Change("Archived", "yes" if change.old else "no", "yes" if change.new else "no"))
        elif change.field == "archived_by":
            continue
        elif change.field == "entered_in_error":
            changes.append(Change("Entered in error", "yes" if change.old else "no", "yes" if change.new else "no"))
        else:
            changes.append(Change(label, _value(model_field, change.old), _value(model_field, change.new)))
    if record.instance_type is Client and teams.get(record.history_id) != teams.get(old.history_id):
        changes.append(
            Change(
                "Care team",
                _names(teams.get(old.history_id, ()), users),
                _names(teams.get(record.history_id, ()), users),
            )
        )
    return changes


def _symptom_changes(old, new):
    changes = []
    for region in REGIONS:
        for side in reversed(SIDES):  # the client's right first, as on every page
            key = place_key(region, side)
            before, after = old.get(key, []), new.get(key, [])
            if before != after:
                change = _set_change(f"Symptoms, {place(region, side)}", before, after, SYMPTOMS)
                changes.append(change)
    return changes


def _set_change(label, old, new, labels):
    def words(codes):
        return ", ".join(labels.get(code, code).lower() for code in codes) or "none"

    return Change(label, words(old), words(new))


def _names(user_ids, known):
    names = sorted(known[pk] for pk in user_ids if pk in known)
    return ", ".join(names) or "nobody"


def _date(value):
    return value.strftime("%-d %b %Y") if value else ""


def _value(model_field, value):
    if value in (None, ""):
        return "—"
    if model_field.name == "neuropathy_type":
        return type_name(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if hasattr(value, "strftime"):
        return _date(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
