"""The planning engine as a pure function: facts in, proposal out, no database."""

import ast
import json
import random
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from protocols import engine
from protocols.default_templates import DEFAULT_TEMPLATES, FEET
from protocols.engine import ClientFacts, ConditionFact, EngineError, Template, TemplateStep, parse_regions, propose
from protocols.rules import RULES

PLAN_DATE = date(2026, 11, 20)
EVERY_REGION = [(region, side) for region in ("arms", "hands", "legs", "feet") for side in ("left", "right")]
ARM = [("arms", "left")]  # the arms template's own pressure is 3, so any cap shows
FOOT = [("feet", "left")]
SESSION = "session"
REGION = "region"  # in FIRES: the note is on the first planned region/side


def days_ago(days):
    return PLAN_DATE - timedelta(days=days)


def fact(code, location=None, side=None, *, value=None, noted=10, resolved=None, detail=""):
    """A condition noted `noted` days before the plan date (negative: after it)."""
    return ConditionFact(
        code=code,
        noted_on=days_ago(noted),
        location=location,
        side=side,
        value=value,
        resolved_on=None if resolved is None else days_ago(resolved),
        detail=detail,
    )


def client(*conditions, symptoms=None, causes=(), neuropathy_type="DPN", clearance=None):
    return ClientFacts(
        client_id=7,
        neuropathy_type=neuropathy_type,
        plan_date=PLAN_DATE,
        symptoms=symptoms or {},
        contributing_causes=frozenset(causes),
        conditions=conditions,
        clearance_date=clearance,
    )


def plan(facts, regions=EVERY_REGION, templates=DEFAULT_TEMPLATES, choices=None):
    return propose(facts, regions, templates, choices)


def item(proposal, region, side):
    [found] = [entry for entry in proposal["regions"] if (entry["region"], entry["side"]) == (region, side)]
    return found


def notes_at(proposal, where):
    return proposal["session"]["notes"] if where == SESSION else item(proposal, *where)["notes"]


def note(notes, rule):
    """The one note of a rule, or None; two notes of one rule on one target is a bug."""
    found = [entry for entry in notes if entry["rule"] == rule]
    assert len(found) <= 1, found
    return found[0] if found else None


def all_rule_codes(proposal):
    codes = {entry["rule"] for entry in proposal["session"]["notes"]}
    for entry in proposal["regions"]:
        codes.update(note["rule"] for note in entry["notes"])
    return codes


# Every rule of RULES.md, fired on its own. Session rules are checked on the left arm, whose
# template pressure is 3, so the session-wide cap shows as that region's pressure_max.
FIRES = [
    ("sensory_change", client(symptoms={("arms", "left"): {"tingling"}}), ARM, REGION, "modify", 2),
    ("numbness", client(symptoms={("arms", "left"): {"numbness"}}), ARM, REGION, "modify", 2),
    (
        "numbness",
        client(fact("loss_of_protective_sensation", "feet", "left")),
        FOOT,
        REGION,
        "modify",
        2,
    ),
    ("allodynia", client(symptoms={("arms", "left"): {"allodynia"}}), ARM, REGION, "modify", 1),
    ("weakness", client(symptoms={("arms", "left"): {"weakness"}}), ARM, REGION, "caution", 3),
    ("no_heat", client(symptoms={("feet", "left"): {"numbness"}}), ARM, SESSION, "caution", 3),
    (
        "cold_sensitivity",
        client(symptoms={("hands", "right"): {"cold_sensitivity"}}),
        [("hands", "left")],
        REGION,
        "modify",
        2,
    ),
    ("cold_sensitivity", client(fact("oxaliplatin_course")), FOOT, REGION, "modify", 2),
    ("open_wound", client(fact("open_wound", "arms", "left")), ARM, REGION, "avoid", None),
    ("new_foot_finding", client(fact("new_foot_finding", "feet", "left")), FOOT, REGION, "avoid", None),
    ("charcot_suspected", client(fact("charcot_suspected", "feet", "left")), FOOT, REGION, "avoid", None),
    ("fungal_infection", client(fact("fungal_infection", "arms", "left")), ARM, REGION, "modify", 3),
    ("fragile_skin", client(fact("fragile_skin")), ARM, SESSION, "modify", 2),
    ("amputation", client(fact("amputation", "arms", "left")), ARM, REGION, "avoid", None),
    ("pad", client(fact("pad")), [("legs", "left")], REGION, "modify", 2),
    ("dvt_suspected", client(fact("dvt_suspected", "legs", "left")), ARM, SESSION, "defer", 3),
    ("vte_history", client(fact("vte_history", "arms", "left")), ARM, REGION, "avoid", None),
    ("edema", client(fact("edema", "arms", "left")), ARM, REGION, "modify", 1),
    ("lymphedema", client(fact("lymphedema", "arms", "left")), ARM, REGION, "avoid", None),
    ("node_removal_axillary", client(fact("node_removal_axillary", "arms", "left")), ARM, REGION, "modify", 2),
    (
        "node_removal_inguinal",
        client(fact("node_removal_inguinal", None, "right")),
        [("legs", "right")],
        REGION,
        "modify",
        2,
    ),
    ("heart_failure", client(fact("heart_failure")), FOOT, REGION, "modify", 2),
    ("anticoagulant", client(fact("anticoagulant")), ARM, SESSION, "modify", 2),
    ("insulin_site", client(fact("insulin_site", "arms", "left")), ARM, REGION, "modify", 3),
    ("insulin_site", client(fact("insulin_pump", "arms", "left")), ARM, REGION, "modify", 3),
    ("insulin_user", client(fact("insulin_user")), ARM, SESSION, "caution", 3),
    ("poor_glycemic_control", client(fact("poor_glycemic_control")), ARM, SESSION, "caution", 3),
    (
        "active_chemo",
        client(fact("active_chemo"), fact("platelet_count", value=150_000, noted=1)),
        ARM,
        SESSION,
        "caution",
        3,
    ),
    ("nadir_window", client(fact("chemo_infusion", noted=9)), ARM, SESSION, "modify", 1),
    ("counts_unknown", client(fact("active_chemo")), ARM, SESSION, "modify", 2),
    ("platelets_low", client(fact("platelet_count", value=60_000, noted=1)), ARM, SESSION, "modify", 2),
    ("platelets_very_low", client(fact("platelet_count", value=30_000, noted=1)), ARM, SESSION, "modify", 1),
    ("platelets_critical", client(fact("platelet_count", value=10_000, noted=1)), ARM, SESSION, "defer", 3),
    ("anc_low", client(fact("anc", value=800, noted=1)), ARM, SESSION, "modify", 1),
    ("anc_critical", client(fact("anc", value=400, noted=1)), ARM, SESSION, "defer", 3),
    ("port", client(fact("port", "chest", "right")), ARM, SESSION, "caution", 3),
    ("port", client(fact("port", "arms", "left")), ARM, REGION, "avoid", None),
    ("picc_line", client(fact("picc_line", "arms", "left")), ARM, REGION, "avoid", None),
    ("picc_line", client(fact("picc_line", "arms", "left")), [("hands", "left")], REGION, "modify", 1),
    ("radiation_field", client(fact("radiation_field", "arms", "left")), ARM, REGION, "avoid", None),
    ("bone_metastasis", client(fact("bone_metastasis", "arms", "left")), ARM, REGION, "modify", 1),
    ("cancer_fatigue", client(fact("cancer_fatigue")), ARM, SESSION, "modify", 2),
    ("fever", client(fact("fever")), ARM, SESSION, "defer", 3),
    ("active_infection", client(fact("active_infection")), ARM, SESSION, "defer", 3),
    ("intoxicated", client(fact("intoxicated")), ARM, SESSION, "defer", 3),
    ("rapid_progression", client(fact("rapid_progression")), ARM, SESSION, "defer", 3),
    ("fall_risk", client(fact("fall_risk")), ARM, SESSION, "caution", 3),
    ("liver_disease", client(fact("liver_disease")), ARM, SESSION, "modify", 2),
    ("liver_disease", client(causes={"liver_disease"}), ARM, SESSION, "modify", 2),
    ("topical_anesthetic", client(fact("topical_anesthetic", "arms", "left")), ARM, REGION, "modify", 2),
    ("neuropathic_pain_medication", client(fact("neuropathic_pain_medication")), ARM, SESSION, "caution", 3),
    ("tens_unit", client(fact("tens_unit", "back", "both")), ARM, SESSION, "caution", 3),
]


def test_the_fire_table_covers_every_rule():
    assert {case[0] for case in FIRES} == {rule.code for rule in RULES}


@pytest.mark.parametrize(("rule", "facts", "regions", "where", "severity", "pressure_max"), FIRES)
def test_rule_fires_with_its_severity_and_cap(rule, facts, regions, where, severity, pressure_max):
    proposal = plan(facts, regions)
    notes = notes_at(proposal, SESSION if where == SESSION else regions[0])
    fired = note(notes, rule)
    assert fired is not None, notes
    assert fired["severity"] == severity
    checked = item(proposal, *regions[0])
    assert checked["pressure_max"] == pressure_max
    if where == REGION:
        assert checked["status"] == {"caution": "ok"}.get(severity, severity)
    if severity == "defer":
        assert proposal["session"]["status"] == "defer"


# Off the plan: RULES.md's "elsewhere" outcomes, all session notes.
ELSEWHERE = [
    ("open_wound", fact("open_wound", "feet", "left"), False),
    ("vte_history", fact("vte_history"), True),
    ("vte_history", fact("vte_history", "legs", "left"), True),
    ("insulin_site", fact("insulin_site", "abdomen", "right"), False),
    ("insulin_site", fact("insulin_pump", "abdomen", "left"), False),
    ("port", fact("port", "arms", "right"), False),
    ("radiation_field", fact("radiation_field", "chest", "left"), False),
    ("bone_metastasis", fact("bone_metastasis", "back", "both"), True),
    ("topical_anesthetic", fact("topical_anesthetic", "feet", "right"), False),
]


@pytest.mark.parametrize(("rule", "condition", "clearance"), ELSEWHERE)
def test_condition_off_the_plan_gives_a_session_caution(rule, condition, clearance):
    proposal = plan(client(condition), ARM)
    assert note(proposal["session"]["notes"], rule)["severity"] == "caution"
    assert proposal["session"]["requires_clearance"] is clearance
    assert item(proposal, "arms", "left")["status"] == "ok"
    assert item(proposal, "arms", "left")["notes"] == []


# Rules without an "elsewhere" outcome, or naming regions that are not planned: no note at all.
SILENT_OFF_PLAN = [
    fact("edema", "legs", "left"),
    fact("fungal_infection", "feet", "left"),
    fact("amputation", "legs", "right"),
    fact("new_foot_finding", "feet", "left"),
    fact("charcot_suspected", "feet", "right"),
    fact("lymphedema", "legs", "left"),
    fact("lymphedema", "arms", "right"),
    fact("node_removal_inguinal", None, "left"),
    fact("node_removal_axillary", None, "right"),
    fact("picc_line", "arms", "right"),
    fact("pad"),
    fact("heart_failure"),
    fact("oxaliplatin_course"),
]


@pytest.mark.parametrize("condition", SILENT_OFF_PLAN, ids=lambda condition: condition.code)
def test_condition_that_only_concerns_unplanned_regions_adds_no_note(condition):
    proposal = plan(client(condition), ARM)
    assert all_rule_codes(proposal) == set()
    assert proposal["session"]["requires_clearance"] is False
    assert item(proposal, "arms", "left")["status"] == "ok"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (19_999, "platelets_critical"),
        (20_000, "platelets_very_low"),
        (49_999, "platelets_very_low"),
        (50_000, "platelets_low"),
        (99_999, "platelets_low"),
        (100_000, None),
    ],
)
def test_platelet_boundaries(value, expected):
    proposal = plan(client(fact("platelet_count", value=value, noted=2)), ARM)
    platelet_rules = {code for code in all_rule_codes(proposal) if code.startswith("platelets_")}
    assert platelet_rules == ({expected} if expected else set())
    assert proposal["session"]["status"] == ("defer" if expected == "platelets_critical" else "ok")


@pytest.mark.parametrize(
    ("value", "expected"), [(499, "anc_critical"), (500, "anc_low"), (999, "anc_low"), (1_000, None)]
)
def test_anc_boundaries(value, expected):
    proposal = plan(client(fact("anc", value=value, noted=2)), ARM)
    assert {code for code in all_rule_codes(proposal) if code.startswith("anc_")} == ({expected} if expected else set())


@pytest.mark.parametrize(("days", "fires"), [(6, False), (7, True), (12, True), (13, False)])
def test_nadir_window_is_7_to_12_days_after_the_latest_infusion(days, fires):
    proposal = plan(client(fact("chemo_infusion", noted=days)), ARM)
    assert ("nadir_window" in all_rule_codes(proposal)) is fires


def test_nadir_window_uses_only_the_latest_infusion():
    proposal = plan(client(fact("chemo_infusion", noted=9), fact("chemo_infusion", noted=2)), ARM)
    assert "nadir_window" not in all_rule_codes(proposal)


def test_infusion_after_the_plan_date_is_not_the_latest():
    proposal = plan(client(fact("chemo_infusion", noted=9), fact("chemo_infusion", noted=-3)), ARM)
    assert "nadir_window" in all_rule_codes(proposal)


@pytest.mark.parametrize(("age", "valid"), [(0, True), (14, True), (15, False)])
def test_a_lab_result_is_valid_for_14_days(age, valid):
    proposal = plan(client(fact("active_chemo"), fact("platelet_count", value=60_000, noted=age)), ARM)
    codes = all_rule_codes(proposal)
    assert ("platelets_low" in codes) is valid
    assert ("counts_unknown" in codes) is not valid


def test_lab_result_dated_after_the_plan_date_is_ignored():
    proposal = plan(client(fact("platelet_count", value=10_000, noted=-1)), ARM)
    assert all_rule_codes(proposal) == set()


@pytest.mark.parametrize(
    ("older", "newer", "expected"),
    [(30_000, 150_000, set()), (150_000, 30_000, {"platelets_very_low"})],
)
def test_only_the_latest_lab_result_counts(older, newer, expected):
    facts = client(fact("platelet_count", value=older, noted=5), fact("platelet_count", value=newer, noted=1))
    assert all_rule_codes(plan(facts, ARM)) == expected


def test_two_results_on_the_same_day_count_the_lower_one():
    facts = client(fact("platelet_count", value=150_000, noted=1), fact("platelet_count", value=30_000, noted=1))
    assert all_rule_codes(plan(facts, ARM)) == {"platelets_very_low"}


def test_a_resolved_lab_result_still_counts_until_a_newer_one():
    facts = client(fact("platelet_count", value=30_000, noted=3, resolved=1))
    assert all_rule_codes(plan(facts, ARM)) == {"platelets_very_low"}


def test_counts_unknown_needs_active_chemo():
    assert all_rule_codes(plan(client(fact("active_chemo", resolved=1)), ARM)) == set()


@pytest.mark.parametrize(
    ("noted", "resolved", "active"),
    [
        (0, None, True),  # noted today
        (-1, None, False),  # noted tomorrow
        (10, 1, False),  # resolved yesterday
        (10, 0, False),  # resolved today
        (10, -1, True),  # resolved tomorrow
    ],
)
def test_condition_is_active_from_noted_on_until_resolved_on(noted, resolved, active):
    proposal = plan(client(fact("fever", noted=noted, resolved=resolved)), ARM)
    assert (proposal["session"]["status"] == "defer") is active


def test_several_caps_on_one_region_take_the_minimum():
    facts = client(
        fact("node_removal_axillary", "arms", "left"),  # 2
        fact("edema", "arms", "left"),  # 1
        fact("fragile_skin"),  # 2, session-wide
        symptoms={("arms", "left"): {"tingling"}},  # 2
    )
    arm = item(plan(facts, ARM), "arms", "left")
    assert arm["pressure_max"] == 1
    assert [entry["rule"] for entry in arm["notes"]] == ["edema", "node_removal_axillary", "sensory_change"]


def test_cap_never_raises_a_template_above_its_own_pressure():
    feet = item(plan(client(fact("anticoagulant")), [("feet", "left")]), "feet", "left")
    assert feet["pressure_max"] == FEET.pressure == 2


def test_session_wide_cap_makes_every_region_modify_with_one_note_on_the_session():
    proposal = plan(client(fact("anticoagulant")))
    assert [entry["rule"] for entry in proposal["session"]["notes"]] == ["anticoagulant"]
    for entry in proposal["regions"]:
        assert entry["status"] == "modify"
        assert entry["pressure_max"] == 2
        assert entry["notes"] == []


@pytest.mark.parametrize("condition", [fact("insulin_user"), fact("fever"), fact("fall_risk")], ids=lambda c: c.code)
def test_session_caution_and_defer_leave_region_statuses_alone(condition):
    proposal = plan(client(condition))
    assert {entry["status"] for entry in proposal["regions"]} == {"ok"}
    assert [entry["pressure_max"] for entry in proposal["regions"]] == [3, 3, 2, 2, 3, 3, 2, 2]


def test_deferred_session_still_lists_every_region_and_its_notes():
    facts = client(fact("fever"), fact("open_wound", "feet", "left"), fact("anticoagulant"), fact("fall_risk"))
    proposal = plan(facts)
    assert proposal["session"]["status"] == "defer"
    assert [entry["rule"] for entry in proposal["session"]["notes"]] == ["fever", "anticoagulant", "fall_risk"]
    assert len(proposal["regions"]) == 8
    assert item(proposal, "feet", "left")["status"] == "avoid"
    assert item(proposal, "feet", "right")["status"] == "modify"


def test_avoided_region_has_no_pressure_no_steps_and_no_minutes():
    feet = item(plan(client(fact("open_wound", "feet", "left", detail="heel")), [("feet", "left")]), "feet", "left")
    assert feet["status"] == "avoid"
    assert feet["pressure_max"] is None
    assert feet["steps"] == []
    assert feet["minutes"] == 0
    assert feet["template"] == "Feet: circulation and sensation"


def test_steps_above_the_cap_are_lowered_to_it_and_keep_their_minutes():
    feet = item(plan(client(symptoms={("feet", "left"): {"allodynia"}}), [("feet", "left")]), "feet", "left")
    assert [step["pressure"] for step in feet["steps"]] == [0, 1, 1, 1, 1, 1, 1, 1]
    assert [step["minutes"] for step in feet["steps"]] == [step.minutes for step in FEET.steps]
    assert feet["minutes"] == 12


def test_region_without_notes_keeps_the_template_as_it_is():
    feet = item(plan(client(), [("feet", "right")]), "feet", "right")
    assert feet["status"] == "ok"
    assert feet["pressure_max"] == 2
    assert [step["pressure"] for step in feet["steps"]] == [step.pressure for step in FEET.steps]
    assert feet["steps"][0] == {
        "kind": "inspection",
        "technique": FEET.steps[0].technique,
        "minutes": 2,
        "pressure": 0,
        "instruction": FEET.steps[0].instruction,
    }


def test_condition_on_both_sides_applies_to_each_side():
    proposal = plan(client(fact("open_wound", "feet", "both")), [("feet", "left"), ("feet", "right")])
    left, right = item(proposal, "feet", "left"), item(proposal, "feet", "right")
    assert left["status"] == right["status"] == "avoid"
    assert "left foot" in left["notes"][0]["fact"]
    assert "right foot" in right["notes"][0]["fact"]
    assert proposal["session"]["notes"] == []


def test_both_sides_condition_with_one_side_planned_notes_the_other_on_the_session():
    proposal = plan(client(fact("open_wound", "feet", "both")), [("feet", "left")])
    assert item(proposal, "feet", "left")["status"] == "avoid"
    session_note = note(proposal["session"]["notes"], "open_wound")
    assert session_note["severity"] == "caution"
    assert "right foot" in session_note["fact"]


@pytest.mark.parametrize(
    ("condition", "avoided"),
    [
        (fact("lymphedema", "arms", "left"), {("arms", "left"), ("hands", "left")}),
        (
            fact("lymphedema", "legs", "both"),
            {("legs", "left"), ("legs", "right"), ("feet", "left"), ("feet", "right")},
        ),
        (fact("picc_line", "arms", "right"), {("arms", "right")}),
    ],
    ids=["lymphedema-arm", "lymphedema-legs", "picc"],
)
def test_whole_limb_rules_avoid_that_limb_on_that_side(condition, avoided):
    proposal = plan(client(condition))
    assert {(entry["region"], entry["side"]) for entry in proposal["regions"] if entry["status"] == "avoid"} == avoided


def test_picc_line_caps_the_hand_below_it_at_1():
    proposal = plan(client(fact("picc_line", "arms", "left")))
    hand = item(proposal, "hands", "left")
    assert (hand["status"], hand["pressure_max"]) == ("modify", 1)
    assert note(hand["notes"], "picc_line")["severity"] == "modify"
    assert item(proposal, "hands", "right")["status"] == "ok"


@pytest.mark.parametrize(
    ("condition", "modified"),
    [
        (fact("node_removal_axillary", None, "both"), {"arms", "hands"}),
        (fact("node_removal_inguinal", "legs", "left"), {"legs:left", "feet:left"}),
        (fact("pad"), {"legs", "feet"}),
        (fact("heart_failure"), {"legs", "feet"}),
    ],
    ids=["axillary-both", "inguinal-left", "pad", "heart-failure"],
)
def test_rules_naming_regions_modify_only_those(condition, modified):
    proposal = plan(client(condition))
    expected = set()
    for name in modified:
        region, _, side = name.partition(":")
        expected.update((region, s) for s in ((side,) if side else ("left", "right")))
    assert {
        (entry["region"], entry["side"]) for entry in proposal["regions"] if entry["status"] == "modify"
    } == expected
    assert all(entry["pressure_max"] == 2 for entry in proposal["regions"] if entry["status"] == "modify")


@pytest.mark.parametrize(
    "facts",
    [client(symptoms={("hands", "left"): {"cold_sensitivity"}}), client(fact("oxaliplatin_course"))],
    ids=["symptom", "oxaliplatin"],
)
def test_cold_sensitivity_modifies_every_planned_hand_and_foot(facts):
    proposal = plan(facts)
    modified = {(entry["region"], entry["side"]) for entry in proposal["regions"] if entry["status"] == "modify"}
    assert modified == {("hands", "left"), ("hands", "right"), ("feet", "left"), ("feet", "right")}


def test_cold_sensitivity_of_the_arms_alone_does_not_fire_the_rule():
    proposal = plan(client(symptoms={("arms", "left"): {"cold_sensitivity"}}))
    assert all_rule_codes(proposal) == set()


def test_no_heat_looks_at_numbness_outside_the_plan():
    proposal = plan(client(symptoms={("feet", "right"): {"numbness"}}), ARM)
    assert note(proposal["session"]["notes"], "no_heat")["fact"] == "numbness in right foot"
    assert item(proposal, "arms", "left")["notes"] == []


def test_loss_of_protective_sensation_on_both_feet_means_numbness_on_each_and_no_heat():
    proposal = plan(client(fact("loss_of_protective_sensation", "feet", "both")))
    assert note(proposal["session"]["notes"], "no_heat") is not None
    for side in ("left", "right"):
        assert note(item(proposal, "feet", side)["notes"], "numbness")["severity"] == "modify"
    assert item(proposal, "hands", "left")["notes"] == []


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ((), 60),
        ((fact("active_chemo"),), 45),
        ((fact("poor_glycemic_control"), fact("active_chemo")), 45),
        ((fact("active_chemo"), fact("cancer_fatigue")), 30),
    ],
)
def test_max_minutes_is_the_minimum_of_60_and_every_minutes_cap(conditions, expected):
    assert plan(client(*conditions), ARM)["session"]["max_minutes"] == expected


@pytest.mark.parametrize(
    ("clearance", "on_file"),
    [(days_ago(0), True), (days_ago(365), True), (days_ago(366), False), (days_ago(-1), False), (None, False)],
    ids=["today", "365-days", "366-days", "future", "none"],
)
def test_clearance_is_on_file_for_365_days(clearance, on_file):
    assert plan(client(clearance=clearance), ARM)["session"]["clearance_on_file"] is on_file


@pytest.mark.parametrize(
    ("facts", "required"),
    [
        (client(), False),
        (client(fact("fever")), False),
        (client(fact("edema", "arms", "left")), True),
        (client(fact("active_chemo")), True),
        (client(fact("pad")), False),  # legs and feet are not planned
    ],
    ids=["nothing", "defer-only", "region-rule", "session-rule", "unplanned-region-rule"],
)
def test_clearance_is_required_when_a_fired_rule_requires_it(facts, required):
    assert plan(facts, ARM)["session"]["requires_clearance"] is required


def test_regions_come_out_in_plan_order_without_duplicates():
    regions = [("feet", "right"), ("arms", "right"), ("feet", "left"), ("arms", "left"), ("feet", "right")]
    proposal = plan(client(), regions)
    assert [(entry["region"], entry["side"]) for entry in proposal["regions"]] == [
        ("arms", "left"),
        ("arms", "right"),
        ("feet", "left"),
        ("feet", "right"),
    ]


def test_notes_are_ordered_by_severity_then_rule_code():
    facts = client(
        fact("fall_risk"),
        fact("anticoagulant"),
        fact("fever"),
        fact("dvt_suspected", "legs", "left"),
        fact("insulin_user"),
        fact("fragile_skin"),
    )
    notes = plan(facts, ARM)["session"]["notes"]
    assert [entry["rule"] for entry in notes] == [
        "dvt_suspected",
        "fever",
        "anticoagulant",
        "fragile_skin",
        "fall_risk",
        "insulin_user",
    ]


def test_proposal_does_not_depend_on_the_order_of_the_facts():
    conditions = [
        fact("open_wound", "feet", "left", detail="heel"),
        fact("open_wound", "feet", "left", detail="toe", noted=3),
        fact("platelet_count", value=150_000, noted=1),
        fact("platelet_count", value=45_000, noted=1),
        fact("insulin_site", "abdomen", "right"),
        fact("insulin_pump", "abdomen", "left"),
        fact("anticoagulant"),
        fact("chemo_infusion", noted=8),
    ]
    symptoms = {("hands", "right"): {"numbness", "burning"}, ("feet", "left"): {"tingling"}}
    expected = plan(client(*conditions, symptoms=symptoms))
    shuffler = random.Random(4)
    for _ in range(5):
        shuffler.shuffle(conditions)
        reordered = dict(reversed(list(symptoms.items())))
        assert plan(client(*conditions, symptoms=reordered), list(reversed(EVERY_REGION))) == expected


def test_a_rule_firing_twice_on_one_region_gives_one_note_with_both_facts():
    facts = client(
        fact("open_wound", "feet", "left", detail="heel", noted=20),
        fact("open_wound", "feet", "both", detail="toe", noted=3),
    )
    feet = item(plan(facts, [("feet", "left")]), "feet", "left")
    [wound] = feet["notes"]
    assert wound["fact"] == (
        "open wound (heel) on left foot, noted 31 Oct 2026; open wound (toe) on left foot, noted 17 Nov 2026"
    )


def test_the_same_fact_twice_is_quoted_once():
    proposal = plan(client(fact("fever"), fact("fever")), ARM)
    assert proposal["session"]["notes"][0]["fact"] == "fever, noted 10 Nov 2026"


@pytest.mark.parametrize(
    ("facts", "where", "quoted"),
    [
        (client(fact("platelet_count", value=45_000, noted=0)), SESSION, "Platelets 45,000 on 20 Nov 2026. "),
        (client(fact("anc", value=800, noted=2)), SESSION, "ANC 800 on 18 Nov 2026. "),
        (
            client(fact("open_wound", "feet", "left", detail="heel", noted=19)),
            ("feet", "left"),
            "Open wound (heel) on left foot, noted 1 Nov 2026. ",
        ),
        (client(symptoms={("feet", "left"): {"numbness"}}), ("feet", "left"), "Numbness in left foot. "),
        (
            client(symptoms={("feet", "left"): {"numbness", "burning"}}),
            ("feet", "left"),
            "Burning and numbness in left foot. ",
        ),
        (
            client(symptoms={("feet", "left"): {"numbness", "burning", "tingling"}}),
            ("feet", "left"),
            "Tingling, burning and numbness in left foot. ",
        ),
        (client(fact("chemo_infusion", noted=9)), SESSION, "infusion on 11 Nov 2026, 9 days before the session"),
        (client(fact("node_removal_axillary", None, "left")), ("feet", "left"), None),
        (
            client(fact("node_removal_axillary", None, "left")),
            ("arms", "left"),
            "Axillary lymph node removal on the left side",
        ),
        (client(causes={"liver_disease"}), SESSION, "Liver disease recorded as a contributing cause. "),
        (
            client(symptoms={("hands", "left"): {"numbness"}, ("hands", "right"): {"numbness"}, FOOT[0]: {"numbness"}}),
            SESSION,
            "Numbness in both hands and left foot. ",
        ),
        (client(fact("port", "chest", "right")), SESSION, "Implanted port on the right side of the chest, noted"),
        (client(fact("bone_metastasis", "back", "both")), SESSION, "Bone metastasis on both sides of the back, noted"),
        (
            client(fact("node_removal_axillary", None, "left", detail="sentinel nodes")),
            ("arms", "left"),
            "Axillary lymph node removal (sentinel nodes) on the left side, noted",
        ),
        (client(fact("picc_line", "arms", "left")), ("hands", "left"), "PICC line on left arm, noted"),
    ],
)
def test_note_text_quotes_the_fact_that_fired_it(facts, where, quoted):
    notes = notes_at(plan(facts), where)
    if quoted is None:
        assert notes == []
        return
    assert any(quoted in entry["text"] for entry in notes), [entry["text"] for entry in notes]
    for entry in notes:
        assert entry["text"].startswith(entry["fact"][:1].upper() + entry["fact"][1:] + ". ")


def test_acronyms_keep_their_capitals_inside_a_fact():
    proposal = plan(client(fact("picc_line", "arms", "left", noted=0)), [("hands", "left")])
    assert item(proposal, "hands", "left")["notes"][0]["fact"] == "PICC line on left arm, noted 20 Nov 2026"


def test_proposal_keeps_the_design_contract_and_is_json():
    facts = client(fact("open_wound", "feet", "left"), fact("insulin_user"), symptoms={("feet", "right"): {"numbness"}})
    proposal = json.loads(json.dumps(plan(facts)))
    assert {"client", "neuropathy_type", "session", "regions"} <= proposal.keys()
    assert (proposal["client"], proposal["neuropathy_type"], proposal["plan_date"]) == (7, "DPN", "2026-11-20")
    assert {"status", "max_minutes", "requires_clearance", "clearance_on_file", "notes"} <= proposal["session"].keys()
    for entry in proposal["regions"]:
        assert {"region", "side", "status", "pressure_max", "template", "minutes", "steps", "notes"} <= entry.keys()
        assert entry["status"] in {"ok", "modify", "avoid"}
        for step in entry["steps"]:
            assert set(step) == {"kind", "technique", "minutes", "pressure", "instruction"}
        assert isinstance(entry["pressure_set_by"], list) and isinstance(entry["dropped_steps"], list)
    every_note = proposal["session"]["notes"] + [n for entry in proposal["regions"] for n in entry["notes"]]
    assert every_note
    for entry in every_note:
        assert {"severity", "rule", "pressure_cap", "text", "fact", "sources"} <= entry.keys()


# Templates.


def _template(key, region="feet", neuropathy_type=None, pressure=2):
    return Template(
        key=key,
        name=key.title(),
        region=region,
        steps=(TemplateStep("still hold", 5, pressure, "Hold."),),
        neuropathy_type=neuropathy_type,
    )


TEMPLATES = [
    _template("feet-z-generic"),
    _template("feet-a-generic"),
    _template("feet-cipn", neuropathy_type="CIPN"),
    _template("feet-b-cipn", neuropathy_type="CIPN"),
    _template("feet-dpn-only", neuropathy_type="IDIOPATHIC"),
]


@pytest.mark.parametrize(
    ("neuropathy_type", "expected"),
    [("CIPN", "feet-b-cipn"), ("DPN", "feet-a-generic"), ("IDIOPATHIC", "feet-dpn-only")],
)
def test_default_template_is_the_types_own_then_the_generic_one_lowest_key_first(neuropathy_type, expected):
    proposal = plan(client(neuropathy_type=neuropathy_type), [("feet", "left")], TEMPLATES)
    assert item(proposal, "feet", "left")["template_key"] == expected


def test_choice_overrides_the_default_template_for_one_side():
    choices = {("feet", "right"): "feet-z-generic"}
    proposal = plan(client(), [("feet", "left"), ("feet", "right")], TEMPLATES, choices)
    assert item(proposal, "feet", "left")["template_key"] == "feet-a-generic"
    assert item(proposal, "feet", "right")["template_key"] == "feet-z-generic"
    assert item(proposal, "feet", "right")["template_version"] == 1


def test_template_minutes_and_pressure_come_from_its_steps():
    assert [(t.minutes, t.pressure) for t in DEFAULT_TEMPLATES] == [(10, 3), (10, 2), (10, 3), (12, 2)]
    assert [t.key for t in DEFAULT_TEMPLATES] == ["arms-standard", "hands-standard", "legs-standard", "feet-standard"]


@pytest.mark.parametrize(
    ("templates", "choices", "message"),
    [
        (TEMPLATES, {("feet", "left"): "nope"}, "unknown template 'nope'"),
        (TEMPLATES + [_template("arms-x", region="arms")], {("feet", "left"): "arms-x"}, "is for arms, not feet"),
        (TEMPLATES, {("feet", "right"): "feet-cipn"}, "not in the plan"),
        (TEMPLATES[:1] + TEMPLATES[:1], None, "two templates share the key 'feet-z-generic'"),
        ([_template("arms-x", region="arms")], None, "no template for region 'feet'"),
        ([_template("feet-x", region="toes")], None, "unknown region 'toes'"),
        ([_template("feet-x", pressure=6)], None, "pressure 6"),
        ([_template("feet-x", neuropathy_type="XYZ")], None, "unknown neuropathy type 'XYZ'"),
    ],
)
def test_template_problems_are_refused(templates, choices, message):
    with pytest.raises(EngineError, match=message):
        plan(client(), [("feet", "left")], templates, choices)


# parse_regions.


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("feet", [("feet", "left"), ("feet", "right")]),
        ("feet,hands:left", [("hands", "left"), ("feet", "left"), ("feet", "right")]),
        (" feet : right , arms ", [("arms", "left"), ("arms", "right"), ("feet", "right")]),
        ("legs:both", [("legs", "left"), ("legs", "right")]),
        ("feet:left,feet", [("feet", "left"), ("feet", "right")]),
        ("feet,legs,hands,arms", EVERY_REGION),
    ],
)
def test_parse_regions(text, expected):
    assert parse_regions(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no regions"),
        ("   ", "no regions"),
        (None, "no regions"),
        ("toes", "unknown region 'toes'"),
        ("Feet", "unknown region 'Feet'"),
        ("feet:middle", "unknown side 'middle'"),
        ("feet:", "unknown side ''"),
        ("feet:left:right", "unknown side 'left:right'"),
        ("feet,,hands", "empty region"),
        ("feet,", "empty region"),
        (":left", "unknown region ''"),
    ],
)
def test_parse_regions_refuses_what_it_cannot_read(text, message):
    with pytest.raises(EngineError, match=message):
        parse_regions(text)


def test_engine_error_is_a_value_error():
    assert issubclass(EngineError, ValueError)


# Refusing what the engine cannot interpret.


@pytest.mark.parametrize(
    ("facts", "regions", "message"),
    [
        (client(fact("bruise")), ARM, "unknown condition code 'bruise'"),
        (client(fact("bruise", resolved=5)), ARM, "unknown condition code 'bruise'"),
        (client(fact("open_wound", "toes", "left")), ARM, "unknown location 'toes'"),
        (client(fact("open_wound", "whole_body", "left")), ARM, "cannot be on 'whole_body'"),
        (client(fact("open_wound", "feet", "middle")), ARM, "unknown side 'middle'"),
        (client(fact("open_wound", "feet")), ARM, "needs a side"),
        (client(fact("fever", "feet", "left")), ARM, "cannot be on 'feet'"),
        (client(fact("platelet_count")), ARM, "needs a value"),
        (client(symptoms={("feet", "left"): {"itchy"}}), ARM, "unknown symptom 'itchy'"),
        (client(symptoms={("feet", "left"): "numbness"}), ARM, "set of codes"),
        (client(symptoms={("toes", "left"): {"numbness"}}), ARM, "unknown region 'toes'"),
        (client(symptoms={("feet", "both"): {"numbness"}}), ARM, "unknown side 'both'"),
        (client(causes={"stress"}), ARM, "unknown contributing cause 'stress'"),
        (client(neuropathy_type="dpn"), ARM, "unknown neuropathy type 'dpn'"),
        (client(), [("toes", "left")], "unknown region 'toes'"),
        (client(), [("feet", "both")], "unknown side 'both'"),
        (client(), ["feet"], "must be a \\(region, side\\) pair"),
    ],
)
def test_engine_refuses_what_it_cannot_interpret(facts, regions, message):
    with pytest.raises(EngineError, match=message):
        plan(facts, regions)


@pytest.mark.parametrize(
    "module", ["vocabulary", "labels", "rules", "facts", "triggers", "engine", "default_templates", "benchmark"]
)
def test_knowledge_modules_are_pure(module):
    source = (Path(engine.__file__).parent / f"{module}.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= {
        "argparse",
        "collections",
        "dataclasses",
        "datetime",
        "decimal",
        "statistics",
        "time",
        "protocols",
    }
    if module != "benchmark":
        assert "today()" not in source and "now()" not in source


# Step kinds: the steps a rule drops (RULES.md "Step kinds"), table-driven.

HANDS_LEFT, LEGS_LEFT = [("hands", "left")], [("legs", "left")]

DROPS = [
    # (facts, planned, place, dropped kinds, minutes left, why)
    (client(fact("fragile_skin")), ARM, ("arms", "left"), ["friction"], 9, "fragile skin"),
    (client(fact("anticoagulant")), LEGS_LEFT, ("legs", "left"), ["friction"], 9, "anticoagulant"),
    (
        client(fact("anticoagulant"), fact("fragile_skin")),
        LEGS_LEFT,
        ("legs", "left"),
        ["friction"],
        9,
        "fragile skin and anticoagulant",
    ),
    (
        client(fact("platelet_count", value=45_000, noted=1)),
        HANDS_LEFT,
        ("hands", "left"),
        ["traction"],
        8,
        "platelets below 50,000",
    ),
    (
        client(fact("platelet_count", value=45_000, noted=1)),
        FOOT,
        ("feet", "left"),
        ["traction"],
        10,
        "platelets below 50,000",
    ),
    (client(fact("platelet_count", value=60_000, noted=1)), HANDS_LEFT, ("hands", "left"), [], 10, None),
    (
        client(fact("bone_metastasis", "hands", "left")),
        [("hands", "left"), ("hands", "right")],
        ("hands", "left"),
        ["traction", "joint_movement"],
        7,
        "bone metastasis",
    ),
    (
        client(fact("bone_metastasis", "hands", "left")),
        [("hands", "left"), ("hands", "right")],
        ("hands", "right"),
        [],
        10,
        None,
    ),
    (client(fact("bone_metastasis", "chest", "left")), HANDS_LEFT, ("hands", "left"), [], 10, None),
    (client(fact("open_wound", "hands", "left"), fact("fragile_skin")), HANDS_LEFT, ("hands", "left"), [], 0, None),
    (client(), ARM, ("arms", "left"), [], 10, None),
]


@pytest.mark.parametrize(("facts", "planned", "place", "kinds", "minutes", "why"), DROPS)
def test_rules_drop_steps_by_kind_and_the_region_lists_them(facts, planned, place, kinds, minutes, why):
    region = item(plan(facts, planned), *place)
    assert [step["kind"] for step in region["dropped_steps"]] == kinds
    assert region["minutes"] == minutes == sum(step["minutes"] for step in region["steps"])
    assert not {step["kind"] for step in region["steps"]} & set(kinds)
    for dropped in region["dropped_steps"]:
        assert dropped["reason"] == why
        assert dropped["text"] == f"dropped: {dropped['kind'].replace('_', ' ')}, {why}"


CUSTOM_HANDS = Template(
    key="hands-custom",
    name="Hands: custom",
    region="hands",
    steps=(
        TemplateStep("still hold", 1, 1, "Hold.", "still_hold"),
        TemplateStep("wringing", 2, 2, "Wring the palm."),  # kind not set
    ),
)


def test_a_step_without_a_kind_is_dropped_by_any_rule_that_drops_a_kind():
    dropping = item(plan(client(fact("fragile_skin")), HANDS_LEFT, [CUSTOM_HANDS]), "hands", "left")
    assert [step["technique"] for step in dropping["steps"]] == ["still hold"]
    assert dropping["dropped_steps"][0]["text"] == "dropped: wringing (kind not set), fragile skin"
    assert dropping["dropped_steps"][0]["kind"] is None
    keeping = item(plan(client(fact("insulin_user")), HANDS_LEFT, [CUSTOM_HANDS]), "hands", "left")
    assert [step["kind"] for step in keeping["steps"]] == ["still_hold", None]
    assert keeping["dropped_steps"] == []


# pressure_set_by: the rules whose cap is the region's pressure_max (RULES.md "How a plan reads").

LOW_HANDS = Template(
    key="hands-low", name="Hands: low", region="hands", steps=(TemplateStep("still hold", 3, 1, "Hold.", "still_hold"),)
)

SET_BY = [
    # (facts, planned, place, templates, pressure_max, pressure_set_by)
    (client(), FOOT, ("feet", "left"), DEFAULT_TEMPLATES, 2, []),
    (client(symptoms={FOOT[0]: {"numbness"}}), FOOT, ("feet", "left"), DEFAULT_TEMPLATES, 2, ["numbness"]),
    (client(symptoms={ARM[0]: {"numbness"}}), ARM, ("arms", "left"), DEFAULT_TEMPLATES, 2, ["numbness"]),
    (client(symptoms={ARM[0]: {"weakness"}}), ARM, ("arms", "left"), DEFAULT_TEMPLATES, 3, []),
    (
        client(symptoms={FOOT[0]: {"numbness", "allodynia"}}),
        FOOT,
        ("feet", "left"),
        DEFAULT_TEMPLATES,
        1,
        ["allodynia"],
    ),
    (
        client(fact("anticoagulant"), symptoms={ARM[0]: {"allodynia"}}),
        ARM,
        ("arms", "left"),
        DEFAULT_TEMPLATES,
        1,
        ["allodynia"],
    ),
    (
        client(fact("anticoagulant"), fact("fragile_skin"), symptoms={ARM[0]: {"tingling"}}),
        ARM,
        ("arms", "left"),
        DEFAULT_TEMPLATES,
        2,
        ["sensory_change", "fragile_skin", "anticoagulant"],
    ),
    (
        client(fact("chemo_infusion", noted=8), fact("platelet_count", value=45_000, noted=1)),
        ARM,
        ("arms", "left"),
        DEFAULT_TEMPLATES,
        1,
        ["nadir_window", "platelets_very_low"],
    ),
    (
        client(fact("open_wound", "arms", "left"), fact("fragile_skin")),
        ARM,
        ("arms", "left"),
        DEFAULT_TEMPLATES,
        None,
        [],
    ),
    (client(symptoms={HANDS_LEFT[0]: {"numbness"}}), HANDS_LEFT, ("hands", "left"), [LOW_HANDS], 1, []),
]


@pytest.mark.parametrize(("facts", "planned", "place", "templates", "pressure_max", "set_by"), SET_BY)
def test_pressure_set_by_names_every_rule_whose_cap_is_the_region_cap(
    facts, planned, place, templates, pressure_max, set_by
):
    region = item(plan(facts, planned, templates), *place)
    assert region["pressure_max"] == pressure_max
    assert region["pressure_set_by"] == set_by


def test_each_note_carries_its_own_rules_cap():
    facts = client(fact("picc_line", "arms", "left"), fact("anticoagulant"), symptoms={HANDS_LEFT[0]: {"burning"}})
    proposal = plan(facts, [("arms", "left"), ("hands", "left")])
    hand = {entry["rule"]: entry["pressure_cap"] for entry in item(proposal, "hands", "left")["notes"]}
    assert hand == {"picc_line": 1, "sensory_change": 2}
    arm = {entry["rule"]: entry["pressure_cap"] for entry in item(proposal, "arms", "left")["notes"]}
    assert arm == {"picc_line": None}
    assert {entry["rule"]: entry["pressure_cap"] for entry in proposal["session"]["notes"]} == {"anticoagulant": 2}


# The new readings (RULES.md "How a plan reads").


def _every_outcome():
    for rule in RULES:
        yield rule.code, "", rule.text
        if rule.text_many:
            yield rule.code, "many", rule.text_many
        if rule.text_away:
            yield rule.code, "away", rule.text_away
        for variant in rule.variants:
            yield rule.code, variant.key, variant.text
            if variant.text_many:
                yield rule.code, f"{variant.key}, many", variant.text_many


@pytest.mark.parametrize(("code", "variant", "text"), list(_every_outcome()))
def test_note_texts_state_no_pressure_number(code, variant, text):
    # The one exception: a session caution about a place off the plan, which caps nothing.
    if code == "bone_metastasis" and variant.startswith("elsewhere"):
        assert "pressure 1 at most near the bone" in text
        return
    assert not re.search(r"pressure (at most )?[0-5]|[0-5] \(|[0-5] or lighter|[0-5] at most", text), text


@pytest.mark.parametrize(
    ("symptoms", "conditions", "notes", "quoted"),
    [
        ({"numbness", "tingling"}, (), ["numbness"], "Tingling and numbness in left foot"),
        ({"tingling", "burning"}, (), ["sensory_change"], "Tingling and burning in left foot"),
        (
            {"tingling"},
            (fact("loss_of_protective_sensation", "feet", "left"),),
            ["numbness"],
            "Tingling in left foot; loss of protective sensation on left foot",
        ),
        ({"numbness", "allodynia"}, (), ["allodynia", "numbness"], "Numbness in left foot"),
    ],
)
def test_one_symptom_note_per_place(symptoms, conditions, notes, quoted):
    feet = item(plan(client(*conditions, symptoms={FOOT[0]: symptoms}), FOOT), "feet", "left")
    assert sorted(entry["rule"] for entry in feet["notes"]) == notes
    assert any(entry["text"].startswith(quoted) for entry in feet["notes"]), feet["notes"]


@pytest.mark.parametrize(
    ("conditions", "regions", "target", "code", "reads"),
    [
        (
            [fact("open_wound", "hands", "left"), fact("open_wound", "legs", "right")],
            FOOT,
            "session",
            "open_wound",
            "Keep well clear of the wounds and keep them covered; refer the client if any of them is new",
        ),
        (
            [fact("open_wound", "feet", "left", detail="heel"), fact("open_wound", "feet", "left", detail="big toe")],
            FOOT,
            ("feet", "left"),
            "open_wound",
            "refer the client if any of the wounds is new or not healing",
        ),
        (
            [fact("port", "chest", "right"), fact("port", "abdomen", "left")],
            FOOT,
            "session",
            "port",
            "Put no pressure over the ports and do not lie the client prone without bolsters: pressure can damage "
            "or shift them.",
        ),
        (
            [fact("insulin_site", "abdomen", "left"), fact("insulin_site", "arms", "right")],
            FOOT,
            "session",
            "insulin_site",
            "Keep several inches away from the sites",
        ),
    ],
    ids=["wounds-elsewhere", "two-wounds-on-one-foot", "two-ports", "two-insulin-sites"],
)
def test_a_note_quoting_several_facts_speaks_of_them_in_the_plural(conditions, regions, target, code, reads):
    proposal = plan(client(*conditions), regions)
    notes = proposal["session"]["notes"] if target == "session" else item(proposal, *target)["notes"]
    text = note(notes, code)["text"]
    assert reads in text, text
    assert text.count("; ") == 1 + reads.count("; ")  # the two facts, quoted once each


def test_a_note_quoting_one_fact_speaks_of_it_in_the_singular():
    proposal = plan(client(fact("open_wound", "hands", "left")), FOOT)
    text = note(proposal["session"]["notes"], "open_wound")["text"]
    assert "Keep well clear of the wound and keep it covered; refer the client if it is new" in text


def test_a_note_on_the_other_side_of_the_same_region_names_that_side_not_the_region():
    """Cold in the left hand, a note on the right hand: "keep the right hand warm too", not "the
    hands", which would take in the cold hand with a note of its own."""
    cold_left_hand = {("hands", "left"): {"cold_sensitivity"}}
    proposal = plan(client(symptoms=cold_left_hand), [("hands", "right"), ("hands", "left"), ("feet", "right")])
    right_hand = note(item(proposal, "hands", "right")["notes"], "cold_sensitivity")
    assert right_hand["text"].startswith("Cold sensitivity in left hand. Keep the right hand warm and covered too")
    foot = note(item(proposal, "feet", "right")["notes"], "cold_sensitivity")
    assert foot["text"].startswith("Cold sensitivity in left hand. Keep the feet warm and covered too")
    left_hand = note(item(proposal, "hands", "left")["notes"], "cold_sensitivity")
    assert left_hand["text"].startswith("Cold sensitivity in left hand. Use no cold packs")


def test_a_note_away_from_its_fact_says_where_the_fact_is_and_why_it_matters_here():
    cold_hands = {("hands", "left"): {"cold_sensitivity"}, ("hands", "right"): {"cold_sensitivity"}}
    proposal = plan(client(symptoms=cold_hands), [("hands", "left"), ("feet", "left")])
    foot = note(item(proposal, "feet", "left")["notes"], "cold_sensitivity")
    assert foot["text"].startswith("Cold sensitivity in both hands. Keep the feet warm and covered too")
    hand = note(item(proposal, "hands", "left")["notes"], "cold_sensitivity")
    assert "too" not in hand["text"] and hand["text"].startswith("Cold sensitivity in both hands. Use no cold packs")
    # Oxaliplatin is about the whole body: its note on the feet is not away from its fact.
    oxaliplatin = note(
        item(plan(client(fact("oxaliplatin_course")), FOOT), "feet", "left")["notes"], "cold_sensitivity"
    )
    assert "covered too" not in oxaliplatin["text"]


@pytest.mark.parametrize(
    ("others", "speaks_of_counts"),
    [
        ((), False),
        ((fact("active_chemo"),), True),
        ((fact("chemo_infusion", noted=3),), True),
        ((fact("platelet_count", value=60_000, noted=1),), True),
        ((fact("platelet_count", value=250_000, noted=1),), False),
        ((fact("anc", value=800, noted=1),), True),
    ],
)
def test_the_fever_note_speaks_of_blood_counts_only_with_chemotherapy_or_a_low_count(others, speaks_of_counts):
    fever = note(plan(client(fact("fever"), *others), ARM)["session"]["notes"], "fever")
    assert fever["severity"] == "defer"
    assert ("blood counts" in fever["text"]) == speaks_of_counts


def test_no_counts_unknown_note_when_a_valid_count_is_on_file():
    with_count = plan(client(fact("active_chemo"), fact("platelet_count", value=250_000, noted=14)), ARM)
    assert note(with_count["session"]["notes"], "counts_unknown") is None
    stale = plan(client(fact("active_chemo"), fact("platelet_count", value=250_000, noted=15)), ARM)
    assert note(stale["session"]["notes"], "counts_unknown") is not None


def test_note_dates_are_written_as_the_pages_write_them():
    proposal = plan(client(fact("open_wound", "feet", "left", noted=0), fact("platelet_count", value=45_000, noted=1)))
    texts = [entry["text"] for entry in proposal["session"]["notes"]]
    texts += [entry["text"] for region in proposal["regions"] for entry in region["notes"]]
    assert any("20 Nov 2026" in text for text in texts) and any("19 Nov 2026" in text for text in texts)
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", text) for text in texts)


def test_counts_unknown_says_which_count_is_missing():
    [unknown] = [
        n for n in plan(client(fact("active_chemo")), ARM)["session"]["notes"] if n["rule"] == "counts_unknown"
    ]
    assert (
        unknown["fact"]
        == "active chemotherapy, noted 10 Nov 2026, and no platelet count from the 14 days before the session"
    )


@pytest.mark.parametrize(("limb", "below"), [("legs", "feet"), ("arms", "hands")])
def test_the_hand_or_foot_below_an_amputated_arm_or_leg_is_not_worked(limb, below):
    amputated = fact("amputation", limb, "left", detail="above the joint")
    proposal = plan(client(amputated), [(limb, "left"), (below, "left"), (below, "right")])
    for region in (limb, below):
        entry = item(proposal, region, "left")
        assert (entry["status"], entry["minutes"], entry["steps"]) == ("avoid", 0, [])
        # The note names the limb where the amputation is recorded, on the hand or foot too.
        assert note(entry["notes"], "amputation")["text"].startswith(
            f"Amputation (above the joint) on left {limb[:-1]}, noted"
        )
    # The hand or foot says why it is not worked, not that it may be with clearance.
    assert "lies below the amputation" in note(item(proposal, below, "left")["notes"], "amputation")["text"]
    assert "residual limb" in note(item(proposal, limb, "left")["notes"], "amputation")["text"]
    assert item(proposal, below, "right")["status"] == "ok"
    # An amputation of a foot or hand leaves the leg or arm above it alone.
    toes = plan(client(fact("amputation", "feet", "left", detail="toes")), [("legs", "left"), ("feet", "left")])
    assert (item(toes, "legs", "left")["status"], item(toes, "feet", "left")["status"]) == ("ok", "avoid")


def test_loss_of_protective_sensation_names_the_other_sensory_symptoms_of_its_foot():
    lops = fact("loss_of_protective_sensation", "feet", "left")
    proposal = plan(client(lops, symptoms={FOOT[0]: {"burning", "pain", "allodynia"}}), FOOT)
    notes = item(proposal, "feet", "left")["notes"]
    # One sensory note, numbness's, and it still says which symptoms the foot has.
    assert note(notes, "sensory_change") is None
    assert note(notes, "numbness")["text"].startswith(
        "Burning and pain in left foot; loss of protective sensation on left foot"
    )


def test_a_condition_on_both_sides_off_the_plan_is_said_once():
    patches = fact("topical_anesthetic", "feet", "both")
    texts = [entry["text"] for entry in plan(client(patches), [("hands", "left")])["session"]["notes"]]
    assert len(texts) == 1 and texts[0].startswith("Topical anaesthetic on both feet, noted"), texts
    # With one foot planned, the other is the one said to be elsewhere.
    texts = [entry["text"] for entry in plan(client(patches), FOOT)["session"]["notes"]]
    assert len(texts) == 1 and texts[0].startswith("Topical anaesthetic on right foot, noted"), texts
