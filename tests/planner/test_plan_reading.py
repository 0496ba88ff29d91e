"""How a plan reads (RULES.md): the export's pressures, page order, steps, blockers, "new" notes."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from planner import plans
from planner.models import PlanStatus, SessionPlan, SessionRecord
from tests.factories import document_of, make_clearance, make_client, make_condition

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + timedelta(days=1)


def dpn_client(therapist, **symptoms):
    """A DPN client with numbness in both feet: pressure 2 on the feet, nothing blocks."""
    symptoms = symptoms or {"feet:left": ["numbness"], "feet:right": ["numbness"]}
    return make_client(care_team=[therapist], symptoms=symptoms)


def plan_for(client, therapist, regions="hands,feet", day=TOMORROW, at=time(10, 0), **kwargs):
    return plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(day, at),
        regions=regions,
        created_by=therapist,
        **kwargs,
    )


def save_data(plan, mark_ready=False, **overrides):
    data = {"goals": "", "notes": "", "version": plan.version, "notes_acknowledged": "on"}
    for item in plan.items.exclude(status="avoid"):
        data[f"item-{item.pk}-template"] = item.template_key
        data[f"item-{item.pk}-minutes"] = item.minutes
        data[f"item-{item.pk}-pressure"] = item.pressure
    if mark_ready:
        data["mark_ready"] = "1"
    data.update(overrides)
    return data


def places_in(html, marker):
    """Region/side names in the order the page prints them, from elements carrying `marker`."""
    return re.findall(rf"{marker}[^>]*>\s*((?:right|left) (?:arm|hand|leg|foot))", html)


# --- the plan export -------------------------------------------------------------------------


def test_plan_json_names_the_cap_pressure_max_and_the_choice_pressure(login, therapist):
    plan = plan_for(dpn_client(therapist), therapist)
    foot = plan.items.get(region="feet", side="left")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{foot.pk}-pressure": 1}))
    doc = login(therapist).get(f"/plans/{plan.pk}.json").json()
    left_foot = next(r for r in doc["regions"] if (r["region"], r["side"]) == ("feet", "left"))
    assert (left_foot["pressure_max"], left_foot["pressure"]) == (2, 1)
    assert "pressure_cap" not in left_foot
    assert isinstance(left_foot["pressure_set_by"], list) and isinstance(left_foot["dropped_steps"], list)
    assert all(step["pressure"] <= 1 for step in left_foot["steps"])
    # The preview says the same cap for the same place.
    preview = login(therapist).get(f"/clients/{plan.client_id}/plan-preview.json?regions=feet:left").json()
    assert preview["regions"][0]["pressure_max"] == left_foot["pressure_max"]


def test_plan_json_lists_places_client_right_first_and_dropped_regions_apart(login, therapist):
    plan = plan_for(dpn_client(therapist), therapist)
    hand = plan.items.get(region="hands", side="right")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-dropped": "on"}))
    doc = login(therapist).get(f"/plans/{plan.pk}.json").json()
    assert [(r["region"], r["side"]) for r in doc["regions"]] == [
        ("hands", "left"),
        ("feet", "right"),
        ("feet", "left"),
    ]
    assert doc["dropped"] == [{"region": "hands", "side": "right"}]


def test_client_export_carries_the_same_plan_document(login, clinic_admin, therapist):
    client = dpn_client(therapist)
    plan = plan_for(client, therapist)
    exported = document_of(login(clinic_admin).get(f"/clients/{client.pk}/export.json"))["plans"][0]
    assert exported == login(clinic_admin).get(f"/plans/{plan.pk}.json").json()


# --- page order: the client's right first, one row per region --------------------------------


def test_plan_page_and_sheet_put_the_right_first_with_both_sides_in_a_row(login, therapist):
    plan = plan_for(dpn_client(therapist), therapist, regions="arms,hands,legs,feet")
    assert [(i.region, i.side) for i in plan.items.all()] == [
        (region, side) for region in ("arms", "hands", "legs", "feet") for side in ("right", "left")
    ]
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert places_in(page, 'class="h6 mb-0 text-capitalize"') == [
        "right arm",
        "left arm",
        "right hand",
        "left hand",
        "right leg",
        "left leg",
        "right foot",
        "left foot",
    ]
    assert page.count('<div class="region-row">') == 4
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    head = sheet[sheet.index("steps-table") :]
    assert head.index("Client's right") < head.index("Client's left")
    assert head.count('<th scope="row"') == 4


def test_a_lone_left_side_keeps_its_column(login, therapist):
    plan = plan_for(dpn_client(therapist), therapist, regions="hands:left")
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    row = page[page.index('<div class="region-row">') :]
    assert row.index("Right hand: not planned") < row.index("left hand")


# --- steps follow the region's minutes --------------------------------------------------------


def test_steps_scale_with_the_region_minutes_on_page_sheet_and_export(login, therapist):
    plan = plan_for(dpn_client(therapist), therapist, regions="hands:right")
    hand = plan.items.get()
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-minutes": 14}))
    assert response.status_code == 302
    doc = login(therapist).get(f"/plans/{plan.pk}.json").json()
    steps = doc["regions"][0]["steps"]
    assert sum(step["minutes"] for step in steps) == 14 == doc["regions"][0]["minutes"]
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    assert sum(int(m) for m in re.findall(r" (\d+)′ p\d", sheet)) == 14
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert sum(int(m) for m in re.findall(r"</strong>, (\d+) min, pressure", page)) == 14


def test_region_minutes_below_the_step_count_are_refused_naming_the_field(login, therapist):
    plan = plan_for(dpn_client(therapist), therapist, regions="hands:right")
    hand = plan.items.get()
    response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{f"item-{hand.pk}-minutes": 5}))
    assert response.status_code == 400
    assert "Minutes: at least 7, one for each of the 7 steps." in response.content.decode()
    hand.refresh_from_db()
    assert hand.minutes == 10


# --- the session summary and the ready plan ---------------------------------------------------


def cipn_client(therapist):
    client = make_client(care_team=[therapist], neuropathy_type="CIPN")
    make_condition(client, "active_chemo")
    make_condition(client, "platelet_count", value=45_000)
    make_condition(client, "fever")
    return client


def test_summary_names_every_blocker_and_never_says_go_ahead(login, therapist):
    plan = plan_for(cipn_client(therapist), therapist, regions="arms,hands,legs,feet")
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    verdict = page[page.index("session-verdict") : page.index("session-notes-h")]
    assert "Can go ahead" not in page
    assert "The session is deferred: no hands-on session on" in verdict
    assert "Physician clearance is required" in verdict and f"/clients/{plan.client_id}/clearances/new/" in verdict
    assert "this session allows 45 at most" in verdict
    assert "The notes are not marked as read" in verdict


def test_a_ready_plan_shows_what_comes_next_instead_of_the_form(login, therapist):
    plan = plan_for(dpn_client(therapist), therapist, ready=True)
    assert plan.status == PlanStatus.READY
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert "Can go ahead" in page and "Ready: what comes next" in page
    assert "Save and mark ready" not in page and f'action="/plans/{plan.pk}/save/"' not in page
    assert "Change the plan" in page
    editing = login(therapist).get(f"/plans/{plan.pk}/?edit=1").content.decode()
    assert f'action="/plans/{plan.pk}/save/"' in editing


# --- notes new since the last signed session --------------------------------------------------


def sign_session(plan, therapist):
    SessionRecord.objects.create(
        plan=plan,
        client=plan.client,
        therapist=therapist,
        started_at=plan.scheduled_for,
        signed_at=plan.scheduled_for,
        signed_by=therapist,
    )
    SessionPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DONE)


def test_notes_new_since_the_last_signed_session_are_marked(login, therapist):
    client = dpn_client(therapist)
    last_week = timezone.localdate() - timedelta(days=7)
    sign_session(plan_for(client, therapist, day=last_week), therapist)
    make_condition(client, "insulin_user", noted_on=last_week + timedelta(days=1))
    plan = plan_for(client, therapist)
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    new_notes = re.findall(r'title="Not on the plan of[^"]*">New</span>.*?rule (\w+)</a>', page, re.S)
    assert new_notes == ["insulin_user"]
    assert "rule numbness" in page  # an old note, not marked
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    assert sheet.count("<strong>NEW</strong>") == 1


def test_a_note_at_a_new_place_is_new_even_with_the_same_text(login, therapist):
    client = dpn_client(therapist, **{"feet:left": ["numbness"]})
    last_week = timezone.localdate() - timedelta(days=7)
    sign_session(plan_for(client, therapist, day=last_week), therapist)
    client.symptoms = {"feet:left": ["numbness"], "feet:right": ["numbness"]}
    client.save()
    plan = plan_for(client, therapist)
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    right_foot = page[page.index(">right foot<") : page.index(">left foot<")]
    left_foot = page[page.index(">left foot<") :]
    assert ">New</span>" in right_foot and "rule numbness" in right_foot
    assert ">New</span>" not in left_foot.split("</article>")[0]


def test_without_a_signed_session_nothing_is_marked_new(login, therapist):
    plan = plan_for(dpn_client(therapist), therapist)
    assert ">New</span>" not in login(therapist).get(f"/plans/{plan.pk}/").content.decode()


# --- the one-page builder ---------------------------------------------------------------------


def builder(login, therapist, client, **params):
    query = {"client": client.pk, "date": TOMORROW.isoformat(), "time": "10:00", **params}
    return login(therapist).get("/plans/new/", query)


def test_a_preset_shows_the_proposal_without_saving(login, therapist):
    client = dpn_client(therapist)
    response = builder(login, therapist, client, preset="hands-feet")
    assert response.status_code == 200
    draft = response.context["draft"]
    assert sorted(r["region"] + ":" + r["side"] for r in draft.proposal["regions"]) == [
        "feet:left",
        "feet:right",
        "hands:left",
        "hands:right",
    ]
    assert "Save as ready" in response.content.decode()
    assert not SessionPlan.objects.exists()


def test_affected_regions_preset_follows_the_symptoms(login, therapist):
    client = dpn_client(therapist, **{"feet:left": ["numbness"], "legs:left": ["tingling"]})
    page = builder(login, therapist, client).content.decode()
    assert 'data-regions="legs:left,feet:left"' in page


def test_a_clash_and_the_next_free_time_show_before_saving(login, therapist):
    plan_for(dpn_client(therapist), therapist, at=time(10, 0))
    client = dpn_client(therapist)
    response = builder(login, therapist, client, regions=["hands:right"], time="10:15")
    page = response.content.decode()
    # Free again after the session and the clinic's 10-minute buffer, on the next 5 minutes.
    busy = timezone.localtime(SessionPlan.objects.get().busy_until)
    assert busy == timezone.localtime(SessionPlan.objects.get().ends_at) + timedelta(minutes=10)
    taken_until = busy + timedelta(minutes=-busy.minute % 5)
    assert "You already have a session with" in page
    assert f"The next free time that day is {taken_until:%H:%M}." in page
    assert f'name="use_time" value="{taken_until:%H:%M}"' in page
    response = login(therapist).post(
        f"/plans/new/?client={client.pk}",
        {
            "client": client.pk,
            "date": TOMORROW.isoformat(),
            "time": "10:15",
            "regions": ["hands:right"],
            "use_time": f"{taken_until:%H:%M}",
        },
    )
    assert response.context["draft"].clash is None and SessionPlan.objects.count() == 1


def test_the_builder_fits_the_proposal_to_the_limit_and_says_so(login, therapist):
    client = dpn_client(therapist)
    make_condition(client, "cancer_fatigue")  # 30 minutes at most
    response = builder(login, therapist, client, preset="hands-feet")
    draft = response.context["draft"]
    assert draft.trimmed and draft.minutes == 30 and draft.original_minutes > 30
    assert "Trimmed from" in response.content.decode()
    for region in draft.proposal["regions"]:
        assert region["minutes"] >= len(region["steps"])


def test_save_as_ready_from_the_builder(login, therapist):
    client = dpn_client(therapist)
    data = {"client": client.pk, "date": TOMORROW.isoformat(), "time": "10:00", "regions": ["hands:right", "feet:left"]}
    refused = login(therapist).post(f"/plans/new/?client={client.pk}", {**data, "ready": "1"})
    assert refused.status_code == 400 and "Tick that you have read every note." in refused.content.decode()
    assert not SessionPlan.objects.exists()
    response = login(therapist).post(
        f"/plans/new/?client={client.pk}", {**data, "ready": "1", "notes_acknowledged": "on"}
    )
    plan = SessionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert plan.status == PlanStatus.READY and plan.notes_acknowledged


def test_blockers_show_with_a_link_and_ready_is_refused_but_a_draft_may_be_kept(login, therapist):
    client = make_client(care_team=[therapist], neuropathy_type="CIPN")
    make_condition(client, "active_chemo")
    make_condition(client, "platelet_count", value=120_000)
    response = builder(login, therapist, client, regions=["hands:right"], notes_acknowledged="on")
    page = response.content.decode()
    assert "Physician clearance is required" in page
    assert f'href="/clients/{client.pk}/clearances/new/">Record the clearance</a>' in page
    assert re.search(r'name="ready" value="1"\s+disabled', page)
    data = {
        "client": client.pk,
        "date": TOMORROW.isoformat(),
        "time": "10:00",
        "regions": ["hands:right"],
        "notes_acknowledged": "on",
    }
    assert login(therapist).post(f"/plans/new/?client={client.pk}", {**data, "ready": "1"}).status_code == 400
    assert not SessionPlan.objects.exists()
    login(therapist).post(f"/plans/new/?client={client.pk}", {**data, "save": "1"})
    assert SessionPlan.objects.get().status == PlanStatus.DRAFT
    make_clearance(client)
    response = builder(login, therapist, client, regions=["hands:right"], time="14:00", notes_acknowledged="on")
    assert "Can go ahead" in response.content.decode()


def test_an_over_long_plan_is_fitted_from_its_page(login, therapist, second_therapist):
    client = dpn_client(therapist)
    make_condition(client, "cancer_fatigue")  # 30 minutes at most
    plan = plan_for(client, therapist, regions="hands,feet:right")
    assert sum(i.minutes for i in plan.items.all()) == 32
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert "The plan totals 32 minutes; this session allows 30 at most." in page
    assert f'action="/plans/{plan.pk}/fit/"' in page and "Fit to 30 minutes" in page
    assert login(therapist).get(f"/plans/{plan.pk}/fit/").status_code == 405
    assert login(second_therapist).post(f"/plans/{plan.pk}/fit/").status_code == 404
    response = login(therapist).post(f"/plans/{plan.pk}/fit/", follow=True)
    assert "Trimmed to 30 minutes" in response.content.decode()
    assert sorted(i.minutes for i in plan.items.all()) == [9, 10, 11]
    plan.refresh_from_db()
    assert plan.version == 2 and plan.ends_at == plan.scheduled_for + timedelta(minutes=30)


def test_the_rules_that_set_a_cap_read_as_one_phrase():
    from planner.templatetags.plan_tags import rule_titles
    from protocols.rules import RULES_BY_CODE

    nadir, picc, platelets = (RULES_BY_CODE[code].title for code in ("nadir_window", "picc_line", "platelets_very_low"))
    assert rule_titles(["nadir_window", "picc_line", "platelets_very_low"]) == f"{nadir}, {picc} and {platelets}"
    assert rule_titles(["nadir_window", "picc_line"]) == f"{nadir} and {picc}"
    assert rule_titles(["numbness"]) == RULES_BY_CODE["numbness"].title
    assert rule_titles([]) == ""


def test_a_write_that_loses_a_race_says_so_and_goes_back(login, therapist):
    """Rebuild, fit and cancel claim the version they read; losing to another save is a message, not a 500."""
    from unittest import mock

    from protocols.versioning import StaleVersion

    plan = plan_for(dpn_client(therapist), therapist)
    browser = login(therapist)
    page = f"http://testserver/plans/{plan.pk}/"
    for action, target in [("rebuild", "rebuild_plan"), ("fit", "fit_plan")]:
        with mock.patch(f"planner.plans.{target}", side_effect=StaleVersion(plan)):
            response = browser.post(f"/plans/{plan.pk}/{action}/", HTTP_REFERER=page, follow=True)
        assert response.redirect_chain[0] == (page, 302)
        assert "your changes were not saved" in response.content.decode()
    with mock.patch("planner.plans.rebuild_plan", side_effect=StaleVersion(plan)):
        response = browser.post(f"/plans/{plan.pk}/rebuild/", HTTP_REFERER="https://evil.example/")
    assert response["Location"] == "/"


def test_only_the_therapist_is_asked_to_tick_the_notes_as_read(login, therapist, clinic_admin):
    """A clinic admin reading the plan, or a printed sheet, is told the notes are unread, not to tick a box."""
    plan = plan_for(dpn_client(therapist), therapist)

    def verdict(user):
        page = login(user).get(f"/plans/{plan.pk}/").content.decode()
        return page[page.index("session-verdict") :].split("</ul>")[0]

    assert "The notes are not marked as read. Tick that you have read every note." in verdict(therapist)
    for_admin = verdict(clinic_admin)
    assert "The notes are not marked as read." in for_admin and "Tick" not in for_admin
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    assert "The notes are not marked as read." in sheet and "Tick that" not in sheet
    # The builder, where the therapist ticks the box, says so.
    built = builder(login, therapist, plan.client, preset="hands-feet").content.decode()
    assert "The notes are not marked as read. Tick that you have read every note." in built


def test_the_builder_preview_says_what_to_correct_instead_of_going_quiet(login, therapist):
    """The live preview replaces the proposal column only, so a field's message is said there too."""
    client = dpn_client(therapist)

    def proposal_column(**params):
        page = builder(login, therapist, client, regions="hands:right", **params).content.decode()
        return page[page.index('id="proposal"') :]

    for params, message in [
        ({"repeat_weeks": "999"}, "Weeks: at most 26 in one series."),
        ({"repeat_weeks": "-5"}, "Weeks: at least 1."),
        ({"repeat_weeks": "2", "repeat_days": ["0", "1", "2", "3"]}, "On: at most three days a week."),
        ({"date": "2001-01-01"}, "Date: a session cannot be planned in the past."),
    ]:
        column = proposal_column(**params)
        assert "No proposal until this is corrected:" in column and message in column, params
    # With no region ticked, the column still invites the therapist to pick one.
    page = builder(login, therapist, client, preset="").content.decode()
    column = page[page.index('id="proposal"') :]
    assert "Pick the regions to work" in column and "No proposal until" not in column
