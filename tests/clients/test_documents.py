"""The client document: export, import (JSON, CSV, upload page, command) and the lossless round trip."""

import copy
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from clients.documents import CSV_COLUMNS, export_client
from clients.importing import ImportFileError, import_documents, read_upload
from clients.models import Client, Condition, PhysicianClearance
from protocols.vocabulary import CONTRIBUTING_CAUSES, SYMPTOMS
from tests.factories import document_of, make_clearance, make_client, make_clinic_admin, make_condition

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def full_client(care_team):
    """A client using every field, every symptom and conditions of every shape."""
    symptoms = list(SYMPTOMS)
    client = make_client(
        external_id="C-1001",
        first_name="Zoë",
        last_name="O'Brien-Núñez",
        date_of_birth=datetime.date(1958, 4, 2),
        phone="+1 555 0100",
        email="zoe@example.com",
        emergency_contact="Sam O'Brien, 555-0101",
        referring_physician="Dr. Anika Shah",
        consented_on=days_ago(300),
        neuropathy_type="IDIOPATHIC",
        diagnosed_on=datetime.date(2019, 5, 1),
        contributing_causes=list(CONTRIBUTING_CAUSES),
        symptoms={
            "arms:left": ["weakness"],
            "hands:left": symptoms[:5],
            "hands:right": symptoms[:5],
            "legs:right": ["pain", "allodynia"],
            "feet:left": symptoms,
            "feet:right": symptoms[4:],
        },
        care_team=care_team,
    )
    make_condition(client, "open_wound", location="feet", side="left", detail="heel", noted_on=days_ago(6))
    make_condition(
        client, "open_wound", location="hands", side="right", noted_on=days_ago(90), resolved_on=days_ago(60)
    )
    make_condition(client, "edema", location="legs", side="both", noted_on=days_ago(20))
    make_condition(client, "insulin_site", location="abdomen", side="right", noted_on=days_ago(3))
    make_condition(client, "port", location="chest", side="left", noted_on=days_ago(100))
    make_condition(client, "node_removal_axillary", location="arms", side="right", noted_on=days_ago(800))
    make_condition(client, "vte_history", location="", side="", noted_on=days_ago(400))
    make_condition(client, "platelet_count", value=45_000, noted_on=days_ago(2))
    make_condition(client, "anc", value=1_200, noted_on=days_ago(2))
    make_condition(client, "insulin_user", detail="basal-bolus", noted_on=days_ago(900))
    make_condition(client, "fever", noted_on=days_ago(30), resolved_on=days_ago(27))
    make_condition(client, "fall_risk", noted_on=days_ago(10), entered_in_error=True)
    make_clearance(client, physician="Dr. Old", cleared_on=days_ago(500))
    make_clearance(client, physician="Dr. Helen Ito", cleared_on=days_ago(40), restrictions="No deep work.\nNo heat.")
    return client


def without_ids(document):
    document = copy.deepcopy(document)
    document.pop("id")
    return document


def test_export_is_the_client_document_of_the_design(therapist, second_therapist):
    client = full_client([therapist, second_therapist])
    document = export_client(client)
    assert document["schema"] == "planner.client.v1"
    assert document["id"] == client.pk
    assert document["external_id"] == "C-1001"
    assert document["date_of_birth"] == "1958-04-02"
    assert document["neuropathy"]["type"] == "IDIOPATHIC"
    assert document["neuropathy"]["diagnosed_on"] == "2019-05-01"
    assert {"region": "feet", "side": "left", "symptoms": list(SYMPTOMS)} in document["neuropathy"]["regions"]
    # Equal symptoms on both sides are written once, as "both".
    assert {"region": "hands", "side": "both", "symptoms": list(SYMPTOMS)[:5]} in document["neuropathy"]["regions"]
    wound = {
        "code": "open_wound",
        "location": "feet",
        "side": "left",
        "value": None,
        "detail": "heel",
        "noted_on": days_ago(6).isoformat(),
        "resolved_on": None,
    }
    assert wound in document["conditions"]
    assert {"code": "vte_history", "location": None, "side": None}.items() <= next(
        c for c in document["conditions"] if c["code"] == "vte_history"
    ).items()
    assert len(document["conditions"]) == 11  # the one entered in error is left out
    assert document["clearance"] == {
        "physician": "Dr. Helen Ito",
        "date": days_ago(40).isoformat(),
        "restrictions": "No deep work.\nNo heat.",
    }
    assert document["care_team"] == ["sam", "tara"]
    assert document["plans"] == [] and document["records"] == []


def test_export_then_import_into_an_empty_database_then_export_is_the_same(therapist, second_therapist):
    client = full_client([therapist, second_therapist])
    exported = json.loads(json.dumps(export_client(client)))
    Condition.objects.all().delete()
    PhysicianClearance.objects.all().delete()
    Client.objects.all().delete()

    report = import_documents(exported)
    assert report.saved and report.created == 1, report.error_messages()
    again = export_client(Client.objects.get())
    assert without_ids(again) == without_ids(exported)


def test_json_download_from_the_client_page(login, therapist):
    client = full_client([therapist])
    response = login(therapist).get(f"/clients/{client.pk}/export.json")
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="C-1001.json"'
    assert document_of(response) == json.loads(json.dumps(export_client(client)))


def minimal(**overrides):
    document = {
        "schema": "planner.client.v1",
        "external_id": "C-2000",
        "first_name": "Ada",
        "last_name": "Quinn",
        "date_of_birth": "1960-01-31",
        "neuropathy": {"type": "DPN", "regions": [{"region": "feet", "side": "both", "symptoms": ["numbness"]}]},
        "conditions": [{"code": "open_wound", "location": "feet", "side": "left", "noted_on": "2024-03-01"}],
        "clearance": {"physician": "Dr. Shah", "date": "2024-02-01", "restrictions": ""},
        "care_team": ["tara"],
    }
    document.update(overrides)
    return document


def test_import_updates_by_external_id_and_deletes_nothing(therapist, second_therapist):
    import_documents([minimal()])
    client = Client.objects.get(external_id="C-2000")
    make_condition(client, "fever", noted_on=days_ago(1))

    document = minimal(
        phone="555-0199",
        conditions=[
            {
                "code": "open_wound",
                "location": "feet",
                "side": "left",
                "noted_on": "2024-03-01",
                "resolved_on": "2024-04-01",
            },
            {"code": "anc", "value": 900, "noted_on": days_ago(1).isoformat()},
        ],
        clearance={"physician": "Dr. Ito", "date": days_ago(5).isoformat(), "restrictions": "Gentle."},
        care_team=["sam"],
    )
    report = import_documents([document])
    assert report.saved and report.updated == 1
    assert report.records[0].changes == [
        "Phone",
        "Care team",
        "1 condition added",
        "1 condition updated",
        "Clearance added",
    ]
    client.refresh_from_db()
    assert client.phone == "555-0199" and client.version == 2
    assert list(client.care_team.all()) == [second_therapist]
    # The wound is resolved, the ANC added, the fever (not in the file) kept; clearances kept side by side.
    assert sorted(client.conditions.values_list("code", "resolved_on")) == [
        ("anc", None),
        ("fever", None),
        ("open_wound", datetime.date(2024, 4, 1)),
    ]
    assert client.clearances.count() == 2

    # The same file again changes nothing.
    assert import_documents([document]).records[0].changes == []


def test_dry_run_reports_and_saves_nothing(therapist):
    make_client(external_id="C-2000", care_team=[therapist])
    report = import_documents([minimal(), minimal(external_id="C-3000")], dry_run=True)
    assert report.ok and not report.saved
    assert [(r.label, r.action) for r in report.records] == [("document 1", "update"), ("document 2", "create")]
    assert Client.objects.count() == 1
    assert not Condition.objects.exists()


@pytest.mark.parametrize(
    "change, where, message",
    [
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"date_of_birth": "02/01/1960"}, "date_of_birth", "expected a date as YYYY-MM-DD"),
        ({"date_of_birth": "1960-02-31"}, "date_of_birth", "'1960-02-31' is not a date on the calendar"),
        ({"date_of_birth": "1960-13-01"}, "date_of_birth", "'1960-13-01' is not a date on the calendar"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "This date is in the future."),
        ({"schema": "planner.client.v9"}, "schema", "expected 'planner.client.v1'"),
        (
            {"neuropathy": {"type": "XYZ"}},
            "neuropathy.type",
            "XYZ is not a neuropathy type: use DPN, CIPN or IDIOPATHIC.",
        ),
        (
            {"neuropathy": {"type": "DPN", "contributing_causes": ["gluten"]}},
            "neuropathy.contributing_causes[0]",
            "gluten",
        ),
        (
            {"neuropathy": {"type": "DPN", "regions": [{"region": "feet", "side": "both", "symptoms": ["zap"]}]}},
            "neuropathy.regions[0].symptoms[0]",
            "unknown symptom 'zap'",
        ),
        (
            {"neuropathy": {"type": "DPN", "regions": [{"region": "knees", "side": "both", "symptoms": []}]}},
            "neuropathy.regions[0].region",
            "unknown region 'knees'",
        ),
        ({"conditions": [{"code": "frostbite", "noted_on": "2024-01-01"}]}, "conditions[0].code", "Unknown condition"),
        (
            {"conditions": [{"code": "lymphedema", "location": "feet", "side": "left", "noted_on": "2024-01-01"}]},
            "conditions[0].location",
            "cannot be on the feet",
        ),
        (
            {"conditions": [{"code": "fever", "value": 39, "noted_on": "2024-01-01"}]},
            "conditions[0].value",
            "takes no value",
        ),
        (
            {"conditions": [{"code": "anc", "noted_on": "2024-01-01"}]},
            "conditions[0].value",
            "Enter the neutrophil count",
        ),
        (
            {"conditions": [{"code": "anc", "value": "lots", "noted_on": "2024-01-01"}]},
            "conditions[0].value",
            "whole number",
        ),
        ({"conditions": [{"code": "fever", "noted_on": "2999-01-01"}]}, "conditions[0].noted_on", "in the future"),
        ({"conditions": [{"code": "fever"}]}, "conditions[0].noted_on", "a date is required"),
        (
            {"conditions": [{"code": "fever", "noted_on": "2024-01-05", "resolved_on": "2024-01-01"}]},
            "conditions[0].resolved_on",
            "cannot be resolved before it was noted",
        ),
        ({"clearance": {"physician": "", "date": "2024-01-01"}}, "clearance.physician", "required"),
        ({"clearance": {"physician": "Dr. X", "date": "yesterday"}}, "clearance.date", "YYYY-MM-DD"),
        ({"care_team": ["nobody"]}, "care_team[0]", "no active therapist with the username 'nobody'"),
        ({"care_team": []}, "care_team", "at least one therapist"),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
    ],
)
def test_bad_record_is_reported_by_record_and_field_and_nothing_is_saved(therapist, change, where, message):
    good = minimal(external_id="C-1")
    report = import_documents([good, minimal(**change)])
    assert not report.saved
    assert report.records[0].errors == []
    found = [text for field, text in report.records[1].errors if field == where]
    assert found and message in found[0], report.records[1].errors
    assert any(line.startswith(f"document 2, {where}: ") for line in report.error_messages())
    assert not Client.objects.exists()


def test_duplicate_external_id_in_one_file_is_an_error(therapist):
    report = import_documents([minimal(), minimal()])
    assert report.records[1].errors == [("external_id", "'C-2000' appears twice in this file (also document 1)")]
    assert not Client.objects.exists()


def test_a_therapist_who_left_cannot_join_a_care_team(therapist):
    therapist.is_active = False
    therapist.save()
    report = import_documents([minimal()])
    assert report.records[0].errors == [("care_team[0]", "no active therapist with the username 'tara'")]


CSV = (
    "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team\n"
    "C-1,Ada,Quinn,1960-01-31,555-0100,ada@example.com,DPN,tara\n"
    "C-2,Ben,Okafor,1955-07-04,,,CIPN,tara;sam\n"
)


def test_csv_creates_and_updates_clients(therapist, second_therapist):
    existing = make_client(
        external_id="C-2", first_name="Benjamin", care_team=[therapist], symptoms={"feet:left": ["pain"]}
    )
    docs, labels = read_upload("clients.csv", CSV.encode())
    assert labels == ["row 2", "row 3"]
    report = import_documents(docs, labels=labels)
    assert report.saved and (report.created, report.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.first_name == "Ben" and existing.neuropathy_type == "CIPN"
    assert set(existing.care_team.all()) == {therapist, second_therapist}
    # A CSV says nothing of symptoms or conditions: they stay.
    assert existing.symptoms == {"feet:left": ["pain"]}
    ada = Client.objects.get(external_id="C-1")
    assert (ada.email, ada.date_of_birth) == ("ada@example.com", datetime.date(1960, 1, 31))


@pytest.mark.parametrize("line_end", ["\r", "\r\n", "\n"])
def test_csv_reads_every_kind_of_line_end(therapist, second_therapist, line_end):
    """Excel's 'CSV (Macintosh)' ends lines with a lone \r."""
    docs, labels = read_upload("clients.csv", CSV.replace("\n", line_end).encode())
    assert labels == ["row 2", "row 3"]
    assert [doc["first_name"] for doc in docs] == ["Ada", "Ben"]


def test_csv_errors_name_the_row_and_column(therapist, second_therapist):
    bad = CSV.replace("1955-07-04", "04/07/1955").replace("CIPN", "FOO").replace("tara;sam", "tara;nobody")
    docs, labels = read_upload("clients.csv", bad.encode())
    report = import_documents(docs, labels=labels, csv=True)
    assert report.error_messages() == [
        "row 3, date_of_birth: expected a date as YYYY-MM-DD, not '04/07/1955'",
        "row 3, care_team: no active therapist with the username 'nobody'",
        "row 3, neuropathy_type: FOO is not a neuropathy type: use DPN, CIPN or IDIOPATHIC.",
    ]
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("clients.txt", b"hello", "not a CSV or JSON file"),
        ("clients.csv", b"external_id,first_name\nC-1,Ada\n", "row 1 (header): missing columns last_name"),
        ("clients.csv", (CSV + "C-3,Cy\n").encode(), "row 4: has 2 values, the header has 8 columns."),
        ("clients.csv", b"", "The file is empty."),
        (
            "clients.csv",
            b"external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team,external_id\n"
            b"QA-7,Ada,Quinn,1960-01-31,,,DPN,tara,QA-8\n",
            "row 1 (header): the column external_id appears twice; keep one.",
        ),
        ("clients.csv", b"external_id;first_name;last_name\nC-1;Ada;Quinn\n", "missing columns date_of_birth"),
        ("clients.csv", b"external_id\tfirst_name\tlast_name\n", "missing columns date_of_birth"),
        ("clients.json", b'{"first_name": ', "Not valid JSON"),
        ("clients.json", b"[]", "The file holds no clients."),
        ("clients.json", b'"a string"', "one client document or a list of them"),
        (
            "clients.json",
            b'{"first_name": 1e400}',
            "Not valid JSON: 1e400 is beyond the size of any value a client document holds.",
        ),
        ("clients.csv", b"\xff\xfe\x00b\x00a\x00d", "missing columns external_id"),  # UTF-16 read wrong way round
        ("clients.json", b"\xff\xfe\x00b\x00a\x00d", "not UTF-8 text"),
        # A quote opened and never closed swallows the rest of the file: said so, not counted as columns.
        (
            "clients.csv",
            CSV.replace("C-2,Ben", 'C-2,"Ben').encode(),
            'row 3: a value opens with a quote mark (") that is not closed where it should be',
        ),
        # On the first data row of four: the row it opens on is named, not the last line it swallowed.
        (
            "clients.csv",
            (CSV.replace("C-1,Ada", 'C-1,"Ada') + "C-3,Cy,Lee,1970-01-01,,,DPN,tara\n").encode(),
            'row 2: a value opens with a quote mark (") that is not closed where it should be',
        ),
        ("clients.csv", (CSV + 'C-3,"' + "y" * 200_000 + '",Quinn\n').encode(), "row 4: a value is longer than any"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(name, content, message):
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_upload(name, content)


def test_upload_page_shows_a_dry_run_then_imports_on_confirmation(login, clinic_admin, therapist):
    admin = login(clinic_admin)
    assert admin.get("/clients/import/").status_code == 200
    upload = SimpleUploadedFile("clients.json", json.dumps([minimal()]).encode(), content_type="application/json")
    response = admin.post("/clients/import/", {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check before importing: clients.json" in page and "Create" in page
    assert not Client.objects.exists()

    token = response.context["token"]
    response = admin.post("/clients/import/", {"confirm": token})
    assert response.status_code == 302
    client = Client.objects.get(external_id="C-2000")
    assert client.conditions.count() == 1
    assert client.history.first().history_user == clinic_admin
    # The stored file is used once.
    assert admin.post("/clients/import/", {"confirm": token}).status_code == 302
    assert Client.objects.count() == 1


def test_confirming_something_other_than_the_checked_file_is_refused(login, clinic_admin, therapist):
    admin = login(clinic_admin)
    upload = SimpleUploadedFile("clients.json", json.dumps(minimal()).encode())
    admin.post("/clients/import/", {"file": upload})
    response = admin.post("/clients/import/", {"confirm": "0" * 43}, follow=True)
    assert "upload the file again" in response.content.decode()
    assert not Client.objects.exists()


def test_upload_page_lists_errors_and_offers_no_confirmation(login, clinic_admin, therapist):
    upload = SimpleUploadedFile(
        "clients.json", json.dumps([minimal(), minimal(external_id="C-9", care_team=["x"])]).encode()
    )
    response = login(clinic_admin).post("/clients/import/", {"file": upload})
    page = response.content.decode()
    assert "cannot be imported" in page and "document 2, care_team[0]: no active therapist" in page
    assert 'name="confirm"' not in page
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    "name, size, message",
    [
        ("clients.pdf", 10, "Choose a .json or .csv file."),
        # Rounded to 5.0 MB, a byte over the limit would read as within it.
        ("clients.csv", 5 * 1024 * 1024 + 1, "The file is 5,242,881 bytes; the limit is 5 MB (5,242,880 bytes)."),
        ("clients.csv", 6 * 1024 * 1024, "The file is 6.0 MB; the limit is 5 MB."),
    ],
)
def test_upload_refuses_other_files_and_big_ones(login, clinic_admin, name, size, message):
    upload = SimpleUploadedFile(name, b"x" * size)
    response = login(clinic_admin).post("/clients/import/", {"file": upload})
    assert message in " ".join(response.context["form"].errors["file"])


def test_upload_names_the_problem_of_an_unreadable_file(login, clinic_admin):
    upload = SimpleUploadedFile("clients.csv", b"name,age\nAda,60\n")
    response = login(clinic_admin).post("/clients/import/", {"file": upload})
    assert "row 1 (header): missing columns external_id, first_name" in " ".join(
        response.context["form"].errors["file"]
    )


def test_csv_download_holds_active_clients_and_imports_back(login, clinic_admin, therapist, second_therapist):
    make_client(external_id="C-1", first_name="Ada", last_name="Quinn", care_team=[therapist, second_therapist])
    make_client(external_id="C-2", last_name="Gone", archived_at=timezone.now(), care_team=[therapist])
    response = login(clinic_admin).get("/clients/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines() == [
        "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team",
        "C-1,Ada,Quinn,1958-04-02,,,DPN,sam;tara",
    ]
    docs, labels = read_upload("clients.csv", text.encode())
    report = import_documents(docs, labels=labels, dry_run=True)
    assert report.ok and report.records[0].action == "update" and report.records[0].changes == []


def test_command_imports_and_dry_runs(tmp_path, therapist):
    path = tmp_path / "clients.json"
    path.write_text(json.dumps([minimal()]))
    out = io.StringIO()
    call_command("import_clients", str(path), "--dry-run", stdout=out)
    assert "would create 1" in out.getvalue() and not Client.objects.exists()
    call_command("import_clients", str(path), stdout=out)
    assert Client.objects.filter(external_id="C-2000").exists()


def test_command_fails_on_any_error_and_saves_nothing(tmp_path, therapist):
    path = tmp_path / "clients.json"
    path.write_text(
        json.dumps([minimal(external_id="C-1"), minimal(conditions=[{"code": "zzz", "noted_on": "2024-01-01"}])])
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_clients", str(path), stderr=err)
    assert "document 2, conditions[0].code: Unknown condition 'zzz'." in err.getvalue()
    assert not Client.objects.exists()
    (tmp_path / "clients.xml").write_text("<clients/>")
    with pytest.raises(CommandError, match="not a CSV or JSON file"):
        call_command("import_clients", str(tmp_path / "clients.xml"))


def test_blank_csv_contact_cells_leave_the_saved_values(therapist):
    from clients.importing import import_documents, parse_csv
    from clients.models import Client
    from tests.factories import make_client

    client = make_client(external_id="C-2001", phone="555-0101", email="anna@example.com", care_team=[therapist])
    header = "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team\n"
    identity = f"C-2001,{client.first_name},{client.last_name},{client.date_of_birth}"
    row = f"{identity},,,{client.neuropathy_type},{therapist.username}\n"
    docs, labels = parse_csv(header + row)
    report = import_documents(docs, dry_run=False, labels=labels)
    assert report.ok, report.error_messages()
    client = Client.objects.get(external_id="C-2001")
    assert (client.phone, client.email) == ("555-0101", "anna@example.com")


def test_csv_streams_a_chunk_of_clients_at_a_time_in_two_queries_whatever_the_number(
    therapist, second_therapist, django_assert_num_queries
):
    from clients.documents import csv_chunks
    from clients.models import Client

    for n in range(5):
        make_client(external_id=f"C-{n}", last_name=f"Name{n}", care_team=[therapist, second_therapist][: n % 2 + 1])
    clients = Client.objects.order_by("last_name", "first_name", "pk")
    # The usernames, then the clients with their care teams aggregated in SQL (one cursor, read in chunks).
    with django_assert_num_queries(2):
        chunks = list(csv_chunks(clients, chunk_size=2))
    # The header at once, before any query's rows; then the clients two at a time.
    assert chunks[0] == ",".join(CSV_COLUMNS) + "\r\n"
    assert [chunk.count("\r\n") for chunk in chunks[1:]] == [2, 2, 1]
    lines = "".join(chunks).splitlines()
    assert lines[0].startswith("external_id,") and len(lines) == 6
    assert lines[1].endswith(",DPN,tara") and lines[2].endswith(",DPN,sam;tara")


def test_confirming_twice_imports_once_even_without_external_ids(login, clinic_admin, therapist):
    admin = login(clinic_admin)
    docs = [minimal(external_id=""), minimal(external_id="", first_name="Bea")]
    upload = SimpleUploadedFile("clients.json", json.dumps(docs).encode())
    token = admin.post("/clients/import/", {"file": upload}).context["token"]
    first = admin.post("/clients/import/", {"confirm": token})
    second = admin.post("/clients/import/", {"confirm": token}, follow=True)
    assert first.status_code == 302
    assert "already imported; it was not imported again" in second.content.decode()
    assert Client.objects.count() == 2


def test_a_pending_import_is_confirmed_only_by_whoever_uploaded_it(login, clinic_admin, therapist):
    upload = SimpleUploadedFile("clients.json", json.dumps([minimal()]).encode())
    token = login(clinic_admin).post("/clients/import/", {"file": upload}).context["token"]
    other_admin = make_clinic_admin(username="olga")
    response = login(other_admin).post("/clients/import/", {"confirm": token}, follow=True)
    assert "upload the file again" in response.content.decode()
    assert not Client.objects.exists()


def test_the_report_counts_only_what_happens_and_lists_errors_before_a_long_tail(login, clinic_admin, therapist):
    docs = [minimal(external_id=f"C-{n}", first_name=f"Ann{n}" if n % 2 else "-1") for n in range(5)]
    report = import_documents(docs, dry_run=True)
    assert (report.error_count, report.created) == (3, 2)
    page = login(clinic_admin).post(
        "/clients/import/", {"file": SimpleUploadedFile("c.json", json.dumps(docs).encode())}
    )
    assert "3 records with errors · nothing will be imported" in page.content.decode()

    many = [minimal(external_id=f"M-{n}") for n in range(250)] + [minimal(external_id="M-bad", care_team=["nobody"])]
    report = import_documents(many, dry_run=True)
    shown = report.shown_records()
    assert len(shown) == 201 and shown[-1].errors and report.hidden_count == 50


def test_the_report_names_a_record_briefly_and_only_with_text(therapist):
    docs = [
        minimal(last_name="Q" * 100_000, external_id="C-" + "9" * 500),
        minimal(first_name={"x": 1}, last_name=["A"], external_id="C-2001"),
    ]
    report = import_documents(docs)
    long_one, odd_one = report.records
    assert long_one.name == "Q" * 79 + "…, Ada" and len(long_one.external_id) == 80
    assert odd_one.name == "" and odd_one.external_id == "C-2001"
    assert any(where == "first_name" for where, _ in odd_one.errors)
    assert "{'x': 1}" not in str(report.records)


def test_an_import_matches_external_ids_without_regard_to_case(therapist):
    from clients.models import Client

    report = import_documents([minimal(external_id="C-2000")], dry_run=False)
    assert report.saved and Client.objects.count() == 1
    again = import_documents([minimal(external_id="c-2000", first_name="Adah")], dry_run=False)
    assert [record.action for record in again.records] == ["update"]
    assert Client.objects.get().first_name == "Adah" and Client.objects.count() == 1
    twice = import_documents([minimal(external_id="X-1"), minimal(external_id="x-1")])
    assert twice.records[1].errors == [("external_id", "'x-1' appears twice in this file (also document 1)")]


def test_an_import_finds_an_id_beyond_ascii_again(therapist):
    from clients.models import Client

    assert import_documents([minimal(external_id="ÉLAN-1")], dry_run=False).saved
    again = import_documents([minimal(external_id="ÉLAN-1", first_name="Adah")], dry_run=False)
    assert [record.action for record in again.records] == ["update"] and again.saved
    assert Client.objects.get().first_name == "Adah"


@pytest.mark.parametrize("team", [[], ["nobody"], "tara"])
def test_a_new_clients_bad_care_team_is_said_once(therapist, team):
    report = import_documents(minimal(care_team=team))
    said = [(where, text) for where, text in report.records[0].errors if where.startswith("care_team")]
    assert len(said) == 1, said


def test_a_condition_saved_meanwhile_refuses_the_file_whole(monkeypatch, therapist):
    """A condition someone saves while the file is imported (between its reading and its update) is an
    error of the document, and nothing of the file is kept: before, the import failed with a server error."""
    from django.db.models import F

    from clients import importing

    import_documents([minimal()])
    client = Client.objects.get(external_id="C-2000")
    wound = make_condition(client, "open_wound", location="feet", side="left", noted_on=datetime.date(2024, 3, 1))
    real_claim = importing.claim_version

    def saved_meanwhile(instance, version):
        if isinstance(instance, Condition):
            Condition.objects.filter(pk=instance.pk).update(version=F("version") + 1, detail="Edited meanwhile.")
        return real_claim(instance, version)

    monkeypatch.setattr(importing, "claim_version", saved_meanwhile)
    condition = {"code": "open_wound", "location": "feet", "side": "left", "noted_on": "2024-03-01"}
    report = import_documents([minimal(phone="555-0199", conditions=[{**condition, "resolved_on": "2024-04-01"}])])
    assert not report.saved
    [(where, message)] = report.records[0].errors
    assert where == "document" and "saved this condition" in message and "your changes were not saved" in message
    client.refresh_from_db()
    wound.refresh_from_db()
    assert client.phone != "555-0199" and wound.resolved_on is None  # the file's changes are all rolled back


@pytest.mark.parametrize(
    ("external_id", "header"),
    [
        # Quotes and ";" in an id cannot close the name and add a filename* that names the file evil.html.
        ("x\";filename*=UTF-8''evil.html;x=\"", 'attachment; filename="x-filename-UTF-8-evil.html-x.json"'),
        ("C/10 01\\..", 'attachment; filename="C-10-01.json"'),
        ("Ängsö-7", "attachment; filename*=utf-8''%C3%84ngs%C3%B6-7.json"),
        ('";', 'attachment; filename="client-{pk}.json"'),
    ],
)
def test_a_download_is_named_after_the_external_id_in_safe_characters_only(login, therapist, external_id, header):
    client = full_client([therapist])
    Client.objects.filter(pk=client.pk).update(external_id=external_id)
    response = login(therapist).get(f"/clients/{client.pk}/export.json")
    assert response["Content-Disposition"] == header.format(pk=client.pk)
    fhir = login(therapist).get(f"/clients/{client.pk}/fhir.json")
    assert fhir["Content-Disposition"] == header.format(pk=client.pk).replace(".json", ".fhir.json")
