"""The client document of DESIGN.md: export, import (JSON or CSV) with a dry-run report.

Import is all-or-nothing per file: every record is checked, and the writes happen in one
transaction that is rolled back on a dry run or when any record has an error. A dry run
therefore reports exactly what the real import would do.

Keys missing from a document leave that part of an existing client as it is (a CSV row, for
example, says nothing of conditions). Nothing is ever deleted: conditions on record that the
file does not mention stay, and a new clearance is added beside the old ones.
"""

import csv
import io
import json
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Aggregate, CharField, OuterRef, Subquery

from protocols.versioning import StaleVersion, claim_version
from protocols.vocabulary import CONDITION_SIDES, CONTRIBUTING_CAUSES, REGIONS, SIDES, SYMPTOMS

from .assessment_documents import export_assessments, parse_assessments, save_assessments
from .models import EVENT_CODES, Client, Condition, PhysicianClearance
from .roles import THERAPIST
from .validators import (
    DIAGNOSED_BEFORE_BIRTH,
    check_condition,
    clean_causes,
    clean_symptoms,
    not_before_birth,
    not_in_future,
    parse_iso_date,
)

User = get_user_model()

SCHEMA = "planner.client.v1"
CSV_COLUMNS = [
    "external_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "email",
    "neuropathy_type",
    "care_team",
]
IDENTITY_FIELDS = [
    "external_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "email",
    "emergency_contact",
    "referring_physician",
    "consented_on",
]
DATE_FIELDS = {"date_of_birth", "consented_on"}


# Export.


def _date(value):
    return value.isoformat() if value else None


def export_regions(symptoms):
    """The symptom profile as document regions: a region with the same symptoms on both sides says "both"."""
    regions = []
    for region in REGIONS:
        left, right = (symptoms.get(f"{region}:{side}", []) for side in SIDES)
        if left and left == right:
            regions.append({"region": region, "side": "both", "symptoms": list(left)})
            continue
        for side, codes in zip(SIDES, (left, right), strict=True):
            if codes:
                regions.append({"region": region, "side": side, "symptoms": list(codes)})
    return regions


def export_condition(condition):
    return {
        "code": condition.code,
        "location": condition.location or None,
        "side": condition.side or None,
        "value": condition.value,
        "detail": condition.detail,
        "noted_on": _date(condition.noted_on),
        "resolved_on": _date(condition.resolved_on),
    }


def export_client(client):
    """The client document of DESIGN.md, with "plans", "records" and "attachments" empty (the planner fills those).

    Conditions entered in error are left out; of the clearances, the latest one is the document's.
    """
    clearance = client.latest_clearance()
    conditions = sorted(
        client.recorded_conditions(),
        key=lambda c: (c.noted_on, c.code, c.location, c.side, c.pk),
    )
    return {
        "schema": SCHEMA,
        "id": client.pk,
        "external_id": client.external_id or None,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": _date(client.date_of_birth),
        "phone": client.phone,
        "email": client.email,
        "emergency_contact": client.emergency_contact,
        "referring_physician": client.referring_physician,
        "consented_on": _date(client.consented_on),
        "neuropathy": {
            "type": client.neuropathy_type,
            "diagnosed_on": _date(client.diagnosed_on),
            "contributing_causes": list(client.contributing_causes),
            "regions": export_regions(client.symptoms),
        },
        "conditions": [export_condition(condition) for condition in conditions],
        "clearance": (
            {
                "physician": clearance.physician,
                "date": _date(clearance.cleared_on),
                "restrictions": clearance.restrictions,
            }
            if clearance
            else None
        ),
        "care_team": sorted(user.username for user in client.care_team.all()),
        "assessments": export_assessments(client),
        "plans": [],
        "records": [],
        "attachments": [],
    }


# A spreadsheet runs a cell that begins with one of these as a formula; the export puts an
# apostrophe before it (shown as text) and the import takes it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    value = value or ""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def restore_cell(value):
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


class TeamIds(Aggregate):
    """The user ids of a care team as one comma-separated text: string_agg on PostgreSQL, group_concat on SQLite."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s::text, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "%(function)s(%(expressions)s, ',')"
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", template=template, **extra_context)


def with_team_ids(clients):
    """Each client's care team as `team_ids` ("3,7"), aggregated in the database in the same query."""
    links = (
        Client.care_team.through.objects.filter(client_id=OuterRef("pk"))
        .order_by()
        .values("client_id")
        .annotate(ids=TeamIds("user_id"))
        .values("ids")
    )
    return clients.annotate(team_ids=Subquery(links, output_field=CharField()))


def csv_chunks(clients, chunk_size=2000):
    """The CSV that import_clients reads back, as text a chunk of clients at a time: constant memory
    whatever the number of clients. Two queries in all, however many clients: the usernames, and
    the clients with their care teams aggregated in SQL, read through a server-side cursor as tuples."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    usernames = {str(pk): username for pk, username in User.objects.values_list("pk", "username")}
    fields = [name for name in CSV_COLUMNS if name != "care_team"]
    rows = with_team_ids(clients).values_list(*fields, "team_ids").iterator(chunk_size=chunk_size)
    chunk = []
    for external_id, first, last, born, phone, email, kind, team_ids in rows:
        team = sorted(usernames[pk] for pk in team_ids.split(",")) if team_ids else ()
        values = (external_id, first, last, born.isoformat() if born else "", phone, email, kind, ";".join(team))
        cells = [neutralise_cell(value) for value in values]
        chunk.append(cells)
        if len(chunk) == chunk_size:
            writer.writerows(chunk)
            chunk = []
            yield _drain(buffer)
    writer.writerows(chunk)
    yield _drain(buffer)


def _drain(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# Reading files.


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing in it was imported."""


def is_csv(name):
    return name.lower().endswith(".csv")


def read_upload(name, data):
    """Parse an uploaded file's bytes into (documents, labels); ImportFileError says what is wrong."""
    lower = name.lower()
    if not lower.endswith((".json", ".csv")):
        raise ImportFileError(f"{name}: not a CSV or JSON file (the name must end in .csv or .json).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(f"{name}: not UTF-8 text; save it as UTF-8 and try again.") from None
    if lower.endswith(".json"):
        return parse_json(text)
    return parse_csv(text)


MAX_INT_DIGITS = 18


def _bounded_int(text):
    """A whole number of a file; no value a client document holds needs more than 18 digits."""
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number of {len(text)} digits is longer than any value a client document holds")
    return int(text)


def _no_constant(name):
    raise ValueError(f"{name} is not a number a client document can hold")


def parse_json(text):
    try:
        data = json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise ImportFileError(f"Not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.") from None
    except RecursionError:
        raise ImportFileError("Not a client file: its lists and objects are nested too deeply.") from None
    except ValueError as error:
        raise ImportFileError(f"Not valid JSON: {error}.") from None
    docs = [data] if isinstance(data, dict) else data
    if not isinstance(docs, list):
        raise ImportFileError("The JSON file must hold one client document or a list of them.")
    if not docs:
        raise ImportFileError("The file holds no clients.")
    return docs, [f"document {number}" for number in range(1, len(docs) + 1)]


def parse_csv(text):
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    except csv.Error as error:
        raise ImportFileError(f"row 1: not valid CSV ({error}).") from None
    header = [column.strip() for column in header]
    missing = [column for column in CSV_COLUMNS if column not in header]
    delimiter = next((mark for mark in (";", "\t", "|") if len(header) == 1 and mark in header[0]), None)
    if missing and delimiter:
        shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
        raise ImportFileError(
            f"row 1 (header): the columns are separated by {shown}, not by commas; "
            "save the file as CSV with commas between columns."
        )
    if missing:
        raise ImportFileError(f"row 1 (header): missing column {', '.join(missing)}.")
    docs, labels = [], []
    try:
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise ImportFileError(f"row {number}: has {len(row)} values, the header has {len(header)} columns.")
            values = {column: restore_cell(cell).strip() for column, cell in zip(header, row, strict=True)}
            docs.append(
                {
                    # A blank phone or e-mail cell leaves what the record has: re-importing a
                    # list that lacks them must not erase contact details.
                    **{
                        column: values[column]
                        for column in CSV_COLUMNS[:6]
                        if values[column] or column not in ("phone", "email")
                    },
                    "neuropathy": {"type": values["neuropathy_type"]},
                    "care_team": [name.strip() for name in values["care_team"].split(";") if name.strip()],
                }
            )
            labels.append(f"row {number}")
    except csv.Error as error:
        raise ImportFileError(f"row {reader.line_num}: not valid CSV ({error}).") from None
    if not docs:
        raise ImportFileError("The file holds no clients.")
    return docs, labels


# Import.


def csv_column(where):
    """The column of a CSV file that a document path comes from: care_team[0] is the care_team column."""
    head = where.split("[", 1)[0]
    return {"neuropathy.type": "neuropathy_type"}.get(head, head)


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
        return sum(1 for record in self.records if record.action == "update" and not record.errors)

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
        item = _check_one(doc, record, seen_ids, lookups)
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
    else:
        report.saved = True
    return report


class _Lookups:
    """What checking a file needs from the database, read once for the whole file."""

    def __init__(self, docs):
        documents = [doc for doc in docs if isinstance(doc, dict)]
        ids = {doc.get("external_id") for doc in documents}
        ids = {value.strip() for value in ids if isinstance(value, str) and value.strip()}
        self.clients = {client.external_id: client for client in Client.objects.filter(external_id__in=ids)}
        usernames = {
            username
            for doc in documents
            if isinstance(doc.get("care_team"), list)
            for username in doc["care_team"]
            if isinstance(username, str)
        }
        self.therapists = {
            user.username: user
            for user in User.objects.filter(username__in=usernames, is_active=True, groups__name=THERAPIST).distinct()
        }


@dataclass
class _Checked:
    """One valid document, ready to save: `client` is the one on record, or None for a new one."""

    record: RecordReport
    client: object
    form: object
    causes: list = None
    symptoms: dict = None
    conditions: list = None
    clearance: dict = None
    team: list = None
    measures: list = None


BULK_BATCH = 500
HistoricalCareTeam = Client.history.model._meta.get_field("historicalclient_care_team").related_model


class _IdentityForm(forms.ModelForm):
    """The identity and profile columns of an imported client, checked as the intake form checks them."""

    class Meta:
        model = Client
        fields = [*IDENTITY_FIELDS, "neuropathy_type", "diagnosed_on"]

    def _post_clean(self):
        """The model's fields and clean(), as the intake form checks them, without a query per row:
        the table's constraints are the file's business here (external ids are matched for the
        whole file at once), but for the diagnosis date, checked here in Python."""
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self._update_errors(error)
        born, diagnosed = self.cleaned_data.get("date_of_birth"), self.cleaned_data.get("diagnosed_on")
        if born and diagnosed and diagnosed < born:
            self.add_error("diagnosed_on", DIAGNOSED_BEFORE_BIRTH)


class _SharedFields(dict):
    """Fields that every form of an import shares instead of copying (a copy per row is half the
    time of checking a file): text, date, e-mail and choice fields keep no state between forms."""

    def __deepcopy__(self, memo):
        return self


_IdentityForm.base_fields = _SharedFields(_IdentityForm.base_fields)

FORM_FIELD_PATHS = {"neuropathy_type": "neuropathy.type", "diagnosed_on": "neuropathy.diagnosed_on"}


def _check_one(doc, record, seen_ids, lookups):
    if not isinstance(doc, dict):
        record.error("document", "expected a client document (a JSON object)")
        return
    unreadable = list(_unreadable_text(doc))
    for where, message in unreadable:
        record.error(where, message)
    if unreadable:
        return
    if doc.get("schema", SCHEMA) != SCHEMA:
        record.error("schema", f"expected {SCHEMA!r}, not {doc.get('schema')!r}")

    external_id = doc.get("external_id") or ""
    if not isinstance(external_id, str):
        record.error("external_id", "must be text")
        external_id = ""
    external_id = external_id.strip()
    record.external_id = external_id
    record.name = f"{doc.get('last_name') or ''}, {doc.get('first_name') or ''}".strip(", ")
    if external_id and external_id in seen_ids:
        record.error("external_id", f"{external_id!r} appears twice in this file (also {seen_ids[external_id]})")
        return
    if external_id:
        seen_ids[external_id] = record.label

    client = lookups.clients.get(external_id) if external_id else None
    record.action = "update" if client else "create"
    if client is not None and client.is_archived:
        record.error("external_id", f"{external_id!r} belongs to an archived client: restore the client first")
        return
    neuropathy = doc.get("neuropathy", {})
    if not isinstance(neuropathy, dict):
        record.error("neuropathy", "expected an object")
        neuropathy = {}

    form = _identity_form(doc, neuropathy, client, record)
    causes = _causes(neuropathy, record) if "contributing_causes" in neuropathy else None
    symptoms = _symptoms(neuropathy, record) if "regions" in neuropathy else None
    born = form.data.get("date_of_birth") or None
    conditions = _conditions(doc["conditions"], record, born) if "conditions" in doc else None
    clearance = _clearance(doc["clearance"], record, born) if doc.get("clearance") is not None else None
    team = _care_team(doc["care_team"], record, lookups.therapists) if "care_team" in doc else None
    measures = parse_assessments(doc["assessments"], record) if "assessments" in doc else None
    if client is None and team is None:
        record.error("care_team", "a new client needs at least one therapist")
    if not form.is_valid():
        reported = {where for where, _ in record.errors}
        for name, errors in form.errors.items():
            where = FORM_FIELD_PATHS.get(name, name if name != "__all__" else "document")
            if where not in reported:  # a bad date is already named; "required" would only repeat it
                for message in errors:
                    record.error(where, message)
    if record.errors:
        return None
    return _Checked(record, client, form, causes, symptoms, conditions, clearance, team, measures)


def _unreadable_text(doc):
    """(path, message) for each text in the document that no record can hold: a NUL or a lone surrogate."""
    pending = [("", doc)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{where}.{key}" if where else str(key), item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
        elif isinstance(value, str):
            if "\x00" in value:
                yield where, "contains a NUL character, which text cannot hold"
            elif any("\ud800" <= char <= "\udfff" for char in value):
                yield where, "contains a broken character (a lone UTF-16 surrogate)"


def _identity_form(doc, neuropathy, client, record):
    instance = client or Client()
    data = {name: getattr(instance, name) or "" for name in [*IDENTITY_FIELDS, "neuropathy_type", "diagnosed_on"]}
    for name in IDENTITY_FIELDS:
        if name not in doc:
            continue
        value = doc[name]
        if value is None:
            value = ""
        if name in DATE_FIELDS:
            try:
                value = parse_iso_date(value) or ""
            except ValueError as error:
                record.error(name, str(error))
                continue
        elif not isinstance(value, str):
            record.error(name, "must be text")
            continue
        data[name] = value.strip() if isinstance(value, str) else value
    if "type" in neuropathy:
        data["neuropathy_type"] = _code(neuropathy["type"], upper=True) or ""
    if "diagnosed_on" in neuropathy:
        try:
            data["diagnosed_on"] = parse_iso_date(neuropathy["diagnosed_on"]) or ""
        except ValueError as error:
            record.error("neuropathy.diagnosed_on", str(error))
    return _IdentityForm(data, instance=instance)


def _causes(neuropathy, record):
    codes = neuropathy["contributing_causes"] or []
    if not isinstance(codes, list):
        record.error("neuropathy.contributing_causes", "expected a list of codes")
        return None
    codes = [_code(code) for code in codes]
    for index, code in enumerate(codes):
        if not _is_code(code, CONTRIBUTING_CAUSES):
            record.error(f"neuropathy.contributing_causes[{index}]", f"unknown contributing cause {code!r}")
    return clean_causes([code for code in codes if _is_code(code, CONTRIBUTING_CAUSES)])


def _symptoms(neuropathy, record):
    regions = neuropathy["regions"] or []
    if not isinstance(regions, list):
        record.error("neuropathy.regions", "expected a list")
        return None
    places = {}
    for index, entry in enumerate(regions):
        where = f"neuropathy.regions[{index}]"
        if not isinstance(entry, dict):
            record.error(where, "expected an object with region, side and symptoms")
            continue
        region, side, codes = _code(entry.get("region")), _code(entry.get("side")), entry.get("symptoms") or []
        if not _is_code(region, REGIONS):
            record.error(f"{where}.region", f"unknown region {region!r}")
            continue
        if not _is_code(side, CONDITION_SIDES):
            record.error(f"{where}.side", f"unknown side {side!r}; use left, right or both")
            continue
        if not isinstance(codes, list):
            record.error(f"{where}.symptoms", "expected a list of codes")
            continue
        codes = [_code(code) for code in codes]
        for number, code in enumerate(codes):
            if not _is_code(code, SYMPTOMS):
                record.error(f"{where}.symptoms[{number}]", f"unknown symptom {code!r}")
        for one_side in SIDES if side == "both" else (side,):
            places.setdefault((region, one_side), set()).update(code for code in codes if _is_code(code, SYMPTOMS))
    try:
        return clean_symptoms(places)
    except ValidationError as error:  # pragma: no cover - every code was checked above
        record.error("neuropathy.regions", error.messages[0])
        return None


def _code(value, upper=False):
    """A code as a file may write it (" CIPN", "Open_Wound"), in the vocabulary's case; non-text as is."""
    if not isinstance(value, str):
        return value
    return value.strip().upper() if upper else value.strip().lower()


def _is_code(value, vocabulary):
    """A code of the vocabulary; anything else a file may hold (a list, an object, a number) is not."""
    return isinstance(value, str) and value in vocabulary


def _dated(value, where, record, required, born=None):
    try:
        day = parse_iso_date(value)
    except ValueError as error:
        record.error(where, str(error))
        return None
    if day is None:
        if required:
            record.error(where, "a date is required")
        return None
    try:
        not_in_future(day)
        not_before_birth(day, born)
    except ValidationError as error:
        record.error(where, error.messages[0])
    return day


def _conditions(entries, record, born):
    if not isinstance(entries, list):
        record.error("conditions", "expected a list")
        return None
    cleaned = []
    for index, entry in enumerate(entries):
        where = f"conditions[{index}]"
        if not isinstance(entry, dict):
            record.error(where, "expected an object")
            continue
        before = len(record.errors)
        value = entry.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value_is_number = value is None or (isinstance(value, int) and not isinstance(value, bool))
        if not value_is_number:
            record.error(f"{where}.value", f"expected a whole number, not {value!r}")
            value = None
        code = _code(entry.get("code"))
        location, side, errors = check_condition(code, _code(entry.get("location")), _code(entry.get("side")), value)
        for name, message in errors.items():
            if name != "value" or value_is_number:
                record.error(f"{where}.{name}", message)
        detail = entry.get("detail") or ""
        if not isinstance(detail, str) or len(detail) > 200:
            record.error(f"{where}.detail", "expected text of at most 200 characters")
        noted = _dated(entry.get("noted_on"), f"{where}.noted_on", record, required=True, born=born)
        resolved = _dated(entry.get("resolved_on"), f"{where}.resolved_on", record, required=False, born=born)
        if resolved and code in EVENT_CODES:
            record.error(f"{where}.resolved_on", "a lab result or infusion is a dated event and is not resolved")
        elif noted and resolved and resolved < noted:
            record.error(f"{where}.resolved_on", "the condition cannot be resolved before it was noted")
        if len(record.errors) == before:
            cleaned.append(
                {
                    "code": code,
                    "location": location,
                    "side": side,
                    "value": value,
                    "detail": detail.strip(),
                    "noted_on": noted,
                    "resolved_on": resolved,
                }
            )
    return cleaned


def _clearance(entry, record, born):
    if not isinstance(entry, dict):
        record.error("clearance", "expected an object with physician, date and restrictions")
        return None
    physician = entry.get("physician") or ""
    restrictions = entry.get("restrictions") or ""
    if not isinstance(physician, str) or not physician.strip():
        record.error("clearance.physician", "the physician's name is required")
    elif len(physician) > 200:
        record.error("clearance.physician", "at most 200 characters")
    if not isinstance(restrictions, str):
        record.error("clearance.restrictions", "must be text")
    day = _dated(entry.get("date"), "clearance.date", record, required=True, born=born)
    if isinstance(physician, str) and isinstance(restrictions, str):
        return {"physician": physician.strip(), "cleared_on": day, "restrictions": restrictions.strip()}
    return None


def _care_team(usernames, record, therapists):
    if not isinstance(usernames, list):
        record.error("care_team", "expected a list of usernames")
        return None
    if not usernames:
        record.error("care_team", "at least one therapist is required")
        return None
    found = {
        username: therapists[username] for username in usernames if isinstance(username, str) and username in therapists
    }
    for index, username in enumerate(usernames):
        if not isinstance(username, str):
            record.error(f"care_team[{index}]", "expected a username (text)")
        elif username not in found:
            record.error(f"care_team[{index}]", f"no active therapist with the username {username!r}")
    return list(found.values())


def _save(item):
    """Update a client on record from its checked document, listing each change in the report."""
    record, form, client = item.record, item.form, item.client
    try:
        claim_version(client, client.version)
    except StaleVersion as stale:
        record.error("document", str(stale))
        return
    record.changes.extend(str(form.fields[name].label) for name in form.changed_data)
    client = form.save(commit=False)
    if item.causes is not None:
        if item.causes != client.contributing_causes:
            record.changes.append("Contributing causes")
        client.contributing_causes = item.causes
    if item.symptoms is not None:
        if item.symptoms != client.symptoms:
            record.changes.append("Symptoms")
        client.symptoms = item.symptoms
    client.save()
    if item.team is not None and set(item.team) != set(client.care_team.all()):
        client.care_team.set(item.team)
        record.changes.append("Care team")
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
                condition.version += 1
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
        same.version += 1
        same.save()
        return "Clearance restrictions updated"
    PhysicianClearance.objects.create(client=client, **clearance)
    return "Clearance added"
