"""The monofilament foot map: both soles seen from below, each tested site present, absent or not tested.

Only coordinates are computed here; the markup is templates/clients/_footmap.svg. Seen from the
end of the table, the client's right foot is on the viewer's left, as on the body map. Each
result has its own shape (a filled circle with a tick, a square with a cross, a dashed ring)
as well as a colour, so it reads without colour.
"""

import functools

from django.template.loader import render_to_string

from .assessments import FOOT_LABELS, FootResult, SiteResult

WIDTH, HEIGHT = 300, 300
FOOT_WIDTH = 100
# Where each foot's drawing starts; the right foot is the left foot mirrored.
FOOT_LEFT_EDGE = {"right": 30, "left": 170}
TOP = 36
# The left foot's sole in its own box (0..100 wide), toes up, big toe on the inside (the drawing's left).
SOLE = (
    "M30,62 C12,72 9,110 15,140 C21,175 22,200 36,218 C46,230 66,230 74,216 "
    "C84,196 80,170 84,140 C90,110 94,80 86,62 C78,50 44,50 30,62 Z"
)
# Toes: (x, y, rx, ry), big toe first.
TOES = ((30, 34, 13, 17), (53, 31, 7, 8), (67, 35, 6.5, 7.5), (79, 43, 6, 7), (88, 54, 5.5, 6.5))
SITES = {"hallux": (30, 34), "met1": (32, 80), "met5": (78, 90)}
SHORT = {"hallux": "H", "met1": "M1", "met5": "M5"}
# Under each foot; the page states the full result beside the map.
SHORT_VERDICTS = {
    FootResult.PRESENT: "Sensation present",
    FootResult.ABSENT: "Sensation lost",
    FootResult.TOO_FEW: "Too few sites",
    FootResult.NOT_TESTED: "Not tested",
}


def _x(foot, x):
    """A left-foot x in the foot's box, placed on the page (mirrored for the right foot)."""
    edge = FOOT_LEFT_EDGE[foot]
    return edge + (FOOT_WIDTH - x if foot == "right" else x)


def _transform(foot):
    edge = FOOT_LEFT_EDGE[foot]
    if foot == "right":
        return f"translate({edge + FOOT_WIDTH} {TOP}) scale(-1 1)"
    return f"translate({edge} {TOP})"


def foot_map(test, uid="fm"):
    """SVG markup of one test's feet; `uid` keeps ids apart when a page shows several maps."""
    feet, description = [], ["Soles seen from below: the client's right foot is on the left of the picture."]
    for summary in test.feet():
        foot = summary["foot"]
        sites = []
        for site in summary["sites"]:
            x, y = SITES[site.site]
            words = f"{FOOT_LABELS[foot]}, {site.label.lower()}: {site.get_result_display().lower()}"
            if site.tested and site.sham:
                words += ' ("yes" to the sham touch)'
            description.append(words + ".")
            sites.append(
                {"x": _x(foot, x), "y": TOP + y, "result": site.result, "short": SHORT[site.site], "words": words}
            )
        verdict = SHORT_VERDICTS[summary["result"]]
        description.append(
            f"{FOOT_LABELS[foot]}: {summary['result_label'].lower()}"
            + (" (unreliable: repeat the test)." if summary["unreliable"] else ".")
        )
        feet.append(
            {
                "foot": foot,
                "label": FOOT_LABELS[foot],
                "transform": _transform(foot),
                "label_x": FOOT_LEFT_EDGE[foot] + FOOT_WIDTH / 2,
                "verdict": verdict,
                "unreliable": summary["unreliable"],
                "sites": sites,
            }
        )
    title = f"Monofilament test of {test.tested_on.day} {test.tested_on:%b %Y}"
    drawn = tuple(
        tuple(
            (key, tuple(tuple(site.items()) for site in value) if key == "sites" else value) for key, value in f.items()
        )
        for f in feet
    )
    return _drawn(uid, title, " ".join(description), drawn)


@functools.lru_cache(maxsize=512)
def _drawn(uid, title, description, feet):
    """The SVG markup, from what foot_map worked out (each foot and site as pairs, so they can be a key):
    a pure function of them, so a test's map is drawn once per process however often it is shown."""
    context = {
        "uid": uid,
        "width": WIDTH,
        "height": HEIGHT,
        "sole": SOLE,
        "toes": TOES,
        "feet": [
            {key: [dict(site) for site in value] if key == "sites" else value for key, value in foot} for foot in feet
        ],
        "title": title,
        "description": description,
        "present": SiteResult.PRESENT,
        "absent": SiteResult.ABSENT,
    }
    return render_to_string("clients/_footmap.svg", context)


LEGEND = [
    (SiteResult.PRESENT, "Felt: protective sensation present"),
    (SiteResult.ABSENT, "Not felt: absent"),
    (SiteResult.NOT_TESTED, "Not tested"),
]
