"""The client document of DESIGN.md, exported: JSON for one client, CSV for the whole list.

The import of these documents is `clients.importing`.
"""

import csv
import io

from django.contrib.auth import get_user_model
from django.db.models import Aggregate, CharField, OuterRef, Subquery
from django.utils import timezone

from protocols.facts import lab_in_use
from protocols.vocabulary import REGIONS, SIDES

from .assessment_documents import export_assessments
from .models import LAB_CODES, Client

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


def labs_in_use(conditions, day):
    """{lab code: {"value", "noted_on"} or None when unknown (none, or older than the engine reads)}."""
    in_use = {code: lab_in_use([c for c in conditions if c.code == code], day) for code in sorted(LAB_CODES)}
    return {
        code: {"value": result.value, "noted_on": _date(result.noted_on)} if result else None
        for code, result in in_use.items()
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
        # For reading (the import ignores it): each lab's value in use today, as the engine and every
        # page read it (RULES.md, settled readings: of several results on the latest day, the lowest).
        "labs_in_use": labs_in_use(conditions, timezone.localdate()),
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
    yield _drain(buffer)  # the download starts while the clients are read
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
