"""seed_scale builds a valid clinic in bulk, and benchmark_pages measures every page of it."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from clients.assessments import MonofilamentSite, MonofilamentTest
from clients.models import Client, Condition, PhysicianClearance
from planner import benchmark_pages
from planner.attachments import Attachment
from planner.corrections import ScoreCorrection
from planner.models import PlanItem, PlanStatus, RecordItem, SessionPlan, SessionRecord


@pytest.mark.django_db
def test_seed_scale_builds_a_valid_clinic_with_history(private_dir):
    call_command("seed_scale", clients=60, therapists=3, heavy_records=12)

    assert Client.objects.count() == 60
    assert Client.history.count() == 60
    assert all(client.care_team.exists() for client in Client.objects.all())
    assert Condition.objects.count() > 60
    assert PhysicianClearance.objects.count() == 54
    plans = SessionPlan.objects.annotate(n=Count("items"))
    assert plans.count() >= 120 + 12
    assert not plans.filter(n=0).exists()
    assert PlanItem.objects.count() == sum(len(plan.proposal["regions"]) for plan in plans)
    # A plan's proposal and facts are the engine's, for that plan's client.
    plan = plans.first()
    assert plan.proposal["client"] == plan.client_id == plan.facts["client_id"]
    # Every done plan has its signed record; the long-standing client has the most.
    done = SessionPlan.objects.filter(status=PlanStatus.DONE)
    assert SessionRecord.objects.count() == done.count() > 0
    assert not SessionRecord.objects.filter(signed_at__isnull=True).exists()
    assert RecordItem.objects.exists()
    heaviest = Client.objects.annotate(n=Count("session_records")).order_by("-n").first()
    assert heaviest.n >= 8
    # The long-standing client has every kind of record a course gathers, each saved by the app's own code:
    # a measure each quarter, letters, documents whose files are stored, scores corrected by addenda.
    assert heaviest.monofilament_tests.count() == heaviest.mnsi_questionnaires.count() == 8
    assert MonofilamentSite.objects.filter(test__client=heaviest).count() == 8 * 6
    assert heaviest.progress_letters.count() == 4
    documents = Attachment.objects.filter(client=heaviest)
    assert documents.count() == 3 and all(document.path.read_bytes().startswith(b"%PDF") for document in documents)
    corrections = ScoreCorrection.objects.filter(record__client=heaviest)
    assert corrections.count() == 6 and all(c.corrected != c.original for c in corrections)
    assert not MonofilamentTest.objects.exclude(client=heaviest).exists()
    # No therapist is booked twice at the same time.
    assert SessionPlan.objects.values("therapist", "scheduled_for").annotate(n=Count("pk")).filter(n__gt=1).count() == 0


@pytest.mark.django_db
def test_benchmark_measures_every_page_beside_the_minimal_view(private_dir):
    call_command("seed_scale", clients=30, therapists=2, heavy_records=6)

    result = benchmark_pages.measure(runs=2, warmup=0)

    pages = result["pages"]
    assert result["clients"] == 30
    assert "minimal view (one query)" in pages and "CSV export of all clients" in pages
    for label, page in pages.items():
        assert page["status"] == 200, (label, page)
        assert page["p95"] >= page["p50"] > 0
        if label.endswith(benchmark_pages.FIRST_BYTES):  # of the same runs as the whole page, just above
            whole = pages[label.removesuffix(benchmark_pages.FIRST_BYTES)]
            assert list(pages).index(label) == list(pages).index(label.removesuffix(benchmark_pages.FIRST_BYTES)) + 1
            assert page["p50"] <= whole["p50"] and page["p95"] <= whole["p95"]
        else:
            assert page["queries"] >= 1
    # The streamed downloads: the CSV export and the client document.
    assert {label for label in pages if label.endswith(benchmark_pages.FIRST_BYTES)} == {
        "client export.json, same client, first bytes",
        "CSV export of all clients, first bytes",
    }
    table = benchmark_pages.table([result])
    assert "| dashboard, clinic admin |" in table
    assert "| client export.json, same client, first bytes |" in table
