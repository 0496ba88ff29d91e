"""Need-to-know: a therapist's access to a client's plans and records ends when they leave the care
team; on the care team, therapists read every signed record of the client, drafts stay their author's."""

from datetime import timedelta

import pytest

from clients.models import Condition
from planner.models import Addendum, PlanStatus, SessionPlan, SessionRecord
from tests.factories import document_of, page_and_panels
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def care(login, therapist, second_therapist):
    """A client of Tara and Sam: Tara's signed record, Tara's open plan for tomorrow, Sam's draft record."""
    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    signed_plan = create_plan(login, therapist, client, day=TODAY, time="08:00")
    login(therapist).post(f"/plans/{signed_plan.pk}/save/", save_data(signed_plan, mark_ready=True))
    login(therapist).post(f"/plans/{signed_plan.pk}/record/", record_data(signed_plan, sign="1"))
    signed = SessionRecord.objects.get(plan=signed_plan)
    assert signed.is_signed
    open_plan = create_plan(login, therapist, client)
    draft_plan = create_plan(login, second_therapist, client, day=TODAY, time="12:00")
    login(second_therapist).post(f"/plans/{draft_plan.pk}/save/", save_data(draft_plan, mark_ready=True))
    login(second_therapist).post(f"/plans/{draft_plan.pk}/record/", record_data(draft_plan, subjective="Sam's draft"))
    draft = SessionRecord.objects.get(plan=draft_plan)
    assert not draft.is_signed
    return {"client": client, "signed": signed, "open_plan": open_plan, "draft": draft}


def every_url(care):
    """Every URL of a client's plans and records, with the method it answers."""
    client, signed, plan, draft = care["client"], care["signed"], care["open_plan"], care["draft"]
    signed_plan = signed.plan_id
    return [
        ("get", f"/clients/{client.pk}/"),
        ("get", f"/clients/{client.pk}/export.json"),
        ("get", f"/clients/{client.pk}/history/"),
        ("get", f"/clients/{client.pk}/history/?recent=1"),
        ("get", f"/clients/{client.pk}/sessions/"),
        ("get", f"/clients/{client.pk}/sessions/?panel=1"),
        ("get", f"/clients/{client.pk}/measures/?panel=1"),
        ("get", f"/clients/{client.pk}/documents/?panel=1"),
        ("get", f"/clients/{client.pk}/plan-preview.json?regions=feet"),
        ("get", f"/plans/new/?client={client.pk}"),
        ("get", f"/plans/{signed_plan}/"),
        ("get", f"/plans/{signed_plan}/print/"),
        ("get", f"/plans/{signed_plan}.json"),
        ("get", f"/plans/{signed_plan}/record/"),
        ("get", f"/records/{signed.pk}/"),
        ("get", f"/records/{signed.pk}/print/"),
        ("get", f"/plans/{plan.pk}/"),
        ("get", f"/plans/{plan.pk}/print/"),
        ("get", f"/plans/{plan.pk}.json"),
        ("post", f"/plans/{plan.pk}/save/"),
        ("post", f"/plans/{plan.pk}/rebuild/"),
        ("post", f"/plans/{plan.pk}/cancel/"),
        ("post", f"/plans/{plan.pk}/record/"),
        ("post", f"/plans/{plan.pk}/record/finding/"),
        ("post", f"/records/{signed.pk}/addenda/"),
        ("get", f"/records/{draft.pk}/"),
    ]


def test_leaving_the_care_team_ends_access_to_every_plan_and_record(login, therapist, care):
    care["client"].care_team.remove(therapist)
    conditions, addenda = Condition.objects.count(), Addendum.objects.count()
    browser = login(therapist)
    reachable = []
    for method, url in every_url(care):
        data = {"code": "open_wound", "location": "feet", "side": "right", "text": "Late note", "reason": "Ill"}
        response = getattr(browser, method)(url, data) if method == "post" else browser.get(url)
        if response.status_code not in (403, 404):
            reachable.append((url, response.status_code))
    assert reachable == []
    # Nothing was written through any of them.
    assert Condition.objects.count() == conditions and Addendum.objects.count() == addenda
    care["open_plan"].refresh_from_db()
    assert care["open_plan"].status == PlanStatus.DRAFT
    # Their own signed record stays in the history, readable by admins.
    assert SessionRecord.objects.filter(pk=care["signed"].pk, therapist=therapist).exists()


def test_admins_still_read_a_removed_therapists_records(login, therapist, clinic_admin, care):
    care["client"].care_team.remove(therapist)
    admin = login(clinic_admin)
    for url in [
        f"/records/{care['signed'].pk}/",
        f"/plans/{care['signed'].plan_id}/",
        f"/plans/{care['open_plan'].pk}/",
    ]:
        assert admin.get(url).status_code == 200, url
    document = document_of(admin.get(f"/clients/{care['client'].pk}/export.json"))
    assert len(document["records"]) == 2


def test_the_care_team_reads_signed_records_read_only_and_drafts_stay_their_authors(
    login, therapist, second_therapist, care
):
    sam, tara = login(second_therapist), login(therapist)
    signed, draft, client = care["signed"], care["draft"], care["client"]
    # Sam reads Tara's signed record, but cannot add to it.
    page = sam.get(f"/records/{signed.pk}/")
    assert page.status_code == 200 and "Add an addendum" not in page.content.decode()
    assert sam.get(f"/records/{signed.pk}/print/").status_code == 200
    assert sam.post(f"/records/{signed.pk}/addenda/", {"text": "Not mine"}).status_code == 403
    assert not Addendum.objects.exists()
    # Tara does not read Sam's draft; the client page and the export agree with the record page.
    assert tara.get(f"/records/{draft.pk}/").status_code == 404
    assert tara.get(f"/plans/{draft.plan_id}/").status_code == 404
    page = page_and_panels(tara, client)
    assert f"/records/{signed.pk}/" in page and f"/records/{draft.pk}/" not in page
    exported = document_of(tara.get(f"/clients/{client.pk}/export.json"))["records"]
    assert [r["plan"] for r in exported] == [signed.plan_id]
    assert "Sam's draft" not in b"".join(tara.get(f"/clients/{client.pk}/export.json").streaming_content).decode()
    # Sam sees his own draft and Tara's signed record.
    exported = document_of(sam.get(f"/clients/{client.pk}/export.json"))["records"]
    assert sorted(r["plan"] for r in exported) == sorted([signed.plan_id, draft.plan_id])


def test_readding_the_therapist_restores_access(login, therapist, care):
    client = care["client"]
    client.care_team.remove(therapist)
    assert login(therapist).get(f"/records/{care['signed'].pk}/").status_code == 404
    client.care_team.add(therapist)
    assert login(therapist).get(f"/records/{care['signed'].pk}/").status_code == 200
    assert SessionPlan.objects.for_user(therapist).filter(client=client).count() == 2


def test_the_dashboard_stops_listing_a_draft_record_when_its_therapist_leaves_the_care_team(
    login, second_therapist, care
):
    draft = care["draft"]
    SessionRecord.objects.filter(pk=draft.pk).update(started_at=draft.started_at - timedelta(days=2))
    name = str(care["client"])
    page = login(second_therapist).get("/").content.decode()
    assert "Records left unsigned" in page and name in page
    care["client"].care_team.remove(second_therapist)
    page = login(second_therapist).get("/").content.decode()
    assert "Records left unsigned" not in page and name not in page
    assert login(second_therapist).get(f"/records/{draft.pk}/").status_code == 404


def test_a_colleagues_plans_are_not_in_a_therapists_exports_and_are_listed_without_a_link(
    login, second_therapist, clinic_admin, care
):
    """A therapist reads the plans they give (SessionPlan.for_user): a colleague's plan, its goals and
    notes, stays out of the client document and the FHIR Bundle they download; the client page still
    lists the colleague's session, for the dates, without a link to a page they cannot open."""
    client, taras = care["client"], [care["open_plan"].pk, care["signed"].plan_id]
    sams = care["draft"].plan_id
    browser = login(second_therapist)
    assert [plan["id"] for plan in document_of(browser.get(f"/clients/{client.pk}/export.json"))["plans"]] == [sams]
    bundle = browser.get(f"/clients/{client.pk}/fhir.json").json()
    resources = [entry["resource"] for entry in bundle["entry"]]
    care_plans = [resource["id"] for resource in resources if resource["resourceType"] == "CarePlan"]
    assert care_plans == [f"plan-{sams}"]
    page = page_and_panels(browser, client)
    assert f'href="/plans/{sams}/"' in page
    for pk in taras:
        assert f'href="/plans/{pk}/"' not in page
        assert browser.get(f"/plans/{pk}/").status_code == 404
    assert "Tara Lindqvist" in page  # the colleague's session is listed, named by its therapist

    admin = login(clinic_admin)
    exported = {plan["id"] for plan in document_of(admin.get(f"/clients/{client.pk}/export.json"))["plans"]}
    assert exported == {sams, *taras}
    page = page_and_panels(admin, client)
    assert all(f'href="/plans/{pk}/"' in page for pk in (sams, *taras))


def test_the_care_team_probe_reads_the_same_plans_and_records_in_any_query(login, therapist, second_therapist, care):
    """for_user tests a therapist's care team with a probe per row (planner.models.OnCareTeam), written
    out. Against the join it replaced, with a second client on whose care team only Sam is: the same
    plans and records on their own, in exclude() and ~Q(), as a subquery of another query (whose tables
    are renamed), through the documents' for_user (an Exists over records), and after Sam leaves a team."""
    from django.db.models import Exists, OuterRef, Q

    from planner.attachments import Attachment
    from planner.models import OnCareTeam

    client = care["client"]
    sams_own = make_dpn_client(second_therapist, first_name="Only", last_name="Sams")
    sams_plan = create_plan(login, second_therapist, sams_own, day=TODAY, time="15:00")
    login(second_therapist).post(f"/plans/{sams_plan.pk}/save/", save_data(sams_plan, mark_ready=True))
    login(second_therapist).post(f"/plans/{sams_plan.pk}/record/", record_data(sams_plan, sign="1"))
    sams_signed = SessionRecord.objects.get(plan=sams_plan)
    assert sams_signed.is_signed and not sams_own.care_team.filter(pk=therapist.pk).exists()
    for record in (care["signed"], sams_signed):
        Attachment.objects.create(
            client=record.client,
            record=record,
            name="note.pdf",
            content_type="application/pdf",
            size=3,
            sha256="0" * 64,
            stored_as=f"note-{record.pk}",
            uploaded_by=record.therapist,
        )

    def joined_plans(user):
        return SessionPlan.objects.filter(therapist=user, client__care_team=user)

    def joined_records(user):
        return SessionRecord.objects.filter(client__care_team=user).filter(
            Q(signed_at__isnull=False) | Q(therapist=user)
        )

    def check(user):
        plans, records = SessionPlan.objects.for_user(user), SessionRecord.objects.for_user(user)
        assert set(plans) == set(joined_plans(user))
        assert set(records) == set(joined_records(user))
        assert set(SessionPlan.objects.exclude(OnCareTeam(user))) == set(
            SessionPlan.objects.exclude(client__care_team=user)
        )
        assert set(SessionRecord.objects.filter(~Q(OnCareTeam(user)))) == set(
            SessionRecord.objects.exclude(client__care_team=user)
        )
        assert set(SessionRecord.objects.filter(plan__in=plans.values("pk"))) == set(
            SessionRecord.objects.filter(plan__in=joined_plans(user).values("pk"))
        )
        probed = SessionPlan.objects.filter(Exists(records.filter(plan=OuterRef("pk"))))
        assert set(probed) == set(SessionPlan.objects.filter(Exists(joined_records(user).filter(plan=OuterRef("pk")))))
        return plans, records

    plans, records = check(therapist)
    assert sams_plan not in plans and sams_signed not in records  # a colleague's client is not Tara's
    assert {a.record for a in Attachment.objects.for_user(therapist)} == {care["signed"]}
    plans, records = check(second_therapist)
    assert sams_plan in plans and {sams_signed, care["signed"], care["draft"]} <= set(records)
    assert {a.record for a in Attachment.objects.for_user(second_therapist)} == {care["signed"], sams_signed}
    client.care_team.remove(second_therapist)
    plans, records = check(second_therapist)
    assert set(plans) == {sams_plan} and set(records) == {sams_signed}
    check(therapist)


@pytest.mark.postgresql
def test_a_therapists_dashboard_lists_walk_the_plan_index_and_probe_the_care_team(login, therapist, care):
    """The dashboard's lists of a therapist's plans (today's, coming, drafts, not recorded) probe the care
    team per plan: no join that reads the therapist's whole care team, so a list can walk the plans' index
    in order and stop at its LIMIT (at a clinic's size: planner.benchmark_pages)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = login(therapist)
    with CaptureQueriesContext(connection) as queries:
        assert browser.get("/").status_code == 200
    lists = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "planner_sessionplan"."id"')]
    assert len(lists) == 4, [q["sql"][:80] for q in queries.captured_queries]
    for sql in lists:
        assert "clients_client_care_team" in sql and 'probe."user_id"' in sql
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of test rows would be read whole
            cursor.execute("EXPLAIN (COSTS OFF) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        team_scans = [line for line in plan.splitlines() if " on clients_client_care_team " in line]
        assert team_scans and all(line.endswith(" probe") for line in team_scans), plan  # the probe, never a join
        assert "SubPlan" in plan, plan
