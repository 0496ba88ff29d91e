"""Progress panel for a client: before/after scores per signed session as inline SVG, plus a summary and table rows."""

import math
from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils.html import format_html

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


# RULES.md: a fall of 2 points or more on the 0-10 scale is meaningful (Farrar 2001). The 30 % form
# is not used: on whole-number scores it differs only below 4, where it would count a 1-point fall.
MEANINGFUL_FALL = 2
# Numbness is shown without a band: none is validated (RULES.md "Course change").
WITH_A_BAND = {"pain"}


def meaningful_drop(before, after):
    """True when the score fell by at least MEANINGFUL_FALL points."""
    if before is None or after is None:
        return False
    return before - after >= MEANINGFUL_FALL


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
        words = _change_words(round(sum(changes) / len(changes), 1) + 0.0, name)
        text += f" {words[:1].upper()}{words[1:]} ({len(changes)} with an after score)"
        if measure in WITH_A_BAND:
            drops = sum(meaningful_drop(b, a) for _, b, a in rows)
            text += f"; {drops} meaningful drop{'s' if drops != 1 else ''}"
        text += "."
    return text


def _session_marks(rows, x_at, y_at, size, label_every, with_year, measure):
    """Coordinates and words of each session's marks, for the template."""
    marks = []
    for i, (session, before, after) in enumerate(rows):
        x = x_at(i)
        # Equal scores would hide one symbol under the other, so nudge them apart sideways.
        bx, ax = (x - size, x + size) if after == before else (x, x)
        by = y_at(before)
        tip = f"{_day_label(session.day, True)} {session.label}".strip() + f": {measure} {before} before"
        mark = {
            "x": _n(x),
            "label": _day_label(session.day, with_year) if i % label_every == 0 else "",
            "before": {"x": _n(bx), "y": _n(by)},
            "after": None,
            "segment": None,
            "star": None,
        }
        if after is not None:
            ay = y_at(after)
            tip += f", {after} after"
            half = size * 0.9
            mark["after"] = {"x": _n(ax - half), "y": _n(ay - half), "cx": _n(ax), "cy": _n(ay)}
            if after != before:
                mark["segment"] = {"y1": _n(by), "y2": _n(ay)}
        if measure in WITH_A_BAND and meaningful_drop(before, after):
            tip += " (meaningful drop)"
            mark["star"] = {"points": _star(x, by - size - 7, 5), "before": before, "after": after}
        mark["tip"] = tip
        marks.append(mark)
    return marks


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

    with_year = rows[0][0].day.year != rows[-1][0].day.year
    label_every = math.ceil(n / (MAX_X_LABELS_WITH_YEAR if with_year else MAX_X_LABELS))
    marks = _session_marks(rows, x_at, y_at, size, label_every, with_year, measure)
    context = {
        "uid": f"{measure}-chart",
        "title": title,
        "description": _describe(rows, measure),
        "measure_label": MEASURES[measure],
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": RIGHT,
        "bottom": BOTTOM,
        "tick_end": BOTTOM + 4,
        "label_y": BOTTOM + 17,
        "axis_x": LEFT - 8,
        "axis_mid": _n((TOP + BOTTOM) / 2),
        "grid": [{"y": _n(y_at(v)), "value": v, "baseline": v == 0} for v in range(0, 11, 2)],
        "size": _n(size),
        "after_size": _n(size * 1.8),
        "marks": marks,
        "before_line": " ".join(f"{m['before']['x']},{m['before']['y']}" for m in marks) if n > 1 else "",
        "after_line": " ".join(f"{m['after']['cx']},{m['after']['cy']}" for m in marks if m["after"]),
        "legend_y": HEIGHT - 12,
        "legend_star": _star(330, HEIGHT - 12, 5.5) if measure in WITH_A_BAND else "",
        "colours": {"before": BEFORE_COLOUR, "after": AFTER_COLOUR, "star": STAR_COLOUR, "text": TEXT_COLOUR},
    }
    if len(context["after_line"].split()) < 2:
        context["after_line"] = ""
    return render_to_string("planner/charts/score_chart.svg", context)


def _change_words(average, name="pain"):
    """The average change of a score within a session, in words that cannot be read the wrong way round."""
    if average is None:
        return ""
    if average == 0:
        return f"{name} did not change within a session on average"
    points = f"{abs(average):g} point{'s' if abs(average) != 1 else ''}"
    return f"{name} {'fell' if average < 0 else 'rose'} by {points} within a session on average"


def summary(sessions):
    """Headline pain figures: count, average change, meaningful drops, trend and the latest session."""
    ordered = sorted(sessions, key=lambda s: s.day)
    changes = [s.pain_after - s.pain_before for s in ordered if s.pain_after is not None]
    trend = None
    if len(ordered) >= 4:
        # Sums of three scores differ by 3 or more exactly when their means differ by 1 or more.
        difference = sum(s.pain_before for s in ordered[-3:]) - sum(s.pain_before for s in ordered[:3])
        trend = "improving" if difference <= -3 else "worsening" if difference >= 3 else "steady"
    average = round(sum(changes) / len(changes), 1) + 0.0 if changes else None
    return {
        "count": len(ordered),
        "average_change": average,
        "average_change_words": _change_words(average),
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
