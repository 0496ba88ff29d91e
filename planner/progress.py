"""Course progress: each signed session's "before" score against the client's first one, and the dose.

RULES.md "Course change": for pain a fall of 2 points or more from the first recorded score is
meaningful; numbness is shown without a band (none is validated); 2 to 3 sessions a week is the
studied dose. Only coordinates are computed here; the markup is
templates/planner/charts/course_chart.svg.
"""

from django.template.loader import render_to_string
from django.utils.html import format_html

from .charts import MEANINGFUL_FALL, MEASURES, MONTHS, _day_label, _n

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 620, 16, 176
PAD = 30
STUDIED_DOSE = (2, 3)


def course_change(scores, measure):
    """First and latest "before" score and the change, with "meaningful" for pain only; None without scores."""
    befores = [(s.day, getattr(s, f"{measure}_before")) for s in sorted(scores, key=lambda s: s.day)]
    befores = [(day, value) for day, value in befores if value is not None]
    if not befores:
        return None
    (first_day, first), (last_day, last) = befores[0], befores[-1]
    change = {
        "measure": MEASURES[measure],
        "first": first,
        "first_day": first_day,
        "latest": last,
        "latest_day": last_day,
        "change": last - first,
        "count": len(befores),
        "meaningful": None,
    }
    if measure == "pain":
        change["meaningful"] = first - last >= MEANINGFUL_FALL
    return change


def change_sentence(change):
    """One true sentence about the course of one measure, for the page and the letter."""
    if change is None:
        return ""
    if change["count"] == 1:
        return f"{change['measure']} before the first session: {change['first']} of 10."
    difference = change["change"]
    moved = "no change" if difference == 0 else f"{abs(difference)} point{'s' if abs(difference) != 1 else ''} "
    moved += "" if difference == 0 else ("lower" if difference < 0 else "higher")
    text = (
        f"{change['measure']} before sessions: {change['first']} of 10 on {_day_label(change['first_day'], True)}, "
        f"{change['latest']} on {_day_label(change['latest_day'], True)} ({moved})"
    )
    if change["meaningful"] is None:
        return text + "; no validated band of meaningful change exists for numbness."
    if change["meaningful"]:
        return text + f"; a fall of {MEANINGFUL_FALL} points or more is a meaningful change."
    if change["first"] < MEANINGFUL_FALL:
        fall = MEANINGFUL_FALL
        return text + f"; from a first score below {fall}, a meaningful fall of {fall} points is not possible."
    if difference >= 0:
        return text + f"; a fall of {MEANINGFUL_FALL} points or more would be a meaningful change."
    return text + f"; not yet the fall of {MEANINGFUL_FALL} points that counts as a meaningful change."


def sessions_per_week(days):
    """{"count", "weeks", "per_week"} over the weeks from the first session to the latest, counted whole."""
    days = sorted(days)
    if not days:
        return None
    # Monday, Wednesday and Friday for two weeks is 3 a week: 12 days make 2 weeks, not 1.7.
    weeks = (days[-1] - days[0]).days // 7 + 1
    per_week = round(len(days) / weeks, 1)
    low, high = STUDIED_DOSE
    return {
        "count": len(days),
        "weeks": weeks,
        "per_week": per_week,
        "in_studied_dose": low <= per_week <= high,
        "sentence": (
            f"{len(days)} signed session{'s' if len(days) != 1 else ''} over {weeks} week"
            f"{'s' if weeks != 1 else ''}: {per_week:g} a week ({low} to {high} a week is the studied dose)."
        ),
    }


def course_chart(scores, measure="pain", first=None):
    """SVG of the "before" score of each session against the first; the pain chart shades the meaningful fall.

    The scores may be monthly means (each labelled with its number of sessions), so a long course
    draws a point a month; `first` is then the first session's own score, which the band is
    measured from (by default the first point's)."""
    rows = sorted(
        (
            (s.day, getattr(s, f"{measure}_before"), s.label)
            for s in scores
            if getattr(s, f"{measure}_before") is not None
        ),
        key=lambda row: row[0],
    )
    if len(rows) < 2:
        return format_html('<p class="chart-empty">{}</p>', "The course shows once two sessions have a score.")
    n = len(rows)
    step = (RIGHT - LEFT - 2 * PAD) / (n - 1)

    def y_at(value):
        return BOTTOM - value * (BOTTOM - TOP) / 10

    first = rows[0][1] if first is None else first
    label_every = max(1, -(-n // 6))
    points = [
        {
            "x": _n(LEFT + PAD + i * step),
            "y": _n(y_at(value)),
            "value": value,
            "label": _day_label(day, True) if i % label_every == 0 else "",
            "tip": (
                f"{MONTHS[day.month - 1]} {day.year}: {MEASURES[measure].lower()} {value} before sessions, {label}"
                if label
                else f"{_day_label(day, True)}: {MEASURES[measure].lower()} {value} before the session"
            ),
        }
        for i, (day, value, label) in enumerate(rows)
    ]
    band = None
    if measure == "pain" and first >= MEANINGFUL_FALL:
        band = {"y": _n(y_at(first - MEANINGFUL_FALL)), "height": _n(BOTTOM - y_at(first - MEANINGFUL_FALL))}
    change = course_change_from_rows(rows, measure, first)
    context = {
        "uid": f"course-{measure}",
        "title": f"{MEASURES[measure]} before each session, against the first ({first})",
        "description": change,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": RIGHT,
        "plot_width": RIGHT - LEFT,
        "bottom": BOTTOM,
        "grid": [{"y": _n(y_at(v)), "value": v} for v in range(0, 11, 2)],
        "first_y": _n(y_at(first)),
        "band": band,
        "points": points,
        "line": " ".join(f"{p['x']},{p['y']}" for p in points),
        "label_y": BOTTOM + 16,
        "legend_y": HEIGHT - 10,
        "fall": MEANINGFUL_FALL,
        "axis_mid": _n((TOP + BOTTOM) / 2),
        "measure_label": MEASURES[measure],
    }
    return render_to_string("planner/charts/course_chart.svg", context)


def course_change_from_rows(rows, measure, first):
    last = rows[-1][1]
    if rows[0][2]:
        text = f"Monthly means over {len(rows)} months. First score {first}, latest monthly mean {last}."
    else:
        text = f"{len(rows)} sessions. First score {first}, latest {last}."
    if measure == "pain" and first >= MEANINGFUL_FALL:
        text += f" Scores in the shaded band are {MEANINGFUL_FALL} or more below the first: a meaningful fall."
    elif measure == "pain":
        text += f" No band is shaded: from a first score below {MEANINGFUL_FALL}, a meaningful fall is not possible."
    return text
