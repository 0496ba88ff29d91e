"""A small front-view figure for the print sheet: each region/side shaded by plan status."""

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

# (region, side) -> SVG shape; the client's left is on the viewer's right, as on a chart.
SHAPES = {
    ("arms", "right"): '<rect x="22" y="62" width="16" height="70" rx="7" transform="rotate(12 30 62)"/>',
    ("arms", "left"): '<rect x="122" y="62" width="16" height="70" rx="7" transform="rotate(-12 130 62)"/>',
    ("hands", "right"): '<ellipse cx="14" cy="146" rx="10" ry="13"/>',
    ("hands", "left"): '<ellipse cx="146" cy="146" rx="10" ry="13"/>',
    ("legs", "right"): '<rect x="56" y="150" width="20" height="92" rx="8"/>',
    ("legs", "left"): '<rect x="84" y="150" width="20" height="92" rx="8"/>',
    ("feet", "right"): '<ellipse cx="62" cy="254" rx="15" ry="9"/>',
    ("feet", "left"): '<ellipse cx="98" cy="254" rx="15" ry="9"/>',
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


def status_map(statuses, title="Regions by plan status"):
    """SVG markup; statuses maps (region, side) to ok/modify/avoid/dropped, absent = not planned."""
    parts = []
    for target, shape in SHAPES.items():
        fill, letter = STYLE[statuses.get(target)]
        parts.append(shape.replace("/>", f' fill="{fill}" stroke="#495057" stroke-width="1.2"/>'))
        if letter:
            x, y = LABEL_AT[target]
            parts.append(f'<text x="{x}" y="{y}" text-anchor="middle" font-size="10" font-weight="700">{letter}</text>')
    legend = (
        '<g font-size="9" transform="translate(0 278)">'
        '<text x="0" y="0">W work · C with changes</text>'
        '<text x="0" y="11">X do not work · – dropped</text>'
        '<text x="0" y="22">Blank: not planned</text>'
        '<text x="0" y="33">R client\'s right · L client\'s left</text></g>'
    )
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 0 168 316" role="img" aria-labelledby="map-title">'
        '<title id="map-title">{title}</title>'
        '<defs><pattern id="avoid-hatch" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#f5c2c7"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#b02a37" stroke-width="2"/>'
        "</pattern></defs>"
        '<circle cx="80" cy="22" r="16" fill="#fff" stroke="#495057" stroke-width="1.2"/>'
        '<rect x="50" y="42" width="60" height="110" rx="14" fill="#fff" stroke="#495057" stroke-width="1.2"/>'
        '<text x="54" y="36" font-size="9">R</text><text x="100" y="36" font-size="9">L</text>'
        "{shapes}{legend}</svg>"
    )
    return format_html(svg, title=title, shapes=mark_safe("".join(parts)), legend=mark_safe(legend))


def describe(statuses):
    """The same facts as text, for screen readers and as a check on the figure."""
    return escape("; ".join(f"{side} {region}: {status}" for (region, side), status in sorted(statuses.items())))
