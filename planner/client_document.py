"""The client document (DESIGN.md) with the planner's sections, written as it is read.

A long-standing client's document holds hundreds of plans and records and thousands of access-log
rows (megabytes of JSON). It is sent as a stream of text: each section is read through a cursor, a
few rows at a time, and each entry is written as soon as it is built, so the server holds a few
entries whatever the client's history, and the first bytes leave at once.

Each section's rows come from one query, and the rows of a plan's or record's parts (items, addenda,
corrections) from one query per part, in the same order as their plans and records: each part is
read once, side by side with the section (a merge join), never all at once.

On PostgreSQL the sections (plans, records, attachments, access log) are read from one snapshot of
the database (a repeatable-read transaction): a record saved while they are being written is either
wholly in them or not at all. The client's own part (details, conditions, clearance, care team,
assessments) is read by the view, just before.
"""

import itertools

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F

from clients.models import AccessEvent
from planner import proposals, recording
from planner.attachments import Attachment
from planner.corrections import ScoreCorrection
from planner.models import Addendum, PlanItem, RecordItem, SessionPlan, SessionRecord

# Rows fetched per round trip of a section's cursor.
CHUNK = 200
# Text gathered before it is sent: a few entries at a time, not a write per entry.
SEND_AT = 64 * 1024
# How long a download may stall (the reader taking nothing) before PostgreSQL ends its snapshot.
IDLE_DOWNLOAD = "5min"

# What plan_document reads of a plan and its therapist: a client's plans are read without their
# snapshots, bookkeeping times or the therapist's whole account (a third of the rows' decoding).
PLAN_DOCUMENT_FIELDS = (
    "client_id",
    "scheduled_for",
    "status",
    "therapist__username",
    "goals",
    "notes",
    "late_entry",
    "late_reason",
)
# What record_document reads of a record: what the record form saves, and who signed it when.
RECORD_DOCUMENT_FIELDS = (
    "plan_id",
    "started_at",
    *recording.NUMBER_FIELDS,
    *recording.TEXT_FIELDS,
    "adverse_events",
    "signed_at",
    "signed_by__username",
)


def correction_document(correction):
    return {
        "field": correction.field,
        "region": correction.item.region if correction.item else None,
        "side": correction.item.side if correction.item else None,
        "original": correction.original,
        "corrected": correction.corrected,
        "reason": correction.addendum.text,
        "deviation_reason": correction.deviation_reason,
        "author": correction.addendum.author.username,
        "at": correction.addendum.created_at.isoformat(),
    }


def record_document(record, items, addenda, record_corrections=()):
    """A session record in the client document's shape (DESIGN.md)."""
    return {
        "plan": record.plan_id,
        "started_at": record.started_at.isoformat(),
        "minutes": record.minutes,
        "pain_before": record.pain_before,
        "pain_after": record.pain_after,
        "numbness_before": record.numbness_before,
        "numbness_after": record.numbness_after,
        "items": [
            {
                "region": item.region,
                "side": item.side,
                "minutes": item.minutes,
                "pressure_used": item.pressure_used,
                "deviation_reason": item.deviation_reason,
                "done": item.done,
                "deviation": item.is_deviation,
            }
            for item in items
        ],
        "soap": {
            "subjective": record.subjective,
            "objective": record.objective,
            "assessment": record.assessment,
            "plan": record.soap_plan,
        },
        "skin_check": record.skin_check,
        "adverse_events": list(record.adverse_events),
        "adverse_other": record.adverse_other,
        "next_time": record.next_time,
        "signed_at": record.signed_at.isoformat() if record.signed_at else None,
        "signed_by": record.signed_by.username if record.signed_by else None,
        "addenda": [
            {"text": addendum.text, "author": addendum.author.username, "at": addendum.created_at.isoformat()}
            for addendum in addenda
        ],
        "corrections": [correction_document(correction) for correction in record_corrections],
    }


class _Rows:
    """A query's rows read one at a time, with the key of the parent each belongs to."""

    def __init__(self, rows, key):
        self.rows, self.key = iter(rows), key
        self.advance()

    def advance(self):
        self.row = next(self.rows, None)
        self.at = None if self.row is None else self.key(self.row)


def with_parts(parents, parent_key, *parts):
    """(parent, [rows of each part]) for each parent: a merge join of queries read side by side.

    Each part is (rows, key): its rows ordered as the parents are, and key(row) the parent's
    `parent_key`. A part's rows whose parent is not among `parents` (a colleague's plan, a draft that is
    not the reader's, one saved after the parents were read) are passed over: the keys order them.

    The parents are read first: a part read later may hold rows of a parent saved since, never miss
    rows of a parent read (a plan's items are saved with it, and nothing here is ever deleted)."""
    parents = iter(parents)
    first = next(parents, None)
    if first is None:
        return
    parts = [_Rows(rows, key) for rows, key in parts]
    for parent in itertools.chain([first], parents):
        at = parent_key(parent)
        groups = []
        for part in parts:
            rows = []
            while part.row is not None and part.at <= at:
                if part.at == at:
                    rows.append(part.row)
                part.advance()
            groups.append(rows)
        yield parent, groups


def plan_documents(client, user):
    """The client's plans the user may read (a therapist's own, every plan for a clinic admin) in the
    document's shape, oldest first: the plans with their proposals' outline only (the steps and notes
    come from the items), and beside them the client's items in the plans' order."""
    plans = (
        SessionPlan.objects.for_user(user)
        .filter(client=client)
        .only(*PLAN_DOCUMENT_FIELDS)
        .annotate(outline=proposals.ProposalOutline())
        .select_related("therapist")
        .order_by("scheduled_for", "pk")
    )
    items = (
        PlanItem.objects.filter(plan__client=client)
        .defer("position", "proposed_minutes")
        .annotate(plan_at=F("plan__scheduled_for"))
        .order_by("plan__scheduled_for", "plan_id")
    )
    rows = with_parts(
        plans.iterator(chunk_size=CHUNK),
        lambda plan: (plan.scheduled_for, plan.pk),
        (items.iterator(chunk_size=CHUNK), lambda item: (item.plan_at, item.plan_id)),
    )
    for plan, (plan_items,) in rows:
        yield proposals.plan_document(plan, plan_items, plan.outline)


def record_documents(client, user):
    """The client's records the user may read in the document's shape, oldest first, each with its
    items, addenda and corrections: four queries read side by side."""
    records = (
        SessionRecord.objects.for_user(user)
        .filter(client=client)
        .select_related("signed_by")
        .only(*RECORD_DOCUMENT_FIELDS)
        .order_by("started_at", "pk")
    )
    of_client = {"record__client": client}
    at = {"record_at": F("record__started_at")}
    # Within a record, its items in the plan's order (RecordItem's own ordering).
    items = (
        RecordItem.objects.filter(**of_client)
        .annotate(**at)
        .order_by("record__started_at", "record_id", *RecordItem._meta.ordering)
    )
    addenda = (
        Addendum.objects.filter(**of_client)
        .select_related("author")
        .only("record_id", "text", "created_at", "author__username")
        .annotate(**at)
        .order_by("record__started_at", "record_id", "created_at", "pk")
    )
    fixes = (
        ScoreCorrection.objects.filter(**of_client)
        .select_related("addendum__author", "item")
        .annotate(**at)
        .order_by("record__started_at", "record_id", "addendum__created_at", "pk")
    )

    def part(rows):
        return rows.iterator(chunk_size=CHUNK), lambda row: (row.record_at, row.record_id)

    rows = with_parts(
        records.iterator(chunk_size=CHUNK),
        lambda record: (record.started_at, record.pk),
        part(items),
        part(addenda),
        part(fixes),
    )
    for record, (record_items, record_addenda, record_fixes) in rows:
        yield record_document(record, record_items, record_addenda, record_fixes)


def attachment_documents(client, user):
    readable = Attachment.objects.for_user(user).filter(client=client).select_related("uploaded_by")
    for attachment in readable.iterator(chunk_size=CHUNK):
        yield attachment.document()


_encode = DjangoJSONEncoder(ensure_ascii=False).encode


def json_chunks(head, sections, send_at=None):
    """The JSON text of `head` (a dict) with each of `sections` ({key: entries}) written as a list, an
    entry at a time, in the place of head's key of that name (after head's keys if it has none): the
    same text as json.dumps of the whole document, in pieces of about `send_at` characters. What is
    ready goes out before each section is read: the download starts before the first section's query."""
    send_at = send_at or SEND_AT
    pending, size = ["{"], 0
    keys = list(head) + [key for key in sections if key not in head]
    for number, key in enumerate(keys):
        opening = (", " if number else "") + _encode(key) + ": "
        if key not in sections:
            pending.append(opening + _encode(head[key]))
            continue
        yield "".join(pending) + opening + "["
        pending, size = [], 0
        for index, entry in enumerate(sections[key]):
            text = (", " if index else "") + _encode(entry)
            pending.append(text)
            size += len(text)
            if size >= send_at:
                yield "".join(pending)
                pending, size = [], 0
        pending.append("]")
    pending.append("}")
    yield "".join(pending)


def document_chunks(client, user, head, access_log=False):
    """The client document's text, a piece at a time: `head` (the clients app's document of `client`),
    with the plans, records and attachments `user` may read, and the access log when asked for
    (clinic admins; for reading only, import ignores it).

    On PostgreSQL the sections are read in one repeatable-read transaction: one snapshot, which holds
    no lock that a writer waits for. It stays open while the reader downloads: a download stalled for
    IDLE_DOWNLOAD is ended, so that it cannot keep old row versions from being cleaned up for ever.
    SQLite starts its transactions IMMEDIATE (settings), which would hold the write lock for the
    whole download: there no transaction is taken, and each query reads what is saved when it starts
    (with_parts reads the parents first)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute(f"SET LOCAL idle_in_transaction_session_timeout = '{IDLE_DOWNLOAD}'")
            yield from json_chunks(head, _sections(client, user, access_log))
    else:
        yield from json_chunks(head, _sections(client, user, access_log))


def _sections(client, user, access_log):
    sections = {
        "plans": plan_documents(client, user),
        "records": record_documents(client, user),
        "attachments": attachment_documents(client, user),
    }
    if access_log:
        sections["access_log"] = AccessEvent.objects.filter(client=client).documents()
    return sections
