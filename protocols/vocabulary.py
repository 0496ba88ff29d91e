"""The canonical vocabulary of shared/clinical/RULES.md as plain Python.

Every code here is a contract: it appears in the client document, the plan JSON and the
database. This module imports nothing from Django so the engine and its tests stay pure.
"""

from dataclasses import dataclass
from decimal import Decimal

NEUROPATHY_TYPES = {
    "DPN": "Diabetic peripheral neuropathy",
    "CIPN": "Chemotherapy-induced peripheral neuropathy",
    "IDIOPATHIC": "Idiopathic peripheral neuropathy",
}

# Plans are built from these, in this order, each on one side.
REGIONS = ("arms", "hands", "legs", "feet")
OTHER_LOCATIONS = ("chest", "abdomen", "back", "head_neck", "whole_body")
LOCATIONS = REGIONS + OTHER_LOCATIONS

LOCATION_LABELS = {
    "arms": "Arms",
    "hands": "Hands",
    "legs": "Legs",
    "feet": "Feet",
    "chest": "Chest",
    "abdomen": "Abdomen",
    "back": "Back",
    "head_neck": "Head and neck",
    "whole_body": "Whole body",
}

# One limb of a region, for sentences such as "numbness in left foot".
REGION_SINGULAR = {"arms": "arm", "hands": "hand", "legs": "leg", "feet": "foot"}

# A plan item is one region on one side; "both" exists only in forms and on conditions.
SIDES = ("left", "right")
BOTH = "both"
CONDITION_SIDES = SIDES + (BOTH,)
SIDE_LABELS = {"left": "Left", "right": "Right", "both": "Both"}

SYMPTOMS = {
    "tingling": "Tingling",
    "burning": "Burning",
    "itching": "Itching",
    "pins_and_needles": "Pins and needles",
    "numbness": "Numbness",
    "pain": "Pain",
    "allodynia": "Allodynia (light touch hurts)",
    "weakness": "Weakness",
    "cold_sensitivity": "Cold sensitivity",
}

# What a template step does, for the rules that drop steps (RULES.md "Step kinds"); the step's
# technique stays free text for the therapist.
STEP_KINDS = {
    "inspection": "Inspection",
    "still_hold": "Still hold",
    "effleurage": "Effleurage",
    "petrissage": "Petrissage",
    "kneading": "Kneading",
    "thumb_circles": "Thumb circles",
    "friction": "Friction",
    "traction": "Traction",
    "joint_movement": "Joint movement",
}

CONTRIBUTING_CAUSES = {
    "b12_deficiency": "Vitamin B12 deficiency",
    "alcohol": "Alcohol",
    "toxin_exposure": "Toxin exposure",
    "infection": "Infection",
    "liver_disease": "Liver disease",
    "kidney_disease": "Kidney disease",
    "autoimmune": "Autoimmune disease",
    "hereditary": "Hereditary",
    "medication": "Medication",
}


@dataclass(frozen=True)
class PressureLevel:
    """One step of the Walton pressure scale."""

    level: int
    label: str
    description: str


WALTON_SCALE = {
    0: PressureLevel(0, "Still hold", "Hands rest on the skin with no movement."),
    1: PressureLevel(1, "Light lotioning", "The touch used to put lotion on sunburnt skin."),
    2: PressureLevel(2, "Heavy lotioning", "The touch used to rub lotion in."),
    3: PressureLevel(3, "Standard Swedish", "The muscle starts to be worked."),
    4: PressureLevel(4, "Deep", "The therapist leans in."),
    5: PressureLevel(5, "Very deep", "Used sparingly, never to the point of bruising."),
}
MAX_PRESSURE = 5

CONDITION_GROUPS = {
    "skin": "Skin",
    "circulation": "Circulation",
    "diabetes": "Diabetes",
    "oncology": "Oncology",
    "general": "General",
}

# Where an "any" condition can sit: every body location except the whole body.
ANYWHERE = REGIONS + ("chest", "abdomen", "back", "head_neck")
WHOLE_BODY = ("whole_body",)


@dataclass(frozen=True)
class ConditionKind:
    """One condition code of RULES.md and where on the body it may be recorded."""

    code: str
    label: str
    meaning: str
    group: str
    # Allowed locations. A single entry is implied when a record leaves the location empty.
    locations: tuple[str, ...]
    # A side (left, right or both) is required whenever the condition has a location.
    needs_side: bool
    # Unit of the recorded number, or None when the condition carries no value.
    value: str | None = None
    # Only vte_history: it may be recorded without any location at all.
    location_optional: bool = False

    @property
    def whole_body(self):
        return self.locations == WHOLE_BODY


def _placed(code, label, meaning, group, locations, location_optional=False):
    return ConditionKind(code, label, meaning, group, locations, True, None, location_optional)


def _whole_body(code, label, meaning, group, value=None):
    return ConditionKind(code, label, meaning, group, WHOLE_BODY, False, value)


_CONDITION_KINDS = (
    _placed(
        "loss_of_protective_sensation",
        "Loss of protective sensation",
        "Failed 10 g monofilament test",
        "diabetes",
        ("feet",),
    ),
    _placed("open_wound", "Open wound", "Open wound, ulcer, blister or skin fissure", "skin", ANYWHERE),
    _placed(
        "new_foot_finding",
        "New foot finding",
        "Cold or discoloured tissue, new odour, unnoticed abrasion",
        "skin",
        ("feet",),
    ),
    _placed("charcot_suspected", "Suspected Charcot foot", "Red, hot, swollen foot", "diabetes", ("feet",)),
    _placed("fungal_infection", "Fungal infection", "Fungal skin or nail infection", "skin", ANYWHERE),
    _whole_body("fragile_skin", "Fragile skin", "Thin, easily torn skin (age, steroids)", "skin"),
    _placed("amputation", "Amputation", "Amputated limb or digits", "general", ANYWHERE),
    _whole_body("pad", "Peripheral artery disease", "Peripheral artery disease, claudication", "circulation"),
    _placed(
        "dvt_suspected",
        "Suspected DVT",
        "One-sided calf pain, swelling, warmth, redness",
        "circulation",
        ANYWHERE,
    ),
    _placed(
        "vte_history",
        "VTE history",
        "Treated deep vein thrombosis or embolism",
        "circulation",
        ANYWHERE,
        location_optional=True,
    ),
    _placed("edema", "Edema", "Swelling of a limb", "circulation", ANYWHERE),
    _placed("lymphedema", "Lymphedema", "Lymphedema of a limb", "circulation", ("arms", "legs")),
    # The nodes are recorded by side only in RULES.md. Storing the limb they drain as the
    # location keeps one shape for every condition; the engine extends it to hands or feet.
    _placed(
        "node_removal_axillary",
        "Axillary lymph node removal",
        "Armpit lymph nodes removed or irradiated",
        "circulation",
        ("arms",),
    ),
    _placed(
        "node_removal_inguinal",
        "Inguinal lymph node removal",
        "Groin/pelvic lymph nodes removed or irradiated",
        "circulation",
        ("legs",),
    ),
    _whole_body("heart_failure", "Heart failure", "Heart failure", "circulation"),
    _whole_body(
        "anticoagulant",
        "Anticoagulant or antiplatelet drug",
        "Takes anticoagulant or antiplatelet drugs",
        "circulation",
    ),
    _whole_body(
        "insulin_user",
        "Insulin user",
        "Uses insulin or sulfonylureas (hypoglycaemia risk)",
        "diabetes",
    ),
    _placed("insulin_site", "Insulin injection site", "Current insulin injection site", "diabetes", ANYWHERE),
    _placed("insulin_pump", "Insulin pump", "Insulin pump or glucose sensor site", "diabetes", ANYWHERE),
    _whole_body(
        "poor_glycemic_control",
        "Poor glycaemic control",
        "Poorly controlled diabetes, large glucose swings",
        "diabetes",
    ),
    _whole_body("active_chemo", "Active chemotherapy", "In active chemotherapy", "oncology"),
    _whole_body(
        "oxaliplatin_course",
        "Oxaliplatin course",
        "Receiving oxaliplatin (cold-triggered symptoms)",
        "oncology",
    ),
    _whole_body(
        "chemo_infusion",
        "Chemotherapy infusion",
        "A chemotherapy infusion, noted on its date",
        "oncology",
    ),
    _whole_body(
        "platelet_count",
        "Platelet count",
        "Lab result, platelets per µL, noted on the lab date",
        "oncology",
        value="platelets/µL",
    ),
    _whole_body(
        "anc",
        "Neutrophil count (ANC)",
        "Lab result, absolute neutrophil count per µL, noted on the lab date",
        "oncology",
        value="neutrophils/µL",
    ),
    _placed("port", "Implanted port", "Implanted port", "oncology", ("chest", "abdomen", "arms")),
    _placed("picc_line", "PICC line", "PICC line or IV cannula", "oncology", ("arms",)),
    _placed(
        "radiation_field",
        "Radiation field",
        "Skin in a current or recent radiation field",
        "skin",
        ANYWHERE,
    ),
    _placed("bone_metastasis", "Bone metastasis", "Cancer in bone", "oncology", ANYWHERE),
    _whole_body("cancer_fatigue", "Cancer fatigue", "Cancer-related fatigue or anaemia", "oncology"),
    _whole_body("fever", "Fever", "Temperature 38 °C / 100.4 °F or above", "general"),
    _whole_body("active_infection", "Active infection", "Acute infection or contagious illness", "general"),
    _whole_body("intoxicated", "Intoxicated", "Under the influence of alcohol or drugs", "general"),
    _whole_body(
        "rapid_progression",
        "Rapid progression",
        "Sudden, quickly ascending weakness or numbness",
        "general",
    ),
    _whole_body("fall_risk", "Fall risk", "Balance deficit, falls, dizziness on standing", "general"),
    _whole_body(
        "liver_disease",
        "Liver disease",
        "Liver disease with bruising, jaundice or ascites",
        "general",
    ),
    _placed(
        "topical_anesthetic",
        "Topical anaesthetic",
        "Lidocaine or capsaicin patch or cream",
        "general",
        ANYWHERE,
    ),
    _whole_body(
        "neuropathic_pain_medication",
        "Neuropathic pain medication",
        "Pregabalin, gabapentin, duloxetine, opioids",
        "general",
    ),
    _placed("tens_unit", "TENS unit", "Uses a TENS unit; electrodes placed on the body", "general", ANYWHERE),
)
# In RULES.md order, which forms and the library page follow.
CONDITIONS = {kind.code: kind for kind in _CONDITION_KINDS}


class UnknownCode(KeyError):
    """A code that is not in the vocabulary."""

    def __str__(self):
        # KeyError would show the repr of the message, quotes and all.
        return str(self.args[0])


def condition(code):
    """Return the ConditionKind for a code, or raise UnknownCode naming it."""
    try:
        return CONDITIONS[code]
    except KeyError:
        raise UnknownCode(f"unknown condition code {code!r}") from None


def expand_side(side):
    """Return the plan sides a recorded side covers: "both" is left and right."""
    if side == BOTH:
        return SIDES
    if side in SIDES:
        return (side,)
    raise ValueError(f"unknown side {side!r}")


def validate_condition(code, location=None, side=None, value=None):
    """Check one recorded condition and return its (location, side), with implied ones filled in.

    Empty strings count as "not given", as a blank form field stores them. Raises UnknownCode
    for an unknown code and ValueError, naming the bad value, for anything else it cannot use.
    A value on a condition that carries none is ignored: nothing reads it.
    """
    kind = condition(code)
    location = location or None
    side = side or None

    if location is None:
        if len(kind.locations) == 1:
            location = kind.locations[0]
        elif not kind.location_optional:
            raise ValueError(f"condition {code!r} needs a location")
    elif location not in LOCATIONS:
        raise ValueError(f"unknown location {location!r} for condition {code!r}")
    elif location not in kind.locations:
        raise ValueError(f"condition {code!r} cannot be on {location!r}")

    if side is not None and side not in CONDITION_SIDES:
        raise ValueError(f"unknown side {side!r} for condition {code!r}")
    if kind.whole_body and side is not None:
        raise ValueError(f"condition {code!r} concerns the whole body and takes no side")
    if kind.needs_side and location is not None and side is None:
        raise ValueError(f"condition {code!r} needs a side")

    if kind.value is not None:
        if value is None:
            raise ValueError(f"condition {code!r} needs a value ({kind.value})")
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or value < 0:
            raise ValueError(f"condition {code!r} has a bad value {value!r}")
    return location, side
