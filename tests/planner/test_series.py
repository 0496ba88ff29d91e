"""A series: the same session weekly, or two or three times a week, for N weeks, in one step."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from clients.models import Condition
from planner.forms import series_dates
from planner.models import PlanStatus, SessionPlan
from tests.planner.test_plans import TODAY, TOMORROW, create_plan, make_cipn_client, make_dpn_client, plan_data

pytestmark = pytest.mark.django_db
NEXT_MONDAY = TODAY + timedelta(days=7 - TODAY.weekday())


def series(login, therapist, client, weeks, days=(), action="save", **kwargs):
    data = {**plan_data(**kwargs), "repeat_weeks": weeks, "repeat_days": list(days), action: "1"}
    return login(therapist).post(f"/plans/new/?client={client.pk}", data)


def test_series_dates():
    monday = date(2026, 12, 7)
    assert series_dates(monday, 1, [0, 3]) == [monday]
    assert series_dates(monday, 3, [0]) == [monday + timedelta(weeks=n) for n in range(3)]
    assert series_dates(monday, 2, [0, 3]) == [
        monday,
        monday + timedelta(days=3),
        monday + timedelta(days=7),
        monday + timedelta(days=10),
    ]
    wednesday = monday + timedelta(days=2)  # the first date is kept, earlier days of its week are not
    assert series_dates(wednesday, 2, [0, 4]) == [
        wednesday,
        monday + timedelta(days=4),
        monday + timedelta(days=7),
        monday + timedelta(days=11),
    ]


def test_a_weekly_series_is_saved_in_one_step_each_date_with_its_own_proposal(login, therapist):
    client = make_dpn_client(therapist)
    response = series(login, therapist, client, 4)
    assert response.status_code == 302
    saved = list(SessionPlan.objects.order_by("scheduled_for"))
    days = [TOMORROW + timedelta(weeks=n) for n in range(4)]
    assert [timezone.localdate(p.scheduled_for) for p in saved] == days
    assert {timezone.localtime(p.scheduled_for).time() for p in saved} == {time(10, 0)}
    assert [p.facts["plan_date"] for p in saved] == [d.isoformat() for d in days]
    assert {p.status for p in saved} == {PlanStatus.DRAFT}
    assert response["Location"] == f"/plans/{saved[0].pk}/"
    # A later change to the client raises the stale-plan banner on the series' plans.
    Condition.objects.create(client=client, code="open_wound", location="hands", side="right", noted_on=TODAY)
    assert "changed after this plan was built" in login(therapist).get(f"/plans/{saved[-1].pk}/").content.decode()


def test_two_days_a_week(login, therapist):
    response = series(login, therapist, make_dpn_client(therapist), 3, days=(0, 3), day=NEXT_MONDAY)
    assert response.status_code == 302
    days = [timezone.localdate(p.scheduled_for) for p in SessionPlan.objects.order_by("scheduled_for")]
    assert days == [NEXT_MONDAY + timedelta(days=d) for d in (0, 3, 7, 10, 14, 17)]


def test_the_builder_lists_dates_in_a_nadir_window_or_needing_clearance(login, therapist):
    client = make_cipn_client(therapist)  # active chemotherapy: clearance required, none on file
    Condition.objects.create(client=client, code="chemo_infusion", location="whole_body", noted_on=TODAY)
    response = series(login, therapist, client, 3, action="preview", regions=("hands:left",))
    assert response.status_code == 200 and not SessionPlan.objects.exists()
    entries = response.context["draft"].series
    assert [timezone.localdate(e.starts_at) for e in entries] == [TOMORROW + timedelta(weeks=n) for n in range(3)]
    assert [e.nadir for e in entries] == [False, True, False]  # day 8 after the infusion
    assert all(e.needs_clearance for e in entries)
    page = response.content.decode()
    assert "Nadir window" in page and "Needs clearance" in page and "3 needing attention" in page


def test_a_series_with_a_date_that_clashes_saves_nothing(login, therapist):
    create_plan(login, therapist, make_cipn_client(therapist), day=TOMORROW + timedelta(weeks=2), time="10:15")
    response = series(login, therapist, make_dpn_client(therapist), 4)
    assert response.status_code == 400
    message = " ".join(response.context["form"].errors["time"])
    assert (
        "1 date(s) of the series cannot be booked" in message and "You already have a session with Cleo Ng" in message
    )
    assert SessionPlan.objects.count() == 1


@pytest.mark.parametrize(
    "weeks, days, field",
    [(27, (), "repeat_weeks"), (0, (), "repeat_weeks"), (4, (0, 1, 2, 3), "repeat_days"), (60, (), "repeat_weeks")],
)
def test_bad_series_are_refused_beside_the_field(login, therapist, weeks, days, field):
    response = series(login, therapist, make_dpn_client(therapist), weeks, days=days)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not SessionPlan.objects.exists()


def test_a_saved_series_names_each_date_that_needs_attention_and_why(login, therapist):
    client = make_cipn_client(therapist)
    Condition.objects.create(client=client, code="chemo_infusion", location="whole_body", noted_on=TODAY)
    response = series(login, therapist, client, 3, regions=("hands:left",))
    assert response.status_code == 302
    [message] = [str(m) for m in response.wsgi_request._messages]
    dates = [TOMORROW + timedelta(weeks=n) for n in range(3)]
    assert message.endswith(
        f" Check before they go ahead: nadir window on {dates[1]:%a %-d %b}; clearance needed on every date."
    ), message
