"""The contraindication rules of shared/clinical/RULES.md as one declarative table.

Each rule declares when it fires (its Trigger: a kind plus the conditions, symptoms, regions,
lab and thresholds it looks at), what it changes (severity, caps, clearance, the step kinds it
drops) and what the therapist reads. The engine dispatches on the trigger's kind and repeats
none of it; the scope the library shows is derived from the trigger. Sources are numbers of
RULES.md's list; their titles and citations are the library's Source table. Texts say what to do and
why, in one or two sentences, and state no pressure number: caps are data, shown once per place.
"""

from dataclasses import dataclass, field, replace

from protocols.labels import LAB_NAMES

DEFER = "defer"
AVOID = "avoid"
MODIFY = "modify"
CAUTION = "caution"
# Most severe first: plans list notes in this order.
SEVERITIES = (DEFER, AVOID, MODIFY, CAUTION)

# Scope words of the library page; the engine decides the actual region/side or the session.
REGION = "region"
SESSION = "session"

# Variant keys. BASE is the rule's own outcome.
BASE = ""
ELSEWHERE = "elsewhere"  # the condition is not on a planned region/side
ON_ARMS = "arms"  # port: the port sits in a planned arm
HANDS = "hands"  # picc_line: the hand below the line
BELOW = "below"  # amputation: the hand or foot below an amputated arm or leg
NO_COUNTS = "no_counts"  # fever: no chemotherapy and no low count on file

# Trigger kinds: how the engine decides a rule fires and where its note goes.
SYMPTOM_AT = "symptom_at"  # a planned region/side with any of `symptoms`, or a condition of `conditions` on it
PROFILE = "profile"  # any region of the client with `symptoms`, or an active condition: session note
PROFILE_TO_REGIONS = "profile_to_regions"  # `symptoms` in `symptom_regions` or a condition: notes the planned `regions`
CONDITION = "condition"  # an active condition of `conditions` (or a contributing cause of `causes`): session note
PLACED = "placed"  # the condition's planned region/side gets `on_plan`; a place off the plan gets `off_plan`
REGION_LIST = "region_list"  # an active condition notes every planned side of `regions`
LIMB = "limb"  # the condition's limb, same side: `limbs` maps its location to (region, variant) pairs
DAYS_SINCE = "days_since"  # the latest event of `conditions` was `first` to `last` days before the plan date
LAB_MISSING = "lab_missing"  # an active condition of `conditions` and no valid `lab` result
LAB_RANGE = "lab_range"  # the valid `lab` result is at least `low` and below `high`

TRIGGER_KINDS = (
    SYMPTOM_AT,
    PROFILE,
    PROFILE_TO_REGIONS,
    CONDITION,
    PLACED,
    REGION_LIST,
    LIMB,
    DAYS_SINCE,
    LAB_MISSING,
    LAB_RANGE,
)


@dataclass(frozen=True, kw_only=True)
class Trigger:
    """When a rule fires and where its note goes; every parameter of the rule is written here once."""

    kind: str
    conditions: tuple[str, ...] = ()
    symptoms: frozenset[str] = frozenset()
    # SYMPTOM_AT: symptoms also named in the note when it fires (numbness names the place's tingling).
    mentions: frozenset[str] = frozenset()
    # SYMPTOM_AT: rules whose note on the same place replaces this one.
    unless: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    symptom_regions: tuple[str, ...] = ()
    # PLACED: the variant for a planned place and for a place off the plan (None: no note).
    on_plan: str | None = BASE
    off_plan: str | None = None
    # PLACED: a condition on an arm or a leg also reaches the hand or foot below it, same side (the
    # hand of an amputated arm is gone too), with the variant BELOW.
    with_below: bool = False
    limbs: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    lab: str | None = None
    low: int | None = None
    high: int | None = None
    first: int | None = None
    last: int | None = None
    # CONDITION: the variant used when none of `context` is on file and no low lab count fires.
    context: tuple[str, ...] = ()
    without_context: str | None = None

    def __post_init__(self):
        if self.kind not in TRIGGER_KINDS:
            raise ValueError(f"unknown trigger kind {self.kind!r}")

    @property
    def params(self):
        """The numbers a rule's texts may quote, e.g. "{low:,} to {top:,}"."""
        values = {"low": self.low, "high": self.high, "first": self.first, "last": self.last, "here": "{here}"}
        if self.high is not None:
            values["top"] = self.high - 1
        return values

    def limb_regions(self, limb):
        """(region, variant) pairs of a condition on `limb`."""
        return dict(self.limbs).get(limb, ())

    def scope_of(self, variant_key=BASE):
        """The scope the library shows for the rule (or one of its variants), read from the trigger."""
        if self.kind == SYMPTOM_AT:
            return REGION
        if self.kind == PLACED:
            return REGION if variant_key in (self.on_plan, BELOW) else SESSION
        if self.kind in (REGION_LIST, PROFILE_TO_REGIONS):
            return f"{', '.join(self.regions)} (both sides)"
        if self.kind == LIMB:
            limbs = [[region for region, key in regions if key == variant_key] for _limb, regions in self.limbs]
            joiner = " and " if len(self.limbs) > 1 else ", "
            limbs = [joiner.join(regions) for regions in limbs if regions]
            return (f"that limb: {' or '.join(limbs)}" if len(limbs) > 1 else limbs[0]) + ", same side"
        return SESSION


@dataclass(frozen=True, kw_only=True)
class Variant:
    """A second outcome of a rule, such as a session note when the condition is off the plan."""

    key: str
    fires_when: str
    severity: str
    pressure_cap: int | None = None
    minutes_cap: int | None = None
    requires_clearance: bool = False
    drops: tuple[str, ...] = ()
    text: str
    text_many: str = ""


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One rule of RULES.md: when it fires, what it changes, and what the therapist reads.

    `fires_when`, `text` and `text_away` may quote the trigger's numbers ("{low:,}"), so each
    number is written once, in the trigger. `text_many` is the text of a note quoting several
    facts (two wounds on one foot: "keep well clear of the wounds"), where `text` speaks of one.
    """

    code: str
    title: str
    trigger: Trigger
    fires_when: str
    severity: str
    pressure_cap: int | None = None
    minutes_cap: int | None = None
    requires_clearance: bool = False
    # Step kinds removed from the places the rule governs (RULES.md "Step kinds").
    drops: tuple[str, ...] = ()
    text: str
    text_many: str = ""
    # The text of a note that sits on a place other than its fact's ("keep the feet warm too").
    text_away: str = ""
    sources: tuple[int | str, ...]
    variants: tuple[Variant, ...] = ()
    variant_key: str = field(default=BASE, compare=False)

    def __post_init__(self):
        params = self.trigger.params
        for name in ("fires_when", "text", "text_many", "text_away"):
            object.__setattr__(self, name, getattr(self, name).format(**params))

    @property
    def scope(self):
        return self.trigger.scope_of(self.variant_key)

    def variant(self, key):
        """Return this rule with a variant's outcome; the code stays the same. BASE is the rule itself."""
        if key == BASE:
            return self
        for variant in self.variants:
            if variant.key == key:
                return replace(
                    self,
                    fires_when=variant.fires_when,
                    severity=variant.severity,
                    pressure_cap=variant.pressure_cap,
                    minutes_cap=variant.minutes_cap,
                    requires_clearance=variant.requires_clearance,
                    drops=variant.drops,
                    text=variant.text,
                    text_many=variant.text_many,
                    text_away="",
                    variants=(),
                    variant_key=key,
                )
        raise KeyError(f"rule {self.code!r} has no variant {key!r}")

    def has_variant(self, key):
        return key == BASE or any(variant.key == key for variant in self.variants)

    def variant_scope(self, variant):
        return self.trigger.scope_of(variant.key)

    @property
    def drop_reason(self):
        """Why its dropped steps are gone: "platelets below 50,000", "fragile skin"."""
        if self.trigger.kind == LAB_RANGE:
            return f"{LAB_NAMES[self.trigger.lab]} below {self.trigger.high:,}"
        return self.title.lower()


SEED = "seed"


INSULIN_SITE_TEXT = (
    "Keep several inches away from the site: massage near injected or pumped insulin speeds up its absorption, "
    "and can loosen a pump or sensor."
)
INSULIN_SITES_TEXT = INSULIN_SITE_TEXT.replace("from the site", "from the sites")


_SENSORY = frozenset({"tingling", "burning", "itching", "pins_and_needles", "pain"})
_NUMB = frozenset({"numbness"})


def _on(*conditions):
    """The common trigger: a session note whenever one of these conditions is active."""
    return Trigger(kind=CONDITION, conditions=conditions)


RULES = (
    Rule(
        code="sensory_change",
        title="Sensory change",
        trigger=Trigger(kind=SYMPTOM_AT, symptoms=_SENSORY, unless=("numbness",)),
        fires_when="The region/side has tingling, burning, itching, pins and needles or pain, and no numbness.",
        severity=MODIFY,
        pressure_cap=2,
        text="Keep the pressure light: altered sensation means the client may not notice or report too much pressure.",
        sources=(1, 2),
    ),
    Rule(
        code="numbness",
        title="Numbness",
        trigger=Trigger(
            kind=SYMPTOM_AT, symptoms=_NUMB, mentions=_SENSORY, conditions=("loss_of_protective_sensation",)
        ),
        fires_when="The region/side has numbness, or loss of protective sensation there.",
        severity=MODIFY,
        pressure_cap=2,
        text="Keep the pressure light and use no tools or elbows; the client's feedback is unreliable here, so "
        "watch the skin colour instead.",
        sources=(1, 2, 3),
    ),
    Rule(
        code="allodynia",
        title="Allodynia",
        trigger=Trigger(kind=SYMPTOM_AT, symptoms=frozenset({"allodynia"})),
        fires_when="The region/side has allodynia (light touch hurts).",
        severity=MODIFY,
        pressure_cap=1,
        text="Start with still holds and build only to what the client tolerates: even light touch can hurt here.",
        sources=(4,),
    ),
    Rule(
        code="weakness",
        title="Weakness",
        trigger=Trigger(kind=SYMPTOM_AT, symptoms=frozenset({"weakness"})),
        fires_when="The region/side has weakness.",
        severity=CAUTION,
        text="Support the limb fully and keep joint movement gentle: weak muscles do not protect the joints.",
        sources=(5,),
    ),
    Rule(
        code="no_heat",
        title="No heat",
        trigger=Trigger(kind=PROFILE, symptoms=_NUMB, conditions=("loss_of_protective_sensation",)),
        fires_when="Any region of the client has numbness or loss of protective sensation.",
        severity=CAUTION,
        text="Use no hot stones, heating pads, hot towels or soaks: numb skin does not feel a burn in time.",
        sources=(6,),
    ),
    Rule(
        code="cold_sensitivity",
        title="Cold sensitivity",
        trigger=Trigger(
            kind=PROFILE_TO_REGIONS,
            symptoms=frozenset({"cold_sensitivity"}),
            symptom_regions=("hands", "feet"),
            conditions=("oxaliplatin_course",),
            regions=("hands", "feet"),
        ),
        fires_when="Hands or feet have cold sensitivity, or the client is receiving oxaliplatin.",
        severity=MODIFY,
        text="Use no cold packs or cold stones, keep the room warm and the limbs covered: cold triggers the "
        "client's symptoms.",
        text_away="Keep the {here} warm and covered too, with no cold packs or cold stones: cold on any limb can "
        "trigger the client's symptoms.",
        sources=(7,),
    ),
    Rule(
        code="open_wound",
        title="Open wound",
        trigger=Trigger(kind=PLACED, conditions=("open_wound",), off_plan=ELSEWHERE),
        fires_when="An open wound, ulcer, blister or fissure is on a planned region/side.",
        severity=AVOID,
        text="Do not massage this region and refer the client if the wound is new or not healing: broken skin "
        "lets infection in and heals slowly with neuropathy.",
        text_many="Do not massage this region and refer the client if any of the wounds is new or not healing: "
        "broken skin lets infection in and heals slowly with neuropathy.",
        sources=(3, 8),
        variants=(
            Variant(
                key=ELSEWHERE,
                fires_when="An open wound is somewhere not in the plan.",
                severity=CAUTION,
                text="Keep well clear of the wound and keep it covered; refer the client if it is new or not healing.",
                text_many="Keep well clear of the wounds and keep them covered; refer the client if any of them is "
                "new or not healing.",
            ),
        ),
    ),
    Rule(
        code="new_foot_finding",
        title="New foot finding",
        trigger=Trigger(kind=PLACED, conditions=("new_foot_finding",)),
        fires_when="A new foot finding is recorded on a planned foot.",
        severity=AVOID,
        text="Do not massage this foot and refer the client to their foot care team the same day: a new "
        "finding can be an early ulcer, infection or loss of blood supply.",
        sources=(3, 9),
    ),
    Rule(
        code="charcot_suspected",
        title="Suspected Charcot foot",
        trigger=Trigger(kind=PLACED, conditions=("charcot_suspected",)),
        fires_when="A red, hot, swollen foot is recorded on a planned foot.",
        severity=AVOID,
        text="Do not massage this foot and refer the client urgently: it may be a Charcot foot, whose weakened "
        "bones can collapse under pressure or movement.",
        sources=(10,),
    ),
    Rule(
        code="fungal_infection",
        title="Fungal infection",
        trigger=Trigger(kind=PLACED, conditions=("fungal_infection",)),
        fires_when="A fungal skin or nail infection is on a planned region/side.",
        severity=MODIFY,
        text="Skip the affected digits or skin and wear gloves, so the infection does not spread.",
        sources=(3,),
    ),
    Rule(
        code="fragile_skin",
        title="Fragile skin",
        trigger=_on("fragile_skin"),
        fires_when="The client has fragile skin.",
        severity=MODIFY,
        pressure_cap=2,
        drops=("friction",),
        text="Keep the pressure light and use no skin-dragging friction: thin skin tears easily.",
        sources=(11,),
    ),
    Rule(
        code="amputation",
        title="Amputation",
        trigger=Trigger(kind=PLACED, conditions=("amputation",), with_below=True),
        fires_when="An amputation is on a planned region/side.",
        severity=AVOID,
        text="Do not massage here; work a residual limb only with the physician's clearance.",
        sources=(12,),
        variants=(
            Variant(
                key=BELOW,
                fires_when="An amputation of the arm or leg above a planned hand or foot, same side.",
                severity=AVOID,
                text="This place lies below the amputation and is not worked: leave it off the plan.",
                text_many="This place lies below the amputations and is not worked: leave it off the plan.",
            ),
        ),
    ),
    Rule(
        code="pad",
        title="Peripheral artery disease",
        trigger=Trigger(kind=REGION_LIST, conditions=("pad",), regions=("legs", "feet")),
        fires_when="The client has peripheral artery disease.",
        severity=MODIFY,
        pressure_cap=2,
        requires_clearance=True,
        text="Keep the pressure light with no deep calf compression, and only with physician clearance: "
        "narrowed arteries limit blood flow to the legs and feet.",
        sources=(13,),
    ),
    Rule(
        code="dvt_suspected",
        title="Suspected DVT",
        trigger=_on("dvt_suspected"),
        fires_when="Signs of a deep vein thrombosis are recorded.",
        severity=DEFER,
        text="Do not massage today and refer the client urgently: one-sided calf pain with swelling, warmth or "
        "redness may be a clot, which massage could dislodge.",
        sources=(14,),
    ),
    Rule(
        code="vte_history",
        title="History of VTE",
        trigger=Trigger(kind=PLACED, conditions=("vte_history",), off_plan=ELSEWHERE),
        fires_when="A treated thrombosis or embolism is recorded on a planned region/side.",
        severity=AVOID,
        requires_clearance=True,
        text="Do not massage this region, and get physician clearance for the session: pressure on a limb "
        "that had a clot could dislodge a new one.",
        sources=(15,),
        variants=(
            Variant(
                key=ELSEWHERE,
                fires_when="A treated thrombosis or embolism is recorded without a planned region/side.",
                severity=CAUTION,
                requires_clearance=True,
                # The fact may name no limb (no location, or the chest): where the clot was, not "the limb".
                text="Get physician clearance before the session and keep away from where the clot was: a past "
                "clot raises the risk of another.",
                text_many="Get physician clearance before the session and keep away from where the clots were: a "
                "past clot raises the risk of another.",
            ),
        ),
    ),
    Rule(
        code="edema",
        title="Edema",
        trigger=Trigger(kind=PLACED, conditions=("edema",)),
        fires_when="Swelling is recorded on a planned region/side.",
        severity=MODIFY,
        pressure_cap=1,
        requires_clearance=True,
        text="Keep the touch very light and work only with physician clearance: swelling can come from heart, "
        "kidney or vein disease that massage could worsen.",
        sources=(16,),
    ),
    Rule(
        code="lymphedema",
        title="Lymphedema",
        trigger=Trigger(
            kind=LIMB,
            conditions=("lymphedema",),
            limbs=(("arms", (("arms", BASE), ("hands", BASE))), ("legs", (("legs", BASE), ("feet", BASE)))),
        ),
        fires_when="Lymphedema of an arm or a leg.",
        severity=AVOID,
        text="Do not massage this limb and refer the client to a certified lymphedema therapist: ordinary "
        "massage can make lymphedema worse.",
        sources=(17,),
    ),
    Rule(
        code="node_removal_axillary",
        title="Armpit lymph nodes removed",
        trigger=Trigger(
            kind=LIMB, conditions=("node_removal_axillary",), limbs=(("arms", (("arms", BASE), ("hands", BASE))),)
        ),
        fires_when="Armpit lymph nodes were removed or irradiated.",
        severity=MODIFY,
        pressure_cap=2,
        text="For life: keep the pressure light, stroke toward the body and use no heat on this arm and hand, "
        "which are at risk of lymphedema.",
        sources=(17, 18),
    ),
    Rule(
        code="node_removal_inguinal",
        title="Groin lymph nodes removed",
        trigger=Trigger(
            kind=LIMB, conditions=("node_removal_inguinal",), limbs=(("legs", (("legs", BASE), ("feet", BASE))),)
        ),
        fires_when="Groin or pelvic lymph nodes were removed or irradiated.",
        severity=MODIFY,
        pressure_cap=2,
        text="For life: keep the pressure light, stroke toward the body and use no heat on this leg and foot, "
        "which are at risk of lymphedema.",
        sources=(17, 18),
    ),
    Rule(
        code="heart_failure",
        title="Heart failure",
        trigger=Trigger(kind=REGION_LIST, conditions=("heart_failure",), regions=("legs", "feet")),
        fires_when="The client has heart failure.",
        severity=MODIFY,
        pressure_cap=2,
        requires_clearance=True,
        text="Use light strokes only, with no lymphatic drainage or long sustained strokes toward the heart, and "
        "only with physician clearance: fluid pushed back toward the heart can overload it.",
        sources=(16,),
    ),
    Rule(
        code="anticoagulant",
        title="Anticoagulant",
        trigger=_on("anticoagulant"),
        fires_when="The client takes anticoagulant or antiplatelet drugs.",
        severity=MODIFY,
        pressure_cap=2,
        drops=("friction",),
        text="Keep the pressure light with no deep stripping or vigorous friction: blood thinners make bruising "
        "and bleeding easy.",
        sources=(15, 19),
    ),
    Rule(
        code="insulin_site",
        title="Insulin site",
        trigger=Trigger(kind=PLACED, conditions=("insulin_site", "insulin_pump"), off_plan=ELSEWHERE),
        fires_when="An insulin injection site or pump site is on a planned region/side.",
        severity=MODIFY,
        # An insulin_pump site may be a glucose sensor's (RULES.md): the note holds for each kind of site.
        text=INSULIN_SITE_TEXT,
        text_many=INSULIN_SITES_TEXT,
        sources=(20,),
        variants=(
            Variant(
                key=ELSEWHERE,
                fires_when="An insulin injection site or pump site is somewhere not in the plan.",
                severity=CAUTION,
                text=INSULIN_SITE_TEXT,
                text_many=INSULIN_SITES_TEXT,
            ),
        ),
    ),
    Rule(
        code="insulin_user",
        title="Insulin user",
        trigger=_on("insulin_user"),
        fires_when="The client uses insulin or sulfonylureas.",
        severity=CAUTION,
        text="Schedule the session mid-way between doses, check the client has eaten and keep fast-acting sugar "
        "at hand: massage can lower blood glucose.",
        sources=(20, 21),
    ),
    Rule(
        code="poor_glycemic_control",
        title="Poor glycaemic control",
        trigger=_on("poor_glycemic_control"),
        fires_when="The client's diabetes is poorly controlled.",
        severity=CAUTION,
        minutes_cap=45,
        requires_clearance=True,
        text="Keep the session short and get physician clearance: large glucose swings make hypoglycaemia and "
        "poor healing more likely.",
        sources=(20,),
    ),
    Rule(
        code="active_chemo",
        title="Active chemotherapy",
        trigger=_on("active_chemo"),
        fires_when="The client is in active chemotherapy.",
        severity=CAUTION,
        minutes_cap=45,
        requires_clearance=True,
        text="Keep the session short, get physician clearance and work more gently as the course goes on: "
        "chemotherapy wears down blood counts and energy.",
        sources=(22, 23),
    ),
    Rule(
        code="nadir_window",
        title="Nadir window",
        trigger=Trigger(kind=DAYS_SINCE, conditions=("chemo_infusion",), first=7, last=12),
        fires_when="The latest chemotherapy infusion was {first} to {last} days before the session.",
        severity=MODIFY,
        pressure_cap=1,
        text="Keep the touch very light and suggest rescheduling: blood counts are at their lowest {first} to "
        "{last} days after an infusion.",
        sources=(24,),
    ),
    Rule(
        code="counts_unknown",
        # What is missing, and no more: a neutrophil count on file is a blood count that is known.
        title="No recent platelet count",
        trigger=Trigger(kind=LAB_MISSING, conditions=("active_chemo",), lab="platelet_count"),
        fires_when="The client is in active chemotherapy and has no valid platelet count.",
        severity=MODIFY,
        pressure_cap=2,
        text="Keep the pressure light and ask for the latest blood counts: platelets can fall during "
        "chemotherapy without any sign.",
        sources=(23,),
    ),
    Rule(
        code="platelets_low",
        title="Low platelets",
        trigger=Trigger(kind=LAB_RANGE, lab="platelet_count", low=50_000, high=100_000),
        fires_when="Platelets {low:,} to {top:,} per µL.",
        severity=MODIFY,
        pressure_cap=2,
        text="Keep the pressure light: low platelets make bruising easier.",
        sources=(25, 26),
    ),
    Rule(
        code="platelets_very_low",
        title="Very low platelets",
        trigger=Trigger(kind=LAB_RANGE, lab="platelet_count", low=20_000, high=50_000),
        fires_when="Platelets {low:,} to {top:,} per µL.",
        severity=MODIFY,
        pressure_cap=1,
        requires_clearance=True,
        drops=("traction",),
        text="Keep the touch very light with no joint stretching, and only with physician clearance: platelets "
        "this low can let light pressure cause bleeding.",
        sources=(25, 26),
    ),
    Rule(
        code="platelets_critical",
        title="Critical platelets",
        trigger=Trigger(kind=LAB_RANGE, lab="platelet_count", low=0, high=20_000),
        fires_when="Platelets below {high:,} per µL.",
        severity=DEFER,
        text="Do not massage today: with platelets this low any pressure can cause bleeding.",
        sources=(25,),
    ),
    Rule(
        code="anc_low",
        title="Low neutrophils",
        trigger=Trigger(kind=LAB_RANGE, lab="anc", low=500, high=1_000),
        fires_when="ANC {low:,} to {top:,} per µL.",
        severity=MODIFY,
        pressure_cap=1,
        text="Keep the touch very light and keep strict hand hygiene: with few neutrophils the client catches "
        "infections easily.",
        sources=(24, 26),
    ),
    Rule(
        code="anc_critical",
        title="Critical neutrophils",
        trigger=Trigger(kind=LAB_RANGE, lab="anc", low=0, high=500),
        fires_when="ANC below {high:,} per µL.",
        severity=DEFER,
        text="Do not massage today: with neutrophils this low even a minor infection can be dangerous.",
        sources=(24, 26),
    ),
    Rule(
        code="port",
        title="Implanted port",
        # The table's own outcome is the session caution (chest, abdomen, an arm off the plan).
        trigger=Trigger(kind=PLACED, conditions=("port",), on_plan=ON_ARMS, off_plan=BASE),
        fires_when="An implanted port on the chest or abdomen.",
        severity=CAUTION,
        text="Put no pressure over the port and do not lie the client prone without bolsters: pressure can "
        "damage or shift it.",
        text_many="Put no pressure over the ports and do not lie the client prone without bolsters: pressure can "
        "damage or shift them.",
        sources=(22,),
        variants=(
            Variant(
                key=ON_ARMS,
                fires_when="An implanted port in a planned arm.",
                severity=AVOID,
                text="Do not massage this arm: pressure can damage or shift the port in it.",
                text_many="Do not massage this arm: pressure can damage or shift the ports in it.",
            ),
        ),
    ),
    Rule(
        code="picc_line",
        title="PICC line",
        trigger=Trigger(kind=LIMB, conditions=("picc_line",), limbs=(("arms", (("arms", BASE), ("hands", HANDS))),)),
        fires_when="A PICC line or IV cannula in an arm.",
        severity=AVOID,
        text="Do not massage this arm: compression can damage the line or cannula or start a clot.",
        sources=(27,),
        variants=(
            Variant(
                key=HANDS,
                fires_when="A PICC line or IV cannula in the arm above a planned hand.",
                severity=MODIFY,
                pressure_cap=1,
                text="Keep the touch on this hand very light: firmer work pushes blood against the line or "
                "cannula in the same arm.",
            ),
        ),
    ),
    Rule(
        code="radiation_field",
        title="Radiation field",
        trigger=Trigger(kind=PLACED, conditions=("radiation_field",), off_plan=ELSEWHERE),
        fires_when="Skin in a current or recent radiation field on a planned region/side.",
        severity=AVOID,
        text="Do not massage skin in the radiation field and use no lotion, heat or cold on it: irradiated skin "
        "is fragile and slow to heal.",
        text_many="Do not massage skin in the radiation fields and use no lotion, heat or cold on them: irradiated "
        "skin is fragile and slow to heal.",
        sources=(28,),
        variants=(
            Variant(
                key=ELSEWHERE,
                fires_when="A radiation field somewhere not in the plan.",
                severity=CAUTION,
                text="Keep away from the radiation field and use no lotion, heat or cold on it: irradiated skin "
                "is fragile and slow to heal.",
                text_many="Keep away from the radiation fields and use no lotion, heat or cold on them: irradiated "
                "skin is fragile and slow to heal.",
            ),
        ),
    ),
    Rule(
        code="bone_metastasis",
        title="Bone metastasis",
        trigger=Trigger(kind=PLACED, conditions=("bone_metastasis",), off_plan=ELSEWHERE),
        fires_when="Cancer in bone in a planned region/side.",
        severity=MODIFY,
        pressure_cap=1,
        requires_clearance=True,
        drops=("traction", "joint_movement"),
        text="Keep the touch very light with minimal joint movement, and only with physician clearance: bone "
        "weakened by cancer can break.",
        sources=(29,),
        variants=(
            Variant(
                key=ELSEWHERE,
                fires_when="Cancer in bone somewhere not in the plan.",
                severity=CAUTION,
                requires_clearance=True,
                text="Get physician clearance, and keep to pressure 1 at most near the bone with minimal joint "
                "movement: bone weakened by cancer can break.",
                text_many="Get physician clearance, and keep to pressure 1 at most near the bones with minimal joint "
                "movement: bone weakened by cancer can break.",
            ),
        ),
    ),
    Rule(
        code="cancer_fatigue",
        title="Cancer fatigue",
        trigger=_on("cancer_fatigue"),
        fires_when="The client has cancer-related fatigue or anaemia.",
        severity=MODIFY,
        pressure_cap=2,
        minutes_cap=30,
        text="Keep the session short and the pressure light: fatigue and anaemia leave the client little reserve.",
        sources=(30,),
    ),
    Rule(
        code="fever",
        title="Fever",
        trigger=Trigger(
            kind=CONDITION,
            conditions=("fever",),
            context=("active_chemo", "chemo_infusion"),
            without_context=NO_COUNTS,
        ),
        fires_when="The client has a temperature of 38 °C / 100.4 °F or above.",
        severity=DEFER,
        text="Do not massage today and ask the client to contact their care team: fever can signal an "
        "infection, which is dangerous with low blood counts.",
        sources=(24,),
        variants=(
            Variant(
                key=NO_COUNTS,
                fires_when="Fever, with no chemotherapy and no low blood count on file.",
                severity=DEFER,
                text="Do not massage today and ask the client to contact their care team: fever can signal an "
                "infection, and massage can make it worse.",
            ),
        ),
    ),
    Rule(
        code="active_infection",
        title="Active infection",
        trigger=_on("active_infection"),
        fires_when="The client has an acute infection or contagious illness.",
        severity=DEFER,
        text="Do not massage today: massage can spread an acute or contagious infection or make it worse.",
        sources=(31,),
    ),
    Rule(
        code="intoxicated",
        title="Intoxicated",
        trigger=_on("intoxicated"),
        fires_when="The client is under the influence of alcohol or drugs.",
        severity=DEFER,
        text="Do not massage today: under the influence the client cannot give reliable feedback or consent.",
        sources=(31,),
    ),
    Rule(
        code="rapid_progression",
        title="Rapid progression",
        trigger=_on("rapid_progression"),
        fires_when="Sudden, quickly ascending weakness or numbness.",
        severity=DEFER,
        text="Do not massage today and arrange an urgent medical assessment: quickly ascending weakness or "
        "numbness can be Guillain-Barré syndrome.",
        sources=(32,),
    ),
    Rule(
        code="fall_risk",
        title="Fall risk",
        trigger=_on("fall_risk"),
        fires_when="The client has a balance deficit, falls, or dizziness on standing.",
        severity=CAUTION,
        text="Have the client sit up slowly, wipe lubricant off the soles and help them off the table: they are "
        "at risk of falling.",
        sources=(5, 33),
    ),
    Rule(
        code="liver_disease",
        title="Liver disease",
        trigger=Trigger(kind=CONDITION, conditions=("liver_disease",), causes=("liver_disease",)),
        fires_when="Liver disease is recorded as a condition or a contributing cause.",
        severity=MODIFY,
        pressure_cap=2,
        requires_clearance=True,
        text="Keep the pressure light and work only with physician clearance: liver disease makes bruising easy.",
        sources=(34,),
    ),
    Rule(
        code="topical_anesthetic",
        title="Topical anaesthetic",
        trigger=Trigger(kind=PLACED, conditions=("topical_anesthetic",), off_plan=ELSEWHERE),
        fires_when="A lidocaine or capsaicin patch or cream on a planned region/side.",
        severity=MODIFY,
        pressure_cap=2,
        text="Do not work over the patch or cream and keep the pressure light around it: numbed skin cannot warn "
        "of too much pressure.",
        text_many="Do not work over the patches or creams and keep the pressure light around them: numbed skin "
        "cannot warn of too much pressure.",
        sources=(3,),
        variants=(
            Variant(
                key=ELSEWHERE,
                fires_when="A lidocaine or capsaicin patch or cream somewhere not in the plan.",
                severity=CAUTION,
                text="Do not work over the patch or cream: numbed skin cannot warn of too much pressure.",
                text_many="Do not work over the patches or creams: numbed skin cannot warn of too much pressure.",
            ),
        ),
    ),
    Rule(
        code="neuropathic_pain_medication",
        title="Neuropathic pain medication",
        trigger=_on("neuropathic_pain_medication"),
        fires_when="The client takes pregabalin, gabapentin, duloxetine or opioids.",
        severity=CAUTION,
        text="Expect dulled feedback and check for dizziness before the client stands: these drugs blunt "
        "sensation and can cause drowsiness.",
        sources=(3,),
    ),
    Rule(
        code="tens_unit",
        title="TENS unit",
        trigger=_on("tens_unit"),
        fires_when="The client uses a TENS unit.",
        severity=CAUTION,
        text="Ask the client to remove the TENS electrodes and work around their sites, where the skin is often "
        "irritated by the pads.",
        sources=(SEED,),
    ),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}


def lab_thresholds(*severities):
    """{lab code: the value below which one of its rules of these severities fires}, read from the triggers."""
    found = {}
    for rule in RULES:
        if rule.trigger.kind == LAB_RANGE and rule.severity in severities:
            found[rule.trigger.lab] = max(found.get(rule.trigger.lab, 0), rule.trigger.high)
    return found
