"""The rules table and the vocabulary against RULES.md, whose codes are contracts."""

import pytest

from protocols import vocabulary
from protocols.rules import RULES, RULES_BY_CODE, SEVERITIES

# RULES.md "Rules", in its order: code, severity, pressure cap, minutes cap, clearance, sources.
EXPECTED_RULES = [
    ("sensory_change", "modify", 2, None, False, (1, 2)),
    ("numbness", "modify", 2, None, False, (1, 2, 3)),
    ("allodynia", "modify", 1, None, False, (4,)),
    ("weakness", "caution", None, None, False, (5,)),
    ("no_heat", "caution", None, None, False, (6,)),
    ("cold_sensitivity", "modify", None, None, False, (7,)),
    ("open_wound", "avoid", None, None, False, (3, 8)),
    ("new_foot_finding", "avoid", None, None, False, (3, 9)),
    ("charcot_suspected", "avoid", None, None, False, (10,)),
    ("fungal_infection", "modify", None, None, False, (3,)),
    ("fragile_skin", "modify", 2, None, False, (11,)),
    ("amputation", "avoid", None, None, False, (12,)),
    ("pad", "modify", 2, None, True, (13,)),
    ("dvt_suspected", "defer", None, None, False, (14,)),
    ("vte_history", "avoid", None, None, True, (15,)),
    ("edema", "modify", 1, None, True, (16,)),
    ("lymphedema", "avoid", None, None, False, (17,)),
    ("node_removal_axillary", "modify", 2, None, False, (17, 18)),
    ("node_removal_inguinal", "modify", 2, None, False, (17, 18)),
    ("heart_failure", "modify", 2, None, True, (16,)),
    ("anticoagulant", "modify", 2, None, False, (15, 19)),
    ("insulin_site", "modify", None, None, False, (20,)),
    ("insulin_user", "caution", None, None, False, (20, 21)),
    ("poor_glycemic_control", "caution", None, 45, True, (20,)),
    ("active_chemo", "caution", None, 45, True, (22, 23)),
    ("nadir_window", "modify", 1, None, False, (24,)),
    ("counts_unknown", "modify", 2, None, False, (23,)),
    ("platelets_low", "modify", 2, None, False, (25, 26)),
    ("platelets_very_low", "modify", 1, None, True, (25, 26)),
    ("platelets_critical", "defer", None, None, False, (25,)),
    ("anc_low", "modify", 1, None, False, (24, 26)),
    ("anc_critical", "defer", None, None, False, (24, 26)),
    ("port", "caution", None, None, False, (22,)),
    ("picc_line", "avoid", None, None, False, (27,)),
    ("radiation_field", "avoid", None, None, False, (28,)),
    ("bone_metastasis", "modify", 1, None, True, (29,)),
    ("cancer_fatigue", "modify", 2, 30, False, (30,)),
    ("fever", "defer", None, None, False, (24,)),
    ("active_infection", "defer", None, None, False, (31,)),
    ("intoxicated", "defer", None, None, False, (31,)),
    ("rapid_progression", "defer", None, None, False, (32,)),
    ("fall_risk", "caution", None, None, False, (5, 33)),
    ("liver_disease", "modify", 2, None, True, (34,)),
    ("topical_anesthetic", "modify", 2, None, False, (3,)),
    ("neuropathic_pain_medication", "caution", None, None, False, (3,)),
    ("tens_unit", "caution", None, None, False, ("seed",)),
]

# The second outcomes RULES.md gives some rules: severity, pressure cap, clearance.
EXPECTED_VARIANTS = {
    ("open_wound", "elsewhere"): ("caution", None, False),
    ("vte_history", "elsewhere"): ("caution", None, True),
    ("insulin_site", "elsewhere"): ("caution", None, False),
    ("port", "arms"): ("avoid", None, False),
    ("picc_line", "hands"): ("modify", 1, False),
    ("radiation_field", "elsewhere"): ("caution", None, False),
    ("bone_metastasis", "elsewhere"): ("caution", None, True),
    ("topical_anesthetic", "elsewhere"): ("caution", None, False),
    ("fever", "no_counts"): ("defer", None, False),
    # Beyond RULES.md's row (scope R), raised for it: the hand or foot below an amputated arm or leg
    # is gone too, so it is avoided with a note saying so rather than planned with a template.
    ("amputation", "below"): ("avoid", None, False),
}

# RULES.md "Conditions", in its order.
EXPECTED_CONDITION_CODES = [
    "loss_of_protective_sensation",
    "open_wound",
    "new_foot_finding",
    "charcot_suspected",
    "fungal_infection",
    "fragile_skin",
    "amputation",
    "pad",
    "dvt_suspected",
    "vte_history",
    "edema",
    "lymphedema",
    "node_removal_axillary",
    "node_removal_inguinal",
    "heart_failure",
    "anticoagulant",
    "insulin_user",
    "insulin_site",
    "insulin_pump",
    "poor_glycemic_control",
    "active_chemo",
    "oxaliplatin_course",
    "chemo_infusion",
    "platelet_count",
    "anc",
    "port",
    "picc_line",
    "radiation_field",
    "bone_metastasis",
    "cancer_fatigue",
    "fever",
    "active_infection",
    "intoxicated",
    "rapid_progression",
    "fall_risk",
    "liver_disease",
    "topical_anesthetic",
    "neuropathic_pain_medication",
    "tens_unit",
]

WHOLE_BODY_CONDITIONS = {
    "fragile_skin",
    "pad",
    "heart_failure",
    "anticoagulant",
    "insulin_user",
    "poor_glycemic_control",
    "active_chemo",
    "oxaliplatin_course",
    "chemo_infusion",
    "platelet_count",
    "anc",
    "cancer_fatigue",
    "fever",
    "active_infection",
    "intoxicated",
    "rapid_progression",
    "fall_risk",
    "liver_disease",
    "neuropathic_pain_medication",
}


def test_rules_table_holds_every_rules_md_code_in_order_and_nothing_else():
    assert [rule.code for rule in RULES] == [row[0] for row in EXPECTED_RULES]
    assert list(RULES_BY_CODE) == [row[0] for row in EXPECTED_RULES]


@pytest.mark.parametrize(("code", "severity", "pressure_cap", "minutes_cap", "clearance", "sources"), EXPECTED_RULES)
def test_rule_matches_rules_md(code, severity, pressure_cap, minutes_cap, clearance, sources):
    rule = RULES_BY_CODE[code]
    assert rule.severity == severity
    assert rule.pressure_cap == pressure_cap
    assert rule.minutes_cap == minutes_cap
    assert rule.requires_clearance is clearance
    assert rule.sources == sources


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_complete_for_the_library_page(rule):
    assert rule.title and rule.fires_when and rule.scope
    assert rule.text.strip() and rule.text[0].isupper() and rule.text.endswith(".")
    assert rule.sources
    assert all(source == "seed" or 1 <= source <= 36 for source in rule.sources)
    assert rule.severity in SEVERITIES
    assert rule.pressure_cap is None or 0 <= rule.pressure_cap <= 5
    assert rule.minutes_cap is None or 0 < rule.minutes_cap <= 60


def test_variants_are_exactly_those_of_rules_md():
    found = {(rule.code, variant.key) for rule in RULES for variant in rule.variants}
    assert found == set(EXPECTED_VARIANTS)


@pytest.mark.parametrize(("key", "expected"), EXPECTED_VARIANTS.items(), ids=lambda value: str(value))
def test_variant_keeps_the_rule_code_and_changes_the_outcome(key, expected):
    code, variant_key = key
    variant = RULES_BY_CODE[code].variant(variant_key)
    assert variant.code == code
    assert (variant.severity, variant.pressure_cap, variant.requires_clearance) == expected
    assert variant.severity in SEVERITIES
    assert variant.text.strip() and variant.text[0].isupper() and variant.text.endswith(".")
    assert variant.variants == ()


def test_asking_for_a_missing_variant_names_it():
    with pytest.raises(KeyError, match="nope"):
        RULES_BY_CODE["fever"].variant("nope")


def test_conditions_are_every_rules_md_code_in_order_and_nothing_else():
    assert list(vocabulary.CONDITIONS) == EXPECTED_CONDITION_CODES


@pytest.mark.parametrize("kind", vocabulary.CONDITIONS.values(), ids=lambda kind: kind.code)
def test_condition_kind_is_well_formed(kind):
    assert kind.label and kind.meaning
    assert kind.group in vocabulary.CONDITION_GROUPS
    assert kind.locations and set(kind.locations) <= set(vocabulary.LOCATIONS)
    if kind.code in WHOLE_BODY_CONDITIONS:
        assert kind.locations == ("whole_body",) and not kind.needs_side
    else:
        assert "whole_body" not in kind.locations and kind.needs_side


def test_only_the_labs_carry_a_value():
    valued = {kind.code: kind.value for kind in vocabulary.CONDITIONS.values() if kind.value}
    assert valued == {"platelet_count": "platelets/µL", "anc": "neutrophils/µL"}


@pytest.mark.parametrize(
    ("code", "locations"),
    [
        ("loss_of_protective_sensation", ("feet",)),
        ("new_foot_finding", ("feet",)),
        ("charcot_suspected", ("feet",)),
        ("lymphedema", ("arms", "legs")),
        ("node_removal_axillary", ("arms",)),
        ("node_removal_inguinal", ("legs",)),
        ("port", ("chest", "abdomen", "arms")),
        ("picc_line", ("arms",)),
        ("open_wound", ("arms", "hands", "legs", "feet", "chest", "abdomen", "back", "head_neck")),
    ],
)
def test_condition_locations_follow_rules_md(code, locations):
    assert vocabulary.condition(code).locations == locations


def test_only_vte_history_may_have_no_location():
    assert [kind.code for kind in vocabulary.CONDITIONS.values() if kind.location_optional] == ["vte_history"]


def test_vocabulary_lists_follow_rules_md():
    assert list(vocabulary.NEUROPATHY_TYPES) == ["DPN", "CIPN", "IDIOPATHIC"]
    assert vocabulary.REGIONS == ("arms", "hands", "legs", "feet")
    assert vocabulary.OTHER_LOCATIONS == ("chest", "abdomen", "back", "head_neck", "whole_body")
    assert vocabulary.SIDES == ("left", "right")
    assert list(vocabulary.SYMPTOMS) == [
        "tingling",
        "burning",
        "itching",
        "pins_and_needles",
        "numbness",
        "pain",
        "allodynia",
        "weakness",
        "cold_sensitivity",
    ]
    assert list(vocabulary.CONTRIBUTING_CAUSES) == [
        "b12_deficiency",
        "alcohol",
        "toxin_exposure",
        "infection",
        "liver_disease",
        "kidney_disease",
        "autoimmune",
        "hereditary",
        "medication",
    ]
    assert list(vocabulary.WALTON_SCALE) == [0, 1, 2, 3, 4, 5]
    assert all(level.label and level.description for level in vocabulary.WALTON_SCALE.values())


def test_unknown_condition_code_raises_a_key_error_naming_it():
    with pytest.raises(KeyError, match="'bruise'"):
        vocabulary.condition("bruise")


@pytest.mark.parametrize(
    ("side", "expected"),
    [("left", ("left",)), ("right", ("right",)), ("both", ("left", "right"))],
)
def test_expand_side(side, expected):
    assert vocabulary.expand_side(side) == expected


@pytest.mark.parametrize("side", ["middle", None, ""])
def test_expand_side_refuses_anything_else(side):
    with pytest.raises(ValueError, match="unknown side"):
        vocabulary.expand_side(side)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("open_wound", "feet", "left"), ("feet", "left")),
        (("fever", None, None), ("whole_body", None)),
        (("fever", "", ""), ("whole_body", None)),
        (("node_removal_axillary", None, "right"), ("arms", "right")),
        (("vte_history", None, None), (None, None)),
        (("vte_history", "legs", "both"), ("legs", "both")),
        (("platelet_count", None, None, 45_000), ("whole_body", None)),
    ],
)
def test_validate_condition_fills_in_implied_locations(arguments, expected):
    assert vocabulary.validate_condition(*arguments) == expected


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("open_wound", None, "left"), "needs a location"),
        (("open_wound", "toes", "left"), "unknown location 'toes'"),
        (("picc_line", "legs", "left"), "cannot be on 'legs'"),
        (("open_wound", "feet", None), "needs a side"),
        (("open_wound", "feet", "middle"), "unknown side 'middle'"),
        (("fever", None, "left"), "takes no side"),
        (("platelet_count", None, None), "needs a value"),
        (("anc", None, None, "800"), "bad value '800'"),
        (("anc", None, None, -1), "bad value -1"),
    ],
)
def test_validate_condition_refuses_what_it_cannot_use(arguments, message):
    with pytest.raises(ValueError, match=message):
        vocabulary.validate_condition(*arguments)
