"""Clinic hours, the buffer between sessions and no overlapping sessions for a therapist or a client."""

import importlib
from datetime import time, timedelta

import pytest
from django.apps import apps
from django.db import connection

from planner import plans
from planner.models import ClinicSettings, PlanStatus, SessionPlan
from tests.planner.test_plans import TOMORROW, create_plan, make_cipn_client, make_dpn_client, plan_data, save_data

pytestmark = pytest.mark.django_db


def post_plan(login, therapist, client, **kwargs):
    return login(therapist).post(f"/plans/new/?client={client.pk}", plan_data(**kwargs))


def time_errors(response):
    return " ".join(response.context["form"].errors.get("time", []))


def test_a_client_cannot_be_booked_with_two_therapists_at_once(login, therapist, second_therapist):
    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    create_plan(login, therapist, client, time="10:00")
    response = post_plan(login, second_therapist, client, time="10:15")
    assert response.status_code == 400
    message = time_errors(response)
    assert "Dora Pine already has a session with Tara Lindqvist" in message and "10:00 to 10:32" in message
    assert SessionPlan.objects.count() == 1
    # Right after the client's session ends (no buffer for the client), another therapist may see her.
    assert post_plan(login, second_therapist, client, time="10:33").status_code == 302


def test_the_buffer_after_a_therapists_session_is_kept_free(login, therapist):
    create_plan(login, therapist, make_dpn_client(therapist), time="10:00")  # 10:00-10:33, free from 10:43
    other = make_cipn_client(therapist)
    response = post_plan(login, therapist, other, time="10:40", regions=("hands:left",))
    assert response.status_code == 400
    assert "the 10 minutes after a session are kept free" in time_errors(response)
    assert 'value="10:45"' in response.content.decode()  # the next free time, offered as a button
    assert post_plan(login, therapist, other, time="10:45", regions=("hands:left",)).status_code == 302
    assert SessionPlan.objects.count() == 2


def test_the_buffer_is_the_clinics_setting(login, therapist):
    ClinicSettings.objects.update_or_create(pk=1, defaults={"buffer_minutes": 0})
    first = create_plan(login, therapist, make_dpn_client(therapist), time="10:00")
    assert first.busy_until == first.ends_at
    assert post_plan(login, therapist, make_cipn_client(therapist), time="10:33").status_code == 302


@pytest.mark.parametrize("at", ["06:45", "20:45"])
def test_sessions_outside_clinic_hours_are_refused(login, therapist, at):
    response = post_plan(login, therapist, make_dpn_client(therapist), time=at)
    assert response.status_code == 400
    assert "Sessions are given between 07:00 and 21:00" in time_errors(response)
    assert not SessionPlan.objects.exists()


def test_clinic_hours_follow_the_settings(login, therapist):
    ClinicSettings.objects.update_or_create(pk=1, defaults={"opens_at": time(6, 0)})
    assert post_plan(login, therapist, make_dpn_client(therapist), time="06:30").status_code == 302


def test_a_longer_session_may_not_grow_into_the_next(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist), time="10:00")  # 32 minutes, busy to 10:42
    create_plan(login, therapist, make_cipn_client(therapist), time="10:45", regions=("hands:left",))
    hand = plan.items.get(region="hands", side="left")
    # 10 -> 12 minutes: ends 10:34, busy to 10:44: still fits before 10:45.
    assert (
        login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-minutes": 12})).status_code
        == 302
    )
    plan.refresh_from_db()
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-minutes": 15}))
    assert response.status_code == 400
    assert "You already have a session with Cleo Ng" in response.content.decode()
    hand.refresh_from_db()
    plan.refresh_from_db()
    assert hand.minutes == 12 and plan.ends_at.time() == time(10, 34)


def test_a_longer_session_may_not_run_past_closing(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist), time="20:20")  # 32 minutes, to 20:52
    hand = plan.items.get(region="hands", side="left")
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-minutes": 20}))
    assert response.status_code == 400
    assert (
        "Not saved: the longer session would run outside the clinic&#x27;s hours. "
        "Sessions are given between 07:00 and 21:00: this one would run from 20:20 to 21:02."
    ) in response.content.decode()
    hand.refresh_from_db()
    plan.refresh_from_db()
    assert hand.minutes == 10 and plan.ends_at.time() == time(20, 52)
    # A session the clinic's new hours leave outside them is kept while it does not grow.
    ClinicSettings.objects.update_or_create(pk=1, defaults={"closes_at": time(20, 30)})
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, goals="Ease the burning"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.goals == "Ease the burning" and plan.ends_at.time() == time(20, 52)


def test_a_cancelled_session_frees_its_time(login, therapist, second_therapist):
    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    plan = create_plan(login, therapist, client)
    plans.cancel_plan(plan, "Client cancelled")
    assert post_plan(login, second_therapist, client).status_code == 302


def test_clinic_admins_edit_the_settings(login, clinic_admin, therapist):
    assert login(therapist).get("/clinic/settings/").status_code == 403
    admin = login(clinic_admin)
    page = admin.get("/clinic/settings/").content.decode()
    assert 'value="07:00' in page and 'value="21:00' in page and 'value="10"' in page and 'value="7"' in page
    data = {"opens_at": "08:00", "closes_at": "18:00", "buffer_minutes": 15, "late_entry_days": 3}
    assert admin.post("/clinic/settings/", data).status_code == 302
    settings = ClinicSettings.load()
    assert (settings.opens_at, settings.closes_at, settings.buffer_minutes) == (time(8), time(18), 15)
    assert settings.late_entry_days == 3 and settings.calendar_feeds_allowed is False
    response = admin.post("/clinic/settings/", {**data, "closes_at": "07:00", "buffer_minutes": 500})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Sessions until" in errors["closes_at"][0] and "Buffer" in errors["buffer_minutes"][0]
    assert ClinicSettings.load().closes_at == time(18)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"opens_at": ""}, "opens_at", "Sessions from: enter the time the first session may start, such as 07:00."),
        ({"opens_at": "24:00"}, "opens_at", "Sessions from: enter a time such as 07:00."),
        ({"closes_at": "9pm-ish"}, "closes_at", "Sessions until: enter a time such as 21:00."),
        ({"buffer_minutes": "-1"}, "buffer_minutes", "Buffer: 0 minutes or more."),
        ({"buffer_minutes": "ten"}, "buffer_minutes", "Buffer: a whole number of minutes."),
        ({"late_entry_days": ""}, "late_entry_days", "Late entries: enter for how many days afterwards"),
    ],
)
def test_the_clinic_settings_messages_name_the_field(login, clinic_admin, change, field, message):
    data = {"opens_at": "08:00", "closes_at": "18:00", "buffer_minutes": 15, "late_entry_days": 3, **change}
    response = login(clinic_admin).post("/clinic/settings/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field][0].startswith(message)
    assert ClinicSettings.load().opens_at == time(7)


def _without_exclusion_constraints():
    """Existing data from before the rule may overlap; on PostgreSQL the constraints go for this test."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks may block the ALTER
            for name in ("plan_therapist_no_overlap", "plan_client_no_overlap"):
                cursor.execute(f"ALTER TABLE planner_sessionplan DROP CONSTRAINT {name}")


def test_the_migration_cancels_later_double_bookings_and_trims_buffers(
    login, therapist, second_therapist, django_assert_max_num_queries
):
    client, other = make_dpn_client(therapist), make_cipn_client(therapist)
    client.care_team.add(second_therapist)
    first = create_plan(login, therapist, client, time="10:00")
    _without_exclusion_constraints()

    def copy(plan, **changes):
        fields = {f.attname: getattr(plan, f.attname) for f in SessionPlan._meta.concrete_fields if not f.primary_key}
        changes["busy_until"] = changes["ends_at"]
        return SessionPlan.objects.create(**{**fields, **changes})

    at = plans.as_datetime(TOMORROW, time(10, 15))
    same_therapist = copy(first, client_id=other.pk, scheduled_for=at, ends_at=at + timedelta(minutes=30))
    at = plans.as_datetime(TOMORROW, time(10, 5))
    same_client = copy(first, therapist_id=second_therapist.pk, scheduled_for=at, ends_at=at + timedelta(minutes=30))
    at = plans.as_datetime(TOMORROW, time(10, 38))  # inside the first plan's buffer only
    close_after = copy(first, client_id=other.pk, scheduled_for=at, ends_at=at + timedelta(minutes=20))
    migration = importlib.import_module("planner.migrations.0011_clinic_settings_no_overlap")
    # The plans are read once without their snapshots and written in one batch, not reloaded one by one.
    with django_assert_max_num_queries(4):
        migration.resolve_overlaps(apps, None)
    for plan in (first, same_therapist, same_client, close_after):
        plan.refresh_from_db()
    assert first.status == PlanStatus.DRAFT and close_after.status == PlanStatus.DRAFT
    assert first.busy_until == close_after.scheduled_for  # the buffer gave way to the session already booked
    assert close_after.busy_until == close_after.ends_at + timedelta(minutes=10)
    for loser in (same_therapist, same_client):
        assert loser.status == PlanStatus.CANCELLED
        assert loser.cancel_reason == f"Double booking: overlapped plan {first.pk}, which was kept."


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_check_runs_inside_the_write_that_saves(login, therapist, monkeypatch):
    """On SQLite the transaction takes the write lock when it begins (IMMEDIATE), so a check made
    inside it cannot be overtaken by another booking before the save."""
    from django.conf import settings

    if connection.vendor == "sqlite":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    real, seen = plans.overlap_with, []

    def watched(plan):
        seen.append(connection.in_atomic_block)
        return real(plan)

    monkeypatch.setattr(plans, "overlap_with", watched)
    assert not connection.in_atomic_block  # no test transaction around this one
    create_plan(login, therapist, make_dpn_client(therapist))
    assert seen == [True]


def test_saving_the_settings_says_what_takes_effect_when(login, clinic_admin):
    from django.contrib.messages import get_messages

    admin = login(clinic_admin)
    current = ClinicSettings.load()
    data = {
        "opens_at": "07:00",
        "closes_at": "21:00",
        "buffer_minutes": current.buffer_minutes,
        "late_entry_days": current.late_entry_days,
    }
    if current.calendar_feeds_allowed:
        data["calendar_feeds_allowed"] = "on"

    def said(**change):
        response = admin.post("/clinic/settings/", {**data, **change}, follow=True)
        return " ".join(str(m) for m in get_messages(response.wsgi_request)) or response.content.decode()

    assert "Nothing was changed." in said()
    hours = said(opens_at="08:00")
    assert "The hours and the buffer apply to sessions booked from now on" in hours and "feeds" not in hours
    data["opens_at"] = "08:00"
    assert "Sessions can now be recorded afterwards for 3 days." in said(late_entry_days=3)
    data["late_entry_days"] = 3
    turned = said(calendar_feeds_allowed="" if current.calendar_feeds_allowed else "on")
    expected = "off: every feed address stopped working now" if current.calendar_feeds_allowed else "are allowed"
    assert expected in turned and "booked from now on" not in turned


def test_the_builder_says_what_to_do_with_a_session_past_closing_and_offers_no_draft(login, therapist):
    """Both save buttons are off for a session past closing: the page says to choose another start, and
    no longer that it can be saved as a draft now."""
    client = make_dpn_client(therapist)
    places = "&".join(f"regions={place}" for place in ("hands:left", "hands:right", "feet:left", "feet:right"))
    query = f"client={client.pk}&date={TOMORROW.isoformat()}&time=20:40&{places}"
    page = login(therapist).get(f"/plans/new/?{query}").content.decode()
    assert "Sessions are given between 07:00 and 21:00: this one would run from 20:40 to" in page
    assert "Choose an earlier start, or fewer regions or minutes, to save it." in page
    assert "Choose a time within the clinic's hours first" in page
    assert "It can be saved as a draft now" not in page
