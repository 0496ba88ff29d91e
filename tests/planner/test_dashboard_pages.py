"""The dashboard at a clinic's size: a bounded list of today's sessions, a fixed number of queries."""

import datetime
from datetime import timedelta

import pytest
from django.db.models import F
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from planner.models import PlanStatus, SessionPlan, day_start
from planner.views.accounts import TODAY_ON_DASHBOARD
from tests.planner.test_plans import create_plan, make_dpn_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def fill_today(login, therapist, second_therapist, count):
    """`count` sessions today (copies of one planned tomorrow), alternating between two therapists."""
    first = create_plan(login, therapist, make_dpn_client(therapist, last_name="First"))
    copies = []
    for n in range(count):
        # One client, so one at a time: 65 minutes apart fits 21 sessions in a day without overlap
        # (the database refuses overlapping sessions of a client or a therapist on PostgreSQL).
        starts = day_start(TODAY) + timedelta(minutes=65 * n)
        plan = SessionPlan.objects.get(pk=first.pk)
        plan.pk = None
        plan.therapist = therapist if n % 2 else second_therapist
        plan.scheduled_for, plan.ends_at = starts, starts + timedelta(minutes=60)
        plan.busy_until = plan.ends_at + timedelta(minutes=10)
        copies.append(plan)
    SessionPlan.objects.bulk_create(copies)


def test_an_admin_dashboard_lists_a_dozen_of_the_clinic_day_and_counts_the_rest(
    login, clinic_admin, therapist, second_therapist, django_assert_num_queries
):
    fill_today(login, therapist, second_therapist, TODAY_ON_DASHBOARD + 9)
    browser = login(clinic_admin)
    browser.get("/")
    # Session, user, roles and permissions, today's first sessions and their count, past sessions
    # with no record, unsigned records, drafts, coming up: the same however many sessions the clinic
    # has today. The clients needing attention load after the page (tests/clients/test_dashboard.py).
    with django_assert_num_queries(9):
        response = browser.get("/")
    assert len(response.context["today_plans"]) == TODAY_ON_DASHBOARD
    times = [plan.scheduled_for for plan in response.context["today_plans"]]
    assert times == sorted(times)
    assert "9 more sessions today in the schedule" in response.content.decode()


def test_a_therapist_with_a_short_day_sees_all_of_it(login, therapist, second_therapist, django_assert_num_queries):
    fill_today(login, therapist, second_therapist, 6)
    browser = login(therapist)
    browser.get("/")
    # Session, user, roles and permissions, today's sessions, past sessions with no record, unsigned
    # records, drafts, coming up (the clients needing attention load after the page).
    with django_assert_num_queries(8):
        response = browser.get("/")
    assert len(response.context["today_plans"]) == 3
    assert "more session" not in response.content.decode()


def test_each_listed_session_links_to_its_plan_with_its_time(login, clinic_admin, therapist, second_therapist):
    fill_today(login, therapist, second_therapist, 3)
    page = login(clinic_admin).get("/").content.decode()
    for plan in SessionPlan.objects.filter(
        scheduled_for__gte=day_start(TODAY), scheduled_for__lt=day_start(TODAY, after=1)
    ):
        time = timezone.localtime(plan.scheduled_for).strftime("%H:%M")
        assert f'<a class="flex-grow-1" href="{reverse("planner:plan-detail", args=[plan.pk])}">{time} · ' in page


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland", "America/Los_Angeles"])
def test_day_and_time_and_clock_write_what_django_writes(zone):
    """|day_and_time and |clock write |date:"D j M, H:i" and |time:"H:i", in the page's time zone."""
    late = datetime.datetime(2026, 3, 31, 23, 5, tzinfo=datetime.UTC)
    template = Template(
        "{% load plan_tags %}{{ t|day_and_time }}|{{ t|date:'D j M, H:i' }}|{{ t|clock }}|{{ t|time:'H:i' }}"
    )
    with timezone.override(zone):
        ours, djangos, our_clock, djangos_clock = template.render(Context({"t": late})).split("|")
    assert (ours, our_clock) == (djangos, djangos_clock)
    assert (
        ours
        == {
            "UTC": "Tue 31 Mar, 23:05",
            "Pacific/Auckland": "Wed 1 Apr, 12:05",
            "America/Los_Angeles": "Tue 31 Mar, 16:05",
        }[zone]
    )


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Auckland"])
def test_day_date_and_time_writes_what_django_writes(zone):
    """|day_date_and_time writes |date:"D j M Y, H:i", in the page's time zone; |clock writes a time of day."""
    late = datetime.datetime(2026, 12, 31, 23, 5, tzinfo=datetime.UTC)
    template = Template(
        "{% load plan_tags %}{{ t|day_date_and_time }}|{{ t|date:'D j M Y, H:i' }}|{{ at|clock }}|{{ at|time:'H:i' }}"
    )
    with timezone.override(zone):
        ours, djangos, our_clock, djangos_clock = template.render(
            Context({"t": late, "at": datetime.time(7, 30)})
        ).split("|")
    assert (
        (ours, our_clock)
        == (djangos, djangos_clock)
        == (
            {"UTC": "Thu 31 Dec 2026, 23:05", "Pacific/Auckland": "Fri 1 Jan 2027, 12:05"}[zone],
            "07:30",
        )
    )


@pytest.mark.parametrize("status", list(PlanStatus))
@pytest.mark.parametrize(("late_entry", "session_status"), [(False, "ok"), (True, "defer"), (False, None)])
def test_plan_badges_write_what_the_badge_templates_wrote(status, late_entry, session_status):
    """|plan_badges and |plan_status_badge write the badges the lists wrote part by part before."""
    plan = SessionPlan(status=status, late_entry=late_entry)
    plan.session_status = session_status
    parts = Template(
        '{% load plan_tags %}{% if plan.late_entry %}<span class="badge text-bg-warning">Late entry</span> {% endif %}'
        '{% if plan.session_status == "defer" %}<span class="badge text-bg-danger">Deferred</span> {% endif %}'
        '<span class="badge text-bg-{{ plan.status|plan_status_class }}">{{ plan.get_status_display }}</span>'
    ).render(Context({"plan": plan}))
    badges = Template("{% load plan_tags %}{{ plan|plan_badges }}").render(Context({"plan": plan}))
    status_badge = Template("{% load plan_tags %}{{ plan|plan_status_badge }}").render(Context({"plan": plan}))
    assert badges == parts and parts.endswith(status_badge) and status.label in status_badge
    assert ("Late entry" in badges) == late_entry and ("Deferred" in badges) == (session_status == "defer")


def test_a_session_whose_record_is_started_says_so_until_signed(login, therapist, ready_plan):
    from tests.planner.test_records import record_data

    def today_list():
        page = login(therapist).get("/").content.decode()
        return page[page.index("today-heading") : page.index("attention")]

    assert "Record started" not in today_list()
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan))
    assert "Record started" in today_list() and "Ready" in today_list()
    record = ready_plan.record
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, version=record.version, sign="1"))
    assert "Record started" not in today_list() and "Done" in today_list()


def test_past_sessions_neither_recorded_nor_cancelled_stay_on_the_dashboard(
    login, therapist, second_therapist, clinic_admin
):
    """A session of an earlier day still booked with no record does not leave every list at midnight:
    the therapist's dashboard (and a clinic admin's) lists it until it is recorded or cancelled."""
    from planner.models import PlanStatus
    from tests.planner.test_plans import save_data
    from tests.planner.test_records import record_data

    client = make_dpn_client(therapist)
    forgotten, drafted, cancelled = (
        create_plan(login, therapist, client, time=at) for at in ("09:00", "11:00", "13:00")
    )
    login(therapist).post(f"/plans/{forgotten.pk}/save/", save_data(forgotten, mark_ready=True))
    SessionPlan.objects.filter(pk=cancelled.pk).update(status=PlanStatus.CANCELLED)
    someone_elses = create_plan(login, second_therapist, make_dpn_client(second_therapist, last_name="Else"))
    two_days_ago = timezone.now() - timedelta(days=2)
    for plan in (forgotten, drafted, cancelled, someone_elses):
        back = timedelta(days=3)  # the whole booking moves: PostgreSQL refuses one therapist's overlapping times
        SessionPlan.objects.filter(pk=plan.pk).update(
            scheduled_for=F("scheduled_for") - back, ends_at=F("ends_at") - back, busy_until=F("busy_until") - back
        )

    def listed(user):
        response = login(user).get("/")
        return [plan.pk for plan in response.context["not_recorded"]], response.content.decode()

    shown, page = listed(therapist)
    assert shown == [drafted.pk, forgotten.pk]  # the latest first; not the cancelled one, not a colleague's
    assert "Past sessions with no record" in page and "neither recorded nor cancelled" in page
    assert sorted(listed(clinic_admin)[0]) == sorted([drafted.pk, forgotten.pk, someone_elses.pk])

    forgotten.refresh_from_db()
    assert two_days_ago > forgotten.scheduled_for
    # Recorded afterwards (a record begun is enough: an unsigned one has its own list), it leaves the list.
    assert login(therapist).post(f"/plans/{forgotten.pk}/record/", record_data(forgotten)).status_code == 302
    assert listed(therapist)[0] == [drafted.pk]
    SessionPlan.objects.filter(pk=drafted.pk).update(status=PlanStatus.CANCELLED)
    shown, page = listed(therapist)
    assert shown == [] and "Past sessions with no record" not in page
