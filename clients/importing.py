"""Import of client documents (JSON or CSV) with a dry-run report.

Import is all-or-nothing per file: every record is checked first (one query per kind of lookup
for the whole file), then the writes happen in one transaction that is rolled back on a dry run
or when any record has an error. A dry run therefore reports exactly what the real import would do.

Keys missing from a document leave that part of an existing client as it is (a CSV row, for
example, says nothing of conditions). Nothing is ever deleted: conditions on record that the
file does not mention stay, and a new clearance is added beside the old ones.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from protocols.versioning import StaleVersion, claim_version

from .assessment_documents import save_assessments
from .import_checks import check_one, unstorable
from .import_files import ImportFileError, is_csv, parse_csv, parse_json, read_upload  # noqa: F401 - the import's API
from .models import Client, Condition, PhysicianClearance
from .roles import THERAPIST

User = get_user_model()


# Import.


def csv_column(where):
    """The column of a CSV file that a document path comes from: care_team[0] is the care_team column."""
    head = where.split("[", 1)[0]
    return {"neuropathy.type": "neuropathy_type"}.get(head, head)


# The longest message the report gives one error: what is quoted in it is cut to fit.
MESSAGE_CHARACTERS = 400


@dataclass
class RecordReport:
    label: str
    name: str = ""
    external_id: str = ""
    action: str = ""  # "create" or "update"
    changes: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (field, message)

    csv: bool = False

    def error(self, where, message):
        where = csv_column(where) if self.csv else where
        if len(message) > MESSAGE_CHARACTERS:  # a value quoted whole would make a page of megabytes
            message = message[: MESSAGE_CHARACTERS - 1] + "…"
        if (where, message) not in self.errors:
            self.errors.append((where, message))

    def messages(self):
        return [f"{self.label}, {where}: {message}" for where, message in self.errors]


@dataclass
class ImportReport:
    records: list = field(default_factory=list)
    dry_run: bool = True
    saved: bool = False

    @property
    def ok(self):
        return not any(record.errors for record in self.records)

    @property
    def created(self):
        """Clients the import creates: a record with an error creates nothing."""
        return sum(1 for record in self.records if record.action == "create" and not record.errors)

    @property
    def updated(self):
        """Clients on record the import changes (a record, a condition, the clearance or a measure)."""
        return sum(1 for record in self.records if record.action == "update" and record.changes and not record.errors)

    @property
    def unchanged(self):
        """Clients on record the file holds as they are: the import leaves them alone."""
        return sum(
            1 for record in self.records if record.action == "update" and not record.changes and not record.errors
        )

    @property
    def to_import(self):
        return self.created + self.updated

    def error_messages(self):
        return [message for record in self.records for message in record.messages()]

    @property
    def error_count(self):
        return sum(1 for record in self.records if record.errors)

    SHOWN = 200

    def shown_records(self):
        """What the page lists: every record with an error, and the first 200 others."""
        shown, others = [], 0
        for record in self.records:
            if record.errors or others < self.SHOWN:
                shown.append(record)
                others += not record.errors
        return shown

    @property
    def hidden_count(self):
        return len(self.records) - len(self.shown_records())


class _Rollback(Exception):
    pass


def import_documents(docs, dry_run=False, labels=None, csv=False):
    """Import client documents (a list, or one document) all-or-nothing; return an ImportReport.

    With dry_run, or when any record has an error, nothing is saved. With csv, errors name the
    file's columns rather than the document's paths. Every document is checked
    first, with one query per kind of lookup for the whole file (clients by external id,
    therapists by username); new clients are then created in bulk, with their history, and
    clients already on record are updated one by one (their changes are listed in the report).
    """
    if isinstance(docs, dict):
        docs = [docs]
    labels = labels or [f"document {number}" for number in range(1, len(docs) + 1)]
    report = ImportReport(dry_run=dry_run)
    lookups = _Lookups(docs)
    seen_ids = {}
    checked = []
    for doc, label in zip(docs, labels, strict=True):
        record = RecordReport(label, csv=csv)
        report.records.append(record)
        item = check_one(doc, record, seen_ids, lookups)
        if item is not None:
            checked.append(item)
    if not report.ok:
        return report
    creates = [item for item in checked if item.client is None]
    updates = [item for item in checked if item.client is not None]
    for item in creates:
        if not client_has_id(item.form):
            item.record.changes.append("No external id: importing this file again would add the client again")
        _count_new(item)
    if dry_run and not updates:
        return report
    try:
        with transaction.atomic():
            for item in updates:  # in a dry run too, rolled back, so the report lists each change
                _save(item)
            if dry_run or not report.ok:
                raise _Rollback
            _create_all(creates)
    except _Rollback:
        pass
    except IntegrityError:
        # Checked above; only a client saved meanwhile with one of these ids (or one the database
        # lowers differently) gets here. Nothing of the file is kept.
        for item in creates:
            item.record.error(
                "external_id",
                "another client was saved with this external id while the file was imported "
                "(ids are compared without regard to case): nothing was imported, check the file again",
            )
    else:
        report.saved = True
    return report


ID_BATCH = 500


class _Lookups:
    """What checking a file needs from the database, read once for the whole file."""

    def __init__(self, docs):
        documents = [doc for doc in docs if isinstance(doc, dict)]
        ids = [doc.get("external_id") for doc in documents]
        # Text no database can be asked about (a NUL, a lone surrogate) is left to the check, which names it.
        ids = {value.strip() for value in ids if isinstance(value, str) and value.strip() and not unstorable(value)}
        # Keyed by the id in lower case: ids are compared without regard to case (found by the
        # database's lowering, as its unique index compares them; a few hundred ids a query).
        ids = sorted(ids)
        self.clients = {
            client.external_id.lower(): client
            for start in range(0, len(ids), ID_BATCH)
            for client in Client.objects.same_external_id(*ids[start : start + ID_BATCH])
        }
        usernames = {
            username
            for doc in documents
            if isinstance(doc.get("care_team"), list)
            for username in doc["care_team"]
            if isinstance(username, str) and not unstorable(username)
        }
        self.therapists = {
            user.username: user
            for user in User.objects.filter(username__in=usernames, is_active=True, groups__name=THERAPIST).distinct()
        }
        on_record = [(doc, self.clients.get(_id_key(doc))) for doc in documents]
        on_record = [(doc, client) for doc, client in on_record if client is not None]
        # A new date of birth may not come after what the record holds: read for the clients it changes.
        reborn = [client.pk for doc, client in on_record if _changes_birth(doc, client)]
        self.first_records = {}
        for start in range(0, len(reborn), ID_BATCH):
            self.first_records.update(Client.objects.filter(pk__in=reborn[start : start + ID_BATCH]).first_records())


def _id_key(doc):
    external_id = doc.get("external_id")
    return external_id.strip().lower() if isinstance(external_id, str) else ""


def _changes_birth(doc, client):
    return "date_of_birth" in doc and doc["date_of_birth"] != client.date_of_birth.isoformat()


BULK_BATCH = 500
HistoricalCareTeam = Client.history.model._meta.get_field("historicalclient_care_team").related_model


def _save(item):
    """Update a client on record from its checked document, listing each change in the report. A record
    (the client, a condition or the clearance) saved by someone else while the file was imported is an
    error of the document: the report says so and nothing of the file is kept."""
    try:
        _save_client(item)
    except StaleVersion as stale:
        item.record.error("document", str(stale))


def _save_client(item):
    """Save what the document changes of the client's own record. A client the document leaves as it
    is keeps its version and gets no history entry; a save by someone else since the check still
    stops the file, as it stops a change."""
    record, form, client = item.record, item.form, item.client
    changes = [str(form.fields[name].label) for name in form.changed_data]
    if item.causes is not None and item.causes != client.contributing_causes:
        changes.append("Contributing causes")
    if item.symptoms is not None and item.symptoms != client.symptoms:
        changes.append("Symptoms")
    new_team = item.team is not None and set(item.team) != set(client.care_team.all())
    if new_team:
        changes.append("Care team")
    if changes:
        claim_version(client, client.version)
        client = form.save(commit=False)
        if item.causes is not None:
            client.contributing_causes = item.causes
        if item.symptoms is not None:
            client.symptoms = item.symptoms
        client.save()
        if new_team:
            client.care_team.set(item.team)
    elif Client.objects.held(client).version != client.version:
        raise StaleVersion(client)
    record.changes.extend(changes)
    _save_related(client, item)


def _save_related(client, item):
    record, conditions, clearance, measures = item.record, item.conditions, item.clearance, item.measures

    if conditions is not None:
        added, updated = _save_conditions(client, conditions)
        if added:
            record.changes.append(f"{added} condition{'s' if added != 1 else ''} added")
        if updated:
            record.changes.append(f"{updated} condition{'s' if updated != 1 else ''} updated")
    if clearance is not None:
        outcome = _save_clearance(client, clearance)
        if outcome:
            record.changes.append(outcome)
    if measures:  # after the conditions, so a test's loss of protective sensation links to the imported one
        added = save_assessments(client, measures)
        if added:
            record.changes.append(f"{added} assessment{'s' if added != 1 else ''} added")


def _create_all(items):
    """Create the new clients of a file in bulk: the clients, their history, care teams (with the
    history of the care team), conditions and clearances, a few queries per 500 clients."""
    clients = []
    for item in items:
        client = item.form.instance  # filled from the document when the form was checked
        client.contributing_causes = item.causes or []
        client.symptoms = item.symptoms or {}
        client.search_name = client.search_key()
        clients.append(client)
    Client.objects.bulk_create(clients, batch_size=BULK_BATCH)
    histories = Client.history.bulk_history_create(clients, batch_size=BULK_BATCH)
    team_rows, row_histories = [], []
    for client, history, item in zip(clients, histories, items, strict=True):
        for user in item.team or ():
            team_rows.append(Client.care_team.through(client_id=client.pk, user_id=user.pk))
            row_histories.append(history)
    Client.care_team.through.objects.bulk_create(team_rows, batch_size=BULK_BATCH)
    HistoricalCareTeam.objects.bulk_create(
        [
            HistoricalCareTeam(id=row.pk, history=history, client_id=row.client_id, user_id=row.user_id)
            for row, history in zip(team_rows, row_histories, strict=True)
        ],
        batch_size=BULK_BATCH,
    )

    conditions = [
        Condition(client=client, **entry)
        for client, item in zip(clients, items, strict=True)
        for entry in item.conditions or ()
    ]
    Condition.objects.bulk_create(conditions, batch_size=BULK_BATCH)
    Condition.history.bulk_history_create(conditions, batch_size=BULK_BATCH)
    clearances = [
        PhysicianClearance(client=client, **item.clearance)
        for client, item in zip(clients, items, strict=True)
        if item.clearance
    ]
    PhysicianClearance.objects.bulk_create(clearances, batch_size=BULK_BATCH)
    PhysicianClearance.history.bulk_history_create(clearances, batch_size=BULK_BATCH)
    for client, item in zip(clients, items, strict=True):
        if item.measures:  # rare in a bulk file: one by one, as for a client on record
            save_assessments(client, item.measures)


def _count_new(item):
    conditions = len(item.conditions or ())
    if conditions:
        item.record.changes.append(f"{conditions} condition{'s' if conditions != 1 else ''} added")
    if item.clearance:
        item.record.changes.append("Clearance added")
    measures = len(item.measures or ())
    if measures:
        item.record.changes.append(f"{measures} assessment{'s' if measures != 1 else ''} added")


def client_has_id(form):
    return bool(form.cleaned_data.get("external_id"))


def _save_conditions(client, conditions):
    """Match each condition to one on record by what it is and when it was noted; nothing is removed."""
    on_record = {}
    for condition in client.conditions.recorded():
        key = (condition.code, condition.location, condition.side, condition.noted_on, condition.value)
        on_record.setdefault(key, []).append(condition)
    added = updated = 0
    for entry in conditions:
        key = (entry["code"], entry["location"], entry["side"], entry["noted_on"], entry["value"])
        matches = on_record.get(key)
        if matches:
            condition = matches.pop(0)
            if (condition.detail, condition.resolved_on) != (entry["detail"], entry["resolved_on"]):
                condition.detail, condition.resolved_on = entry["detail"], entry["resolved_on"]
                claim_version(condition, condition.version)
                condition.save()
                updated += 1
            continue
        Condition.objects.create(client=client, **entry)
        added += 1
    return added, updated


def _save_clearance(client, clearance):
    latest = client.clearances.order_by("-cleared_on", "-pk").first()
    if latest and (latest.physician, latest.cleared_on, latest.restrictions) == tuple(clearance.values()):
        return ""
    same = client.clearances.filter(physician=clearance["physician"], cleared_on=clearance["cleared_on"]).first()
    if same:
        same.restrictions = clearance["restrictions"]
        claim_version(same, same.version)
        same.save()
        return "Clearance restrictions updated"
    PhysicianClearance.objects.create(client=client, **clearance)
    return "Clearance added"
