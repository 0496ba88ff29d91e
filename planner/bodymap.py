"""A small front-view figure for the print sheet: each region/side shaded by plan status.

Only the shapes and where each letter goes are data here; the markup is
templates/planner/charts/status_map.svg. The client's left is on the viewer's right, as on a chart.
"""

from django.template.loader import render_to_string

# (region, side) -> (SVG element, its geometry).
SHAPES = {
    ("arms", "right"): (
        "rect",
        {"x": 22, "y": 62, "width": 16, "height": 70, "rx": 7, "transform": "rotate(12 30 62)"},
    ),
    ("arms", "left"): (
        "rect",
        {"x": 122, "y": 62, "width": 16, "height": 70, "rx": 7, "transform": "rotate(-12 130 62)"},
    ),
    ("hands", "right"): ("ellipse", {"cx": 14, "cy": 146, "rx": 10, "ry": 13}),
    ("hands", "left"): ("ellipse", {"cx": 146, "cy": 146, "rx": 10, "ry": 13}),
    ("legs", "right"): ("rect", {"x": 56, "y": 150, "width": 20, "height": 92, "rx": 8}),
    ("legs", "left"): ("rect", {"x": 84, "y": 150, "width": 20, "height": 92, "rx": 8}),
    ("feet", "right"): ("ellipse", {"cx": 62, "cy": 254, "rx": 15, "ry": 9}),
    ("feet", "left"): ("ellipse", {"cx": 98, "cy": 254, "rx": 15, "ry": 9}),
}
LABEL_AT = {
    ("arms", "right"): (18, 100),
    ("arms", "left"): (142, 100),
    ("hands", "right"): (14, 150),
    ("hands", "left"): (146, 150),
    ("legs", "right"): (66, 200),
    ("legs", "left"): (94, 200),
    ("feet", "right"): (62, 258),
    ("feet", "left"): (98, 258),
}
STYLE = {
    "ok": ("#cfe8d5", "W"),
    "modify": ("#ffe08a", "C"),
    "avoid": ("url(#avoid-hatch)", "X"),
    "dropped": ("#e9ecef", "–"),
    None: ("#ffffff", ""),
}


def status_map(statuses, title="Regions by plan status", dropped_label="dropped"):
    """SVG markup; statuses maps (region, side) to ok/modify/avoid/dropped, absent = not planned.

    `dropped_label` names the places drawn "–" in the legend: "not today" when the session is deferred.
    """
    shapes = []
    for target, (element, geometry) in SHAPES.items():
        fill, letter = STYLE[statuses.get(target)]
        x, y = LABEL_AT[target]
        shapes.append(
            {"element": element, "geometry": geometry.items(), "fill": fill, "letter": letter, "x": x, "y": y}
        )
    return render_to_string(
        "planner/charts/status_map.svg", {"title": title, "shapes": shapes, "dropped_label": dropped_label}
    )


def describe(statuses):
    """The same facts as text, for screen readers and as a check on the figure."""
    return "; ".join(f"{side} {region}: {status}" for (region, side), status in sorted(statuses.items()))
