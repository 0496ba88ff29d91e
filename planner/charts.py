"""Progress panel for a client: before/after scores per signed session as inline SVG, plus a summary and table rows."""

import math
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html
from django.utils.safestring import mark_safe

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MEASURES = {"pain": "Pain", "numbness": "Numbness/tingling"}
# Labels with a year are wider, so fewer of them fit without touching.
MAX_X_LABELS, MAX_X_LABELS_WITH_YEAR = 8, 6
# viewBox geometry: plot area first, then the rows below it for date labels and the legend.
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 620, 20, 184
# Half the width of the widest date label, so the first and last labels stay inside the picture.
PAD = 30
BEFORE_COLOUR, AFTER_COLOUR, STAR_COLOUR, TEXT_COLOUR = "#5f6b7a", "#0b6e75", "#d9480f", "#343a40"


@dataclass(frozen=True)
class SessionScores:
    day: date
    pain_before: int
    pain_after: int | None
    numbness_before: int | None = None
    numbness_after: int | None = None
    label: str = ""


def meaningful_drop(before, after):
    """True when the score fell by at least 2 points or at least 30 % of before (Farrar 2001)."""
    if before is None or after is None or before <= 0:
        return False
    fall = before - after
    # 10 * fall >= 3 * before is "fall >= 30 %" without float rounding at the boundary.
    return fall > 0 and (fall >= 2 or 10 * fall >= 3 * before)


def _day_label(day, with_year=False):
    """ "3 Nov", or "3 Nov 2024" when asked; independent of the server locale."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if with_year else text


def _scores(sessions, measure):
    """(session, before, after) in date order for one measure, skipping sessions without a before score."""
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    rows = [(s, getattr(s, f"{measure}_before"), getattr(s, f"{measure}_after")) for s in sessions]
    return sorted([row for row in rows if row[1] is not None], key=lambda row: row[0].day)


def _n(value):
    """Coordinate text with at most one decimal, so output is short and stable."""
    return f"{round(value, 1):g}"


def _star(cx, cy, r):
    """Points of a five-pointed star; a shape, so it does not depend on fonts."""
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.45
        angle = math.pi * i / 5 - math.pi / 2
        points.append(f"{_n(cx + radius * math.cos(angle))},{_n(cy + radius * math.sin(angle))}")
    return " ".join(points)


def _describe(rows, measure):
    """One or two sentences with the same facts as the picture, for screen readers."""
    name = MEASURES[measure].lower()
    befores = [b for _, b, _ in rows]
    changes = [a - b for _, b, a in rows if a is not None]
    text = (
        f"{len(rows)} session{'s' if len(rows) != 1 else ''} from {_day_label(rows[0][0].day, True)} "
        f"to {_day_label(rows[-1][0].day, True)}. {MEASURES[measure]} before a session ranged from "
        f"{min(befores)} to {max(befores)} out of 10."
    )
    if changes:
        drops = sum(meaningful_drop(b, a) for _, b, a in rows)
        text += (
            f" Average change in {name} after a session: {sum(changes) / len(changes):+.1f} points"
            f" ({len(changes)} with an after score); {drops} meaningful drop{'s' if drops != 1 else ''}."
        )
    return text


def score_chart(sessions, *, measure="pain", title="Pain before and after each session"):
    """Inline SVG of before/after scores per session, or a short paragraph when there is nothing to draw."""
    sessions = list(sessions)
    rows = _scores(sessions, measure)
    if not rows:
        empty = "No signed sessions yet." if not sessions else "No numbness/tingling scores recorded yet."
        return format_html('<p class="chart-empty">{}</p>', empty)
    n = len(rows)
    step_x = (RIGHT - LEFT - 2 * PAD) / (n - 1) if n > 1 else 0
    size = max(2.0, min(4.5, step_x / 3)) if n > 1 else 4.5

    def x_at(i):
        return (LEFT + RIGHT) / 2 if n == 1 else LEFT + PAD + i * step_x

    def y_at(value):
        return BOTTOM - value * (BOTTOM - TOP) / 10

    uid = f"{measure}-chart"
    with_year = rows[0][0].day.year != rows[-1][0].day.year
    label_every = math.ceil(n / (MAX_X_LABELS_WITH_YEAR if with_year else MAX_X_LABELS))
    parts = []
    for v in range(0, 11, 2):
        parts.append(
            format_html(
                '<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text class="y-label" x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
                LEFT,
                _n(y_at(v)),
                RIGHT,
                _n(y_at(v)),
                "#adb5bd" if v == 0 else "#e9ecef",
                LEFT - 8,
                _n(y_at(v)),
                v,
            )
        )
    parts.append(
        format_html(
            '<text x="14" y="{}" text-anchor="middle" transform="rotate(-90 14 {})">{} (0–10)</text>',
            _n((TOP + BOTTOM) / 2),
            _n((TOP + BOTTOM) / 2),
            MEASURES[measure],
        )
    )
    before_pts, after_pts, marks = [], [], []
    for i, (session, before, after) in enumerate(rows):
        x = x_at(i)
        parts.append(
            format_html(
                '<line class="tick" x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#adb5bd"/>', _n(x), BOTTOM, BOTTOM + 4
            )
        )
        if i % label_every == 0:
            parts.append(
                format_html(
                    '<text class="x-label" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _n(x),
                    BOTTOM + 17,
                    _day_label(session.day, with_year),
                )
            )
        # Equal scores would hide one symbol under the other, so nudge them apart sideways.
        bx, ax = (x - size, x + size) if after == before else (x, x)
        by = y_at(before)
        before_pts.append(f"{_n(bx)},{_n(by)}")
        tip = f"{_day_label(session.day, True)} {session.label}".strip() + f": {measure} {before} before"
        mark = format_html(
            '<circle class="before" cx="{}" cy="{}" r="{}" fill="#fff" stroke="{}" stroke-width="1.8"/>',
            _n(bx),
            _n(by),
            _n(size),
            BEFORE_COLOUR,
        )
        if after is not None:
            ay = y_at(after)
            after_pts.append(f"{_n(ax)},{_n(ay)}")
            tip += f", {after} after"
            if after != before:
                mark = format_html(
                    '<line class="segment" x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#868e96" stroke-width="2"/>{3}',
                    _n(x),
                    _n(by),
                    _n(ay),
                    mark,
                )
            mark += format_html(
                '<rect class="after" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                _n(ax - size * 0.9),
                _n(ay - size * 0.9),
                _n(size * 1.8),
                _n(size * 1.8),
                AFTER_COLOUR,
            )
        if meaningful_drop(before, after):
            tip += " (meaningful drop)"
            mark += format_html(
                '<g class="meaningful"><title>Meaningful drop: {} to {}</title><polygon points="{}" fill="{}"/></g>',
                before,
                after,
                _star(x, by - size - 7, 5),
                STAR_COLOUR,
            )
        marks.append(format_html('<g class="session"><title>{}</title>{}</g>', tip, mark))
    for cls, pts, colour, dash in (
        ("before-line", before_pts, BEFORE_COLOUR, ' stroke-dasharray="5 4"'),
        ("after-line", after_pts, AFTER_COLOUR, ""),
    ):
        if len(pts) > 1:
            parts.append(
                format_html(
                    '<polyline class="{}" points="{}" fill="none" stroke="{}" stroke-width="1.5"{}/>',
                    cls,
                    " ".join(pts),
                    colour,
                    mark_safe(dash),
                )
            )
    parts.extend(marks)
    ly = HEIGHT - 12
    parts.append(
        format_html(
            '<g class="legend">'
            '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1.5" stroke-dasharray="5 4"/>'
            '<circle cx="{4}" cy="{1}" r="4.5" fill="#fff" stroke="{3}" stroke-width="1.8"/>'
            '<text x="{5}" y="{1}" dominant-baseline="middle">Before session</text>'
            '<line x1="{6}" y1="{1}" x2="{7}" y2="{1}" stroke="{8}" stroke-width="1.5"/>'
            '<rect x="{9}" y="{10}" width="8" height="8" fill="{8}"/>'
            '<text x="{11}" y="{1}" dominant-baseline="middle">After session</text>'
            '<polygon points="{12}" fill="{13}"/>'
            '<text x="{14}" y="{1}" dominant-baseline="middle">Meaningful drop (fall of ≥2 points or ≥30%)</text></g>',
            LEFT,
            ly,
            LEFT + 22,
            BEFORE_COLOUR,
            LEFT + 11,
            LEFT + 28,
            186,
            208,
            AFTER_COLOUR,
            193,
            ly - 4,
            214,
            _star(330, ly, 5.5),
            STAR_COLOUR,
            339,
        )
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="score-chart" viewBox="0 0 {} {}" width="100%"'
        ' preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{}-title {}-desc"'
        ' font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="11" fill="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        WIDTH,
        HEIGHT,
        uid,
        uid,
        TEXT_COLOUR,
        uid,
        title,
        uid,
        _describe(rows, measure),
        mark_safe("".join(parts)),
    )


def summary(sessions):
    """Headline pain figures: count, average change, meaningful drops, trend and the latest session."""
    ordered = sorted(sessions, key=lambda s: s.day)
    changes = [s.pain_after - s.pain_before for s in ordered if s.pain_after is not None]
    trend = None
    if len(ordered) >= 4:
        # Sums of three scores differ by 3 or more exactly when their means differ by 1 or more.
        difference = sum(s.pain_before for s in ordered[-3:]) - sum(s.pain_before for s in ordered[:3])
        trend = "improving" if difference <= -3 else "worsening" if difference >= 3 else "steady"
    return {
        "count": len(ordered),
        "average_change": round(sum(changes) / len(changes), 1) + 0.0 if changes else None,
        "meaningful": sum(meaningful_drop(s.pain_before, s.pain_after) for s in ordered),
        "trend": trend,
        "last": ordered[-1] if ordered else None,
    }


def score_table_rows(sessions):
    """One dict per session, in date order, for a plain table with the same numbers as the chart."""
    return [
        {
            "day": s.day,
            "date": _day_label(s.day, with_year=True),
            "label": s.label,
            "pain_before": s.pain_before,
            "pain_after": s.pain_after,
            "change": None if s.pain_after is None else s.pain_after - s.pain_before,
            "meaningful": "yes" if meaningful_drop(s.pain_before, s.pain_after) else "no",
            "numbness_before": s.numbness_before,
            "numbness_after": s.numbness_after,
        }
        for s in sorted(sessions, key=lambda s: s.day)
    ]
