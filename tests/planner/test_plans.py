import contextlib
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.utils import timezone

from clients.models import Client, Condition, PhysicianClearance
from planner.models import PlanItem, PlanStatus, SessionPlan
from protocols.models import TemplateStep

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + timedelta(days=1)


def make_dpn_client(therapist, **fields):
    """A DPN client with numbness in both feet, an open wound on the left foot and insulin."""
    client = Client.objects.create(
        first_name=fields.pop("first_name", "Dora"),
        last_name=fields.pop("last_name", "Pine"),
        date_of_birth=date(1955, 3, 1),
        neuropathy_type="DPN",
        symptoms={"feet:left": ["numbness"], "feet:right": ["numbness"]},
        **fields,
    )
    client.care_team.add(therapist)
    Condition.objects.create(client=client, code="open_wound", location="feet", side="left", noted_on=TODAY)
    Condition.objects.create(client=client, code="insulin_user", location="whole_body", noted_on=TODAY)
    return client


def make_cipn_client(therapist):
    client = Client.objects.create(
        first_name="Cleo", last_name="Ng", date_of_birth=date(1962, 7, 9), neuropathy_type="CIPN"
    )
    client.care_team.add(therapist)
    Condition.objects.create(client=client, code="active_chemo", location="whole_body", noted_on=TODAY)
    Condition.objects.create(client=client, code="platelet_count", location="whole_body", value=45000, noted_on=TODAY)
    return client


def plan_data(day=TOMORROW, time="10:00", regions=("hands:left", "hands:right", "feet:left", "feet:right")):
    return {"date": day.isoformat(), "time": time, "regions": list(regions), "goals": "Ease burning"}


def planned_beforehand(day, at):
    """The clock at 07:00 of `day` when a session of that day at `at` has begun by now: the plan was
    made that morning (a session already begun can only be recorded afterwards)."""
    starts = timezone.make_aware(datetime.combine(day, time.fromisoformat(at)))
    if day == timezone.localdate() and starts < timezone.now():
        return time_machine.travel(timezone.make_aware(datetime.combine(day, time(7))), tick=True)
    return contextlib.nullcontext()


def create_plan(login, therapist, client, **kwargs):
    data = plan_data(**kwargs)
    with planned_beforehand(date.fromisoformat(data["date"]), data["time"]):
        response = login(therapist).post(f"/plans/new/?client={client.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return SessionPlan.objects.latest("pk")


def save_data(plan, mark_ready=False, acknowledged=True, **overrides):
    data = {"goals": plan.goals, "notes": "", "version": plan.version}
    if acknowledged:
        data["notes_acknowledged"] = "on"
    for item in plan.items.exclude(status="avoid"):
        prefix = f"item-{item.pk}"
        data[f"{prefix}-template"] = item.template_key
        data[f"{prefix}-minutes"] = item.minutes
        data[f"{prefix}-pressure"] = item.pressure
    data.update(overrides)
    if mark_ready:
        data["mark_ready"] = "1"
    return data


# --- preview JSON -------------------------------------------------------------------------


def test_preview_json_follows_the_contract(login, therapist):
    client = make_dpn_client(therapist)
    response = login(therapist).get(f"/clients/{client.pk}/plan-preview.json?regions=feet,hands:left&date={TODAY}")
    assert response.status_code == 200
    doc = response.json()
    assert doc["client"] == client.pk and doc["neuropathy_type"] == "DPN"
    assert set(doc["session"]) >= {"status", "max_minutes", "requires_clearance", "clearance_on_file", "notes"}
    assert [(r["region"], r["side"]) for r in doc["regions"]] == [
        ("hands", "left"),
        ("feet", "left"),
        ("feet", "right"),
    ]
    left_foot = doc["regions"][1]
    assert left_foot["status"] == "avoid" and left_foot["pressure_max"] is None and left_foot["steps"] == []
    assert left_foot["minutes"] == 0
    right_foot = doc["regions"][2]
    assert right_foot["pressure_max"] == 2 and right_foot["template"] == "Feet: circulation and sensation"
    assert all(step["pressure"] <= 2 for step in right_foot["steps"])
    assert "insulin_user" in {note["rule"] for note in doc["session"]["notes"]}
    assert not SessionPlan.objects.exists()


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("regions=elbows", "regions"),
        ("regions=feet:middle", "regions"),
        ("regions=", "regions"),
        ("regions=feet&date=tomorrow", "date"),
        ("regions=feet&date=2026-02-30", "date"),
        # Year 1 once overflowed the engine's clearance arithmetic (a 500); far dates are refused.
        ("regions=feet&date=0001-01-01", "date"),
        ("regions=feet&date=9999-12-31", "date"),
    ],
)
def test_preview_json_rejects_bad_parameters_with_a_json_400(login, therapist, query, parameter):
    client = make_dpn_client(therapist)
    response = login(therapist).get(f"/clients/{client.pk}/plan-preview.json?{query}")
    assert response.status_code == 400
    assert response.json()["parameter"] == parameter
    assert parameter in response.json()["error"]


def test_preview_json_takes_dates_from_a_year_back_to_a_year_ahead(login, therapist):
    import datetime

    client = make_dpn_client(therapist)
    browser = login(therapist)
    today = timezone.localdate()  # read now: a run may pass midnight
    for days in (-365, 365):
        day = today + datetime.timedelta(days=days)
        assert browser.get(f"/clients/{client.pk}/plan-preview.json?regions=feet&date={day}").status_code == 200
    for days in (-366, 366):
        day = today + datetime.timedelta(days=days)
        response = browser.get(f"/clients/{client.pk}/plan-preview.json?regions=feet&date={day}")
        assert response.status_code == 400
        assert response.json()["error"].startswith(f"date: {day.isoformat()} is outside ")


def test_preview_is_scoped_to_the_care_team(login, anonymous, therapist, second_therapist, clinic_admin):
    client = make_dpn_client(therapist)
    url = f"/clients/{client.pk}/plan-preview.json?regions=feet"
    assert anonymous.get(url)["Location"].startswith("/accounts/login/")
    assert login(second_therapist).get(url).status_code == 404
    assert login(clinic_admin).get(url).status_code == 200


# --- building and saving ------------------------------------------------------------------


def test_builder_shows_the_proposal_without_saving(login, therapist):
    client = make_dpn_client(therapist)
    query = f"client={client.pk}&date={TOMORROW}&time=10:00&regions=feet:left&regions=feet:right"
    response = login(therapist).get(f"/plans/new/?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Do not work" in page and "open_wound" in page
    assert not SessionPlan.objects.exists()


def test_builder_preview_by_post_saves_nothing(login, therapist):
    client = make_dpn_client(therapist)
    response = login(therapist).post(f"/plans/new/?client={client.pk}", {**plan_data(), "preview": "1"})
    assert response.status_code == 200 and "Proposal for" in response.content.decode()
    assert not SessionPlan.objects.exists()


def test_schedule_survives_dates_at_the_ends_of_the_calendar(login, therapist):
    for day in ("9999-12-31", "0001-01-01", "garbage"):
        assert login(therapist).get(f"/plans/?from={day}").status_code == 200


def test_therapist_saves_a_draft_snapshot(login, therapist):
    client = make_dpn_client(therapist)
    plan = create_plan(login, therapist, client)
    assert plan.status == PlanStatus.DRAFT and plan.therapist == therapist and plan.goals == "Ease burning"
    items = {(i.region, i.side): i for i in plan.items.all()}
    assert items[("feet", "left")].status == "avoid" and items[("feet", "left")].minutes == 0
    assert {items[k].pressure_max for k in items if k != ("feet", "left")} == {2}
    assert plan.proposal["regions"][0]["region"] == "hands"
    assert plan.facts["conditions"][0]["code"] in {"open_wound", "insulin_user"}
    assert plan.ends_at - plan.scheduled_for == timedelta(minutes=10 + 10 + 12)


def test_archived_client_cannot_be_planned(login, therapist):
    client = make_dpn_client(therapist)
    client.archived_at = timezone.now()
    client.save()
    response = login(therapist).post(f"/plans/new/?client={client.pk}", plan_data())
    assert response.status_code == 302
    assert "archived" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not SessionPlan.objects.exists()


@pytest.mark.parametrize("client_id", ["9" * 25, "1" * 5000])
def test_a_client_id_no_database_holds_is_refused_without_a_server_error(login, therapist, client_id):
    response = login(therapist).get(f"/plans/new/?client={client_id}")
    assert response.status_code in (302, 404)
    assert not SessionPlan.objects.exists()


def test_only_the_care_team_plans(login, therapist, second_therapist, clinic_admin):
    client = make_dpn_client(therapist)
    assert login(second_therapist).post(f"/plans/new/?client={client.pk}", plan_data()).status_code == 404
    assert login(clinic_admin).post(f"/plans/new/?client={client.pk}", plan_data()).status_code == 403
    assert not SessionPlan.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"day": TODAY - timedelta(days=1)}, "date"),
        ({"day": TODAY + timedelta(days=400)}, "date"),
        ({"regions": ()}, "regions"),
        ({"time": "25:00"}, "time"),
    ],
)
def test_bad_plan_requests_are_refused_beside_the_field(login, therapist, change, field):
    client = make_dpn_client(therapist)
    response = login(therapist).post(f"/plans/new/?client={client.pk}", plan_data(**change))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not SessionPlan.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"date": ""}, "Date: choose the day of the session."),
        ({"date": "2026-13-01"}, "Date: enter a date such as 2026-12-24."),
        ({"date": (TODAY - timedelta(days=1)).isoformat()}, "Date: a session cannot be planned in the past."),
        ({"date": (TODAY + timedelta(days=400)).isoformat()}, "Date: plan at most a year ahead"),
        ({"time": ""}, "Time: choose the time the session starts."),
        ({"time": "25:00"}, "Time: enter a time such as 14:30."),
        ({"time": "10:00:59"}, "Time: give hours and minutes only, such as 14:30."),
        ({"time": "10:00:00.5"}, "Time: give hours and minutes only, such as 14:30."),
    ],
)
def test_the_builders_day_and_time_messages_name_the_field(login, therapist, change, message):
    client = make_dpn_client(therapist)
    response = login(therapist).post(f"/plans/new/?client={client.pk}", {**plan_data(), **change})
    assert response.status_code == 400
    assert message in " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


def test_a_session_today_is_planned_from_the_current_minute_on(login, therapist):
    """At 15:20:30 today, 15:00 has passed (recorded afterwards, as a late entry); 15:20 is still this minute."""
    client = make_dpn_client(therapist)
    at = timezone.make_aware(datetime.combine(TODAY, time(15, 20, 30)))
    with time_machine.travel(at, tick=False):
        response = login(therapist).post(f"/plans/new/?client={client.pk}", plan_data(day=TODAY, time="15:00"))
        assert response.status_code == 400
        assert response.context["form"].errors["time"] == [
            "Time: 15:00 today has passed; choose a time still to come, or record a session that took place "
            "with Record a session afterwards."
        ]
        assert not SessionPlan.objects.exists()
        response = login(therapist).post(f"/plans/new/?client={client.pk}", plan_data(day=TODAY, time="15:20"))
        assert response.status_code == 302
    plan = SessionPlan.objects.get()
    assert timezone.localtime(plan.scheduled_for) == timezone.make_aware(datetime.combine(TODAY, time(15, 20)))


def test_a_therapist_cannot_be_booked_twice_at_once(login, therapist):
    first, second = make_dpn_client(therapist), make_cipn_client(therapist)
    create_plan(login, therapist, first, time="10:00")
    response = login(therapist).post(f"/plans/new/?client={second.pk}", plan_data(time="10:15"))
    assert response.status_code == 400
    assert "already have a session" in " ".join(response.context["form"].errors["time"])
    assert SessionPlan.objects.count() == 1
    create_plan(login, therapist, second, time="11:00")
    assert SessionPlan.objects.count() == 2


# --- adjusting and the ready gate ---------------------------------------------------------


def test_pressure_above_the_cap_is_refused(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    hand = plan.items.get(region="hands", side="left")
    data = save_data(plan, **{f"item-{hand.pk}-pressure": 3})
    response = login(therapist).post(f"/plans/{plan.pk}/save/", data)
    assert response.status_code == 400
    hand.refresh_from_db()
    assert hand.pressure == 2


def test_therapist_lowers_pressure_shortens_and_drops(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    hand, right_foot = plan.items.get(region="hands", side="left"), plan.items.get(region="feet", side="right")
    data = save_data(
        plan,
        **{f"item-{hand.pk}-pressure": 1, f"item-{hand.pk}-minutes": 7, f"item-{right_foot.pk}-dropped": "on"},
    )
    assert login(therapist).post(f"/plans/{plan.pk}/save/", data).status_code == 302
    hand.refresh_from_db()
    right_foot.refresh_from_db()
    assert (hand.pressure, hand.minutes, right_foot.dropped) == (1, 7, True)
    doc = login(therapist).get(f"/plans/{plan.pk}.json").json()
    left_hand = next(r for r in doc["regions"] if (r["region"], r["side"]) == ("hands", "left"))
    # pressure_max is the rules' cap, as in the preview; pressure is the therapist's choice.
    assert (left_hand["pressure_max"], left_hand["pressure"]) == (2, 1)
    assert all(s["pressure"] <= 1 for s in left_hand["steps"])
    # Seven steps in seven minutes: one minute each, adding up to the region.
    assert [s["minutes"] for s in left_hand["steps"]] == [1] * 7 and left_hand["minutes"] == 7
    assert {"region": "feet", "side": "right"} in doc["dropped"]


def test_plan_is_marked_ready_when_every_condition_holds(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY


def test_ready_needs_the_notes_acknowledged(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True, acknowledged=False))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_ready_needs_clearance_when_required(login, therapist):
    client = make_cipn_client(therapist)
    # Active chemotherapy allows 45 minutes: both hands and the left foot fit.
    plan = create_plan(login, therapist, client, regions=("hands:left", "hands:right", "feet:left"))
    assert plan.session["requires_clearance"] and not plan.session["clearance_on_file"]
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True), follow=True)
    assert "clearance" in response.content.decode().lower()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT

    PhysicianClearance.objects.create(client=client, physician="Dr Oduya", cleared_on=TODAY)
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert "changed after this plan was built" in page
    login(therapist).post(f"/plans/{plan.pk}/rebuild/")
    plan.refresh_from_db()
    assert plan.session["clearance_on_file"]
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY


def test_ready_is_refused_for_a_deferred_session(login, therapist):
    client = make_dpn_client(therapist)
    Condition.objects.create(client=client, code="fever", location="whole_body", noted_on=TODAY)
    plan = create_plan(login, therapist, client, day=TODAY, time="20:00")
    assert plan.is_deferred
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_ready_is_refused_over_the_session_minutes(login, therapist):
    client = make_dpn_client(therapist)
    Condition.objects.create(client=client, code="cancer_fatigue", location="whole_body", noted_on=TODAY)
    plan = create_plan(login, therapist, client)
    assert plan.max_minutes == 30
    # The builder fitted 10 + 10 + 12 minutes to 30, in proportion.
    assert sorted(i.minutes for i in plan.items.all() if i.is_worked) == [9, 10, 11]
    hand = plan.items.get(region="hands", side="right")
    response = login(therapist).post(
        f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True, **{f"item-{hand.pk}-minutes": 10}), follow=True
    )
    assert "The plan totals 31 minutes; this session allows 30 at most." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    login(therapist).post(
        f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True, **{f"item-{hand.pk}-dropped": "on"})
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY  # 9 + 12 minutes fit


def test_minutes_over_the_session_limit_are_refused_per_region(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    hand = plan.items.get(region="hands", side="left")
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-minutes": 0}))
    assert response.status_code == 400
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-minutes": 61}))
    assert response.status_code == 400
    hand.refresh_from_db()
    assert hand.minutes == 10


def test_a_stale_form_is_refused_and_nothing_is_saved(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    stale = save_data(plan, goals="From the first tab")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, goals="From the second tab"))
    response = login(therapist).post(f"/plans/{plan.pk}/save/", stale)
    assert response.status_code == 400
    assert "Someone saved this plan" in response.content.decode()
    plan.refresh_from_db()
    assert plan.goals == "From the second tab"


def test_admin_views_but_cannot_change_a_plan(login, therapist, clinic_admin, second_therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    admin = login(clinic_admin)
    assert admin.get(f"/plans/{plan.pk}/").status_code == 200
    assert admin.post(f"/plans/{plan.pk}/save/", save_data(plan, goals="x")).status_code == 403
    assert admin.post(f"/plans/{plan.pk}/cancel/", {"category": "clinic_cancelled"}).status_code == 403
    assert login(second_therapist).get(f"/plans/{plan.pk}/").status_code == 404
    plan.refresh_from_db()
    assert plan.goals == "Ease burning" and plan.status == PlanStatus.DRAFT


def test_post_only_plan_urls_refuse_get(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    for action in ("save", "rebuild", "cancel"):
        assert login(therapist).get(f"/plans/{plan.pk}/{action}/").status_code == 405


def test_cancelled_plan_stays_and_frees_the_slot(login, therapist):
    client = make_dpn_client(therapist)
    plan = create_plan(login, therapist, client)
    login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "health", "reason": "Client unwell"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CANCELLED and plan.cancel_reason == "Client unwell"
    assert plan.cancel_category == "health"
    create_plan(login, therapist, client)
    assert SessionPlan.objects.count() == 2


# --- snapshots ----------------------------------------------------------------------------


def test_template_edit_does_not_rewrite_a_saved_plan(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    before = login(therapist).get(f"/plans/{plan.pk}.json").json()
    TemplateStep.objects.filter(template__key="hands-standard").update(minutes=5, technique="changed")
    after = login(therapist).get(f"/plans/{plan.pk}.json").json()
    assert before == after


def test_new_condition_shows_a_banner_until_rebuilt(login, therapist):
    client = make_dpn_client(therapist)
    plan = create_plan(login, therapist, client)
    assert "changed after this plan was built" not in login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    Condition.objects.create(client=client, code="open_wound", location="hands", side="right", noted_on=TODAY)
    assert plan.items.get(region="hands", side="right").status != "avoid"
    assert "changed after this plan was built" in login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    login(therapist).post(f"/plans/{plan.pk}/rebuild/")
    assert plan.items.get(region="hands", side="right").status == "avoid"
    assert "changed after this plan was built" not in login(therapist).get(f"/plans/{plan.pk}/").content.decode()


# --- JSON, print, schedule ----------------------------------------------------------------


def test_plan_json_has_the_proposal_shape_plus_identity(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    doc = login(therapist).get(f"/plans/{plan.pk}.json").json()
    assert doc["id"] == plan.pk and doc["status"] == "draft" and doc["therapist"] == "tara"
    assert doc["scheduled_for"].startswith(TOMORROW.isoformat())
    assert set(doc["session"]) >= {"status", "max_minutes", "requires_clearance", "clearance_on_file", "notes"}
    region = doc["regions"][0]
    assert set(region) >= {"region", "side", "status", "pressure_max", "template", "minutes", "steps", "notes"}


def test_print_sheet_has_every_note_and_the_boxes(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    page = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    for text in ("Pain before", "open_wound", "insulin_user", "numbness", "<svg", "Do not work"):
        assert text in page
    assert 'class="navbar' not in page


def _plans_for(login, therapist, count):
    for n in range(count):
        client = make_dpn_client(therapist, first_name=f"Client{n}")
        create_plan(login, therapist, client, time=f"{8 + n:02d}:00")


def test_query_counts_do_not_grow_with_plans(login, therapist, django_assert_max_num_queries):
    _plans_for(login, therapist, 3)
    plan = SessionPlan.objects.first()
    client = login(therapist)
    # schedule: session, user, user groups (admin check), plans with client and therapist, navbar roles
    with django_assert_max_num_queries(6):
        assert client.get(f"/plans/?from={TOMORROW}").status_code == 200
    # print: session, user, user groups, plan with client and therapist, items, the current facts
    # (conditions, clearances: has the record changed?), the clearance's restrictions and the
    # client's last signed session (for the notes that are new since)
    with django_assert_max_num_queries(10):
        client.get(f"/plans/{plan.pk}/print/")
    # plan page adds the current facts (conditions, clearances), the clearance's restrictions,
    # the record, the last signed session, and the templates joined with their steps
    with django_assert_max_num_queries(12):
        client.get(f"/plans/{plan.pk}/")
    _plans_for_more = [make_dpn_client(therapist, first_name=f"More{n}") for n in range(3)]
    for n, more in enumerate(_plans_for_more):
        create_plan(login, therapist, more, time=f"{14 + n:02d}:00")
    with django_assert_max_num_queries(6):
        assert client.get(f"/plans/?from={TOMORROW}").status_code == 200


def test_schedule_shows_own_plans_and_admin_sees_all(login, therapist, second_therapist, clinic_admin):
    create_plan(login, therapist, make_dpn_client(therapist, first_name="Tara's"))
    create_plan(login, second_therapist, make_dpn_client(second_therapist, first_name="Sam's"))
    mine = login(therapist).get(f"/plans/?from={TODAY}").content.decode()
    assert "Tara&#x27;s" in mine and "Sam&#x27;s" not in mine
    everyone = login(clinic_admin).get(f"/plans/?from={TOMORROW}").content.decode()
    assert "Tara&#x27;s" in everyone and "Sam&#x27;s" in everyone


def test_dashboard_lists_drafts(login, therapist):
    create_plan(login, therapist, make_dpn_client(therapist))
    page = login(therapist).get("/").content.decode()
    assert "Drafts not yet ready" in page and "Dora Pine" in page


def test_plan_items_enforce_caps_in_the_database(login, therapist):
    from django.db import IntegrityError, transaction

    plan = create_plan(login, therapist, make_dpn_client(therapist))
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.filter(plan=plan, region="hands", side="left").update(pressure=4)


def test_therapist_swaps_a_template_and_the_steps_follow(login, therapist):
    from protocols.models import ProtocolTemplate

    hands = ProtocolTemplate.objects.get(key="hands-standard")
    gentle = ProtocolTemplate.objects.create(
        key="hands-still-holds", name="Hands: gentle holds", region="hands", version=1, goal="Calm", position="Seated"
    )
    TemplateStep.objects.create(template=gentle, order=1, technique="still hold", minutes=4, pressure=0, instruction="")
    TemplateStep.objects.create(template=gentle, order=2, technique="effleurage", minutes=4, pressure=1, instruction="")
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    hand = plan.items.get(region="hands", side="left")
    assert hand.template_key == hands.key
    response = login(therapist).post(
        f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-template": "hands-still-holds"})
    )
    assert response.status_code == 302
    hand.refresh_from_db()
    assert (hand.template_key, hand.template_name, hand.minutes, hand.pressure_max) == (
        "hands-still-holds",
        "Hands: gentle holds",
        8,
        1,
    )
    assert [step["technique"] for step in hand.steps] == ["still hold", "effleurage"]
    other = plan.items.get(region="hands", side="right")
    assert other.template_key == hands.key


def test_admin_schedule_is_one_day_of_the_clinic_or_one_therapists_week(
    login, therapist, second_therapist, clinic_admin
):
    create_plan(login, therapist, make_dpn_client(therapist, first_name="Today's"), day=TODAY)
    create_plan(login, second_therapist, make_dpn_client(second_therapist, first_name="Later"), day=TOMORROW)
    admin = login(clinic_admin)
    day = admin.get(f"/plans/?from={TODAY}")
    assert len(day.context["days"]) == 1
    page = day.content.decode()
    assert "Today&#x27;s" in page and "Later" not in page and "Next day" in page
    week = admin.get(f"/plans/?from={TODAY}&therapist=sam")
    assert len(week.context["days"]) == 7
    page = week.content.decode()
    assert "Later" in page and "Today&#x27;s" not in page


@pytest.mark.parametrize("version", ["", "abc", "0"])
def test_a_plan_saved_without_its_version_says_so_once(login, therapist, version):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, goals="Walk", version=version))
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("This page did not say which version of the record it edits") == 1
    plan.refresh_from_db()
    assert plan.goals != "Walk" and plan.version == 1


def test_pressure_0_a_still_hold_is_refused_for_steps_that_move(login, therapist):
    from protocols.models import ProtocolTemplate

    plan = create_plan(login, therapist, make_dpn_client(therapist))
    hand = plan.items.get(region="hands", side="left")
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-pressure": 0}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Pressure 0 is a still hold with no movement, but this template&#x27;s steps move (" in page
    hand.refresh_from_db()
    assert hand.pressure != 0
    # A template of still holds (and its inspection) can be worked at 0.
    holds = ProtocolTemplate.objects.create(
        key="hands-holds-only", name="Hands: holds only", region="hands", version=1, goal="Calm", position="Seated"
    )
    TemplateStep.objects.create(
        template=holds, order=1, technique="look", kind="inspection", minutes=1, pressure=0, instruction=""
    )
    TemplateStep.objects.create(
        template=holds, order=2, technique="still hold", kind="still_hold", minutes=4, pressure=0, instruction=""
    )
    data = save_data(plan, **{f"item-{hand.pk}-template": "hands-holds-only", f"item-{hand.pk}-pressure": 0})
    assert login(therapist).post(f"/plans/{plan.pk}/save/", data).status_code == 302
    hand.refresh_from_db()
    assert (hand.template_key, hand.pressure) == ("hands-holds-only", 0)


def test_the_lab_value_in_use_costs_one_query_whatever_the_number_of_results(login, therapist):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = make_cipn_client(therapist)
    plan = create_plan(login, therapist, client)
    browser = login(therapist)

    def counts():
        found = []
        for url in (f"/plans/{plan.pk}/", f"/plans/{plan.pk}/print/"):
            with CaptureQueriesContext(connection) as queries:
                page = browser.get(url).content.decode()
            assert "is the value in use" in page
            found.append(len(queries))
        return found

    before = counts()
    # The plan page and the sheet, with the lab line: one query more than test_query_counts_do_not_grow_with_plans.
    assert before[0] <= 13 + 1 and before[1] <= 10 + 1, before
    for days in range(1, 6):
        Condition.objects.create(
            client=client, code="platelet_count", location="whole_body", value=60_000, noted_on=TODAY - timedelta(days)
        )
    assert counts() == before
