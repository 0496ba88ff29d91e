"""The schedule grid: a therapist's week, every therapist's day for clinic admins, booking from a free slot."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_therapist
from tests.planner.test_plans import TODAY, TOMORROW, create_plan, make_cipn_client, make_dpn_client

pytestmark = pytest.mark.django_db

NEW_PLAN_LINK = re.compile(r'href="/plans/new/\?date=(\d{4}-\d\d-\d\d)&amp;time=(\d\d%3A\d\d)"')


def test_a_therapists_week_is_a_grid_with_free_slots_to_book(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist), time="10:00")  # 10:00-10:33
    response = login(therapist).get(f"/plans/?from={TODAY}")
    page = response.content.decode()
    assert len(response.context["columns"]) == 7
    assert [column.day for column in response.context["columns"]] == [TODAY + timedelta(days=n) for n in range(7)]
    # The session spans the 10:00 and 10:30 rows; its time and client are in its cell.
    cell = re.search(r'<td rowspan="(\d+)" class="cal-busy">(.*?)</td>', page, re.S)
    assert cell.group(1) == "2" and f'href="/plans/{plan.pk}/"' in cell.group(2)
    assert "10:00–10:32" in cell.group(2) and "Dora Pine" in cell.group(2)
    links = set(NEW_PLAN_LINK.findall(page))
    assert (TOMORROW.isoformat(), "11%3A00") in links and (TOMORROW.isoformat(), "07%3A00") in links
    assert (TOMORROW.isoformat(), "10%3A00") not in links and (TOMORROW.isoformat(), "10%3A30") not in links
    assert (TOMORROW.isoformat(), "21%3A00") not in links  # the clinic closes at 21:00
    # Slots in the past are not offered.
    assert not NEW_PLAN_LINK.search(login(therapist).get(f"/plans/?from={TODAY - timedelta(days=8)}").content.decode())


def test_a_free_slot_opens_the_builder_at_that_time(login, therapist):
    dora, cleo = make_dpn_client(therapist), make_cipn_client(therapist)
    make_dpn_client(make_therapist(), first_name="Other")  # not on Tara's care team
    page = login(therapist).get(f"/plans/new/?date={TOMORROW}&time=11:30").content.decode()
    assert "Plan a session on" in page and "11:30" in page
    assert f"/plans/new/?client={dora.pk}&amp;date={TOMORROW}&amp;time=11:30" in page
    assert f"?client={cleo.pk}&amp;" in page and "Other" not in page
    builder = login(therapist).get(f"/plans/new/?client={dora.pk}&date={TOMORROW}&time=11:30")
    assert builder.status_code == 200 and not builder.context["form"].is_bound
    assert 'value="11:30"' in builder.content.decode() and f'value="{TOMORROW}"' in builder.content.decode()


def test_clinic_admins_see_every_therapists_day_side_by_side(login, therapist, second_therapist, clinic_admin):
    create_plan(login, therapist, make_dpn_client(therapist, first_name="Tara's"), time="09:00")
    create_plan(login, second_therapist, make_dpn_client(second_therapist, first_name="Sam's"), time="09:00")
    response = login(clinic_admin).get(f"/plans/?from={TOMORROW}")
    page = response.content.decode()
    assert [column.label for column in response.context["columns"]] == ["Sam Okafor", "Tara Lindqvist"]
    assert page.count('class="cal-busy"') == 2 and "Tara&#x27;s" in page and "Sam&#x27;s" in page
    assert not NEW_PLAN_LINK.search(page)  # a clinic admin does not plan sessions
    week = login(clinic_admin).get(f"/plans/?from={TOMORROW}&therapist=tara")
    assert len(week.context["columns"]) == 7 and "Sam&#x27;s" not in week.content.decode()


def test_a_therapist_who_is_also_admin_books_only_in_their_own_column(login, therapist, clinic_admin):
    from django.contrib.auth.models import Group

    clinic_admin.groups.add(Group.objects.get(name="Therapist"))
    page = login(clinic_admin).get(f"/plans/?from={TOMORROW}").content.decode()
    assert NEW_PLAN_LINK.search(page)
    response = login(clinic_admin).get(f"/plans/?from={TOMORROW}")
    own = [c for c in response.context["columns"] if c.bookable]
    assert [c.label for c in own] == ["Morgan Reyes"]


def test_a_clinic_admins_day_shows_each_session_in_flat_queries(
    login, therapist, second_therapist, clinic_admin, django_assert_num_queries
):
    client = make_dpn_client(therapist)
    first = create_plan(login, therapist, client, time="09:00")
    browser = login(clinic_admin)
    with django_assert_num_queries(6):
        browser.get(f"/plans/?from={TOMORROW}")
    other = make_cipn_client(second_therapist)
    later = [create_plan(login, second_therapist, other, time=time) for time in ("11:00", "14:00", "16:30")]
    with django_assert_num_queries(6):
        page = browser.get(f"/plans/?from={TOMORROW}").content.decode()
    for plan in [first, *later]:
        starts, ends = (f"{timezone.localtime(t):%H:%M}" for t in (plan.scheduled_for, plan.ends_at))
        assert f'href="/plans/{plan.pk}/" title="{starts}–{ends} {plan.client}"' in page
        assert f'<span class="cal-when">{starts}<span class="cal-end">–{ends}</span></span>' in page


def test_a_large_clinics_day_is_shown_a_page_of_therapists_at_a_time(
    login, therapist, second_therapist, clinic_admin, django_assert_num_queries
):
    from planner.views.schedule import THERAPISTS_PER_PAGE

    create_plan(login, therapist, make_dpn_client(therapist, first_name="Tara's"), time="09:00")
    create_plan(login, second_therapist, make_dpn_client(second_therapist, first_name="Sam's"), time="09:00")
    # Sam and Tara sort after these by first name, so they are on the last page.
    others = [make_therapist(first_name=f"Ann{n:02}") for n in range(THERAPISTS_PER_PAGE)]
    browser = login(clinic_admin)
    first = browser.get(f"/plans/?from={TOMORROW}")
    assert [c.label for c in first.context["columns"]] == [o.get_full_name() for o in others]
    page = first.content.decode()
    assert "Tara&#x27;s" not in page and "therapists 1 to 6 of 8" in page
    assert f'href="?from={TOMORROW}&amp;page=2"' in page  # the next page of therapists, same day
    assert f"?from={TOMORROW + timedelta(days=1)}&amp;page=1" in page  # the next day keeps the page

    # A therapist who has left keeps their sessions on the schedule: on the last page.
    second_therapist.groups.clear()
    with django_assert_num_queries(6):
        last = browser.get(f"/plans/?from={TOMORROW}&page=2")
    # Their column says they left, so a clinic admin knows to cancel and rebook those sessions.
    assert [c.label for c in last.context["columns"]] == ["Tara Lindqvist", "Sam Okafor (former therapist)"]
    assert "Tara&#x27;s" in last.content.decode() and "Sam&#x27;s" in last.content.decode()
    # A page past the end, or no number, shows a page that exists.
    assert browser.get(f"/plans/?from={TOMORROW}&page=99").context["shown"].number == 2
    assert browser.get(f"/plans/?from={TOMORROW}&page=x").context["shown"].number == 1


def test_a_session_with_a_client_the_therapist_has_left_keeps_its_time_but_not_the_name(login, therapist):
    dora, cleo = make_dpn_client(therapist), make_cipn_client(therapist)
    plan = create_plan(login, therapist, dora, time="10:00")
    dora.care_team.remove(therapist)
    page = login(therapist).get(f"/plans/?from={TOMORROW}").content.decode()
    cell = re.search(r'<td rowspan="\d+" class="cal-busy">(.*?)</td>', page, re.S).group(1)
    assert "10:00–10:32" in cell and "No longer in your care" in cell
    assert "Dora" not in page and f'href="/plans/{plan.pk}/"' not in page
    # Booking over it says the time is taken, without naming the client either.
    response = login(therapist).post(
        f"/plans/new/?client={cleo.pk}",
        {"client": cleo.pk, "date": TOMORROW.isoformat(), "time": "10:15", "regions": ["hands:left"], "save": "1"},
    )
    assert response.status_code == 400
    assert "You already have a session with a client no longer in your care" in response.content.decode()
    assert "Dora" not in response.content.decode()


def test_the_schedules_links_and_words_follow_what_is_shown(login, therapist, clinic_admin):
    make_dpn_client(therapist)
    week = login(therapist).get(f"/plans/?from={TODAY}&cancelled=1").content.decode()
    for nav in (TODAY - timedelta(days=7), TODAY, TODAY + timedelta(days=7)):
        assert f'href="?from={nav}&amp;cancelled=1"' in week  # the cancelled sessions stay shown
    assert "choose a free time to plan a session" in week
    past = login(therapist).get(f"/plans/?from={TODAY - timedelta(days=14)}").content.decode()
    assert "choose a free time" not in past  # a week gone by offers no free time
    unknown = login(clinic_admin).get("/plans/?therapist=nobody").content.decode()
    assert "No active therapist is called “nobody”: choose one from the list." in unknown
    assert "No active therapist" not in login(clinic_admin).get("/plans/?therapist=tara").content.decode()


def test_sessions_whose_rows_meet_share_a_cell_each_drawn_compact(login, therapist):
    first = create_plan(login, therapist, make_dpn_client(therapist), time="10:00")  # 10:00-10:32, free from 10:42
    second = create_plan(login, therapist, make_cipn_client(therapist), time="10:45")
    page = login(therapist).get(f"/plans/?from={TOMORROW}").content.decode()
    cell = re.search(r'<td rowspan="\d+" class="cal-busy">(.*?)</td>', page, re.S).group(1)
    links = re.findall(r'<a class="cal-session ([^"]*)" href="/plans/(\d+)/"', cell)
    assert [pk for _, pk in links] == [str(first.pk), str(second.pk)]
    # Both compact and of their own height: the first no longer fills the cell and pushes the second out of it.
    assert all("cal-short" in classes for classes, _ in links)
