"""The client document of DESIGN.md, exported: JSON for one client, CSV for the whole list.

The import of these documents is `clients.importing`.
"""

import csv
import io

from django.contrib.auth import get_user_model

from protocols.vocabulary import REGIONS, SIDES

from .assessment_documents import export_assessments
from .models import Client

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


def csv_row(client, care_team):
    """A client's CSV row, its cells safe to open in a spreadsheet."""
    return [neutralise_cell(value) for value in _csv_values(client, care_team)]


def _csv_values(client, care_team):
    return [
        client.external_id,
        client.first_name,
        client.last_name,
        _date(client.date_of_birth),
        client.phone,
        client.email,
        client.neuropathy_type,
        ";".join(sorted(care_team)),
    ]


def csv_chunks(clients, chunk_size=2000):
    """The CSV that import_clients reads back, as text a chunk of clients at a time: constant memory
    whatever the number of clients (rows read through a server-side cursor as tuples, and one
    care-team query per chunk; usernames looked up once)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    usernames = dict(User.objects.values_list("pk", "username"))
    fields = ["pk", *(name for name in CSV_COLUMNS if name != "care_team")]
    chunk = []
    for client in clients.values_list(*fields, named=True).iterator(chunk_size=chunk_size):
        chunk.append(client)
        if len(chunk) == chunk_size:
            _write_chunk(writer, chunk, usernames)
            yield _drain(buffer)
            chunk = []
    _write_chunk(writer, chunk, usernames)
    yield _drain(buffer)


def _write_chunk(writer, clients, usernames):
    teams = {client.pk: [] for client in clients}
    if teams:
        links = Client.care_team.through.objects.filter(client_id__in=list(teams))
        for client_id, user_id in links.values_list("client_id", "user_id"):
            teams[client_id].append(usernames[user_id])
    writer.writerows(csv_row(client, teams[client.pk]) for client in clients)


def _drain(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
