"""The client document written as it is read: the same JSON as the whole document, in pieces."""

import json
import threading

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import client_document, proposals, recording
from planner.client_document import json_chunks, record_document, with_parts
from planner.models import SessionPlan, SessionRecord
from tests.factories import document_of, make_clinic_admin
from tests.planner.test_client_pages import signed_session
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
from tests.planner.test_records import record_data

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    head=st.dictionaries(st.text(max_size=6), json_values, max_size=5),
    sections=st.dictionaries(st.text(max_size=6), st.lists(json_values, max_size=6), max_size=3),
    send_at=st.integers(min_value=1, max_value=80),
)
def test_the_pieces_are_the_text_of_the_whole_document(head, sections, send_at):
    whole = dict(head)
    for key, entries in sections.items():
        whole[key] = entries  # a key of head keeps its place; another comes after head's
    pieces = list(json_chunks(head, {key: iter(entries) for key, entries in sections.items()}, send_at))
    assert "".join(pieces) == json.dumps(whole, ensure_ascii=False)
    assert all(pieces)


@settings(max_examples=300, deadline=None)
@given(
    parents=st.lists(st.integers(0, 30), unique=True).map(sorted),
    rows=st.lists(st.tuples(st.integers(-2, 32), st.integers()), max_size=40).map(sorted),
)
def test_each_parent_gets_its_rows_and_rows_of_other_parents_are_passed_over(parents, rows):
    """Rows of keys that are not parents (a colleague's plan, another's draft) fall between, before
    and after the parents' rows."""
    joined = list(with_parts(iter(parents), lambda key: key, (iter(rows), lambda row: row[0])))
    assert joined == [(key, [[row for row in rows if row[0] == key]]) for key in parents]


def test_the_export_arrives_in_pieces_and_reads_as_one_document(login, therapist, monkeypatch):
    client = make_dpn_client(therapist)
    for time in ("09:00", "11:00", "14:00"):
        signed_session(login, therapist, client, time)
    monkeypatch.setattr(client_document, "SEND_AT", 1)
    response = login(therapist).get(f"/clients/{client.pk}/export.json")
    assert response.streaming and response["Content-Type"] == "application/json"
    pieces = list(response.streaming_content)
    assert len(pieces) >= 6  # each plan and record its own piece
    document = json.loads(b"".join(pieces))
    assert [record["plan"] for record in document["records"]] == [plan["id"] for plan in document["plans"]]
    for exported in document["records"]:  # each record with its own items, not a neighbour's
        record = SessionRecord.objects.get(plan_id=exported["plan"])
        places = [(item.region, item.side) for item in record.items.all()]
        assert [(item["region"], item["side"]) for item in exported["items"]] == places != []
    assert document == document_of(login(therapist).get(f"/clients/{client.pk}/export.json"))


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_saved_while_the_document_is_written_is_not_half_in_it(login, therapist, monkeypatch):
    """The document is one picture of the client: a record changed once the plans are being written
    is written as it was when they began."""
    client = make_dpn_client(therapist)
    signed_session(login, therapist, client, "09:00")
    record = SessionRecord.objects.get()
    monkeypatch.setattr(client_document, "SEND_AT", 1)
    response = login(therapist).get(f"/clients/{client.pk}/export.json")
    pieces = iter(response.streaming_content)
    first = next(pieces) + next(pieces)  # the head, then the first plan: the snapshot is taken

    saved = []

    def change():  # on a connection of its own, committed at once
        try:
            SessionRecord.objects.filter(pk=record.pk).update(subjective="Changed while the export was written")
            saved.append(SessionRecord.objects.get(pk=record.pk).subjective)
        finally:
            connection.close()

    thread = threading.Thread(target=change)
    thread.start()
    thread.join(10)
    assert saved == ["Changed while the export was written"]
    document = json.loads(first + b"".join(pieces))
    assert document["records"][0]["soap"]["subjective"] == record.subjective != "Changed while the export was written"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_document_is_read_in_a_snapshot_on_postgresql_and_takes_no_write_lock_on_sqlite(
    login, therapist, monkeypatch
):
    """SQLite begins its transactions IMMEDIATE: one held for a slow download would make every save
    of the clinic wait for it. PostgreSQL's repeatable-read snapshot blocks no writer."""
    client = make_dpn_client(therapist)
    signed_session(login, therapist, client, "09:00")
    monkeypatch.setattr(client_document, "SEND_AT", 1)
    pieces = iter(login(therapist).get(f"/clients/{client.pk}/export.json").streaming_content)
    first = next(pieces)
    assert connection.in_atomic_block == (connection.vendor == "postgresql")
    assert json.loads(first + b"".join(pieces))["records"][0]["plan"] == SessionRecord.objects.get().plan_id
    assert not connection.in_atomic_block


def test_each_reader_gets_the_plans_and_records_the_relations_give_each_with_its_own_parts(
    login, therapist, second_therapist
):
    """Against the document built the slow way, a plan and a record at a time through their relations:
    two therapists' sessions interleaved, a colleague's draft, addenda and a correction, and two
    records begun at the same minute."""
    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    for who, time in (
        (therapist, "09:00"),
        (second_therapist, "10:00"),
        (therapist, "11:00"),
        (second_therapist, "13:00"),
    ):
        signed_session(login, who, client, time)
    draft = create_plan(login, second_therapist, client, day=TODAY, time="15:00")
    login(second_therapist).post(f"/plans/{draft.pk}/save/", save_data(draft, mark_ready=True))
    draft.refresh_from_db()
    assert login(second_therapist).post(f"/plans/{draft.pk}/record/", record_data(draft)).status_code == 302
    first, second, third = SessionRecord.objects.signed().order_by("started_at")[:3]
    recording.add_addendum(first, "Pain before was 4.", first.therapist, field="pain_before", value=4)
    recording.add_addendum(second, "Client phoned: felt better.", second.therapist)
    SessionRecord.objects.filter(pk=third.pk).update(started_at=second.started_at)
    assert SessionRecord.objects.unsigned().count() == 1

    def as_json(value):
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))

    for reader in (make_clinic_admin(), therapist, second_therapist):
        plans = SessionPlan.objects.for_user(reader).filter(client=client).order_by("scheduled_for", "pk")
        records = SessionRecord.objects.for_user(reader).filter(client=client).order_by("started_at", "pk")
        expected_plans = [proposals.plan_document(plan, list(plan.items.all())) for plan in plans]
        expected_records = [
            record_document(r, list(r.items.all()), list(r.addenda.all()), list(r.corrections.all())) for r in records
        ]
        document = document_of(login(reader).get(f"/clients/{client.pk}/export.json"))
        assert document["plans"] == as_json(expected_plans), reader
        assert document["records"] == as_json(expected_records), reader
    # The colleague's draft is the second therapist's alone; the addenda and the correction are where they belong.
    assert len(expected_records) == 5 and len(document["records"]) == 5
    by_plan = {record["plan"]: record for record in document["records"]}
    assert by_plan[first.plan_id]["corrections"][0]["corrected"] == 4
    assert by_plan[second.plan_id]["addenda"][0]["text"] == "Client phoned: felt better."
