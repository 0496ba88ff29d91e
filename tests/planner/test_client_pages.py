"""The client page's sessions and progress panel, and the client document's plans and records."""

import json

import pytest
from django.contrib.auth import get_user_model

from planner.models import SessionRecord
from tests.factories import document_of, page_and_panels
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db


QUERIES = """session, user, the user's roles and permissions (one query), the client (with whether it has
monofilament tests, progress letters and attachments, and its latest MNSI questionnaire's day), its care
team, clearances, conditions; the clinic's templates joined with their steps (condition meanings); the
access log row (one INSERT). The sessions, and the measures, documents, letters and recent changes of a
client with any, load after the page. A client with all of them: test_client_page_measures."""
SESSIONS_QUERIES = """session, user, the user's roles and permissions (one query), the client (with whether any of
its scores is corrected: none is, so no correction is read); the access log row (one INSERT); the
client's plans as small rows (coming, earlier, cancellations counted) and the shown ones; its latest
records, their items; the signed sessions' scores for the charts."""


def sessions_panel(browser, client, older=False):
    """The client page's sessions panel (?panel=1), which the page loads once shown; with `older` the
    sessions page, every plan and record."""
    return browser.get(f"/clients/{client.pk}/sessions/" + ("" if older else "?panel=1"))


def signed_session(login, therapist, client, time, pain_before=6, pain_after=3):
    plan = create_plan(login, therapist, client, day=TODAY, time=time)
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    data = record_data(plan, pain_before=pain_before, pain_after=pain_after, sign="1")
    assert login(therapist).post(f"/plans/{plan.pk}/record/", data).status_code == 302
    return plan


def test_client_page_shows_plans_records_and_the_chart(login, therapist):
    client = make_dpn_client(therapist)
    signed_session(login, therapist, client, "09:00")
    page = page_and_panels(login(therapist), client)
    assert "Plan a session" in page and "1 signed session" in page
    assert 'class="before"' in page and "pain 6 → 3" in page


def test_client_page_shows_a_deviation(login, therapist):
    client = make_dpn_client(therapist)
    plan = create_plan(login, therapist, client, day=TODAY)
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    hand = plan.items.get(region="hands", side="left")
    data = record_data(
        plan, sign="1", **{f"area-{hand.pk}-pressure_used": 3, f"area-{hand.pk}-deviation_reason": "Asked"}
    )
    assert login(therapist).post(f"/plans/{plan.pk}/record/", data).status_code == 302
    page = page_and_panels(login(therapist), client)
    assert "Deviation" in page and "pressure 3 for 2 planned, Asked" in page
    doc = document_of(login(therapist).get(f"/clients/{client.pk}/export.json"))
    left_hand = next(i for i in doc["records"][0]["items"] if (i["region"], i["side"]) == ("hands", "left"))
    assert left_hand["deviation"] and left_hand["deviation_reason"] == "Asked"


def test_admin_sees_no_plan_button(login, therapist, clinic_admin):
    client = make_dpn_client(therapist)
    page = login(clinic_admin).get(f"/clients/{client.pk}/").content.decode()
    assert "Body map" in page or "body map" in page.lower()
    assert "Plan a session" not in page


def test_client_page_queries_do_not_grow_with_records(login, therapist, django_assert_num_queries):
    client = make_dpn_client(therapist)
    signed_session(login, therapist, client, "09:00")
    browser = login(therapist)
    with django_assert_num_queries(9, info=QUERIES):
        browser.get(f"/clients/{client.pk}/")
    with django_assert_num_queries(10, info=SESSIONS_QUERIES):
        sessions_panel(browser, client)
    for n, time in enumerate(["10:00", "11:00", "12:00"]):
        signed_session(login, therapist, client, time, pain_before=7 - n, pain_after=3)
    with django_assert_num_queries(9, info=QUERIES):
        browser.get(f"/clients/{client.pk}/")
    with django_assert_num_queries(10, info=SESSIONS_QUERIES):
        panel = sessions_panel(browser, client).content.decode()
    assert panel.count('href="/records/') == 4


def test_export_carries_plans_and_signed_records(login, therapist, clinic_admin):
    client = make_dpn_client(therapist)
    plan = signed_session(login, therapist, client, "09:00")
    record = SessionRecord.objects.get()
    login(therapist).post(f"/records/{record.pk}/addenda/", {"text": "Pain after was 4."})
    doc = document_of(login(clinic_admin).get(f"/clients/{client.pk}/export.json"))
    assert doc["schema"] == "planner.client.v1"
    [exported_plan] = doc["plans"]
    assert exported_plan["id"] == plan.pk and exported_plan["status"] == "done" and exported_plan["therapist"] == "tara"
    assert {"session", "regions", "scheduled_for"} <= set(exported_plan)
    [exported] = doc["records"]
    assert exported["plan"] == plan.pk and (exported["pain_before"], exported["pain_after"]) == (6, 3)
    assert exported["signed_by"] == "tara" and exported["signed_at"]
    assert exported["soap"]["subjective"].startswith("Burning eased")
    assert exported["addenda"][0]["text"] == "Pain after was 4." and exported["addenda"][0]["author"] == "tara"
    assert {"region", "side", "minutes", "pressure_used", "deviation_reason"} <= set(exported["items"][0])


def test_other_therapist_gets_404_on_the_client_page_and_export(login, therapist, second_therapist):
    client = make_dpn_client(therapist)
    assert login(second_therapist).get(f"/clients/{client.pk}/").status_code == 404
    assert login(second_therapist).get(f"/clients/{client.pk}/export.json").status_code == 404
    # What the client page loads after it, and the pages of its own: none of them for anyone else's client.
    for part in ("sessions", "measures", "documents"):
        for query in ("", "?panel=1"):
            assert login(second_therapist).get(f"/clients/{client.pk}/{part}/{query}").status_code == 404
            assert login(therapist).get(f"/clients/{client.pk}/{part}/{query}").status_code == 200


def test_long_history_shows_recent_records_monthly_charts_and_older_on_demand(
    login, django_assert_num_queries, private_dir
):
    from django.core.management import call_command

    from clients.models import Client

    call_command("seed_scale", clients=12, therapists=2, heavy_records=60)
    heavy = Client.objects.order_by("pk").first()
    signed = SessionRecord.objects.filter(client=heavy).signed().count()
    assert signed > 40
    browser = login(heavy.care_team.order_by("pk").first())

    # The long-standing client has measures, letters, documents and corrections too (seed_scale): the
    # corrections are read in one query, and the measures, documents and letters load after the page, each
    # list in one query (test_client_page_measures lists them).
    with django_assert_num_queries(9):
        browser.get(f"/clients/{heavy.pk}/")
    with django_assert_num_queries(11):  # its corrections too (SESSIONS_QUERIES)
        response = sessions_panel(browser, heavy)
    page = response.content.decode()
    with django_assert_num_queries(8):
        measures = browser.get(f"/clients/{heavy.pk}/measures/?panel=1").content.decode()
    assert measures.count(f'href="/clients/{heavy.pk}/monofilament/') == 8 + 1  # the latest test's heading too
    with django_assert_num_queries(7):
        documents = browser.get(f"/clients/{heavy.pk}/documents/?panel=1").content.decode()
    assert documents.count('href="/letters/') == 4 and documents.count('href="/attachments/') == 3
    assert page.count('href="/records/') == 8
    assert "Show all earlier records and plans" in page
    assert "Each point is the mean of a month" in page
    assert response.context["progress"]["count"] == signed  # the summary still counts every session
    assert len(response.context["score_rows"]) < signed
    # The course charts draw a point a month too; their sentences still read the first and latest session.
    course = response.context["course"]
    months = len(response.context["score_rows"])
    assert str(course["pain_chart"]).count('class="course-point"') == months
    assert "before sessions, mean of" in str(course["pain_chart"])
    assert course["dose"]["count"] == signed

    older = sessions_panel(browser, heavy, older=True).content.decode()
    assert older.count('href="/records/') == SessionRecord.objects.filter(client=heavy).count()
    assert "Show all earlier records and plans" not in older


def test_export_reads_the_proposals_outline_and_matches_the_full_plan_documents(
    login, django_assert_num_queries, private_dir
):
    from django.core.management import call_command

    from clients.models import Client
    from planner import proposals
    from planner.models import SessionPlan

    call_command("seed_scale", clients=6, therapists=2, heavy_records=30)
    heavy = Client.objects.order_by("pk").first()
    # A region whose pressure a rule set and whose steps were dropped: the outline must carry both.
    plan = SessionPlan.objects.filter(client=heavy).order_by("pk").first()
    plan.proposal["regions"][0].update(
        pressure_set_by=["platelets_low"], dropped_steps=[{"technique": "petrissage", "reason": "low platelets"}]
    )
    plan.save(update_fields=["proposal"])
    # Two late entries, one of a session the rules deferred: its flag comes from the outline too.
    deferred, allowed = SessionPlan.objects.filter(client=heavy).order_by("pk")[1:3]
    deferred.proposal["session"]["status"] = "defer"
    deferred.save(update_fields=["proposal"])
    SessionPlan.objects.filter(pk__in=[deferred.pk, allowed.pk]).update(late_entry=True, late_reason="Paper note")
    # An addendum with a correction, and one without: their authors are read with them, not one by one.
    from planner import recording
    from planner.models import SessionRecord

    # Of records the seed left without addenda (it corrects the latest few).
    signed = list(SessionRecord.objects.filter(client=heavy, addenda=None).signed().order_by("pk")[:2])
    recording.add_addendum(signed[0], "Pain before was 4.", signed[0].therapist, field="pain_before", value=4)
    recording.add_addendum(signed[1], "Client phoned: felt better.", signed[1].therapist)
    admin = login(get_user_model().objects.filter(groups__name="Clinic admin").first())
    admin.get(f"/clients/{heavy.pk}/export.json")
    # Session, user, roles, permissions (2), the client and its care team, clearances and conditions,
    # the access row, tests and their sites, questionnaires, plans, items, attachments, records, their
    # items, addenda, corrections, the access log, each read through a cursor: the same for 30 records
    # as for 3,000.
    with django_assert_num_queries(19):
        doc = document_of(admin.get(f"/clients/{heavy.pk}/export.json"))
    plans = SessionPlan.objects.filter(client=heavy).prefetch_related("items").select_related("therapist")
    expected = {plan.pk: proposals.plan_document(plan, list(plan.items.all())) for plan in plans}
    assert len(doc["plans"]) == len(expected) > 30
    exported = {plan["id"]: plan for plan in doc["plans"]}
    assert exported == {pk: json.loads(json.dumps(document)) for pk, document in expected.items()}
    first = next(document for document in doc["plans"] if document["id"] == plan.pk)
    place = (plan.proposal["regions"][0]["region"], plan.proposal["regions"][0]["side"])
    changed = next(region for region in first["regions"] if (region["region"], region["side"]) == place)
    assert changed["pressure_set_by"] == ["platelets_low"]
    assert changed["dropped_steps"] == [{"technique": "petrissage", "reason": "low platelets"}]
    assert (exported[deferred.pk]["late_flagged"], exported[allowed.pk]["late_flagged"]) == (True, False)
    assert "late_entry" not in exported[plan.pk]
    by_plan = {record["plan"]: record for record in doc["records"]}
    first, second = by_plan[signed[0].plan_id], by_plan[signed[1].plan_id]
    assert first["addenda"][0]["author"] == signed[0].therapist.username
    assert first["corrections"][0]["corrected"] == 4 and second["addenda"][0]["text"] == "Client phoned: felt better."


def test_client_page_splits_coming_and_earlier_plans_in_one_query(login, therapist):
    import datetime

    from planner.models import PlanStatus, SessionPlan

    client = make_dpn_client(therapist)
    done = signed_session(login, therapist, client, "08:00")
    later = create_plan(login, therapist, client, day=TODAY + datetime.timedelta(days=2), time="10:00")
    sooner = create_plan(login, therapist, client, day=TODAY + datetime.timedelta(days=1), time="10:00")
    cancelled = create_plan(login, therapist, client, day=TODAY + datetime.timedelta(days=3), time="10:00")
    SessionPlan.objects.filter(pk=cancelled.pk).update(status=PlanStatus.CANCELLED)
    context = sessions_panel(login(therapist), client).context
    assert [plan.pk for plan in context["upcoming_plans"]] == [sooner.pk, later.pk]
    assert [plan.pk for plan in context["past_plans"]] == [cancelled.pk, done.pk]


def test_client_page_lists_the_soonest_coming_sessions_and_the_rest_on_demand(login, therapist):
    import datetime

    from planner.views.client_pages import RECENT_ON_PAGE

    client = make_dpn_client(therapist)
    days = [TODAY + datetime.timedelta(days=n) for n in range(RECENT_ON_PAGE + 2, 0, -1)]  # latest made first
    coming = [create_plan(login, therapist, client, day=day, time="10:00") for day in days]
    browser = login(therapist)
    page = page_and_panels(browser, client)
    soonest = sorted(coming, key=lambda plan: plan.scheduled_for)[:RECENT_ON_PAGE]
    shown = [pk for pk in (plan.pk for plan in coming) if f'href="/plans/{pk}/"' in page]
    assert sorted(shown) == sorted(plan.pk for plan in soonest)
    assert f'<a href="/clients/{client.pk}/sessions/">Show every planned session</a>' in page
    every = sessions_panel(browser, client, older=True).content.decode()
    assert all(f'href="/plans/{plan.pk}/"' in every for plan in coming)
    assert "Show every planned session" not in every


def test_a_long_course_of_lab_results_shows_the_latest_and_the_rest_on_demand(login, therapist):
    """Weekly counts over months: the page lists the eight latest earlier results, ?older=1 all of them."""
    from datetime import timedelta

    from tests.factories import make_client, make_condition

    client = make_client(care_team=[therapist])
    for week in range(12):
        make_condition(client, "platelet_count", value=150_000 + week, noted_on=TODAY - timedelta(weeks=week))
    browser = login(therapist)
    page = browser.get(f"/clients/{client.pk}/")
    # The latest result is in use (active); the eleven before it are earlier results.
    assert len(page.context["past_conditions"]) == 8 and page.context["past_conditions_total"] == 11
    assert [c.value for c in page.context["past_conditions"]] == [150_000 + week for week in range(1, 9)]
    assert "Show all 11 resolved conditions and earlier results" in page.content.decode()
    everything = browser.get(f"/clients/{client.pk}/?older=1")
    assert len(everything.context["past_conditions"]) == 11
    assert "Show all 11 resolved" not in everything.content.decode()


def test_the_charts_date_a_session_by_the_clinics_day_not_utcs(login, therapist, settings, monkeypatch):
    """The charts read each session's day from the database, in the clinic's time zone: a session
    late in the afternoon in Los Angeles is already the next day in UTC."""
    import datetime

    from django.utils import timezone

    from planner import recording

    settings.TIME_ZONE = "America/Los_Angeles"
    local_today = timezone.localdate()
    client = make_dpn_client(therapist)
    plan = create_plan(login, therapist, client, day=local_today, time="17:30")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    monkeypatch.setattr(recording, "now", lambda: plan.scheduled_for)  # the session has begun
    assert login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, sign="1")).status_code == 302
    started = SessionRecord.objects.get(plan=plan).started_at
    assert started.astimezone(datetime.UTC).date() == local_today + datetime.timedelta(days=1)
    context = sessions_panel(login(therapist), client).context
    [row] = context["score_rows"]
    assert row["day"] == local_today


def test_client_page_links_and_dates_each_plan_record_letter_and_document(login, therapist):
    # The lists write plain paths and |format_date (the page's render time): the same links as
    # {% url %} and the same days as |date:"j M Y", a time as its local day.
    from django.template.defaultfilters import date as date_filter
    from django.urls import reverse
    from django.utils.timezone import localtime

    from planner.attachments import Attachment
    from planner.letters import ProgressLetter
    from tests.planner.test_client_page_measures import add_measures
    from tests.planner.test_plans import TOMORROW

    def day(value):
        return date_filter(localtime(value) if hasattr(value, "hour") else value, "j M Y")

    client = make_dpn_client(therapist)
    done = signed_session(login, therapist, client, "09:00")
    coming = create_plan(login, therapist, client, day=TOMORROW, time="10:00")
    add_measures(client, therapist, 1)
    record, letter, document = SessionRecord.objects.get(), ProgressLetter.objects.get(), Attachment.objects.get()
    browser = login(therapist)
    page = sessions_panel(browser, client).content.decode()
    documents = browser.get(f"/clients/{client.pk}/documents/?panel=1").content.decode()

    assert f'<a class="flex-grow-1" href="{reverse("planner:plan-detail", args=[coming.pk])}">' in page
    assert (
        f'<a class="flex-grow-1" href="{reverse("planner:record-detail", args=[record.pk])}">'
        f"{day(record.started_at)} · pain 6 → 1</a>" in page  # pain after corrected to 1 (add_measures)
    )
    assert (
        f'<li><a href="{reverse("planner:plan-detail", args=[done.pk])}">{day(done.scheduled_for)}</a> · Done' in page
    )
    assert f'<a href="{reverse("planner:attachment-file", args=[document.pk])}">scan1.pdf</a> (' in documents
    assert f", {day(document.uploaded_at)} by " in documents
    assert (
        f'<a href="{reverse("planner:letter-detail", args=[letter.pk])}">{day(letter.signed_at)}</a>: to Dr. 1, '
        f"{day(letter.period_start)} to {day(letter.period_end)}, signed by " in documents
    )


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_format_date_writes_a_time_as_its_local_day_as_date_does(zone):
    import datetime

    from django.template import Context, Template
    from django.utils import timezone

    late = datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)
    template = Template('{% load client_tags %}{{ t|format_date }}|{{ t|date:"j M Y" }}|{{ d|format_date }}')
    with timezone.override(zone):
        ours, django_s, a_date = template.render(Context({"t": late, "d": datetime.date(2026, 1, 5)})).split("|")
    assert ours == django_s and a_date == "5 Jan 2026"
    assert ours == {"UTC": "31 Mar 2026", "Pacific/Auckland": "1 Apr 2026", "America/Los_Angeles": "31 Mar 2026"}[zone]


@pytest.mark.parametrize("older", [False, True])
def test_the_sessions_lists_match_the_plans_and_records_as_the_orm_reads_them(
    login, therapist, second_therapist, clinic_admin, older
):
    """The sessions panel reads its plans as small rows and only the shown ones whole, and its records
    and the charts' scores each their own way (planner.views.client_pages). Against plain ORM queries over
    a mixed history: the soonest coming plans and the latest others (ties on the time broken by id),
    cancellations counted per reason, a deferred session, a colleague's plan and its name; the newest
    records a therapist may see (their own draft, not a colleague's) and every signed one charted."""
    import datetime

    from django.db.models import Q
    from django.utils import timezone

    from planner.models import CancelReason, PlanStatus, SessionPlan
    from planner.views.client_pages import RECENT_ON_PAGE

    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    signed = [signed_session(login, therapist, client, f"{8 + n:02d}:00") for n in range(3)]
    colleague_signed = signed_session(login, second_therapist, client, "12:00")
    template = create_plan(login, therapist, client, day=TODAY + datetime.timedelta(days=1), time="10:00")
    start = template.scheduled_for + datetime.timedelta(hours=4)
    copies = []
    for n in range(2 * RECENT_ON_PAGE + 6):
        plan = SessionPlan.objects.get(pk=template.pk)
        plan.pk = None
        # Pairs at one time, a booked plan and a cancelled one (a client's booked plans cannot overlap).
        plan.scheduled_for = start + datetime.timedelta(days=n // 2 - 6)
        plan.ends_at = plan.scheduled_for + (template.ends_at - template.scheduled_for)
        plan.busy_until = plan.scheduled_for + (template.busy_until - template.scheduled_for)
        plan.status = [PlanStatus.DRAFT, PlanStatus.CANCELLED, PlanStatus.READY, PlanStatus.CANCELLED][n % 4]
        if n % 8 == 6:
            plan.status = PlanStatus.DONE
        if plan.status == PlanStatus.CANCELLED:
            plan.cancel_category = [CancelReason.NO_SHOW, ""][n % 4 // 2]
        if n % 5 == 0:
            plan.therapist = second_therapist
        if n == 10:  # a ready plan of today, among the soonest
            plan.proposal = {**plan.proposal, "session": {**plan.proposal["session"], "status": "defer"}}
        plan.save()
        copies.append(plan)
    # More cancelled plans at one time, the latest of all, than the page lists: chosen by id.
    for _ in range(RECENT_ON_PAGE + 3):
        plan = SessionPlan.objects.get(pk=copies[1].pk)
        plan.pk = None
        plan.scheduled_for, plan.ends_at, plan.busy_until = (
            moment + datetime.timedelta(days=14) for moment in (plan.scheduled_for, plan.ends_at, plan.busy_until)
        )
        plan.save()
    # Drafts of a record: the therapist's own, and a colleague's, which the therapist may not see.
    own_draft = create_plan(login, therapist, client, day=TODAY, time="16:00")
    colleague_draft = create_plan(login, second_therapist, client, day=TODAY, time="17:00")
    for plan, who in ((own_draft, therapist), (colleague_draft, second_therapist)):
        login(who).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
        plan.refresh_from_db()
        assert login(who).post(f"/plans/{plan.pk}/record/", record_data(plan, pain_before=5)).status_code == 302

    for user in (therapist, clinic_admin):
        context = sessions_panel(login(user), client, older=older).context
        today_starts = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
        to_come = Q(scheduled_for__gte=today_starts, status__in=(PlanStatus.DRAFT, PlanStatus.READY))
        every = SessionPlan.objects.filter(client=client).for_lists().select_related("therapist")
        coming = list(every.filter(to_come).order_by("scheduled_for", "pk"))
        others = list(every.exclude(to_come).order_by("-scheduled_for", "-pk"))
        limit = None if older else RECENT_ON_PAGE + 1
        for shown, expected in ((context["upcoming_plans"], coming[:limit]), (context["past_plans"], others[:limit])):
            assert [plan.pk for plan in shown] == [plan.pk for plan in expected]
            for plan, orm in zip(shown, expected, strict=True):
                assert (plan.scheduled_for, plan.status, plan.late_entry, plan.session_status) == (
                    orm.scheduled_for,
                    orm.status,
                    orm.late_entry,
                    orm.session_status,
                )
                assert plan.therapist.get_full_name() == orm.therapist.get_full_name()
                assert plan.readable == (user == clinic_admin or orm.therapist_id == user.pk)
        assert "defer" in [plan.session_status for plan in context["upcoming_plans"] + context["past_plans"]]
        cancelled = SessionPlan.objects.filter(client=client, status=PlanStatus.CANCELLED)
        assert sum(count for _label, count in context["cancellations"]) == cancelled.count()
        assert ("Other", cancelled.filter(cancel_category="").count()) in context["cancellations"]

        # Who may read what, written out here (not through for_user, the code under test): a clinic admin every
        # record, a therapist on the care team every signed record and their own drafts.
        readable = Q() if user == clinic_admin else Q(signed_at__isnull=False) | Q(therapist=user)
        records = SessionRecord.objects.filter(readable, client=client).order_by("-started_at", "-pk")
        assert [record.pk for record in context["records"]] == [record.pk for record in records[:limit]]
        listed = {record.pk: record for record in context["records"]}
        assert own_draft.record.pk in listed
        assert (colleague_draft.record.pk in listed) == (user == clinic_admin)
        for record in records[:limit]:
            mine = listed[record.pk]
            assert (mine.started_at, mine.is_signed, mine.plan.late_entry, mine.corrected_pain_before) == (
                record.started_at,
                record.is_signed,
                record.plan.late_entry,
                record.pain_before,
            )
        # Every signed session is charted, a colleague's too; no draft is.
        assert len(context["score_rows"]) == len(signed) + 1
        assert colleague_signed.record.signed_at
