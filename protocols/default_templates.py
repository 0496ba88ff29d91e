"""The four protocol templates of RULES.md, one per region, as engine Templates.

The data migration seeds the database from this module; after that, clinic admins edit the
templates in the library. Each template is for one side. Minutes and pressures are defaults
the engine may lower. Positioning goes into the first step, where the therapist reads it.
"""

from protocols.engine import Template, TemplateStep

# Printed with every plan: it applies to every region and every step.
ALWAYS = (
    "Look at the skin first. Use a room-temperature, unscented lubricant. Ask about sensation every few "
    "minutes. Stroke away from the fingers and toes, toward the body."
)

ARMS = Template(
    key="arms-standard",
    name="Arms: circulation and mobility",
    region="arms",
    steps=(
        TemplateStep(
            kind="still_hold",
            technique="still hold",
            minutes=1,
            pressure=1,
            instruction="Supine or semi-reclined, arm on a pillow. Hold at the wrist and elbow.",
        ),
        TemplateStep(
            kind="effleurage",
            technique="effleurage",
            minutes=3,
            pressure=3,
            instruction="Effleurage from the wrist to the shoulder.",
        ),
        TemplateStep(
            kind="petrissage",
            technique="petrissage",
            minutes=3,
            pressure=3,
            instruction="Petrissage of the forearm, then the upper arm.",
        ),
        TemplateStep(
            kind="friction",
            technique="friction",
            minutes=1,
            pressure=2,
            instruction="Light friction around the elbow and wrist.",
        ),
        TemplateStep(
            kind="joint_movement",
            technique="joint movement",
            minutes=1,
            pressure=1,
            instruction="Gentle wrist and elbow movement.",
        ),
        TemplateStep(
            kind="effleurage",
            technique="effleurage",
            minutes=1,
            pressure=2,
            instruction="Closing effleurage.",
        ),
    ),
)

HANDS = Template(
    key="hands-standard",
    name="Hands: sensation and dexterity",
    region="hands",
    steps=(
        TemplateStep(
            kind="still_hold",
            technique="still hold",
            minutes=1,
            pressure=1,
            instruction="Hand on a folded towel. Inspect the skin and nails, then a still hold.",
        ),
        TemplateStep(
            kind="effleurage",
            technique="effleurage",
            minutes=2,
            pressure=2,
            instruction="Effleurage of the palm and the back of the hand.",
        ),
        TemplateStep(
            kind="thumb_circles",
            technique="thumb circles",
            minutes=2,
            pressure=2,
            instruction="Thumb circles over the palm.",
        ),
        TemplateStep(
            kind="traction",
            technique="traction",
            minutes=2,
            pressure=2,
            instruction="Each finger from base to tip, with gentle traction.",
        ),
        TemplateStep(
            kind="kneading",
            technique="kneading",
            minutes=1,
            pressure=2,
            instruction="Kneading between the hand bones.",
        ),
        TemplateStep(
            kind="joint_movement",
            technique="joint movement",
            minutes=1,
            pressure=1,
            instruction="Gentle finger and wrist movement.",
        ),
        TemplateStep(
            kind="effleurage",
            technique="effleurage",
            minutes=1,
            pressure=2,
            instruction="Closing effleurage up to the elbow.",
        ),
    ),
)

LEGS = Template(
    key="legs-standard",
    name="Legs: circulation and mobility",
    region="legs",
    steps=(
        TemplateStep(
            kind="still_hold",
            technique="still hold",
            minutes=1,
            pressure=1,
            instruction="Supine with a knee bolster. Ask about one-sided calf pain, then hold.",
        ),
        TemplateStep(
            kind="effleurage",
            technique="effleurage",
            minutes=3,
            pressure=3,
            instruction="Effleurage from the ankle to the knee.",
        ),
        TemplateStep(
            kind="petrissage",
            technique="petrissage",
            minutes=3,
            pressure=3,
            instruction="Petrissage of the calf and shin.",
        ),
        TemplateStep(
            kind="friction",
            technique="friction",
            minutes=1,
            pressure=2,
            instruction="Light friction around the ankle bones and the Achilles tendon.",
        ),
        TemplateStep(
            kind="joint_movement",
            technique="joint movement",
            minutes=1,
            pressure=1,
            instruction="Ankle circles and flexing.",
        ),
        TemplateStep(
            kind="effleurage",
            technique="effleurage",
            minutes=1,
            pressure=2,
            instruction="Closing effleurage.",
        ),
    ),
)

FEET = Template(
    key="feet-standard",
    name="Feet: circulation and sensation",
    region="feet",
    steps=(
        TemplateStep(
            kind="inspection",
            technique="inspection",
            minutes=2,
            pressure=0,
            instruction="Supine, heel on a towel. Inspect the top, sole, heels and between the toes; compare the "
            "colour and warmth of both feet.",
        ),
        TemplateStep(
            kind="still_hold",
            technique="still hold",
            minutes=1,
            pressure=1,
            instruction="Still hold.",
        ),
        TemplateStep(
            kind="effleurage",
            technique="effleurage",
            minutes=2,
            pressure=2,
            instruction="Effleurage of the sole and top, toward the ankle.",
        ),
        TemplateStep(
            kind="kneading",
            technique="thumb kneading",
            minutes=2,
            pressure=2,
            instruction="Thumb kneading of the sole, avoiding calluses.",
        ),
        TemplateStep(
            kind="friction",
            technique="friction",
            minutes=1,
            pressure=2,
            instruction="Light friction around the ankle bones and the edges of the foot.",
        ),
        TemplateStep(
            kind="traction",
            technique="traction",
            minutes=2,
            pressure=2,
            instruction="Each toe with gentle traction.",
        ),
        TemplateStep(
            kind="joint_movement",
            technique="joint movement",
            minutes=1,
            pressure=1,
            instruction="Ankle and toe movement.",
        ),
        TemplateStep(
            kind="effleurage",
            technique="effleurage",
            minutes=1,
            pressure=2,
            instruction="Closing effleurage; wipe the sole and dry between the toes.",
        ),
    ),
)

DEFAULT_TEMPLATES = (ARMS, HANDS, LEGS, FEET)
