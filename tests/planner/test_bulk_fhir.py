"""The bulk FHIR export in several processes (export_fhir --workers): the same files as one process,
from one snapshot of the database; and the pieces it is made of."""

import collections
import datetime
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from planner import bulk_fhir
from tests import factories
from tests.planner.test_fhir import signed_session

TODAY = timezone.localdate()


def files(directory):
    return {path.name: path.read_bytes() for path in directory.iterdir()}


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_write_the_same_files_as_one_process(tmp_path, therapist, second_therapist, capsys, monkeypatch):
    monkeypatch.setattr(bulk_fhir, "RANGES_PER_WORKER", 1)  # two ranges of three clients
    for n in range(5):
        client = factories.make_client(care_team=[therapist, second_therapist])
        who = therapist if n % 2 else second_therapist
        signed_session(client, who, day=TODAY - timedelta(days=3 + n), at=datetime.time(9 + n, 0))
    factories.make_client(care_team=[therapist])  # a client with no sessions
    call_command("export_fhir", str(tmp_path / "one"), "--quiet")
    call_command("export_fhir", str(tmp_path / "two"), "--quiet", "--workers", "2", "--validate-sample", "40")
    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    assert {"Patient.ndjson", "CarePlan.ndjson", "Encounter.ndjson", "Practitioner.ndjson"} <= set(one)
    assert one["Patient.ndjson"].count(b"\n") == 6
    assert one["Practitioner.ndjson"].count(b"\n") == 2
    assert two == one  # byte for byte, in the same order; the workers' folders are gone
    out = capsys.readouterr().out
    assert "for 6 clients" in out and "Validated 40 resources picked at random: all valid" in out


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_export_reads_the_snapshot_it_began_with(tmp_path, therapist, monkeypatch, workers):
    clients = [factories.make_client(care_team=[therapist], last_name="Before") for _ in range(4)]
    taken = bulk_fhir.one_snapshot

    def rename_after_the_snapshot(cursor, shared=False):
        snapshot = taken(cursor, shared)
        other = connections.create_connection("default")
        try:
            with other.cursor() as writer:
                writer.execute("UPDATE clients_client SET last_name = 'After' WHERE id = %s", [clients[-1].pk])
        finally:
            other.close()
        return snapshot

    monkeypatch.setattr(bulk_fhir, "one_snapshot", rename_after_the_snapshot)
    call_command("export_fhir", str(tmp_path / "out"), "--quiet", "--workers", workers)
    patients = (tmp_path / "out" / "Patient.ndjson").read_text(encoding="utf-8")
    assert patients.count('"family":"Before"') == 4 and "After" not in patients
    clients[-1].refresh_from_db()
    assert clients[-1].last_name == "After"  # the rename was committed, while the export read the earlier state


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_worker_stops_the_export_with_a_message(tmp_path, therapist, monkeypatch):
    for _ in range(3):
        factories.make_client(care_team=[therapist])
    taken = bulk_fhir.one_snapshot

    def a_snapshot_no_worker_can_import(cursor, shared=False):
        taken(cursor, shared)
        return "0000000F-0000000F-1"

    monkeypatch.setattr(bulk_fhir, "one_snapshot", a_snapshot_no_worker_can_import)
    with pytest.raises(CommandError, match="A worker failed, nothing more was written: .*invalid snapshot"):
        call_command("export_fhir", str(tmp_path / "out"), "--quiet", "--workers", "2")
    assert not (tmp_path / "out" / ".parts").exists()


@pytest.mark.postgresql
@pytest.mark.django_db
def test_workers_need_a_transaction_of_their_own(tmp_path):
    """Inside another transaction (here, the test's) the workers could not see what it wrote."""
    with pytest.raises(CommandError, match="needs a transaction of its own"):
        call_command("export_fhir", str(tmp_path / "out"), "--workers", "2")


@pytest.mark.django_db
def test_workers_need_postgresql_and_at_least_one(tmp_path, monkeypatch):
    with pytest.raises(CommandError, match="--workers must be 1 or more"):
        call_command("export_fhir", str(tmp_path / "a"), "--workers", "0")
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="--workers above 1 needs PostgreSQL"):
        call_command("export_fhir", str(tmp_path / "b"), "--workers", "2")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_ranges_cover_every_id_once_in_order():
    ids = [3, 4, 9, 10, 11, 20, 21]
    assert bulk_fhir.ranges(ids, 3) == [(3, 9), (10, 20), (21, 21)]
    assert bulk_fhir.ranges(ids, 20) == [(i, i) for i in ids]
    assert bulk_fhir.ranges(ids, 1) == [(3, 21)]
    assert bulk_fhir.ranges([], 4) == []


def test_merged_samples_are_a_uniform_sample_of_both_streams():
    """Streams of 10 and 30 resources, 4 picked: each of the 40 is picked about 4 times in 40."""
    picked = collections.Counter()
    trials = 20000
    for trial in range(trials):
        first, second = bulk_fhir.Sample(4, seed=trial), bulk_fhir.Sample(4, seed=-trial - 1)
        for n in range(10):
            first.offer(n)
        for n in range(10, 40):
            second.offer(n)
        merged = first.merge(second)
        assert merged.seen == 40 and len(merged.items) == 4 and len(set(merged.items)) == 4
        picked.update(merged.items)
    expected = trials * 4 / 40
    assert set(picked) == set(range(40))
    assert all(abs(count - expected) < expected * 0.1 for count in picked.values()), picked
    # The first stream's share: 10 of 40, not half.
    assert abs(sum(picked[n] for n in range(10)) / (trials * 4) - 0.25) < 0.01


def test_samples_of_different_sizes_are_not_merged():
    with pytest.raises(ValueError, match="Samples of 3 and 4"):
        bulk_fhir.Sample(3).merge(bulk_fhir.Sample(4))


def test_merging_a_small_stream_takes_all_of_it():
    first, second = bulk_fhir.Sample(5, seed=1), bulk_fhir.Sample(5, seed=2)
    first.offer("a")
    for name in "bc":
        second.offer(name)
    assert sorted(first.merge(second).items) == ["a", "b", "c"]
