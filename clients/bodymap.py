"""The body map of the client page: an SVG figure drawn by the server.

A front view, so the client's right side is on the viewer's left; every limb is labelled R or L.
Each arm, hand, leg and foot is shaded by how many symptoms it has, with a pattern (dots,
lines, cross-hatch) as well as a tint so the shading does not depend on colour. Active
conditions get numbered markers where they sit; whole-body and back conditions, which a front
view cannot show, are listed beside the figure with the same numbers.
"""

import math
import re
from dataclasses import dataclass

from django.template.loader import render_to_string

from protocols.labels import place_title, sentence_case
from protocols.vocabulary import REGIONS, SIDES, SYMPTOMS

WIDTH, HEIGHT = 360, 496
MID = WIDTH / 2

# Symptom load: (lowest count, key, words, fill). Highest first.
LOADS = [
    (5, "many", "5 or more symptoms", "url(#bm-many)"),
    (3, "several", "3 or 4 symptoms", "url(#bm-several)"),
    (1, "few", "1 or 2 symptoms", "url(#bm-few)"),
    (0, "none", "No symptoms", "#ffffff"),
]

# Shapes of the client's right side (the viewer's left); the left side is their mirror image.
RIGHT_ARM = ((127, 104), (99, 258), 27, 17)  # shoulder, wrist, width at each end
RIGHT_LEG = ((157, 240), (150, 422), 44, 20)  # hip, ankle
# Palm forward, thumb out.
RIGHT_HAND = (
    "M92,258 L108,258 C112,266 114,278 113,292 C112,304 106,312 99,312 C92,312 88,304 87,294 "
    "L86,286 C81,283 77,276 78,270 C79,265 84,265 86,270 L88,274 C88,267 89,262 92,258 Z"
)
# Toes toward the viewer, big toe on the inside.
RIGHT_FOOT = (
    "M141,420 L160,420 C162,430 165,440 166,450 C167,458 162,463 154,463 "
    "L134,463 C126,463 121,457 124,450 C127,440 136,430 141,420 Z"
)
HEAD = (MID, 46, 26)
TORSO = (
    "M143,86 C162,80 198,80 217,86 C228,90 232,100 231,114 C230,140 223,165 222,186 C222,206 229,226 232,246 "
    "C214,253 196,253 180,248 C164,253 146,253 128,246 C131,226 138,206 138,186 C137,165 130,140 129,114 "
    "C128,100 132,90 143,86 Z"
)
NECK = "M170,68 L190,68 L193,86 L167,86 Z"

# Where markers go (client's right side; mirrored for the left), and which way later markers at the
# same spot step: along the limb for arms and legs, outwards for hands and feet.
RIGHT_ANCHORS = {"arms": (113, 178), "hands": (100, 289), "legs": (154, 330), "feet": (112, 448)}
STACKS = {
    "along": [(0, 0), (0, -22), (0, 22), (0, -44), (0, 44), (0, -66), (0, 66)],
    "outwards": [(0, 0), (22, 0), (0, 22), (22, 22), (44, 0), (44, 22), (0, 44)],
}
STACK_OF = {"arms": "along", "legs": "along", "hands": "outwards", "feet": "outwards"}
OTHER_ANCHORS = {"chest": (MID, 128), "abdomen": (MID, 198), "head_neck": (MID, 46)}
SIDE_OFFSET = {"right": -22, "left": 22, "both": 0, "": 0}


@dataclass
class Marker:
    number: int
    condition: object
    drawn: bool  # False: listed beside the figure only (whole body, back)


@dataclass
class BodyMap:
    svg: str
    markers: list
    places: list  # (label, load key, load words, symptom labels) for every region/side

    @property
    def has_unplaced(self):
        return any(not marker.drawn for marker in self.markers)


def mirror_x(x):
    return WIDTH - x


def _mirror_path(path):
    """Mirror an absolute path of M/L/C commands (x,y pairs only) across the figure's midline."""

    def mirror_pair(match):
        return f"{mirror_x(float(match[1])):g},{match[2]}"

    return re.sub(r"(-?[\d.]+),(-?[\d.]+)", mirror_pair, path)


def _capsule(start, end, start_width, end_width):
    """A tapered limb from start to end with rounded ends, as a path."""
    (x1, y1), (x2, y2) = start, end
    length = math.hypot(x2 - x1, y2 - y1)
    nx, ny = (y2 - y1) / length, -(x2 - x1) / length  # unit normal
    a, b = start_width / 2, end_width / 2
    p1 = (x1 + nx * a, y1 + ny * a)
    p2 = (x2 + nx * b, y2 + ny * b)
    p3 = (x2 - nx * b, y2 - ny * b)
    p4 = (x1 - nx * a, y1 - ny * a)
    return (
        f"M{p1[0]:.1f},{p1[1]:.1f} L{p2[0]:.1f},{p2[1]:.1f} "
        f"A{b:.1f},{b:.1f} 0 0 1 {p3[0]:.1f},{p3[1]:.1f} "
        f"L{p4[0]:.1f},{p4[1]:.1f} A{a:.1f},{a:.1f} 0 0 1 {p1[0]:.1f},{p1[1]:.1f} Z"
    )


def _mirror_capsule(spec):
    (x1, y1), (x2, y2), w1, w2 = spec
    return _capsule((mirror_x(x2), y2), (mirror_x(x1), y1), w2, w1)


def _shapes():
    """(region, side) -> SVG path of that limb."""
    shapes = {}
    shapes[("arms", "right")] = _capsule(*RIGHT_ARM)
    shapes[("arms", "left")] = _mirror_capsule(RIGHT_ARM)
    shapes[("legs", "right")] = _capsule(*RIGHT_LEG)
    shapes[("legs", "left")] = _mirror_capsule(RIGHT_LEG)
    shapes[("hands", "right")] = RIGHT_HAND
    shapes[("hands", "left")] = _mirror_path(RIGHT_HAND)
    shapes[("feet", "right")] = RIGHT_FOOT
    shapes[("feet", "left")] = _mirror_path(RIGHT_FOOT)
    return shapes


def load_of(count):
    for lowest, key, words, fill in LOADS:
        if count >= lowest:
            return key, words, fill
    raise ValueError(count)


def _marker_spots(condition):
    """(x, y, outward, stack) for each spot a condition's marker goes; a region on both sides gets two.

    None of them for whole-body and back conditions, which the front view cannot show.
    """
    location, side = condition.location, condition.side
    if location in RIGHT_ANCHORS:
        x, y = RIGHT_ANCHORS[location]
        sides = SIDES if side == "both" else (side,)
        return [
            (x if s == "right" else mirror_x(x), y, -1 if s == "right" else 1, STACK_OF[location])
            for s in sides
            if s in SIDES
        ]
    if location in OTHER_ANCHORS:
        x, y = OTHER_ANCHORS[location]
        return [(x + SIDE_OFFSET.get(side, 0), y, 1, "outwards")]
    return []


def place_label(region, side):
    return place_title(region, side)


def _limbs(client, description):
    """Each region/side's shape and shading, and the places list; adds a sentence per place to `description`."""
    shapes = _shapes()
    places, limbs = [], {}
    for region in REGIONS:
        for side in reversed(SIDES):  # the client's right first, as on every page
            codes = client.symptoms_at(region, side)
            key, words, fill = load_of(len(codes))
            labels = [SYMPTOMS[code] for code in codes]
            label = place_label(region, side)
            places.append((label, key, words, labels))
            named = ", ".join(word.lower() for word in labels) if labels else "no symptoms"
            tooltip = f"{label}: {named}"
            description.append(tooltip + ".")
            limbs[(region, side)] = {
                "d": shapes[(region, side)],
                "fill": fill,
                "key": key,
                "place": f"{region}-{side}",
                "tooltip": tooltip,
            }
    return places, limbs


def build(client, conditions, title):
    """The body map of a client with these active conditions (in marker order)."""
    description = ["Front view: the client's right side is on the left of the picture."]
    places, limbs = _limbs(client, description)
    markers, drawn, used = [], [], {}
    for number, condition in enumerate(conditions, start=1):
        spots = _marker_spots(condition)
        markers.append(Marker(number, condition, bool(spots)))
        where = condition.place or "whole body"
        description.append(f"Marker {number}: {sentence_case(condition.label)}, {where}.")
        for bx, by, outward, stack in spots:
            taken = used.get((bx, by), 0)
            used[(bx, by)] = taken + 1
            dx, dy = STACKS[stack][taken % len(STACKS[stack])]
            x, y = bx + dx * outward, by + dy
            drawn.append(
                {"number": number, "condition": condition, "x": f"{x:g}", "y": f"{y:g}", "text_y": f"{y + 4:g}"}
            )

    context = {
        "width": WIDTH,
        "height": HEIGHT,
        "title": title,
        "description": " ".join(description),
        "side_labels": [("Right", MID - 110), ("Left", MID + 110)],
        # Legs go under the trunk and arms over it, so each limb comes out of the body; the right
        # side first, so a screen reader names the limbs in the order every page lists them.
        "under": [limbs[(region, side)] for region in ("legs", "feet") for side in reversed(SIDES)],
        "over": [limbs[(region, side)] for region in ("arms", "hands") for side in reversed(SIDES)],
        "head": HEAD,
        "neck": NECK,
        "torso": TORSO,
        # R and L below each hand and foot, so the sides read without the heading.
        "rl": [(x, mirror_x(x), y) for x, y in ((99, 330), (145, 484))],
        "markers": drawn,
    }
    svg = render_to_string("clients/_bodymap.svg", context)
    return BodyMap(svg=svg, markers=markers, places=places)
