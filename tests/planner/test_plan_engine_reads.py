"""The demo CIPN client of a plan that must read right: dropped steps, the rules that set a cap, one note per fact."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from planner import plans
from tests.factories import make_client, make_condition

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOMORROW = TODAY + timedelta(days=1)


def cipn_client(therapist):
    """Active chemo, infusion 8 days before the session, platelets 45,000 the day before, port right chest,
    PICC right arm, cold-sensitive hands, numb feet."""
    client = make_client(
        care_team=[therapist],
        neuropathy_type="CIPN",
        symptoms={
            "hands:left": ["cold_sensitivity"],
            "hands:right": ["cold_sensitivity"],
            "feet:left": ["numbness"],
            "feet:right": ["numbness"],
        },
    )
    make_condition(client, "active_chemo", noted_on=TODAY - timedelta(days=60))
    make_condition(client, "chemo_infusion", noted_on=TOMORROW - timedelta(days=8))
    make_condition(client, "platelet_count", value=45_000, noted_on=TODAY)
    make_condition(client, "port", location="chest", side="right", noted_on=TODAY - timedelta(days=60))
    make_condition(client, "picc_line", location="arms", side="right", noted_on=TODAY - timedelta(days=30))
    return client


def plan_for(client, therapist, regions):
    return plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(10, 0)),
        regions=regions,
        created_by=therapist,
    )


def by_place(doc):
    return {(r["region"], r["side"]): r for r in doc["regions"]}


def test_plan_json_lists_dropped_steps_kinds_and_the_rules_that_set_each_cap(login, therapist):
    client = cipn_client(therapist)
    plan = plan_for(client, therapist, "hands,feet")
    doc = login(therapist).get(f"/plans/{plan.pk}.json").json()
    regions = by_place(doc)
    for place, region in regions.items():
        assert [step["kind"] for step in region["dropped_steps"]] == ["traction"], place
        assert region["dropped_steps"][0]["reason"] == "platelets below 50,000"
        assert region["dropped_steps"][0]["rule"] == "platelets_very_low"
        assert all(step["kind"] and step["kind"] != "traction" for step in region["steps"])
        assert sum(step["minutes"] for step in region["steps"]) == region["minutes"]
        assert region["pressure_max"] == 1
        for note in region["notes"]:
            assert "pressure_cap" in note
    assert regions[("hands", "right")]["pressure_set_by"] == ["nadir_window", "platelets_very_low", "picc_line"]
    assert regions[("hands", "left")]["pressure_set_by"] == ["nadir_window", "platelets_very_low"]
    # Hands and feet on both sides fit the 45 minutes of a client in chemotherapy.
    assert sum(region["minutes"] for region in regions.values()) <= doc["session"]["max_minutes"] == 45


def test_one_note_per_fact_on_each_place(login, therapist):
    client = cipn_client(therapist)
    plan = plan_for(client, therapist, "arms,hands,legs,feet")
    proposal = plan.proposal
    notes = {(r["region"], r["side"]): [n["rule"] for n in r["notes"]] for r in proposal["regions"]}
    assert notes[("feet", "left")] == ["cold_sensitivity", "numbness"]
    assert notes[("hands", "right")] == ["cold_sensitivity", "picc_line"]
    assert notes[("arms", "right")] == ["picc_line"]
    assert notes[("legs", "left")] == []
    session = [n["rule"] for n in proposal["session"]["notes"]]
    assert sorted(session) == ["active_chemo", "nadir_window", "no_heat", "platelets_very_low", "port"]
    total = len(session) + sum(len(rules) for rules in notes.values())
    assert total == 13
    cold_on_foot = next(n for r in proposal["regions"] if r["region"] == "feet" for n in r["notes"])
    assert cold_on_foot["text"].startswith("Cold sensitivity in both hands. Keep the feet warm and covered too")


def test_card_and_print_sheet_say_what_was_dropped_and_why(login, therapist):
    client = cipn_client(therapist)
    plan = plan_for(client, therapist, "hands:right")
    session = login(therapist)
    for url in (f"/plans/{plan.pk}/", f"/plans/{plan.pk}/print/"):
        page = session.get(url).content.decode()
        assert "traction, platelets below 50,000" in page, url
