"""The progress panel: meaningful drops, the inline SVG chart, the summary figures and the table rows."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.utils.safestring import SafeString

from planner.charts import SessionScores, meaningful_drop, score_chart, score_table_rows, summary

SVG = "{http://www.w3.org/2000/svg}"
START = date(2024, 11, 3)
STORY = [(7, 4), (6, 4), (6, 3), (5, 3), (5, None), (5, 2), (4, 2), (4, 2), (3, 1)]


def make_sessions(pairs, start=START, every=7):
    """Pain (before, after) pairs as weekly sessions."""
    return [SessionScores(start + timedelta(days=every * i), b, a) for i, (b, a) in enumerate(pairs)]


def parse(svg):
    """The chart as an element tree; fails the test when the markup is not well-formed XML."""
    assert isinstance(svg, SafeString)
    return ET.fromstring(str(svg))


def by_class(root, name):
    return [el for el in root.iter() if el.get("class") == name]


def texts(root, name):
    return [el.text for el in by_class(root, name)]


@pytest.mark.parametrize(
    "before, after, expected",
    [
        (6, 4, True),
        (6, 5, False),
        (10, 7, True),
        (10, 8, True),  # 2 points
        (10, 9, False),
        (3, 2, False),  # 1 point is 33 %, but the 30 % form is not used (RULES.md)
        (2, 1, False),
        (2, 0, True),
        (4, 3, False),
        (1, 0, False),
        (0, 0, False),
        (5, None, False),
        (4, 6, False),
        (5, 5, False),
    ],
)
def test_meaningful_drop(before, after, expected):
    assert meaningful_drop(before, after) is expected


def test_no_sessions_gives_a_short_message():
    html = score_chart([])
    assert isinstance(html, SafeString)
    assert html == '<p class="chart-empty">No signed sessions yet.</p>'


def test_chart_is_accessible_and_labelled():
    root = parse(score_chart(make_sessions(STORY)))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox") == "0 0 640 240"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Pain before and after each session"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert desc.text.startswith("9 sessions from 3 Nov 2024 to 29 Dec 2024.")
    assert "Pain fell by 2.4 points within a session on average (8 with an after score)" in desc.text
    assert desc.text.endswith("; 8 meaningful drops.")
    assert texts(root, "y-label") == ["0", "2", "4", "6", "8", "10"]
    legend = " ".join(el.text for el in by_class(root, "legend")[0].iter(f"{SVG}text"))
    assert "Before session" in legend and "After session" in legend and "Meaningful drop" in legend


def test_story_counts_points_segments_and_markers():
    root = parse(score_chart(make_sessions(STORY)))
    assert len(by_class(root, "session")) == 9
    assert len(by_class(root, "before")) == 9
    assert len(by_class(root, "after")) == 8
    assert len(by_class(root, "segment")) == 8
    assert len(by_class(root, "meaningful")) == 8
    assert by_class(root, "before-line")[0].get("stroke-dasharray")
    assert by_class(root, "after-line")[0].get("stroke-dasharray") is None
    assert texts(root, "x-label") == ["3 Nov", "17 Nov", "1 Dec", "15 Dec", "29 Dec"]
    tip = by_class(root, "meaningful")[0].find(f"{SVG}title").text
    assert tip == "Meaningful drop: 7 to 4"


def test_one_session_is_centred_without_joining_lines():
    root = parse(score_chart(make_sessions([(7, 4)])))
    (circle,) = by_class(root, "before")
    assert float(circle.get("cx")) == (48 + 620) / 2
    assert len(by_class(root, "after")) == 1
    assert len(by_class(root, "segment")) == 1
    assert not by_class(root, "before-line") and not by_class(root, "after-line")
    assert texts(root, "x-label") == ["3 Nov"]


def test_many_sessions_are_evenly_spaced():
    root = parse(score_chart(make_sessions([(6, 3)] * 60, every=2)))
    xs = [float(c.get("cx")) for c in by_class(root, "before")]
    assert len(xs) == 60
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert max(gaps) - min(gaps) <= 0.2
    assert 0 <= xs[0] and xs[-1] <= 640
    assert len(by_class(root, "tick")) == 60


@pytest.mark.parametrize("count", [1, 2, 7, 8, 9, 16, 17, 30, 60, 61, 200])
@pytest.mark.parametrize("every", [1, 7])
def test_date_labels_stay_within_the_limit_and_do_not_touch(count, every):
    root = parse(score_chart(make_sessions([(5, 3)] * count, start=date(2024, 12, 1), every=every)))
    labels = by_class(root, "x-label")
    assert 1 <= len(labels) <= 8
    for left, right in zip(labels, labels[1:], strict=False):
        # About 7 units per character at font-size 11, plus a small gap.
        needed = (len(left.text) + len(right.text)) / 2 * 7 + 6
        assert float(right.get("x")) - float(left.get("x")) >= needed
    for label in labels:
        half = len(label.text) / 2 * 7
        assert float(label.get("x")) - half >= 0 and float(label.get("x")) + half <= 640


def test_labels_show_the_year_when_sessions_cross_a_new_year():
    root = parse(score_chart(make_sessions([(5, 3)] * 3, start=date(2024, 12, 20))))
    assert texts(root, "x-label") == ["20 Dec 2024", "27 Dec 2024", "3 Jan 2025"]


def test_missing_after_score_draws_the_before_point_only():
    root = parse(score_chart(make_sessions([(6, 3), (5, None), (5, 2)])))
    assert len(by_class(root, "before")) == 3
    assert len(by_class(root, "after")) == 2
    assert len(by_class(root, "segment")) == 2
    assert len(by_class(root, "before-line")[0].get("points").split()) == 3
    assert len(by_class(root, "after-line")[0].get("points").split()) == 2


def test_only_before_scores_draws_no_after_line():
    root = parse(score_chart(make_sessions([(6, None), (5, None)])))
    assert len(by_class(root, "before")) == 2
    assert not by_class(root, "after") and not by_class(root, "after-line") and not by_class(root, "segment")
    assert "within a session" not in root.find(f"{SVG}desc").text


def test_identical_before_and_after_are_both_visible():
    root = parse(score_chart(make_sessions([(4, 4)])))
    (circle,) = by_class(root, "before")
    (square,) = by_class(root, "after")
    square_centre = float(square.get("x")) + float(square.get("width")) / 2
    assert float(circle.get("cx")) < square_centre
    assert float(circle.get("cx")) + float(circle.get("r")) <= float(square.get("x")) + 1
    assert not by_class(root, "segment") and not by_class(root, "meaningful")


def test_all_values_equal_across_sessions():
    root = parse(score_chart(make_sessions([(5, 5)] * 5)))
    assert len(by_class(root, "before")) == 5 and len(by_class(root, "after")) == 5
    assert {c.get("cy") for c in by_class(root, "before")} == {"102"}
    assert by_class(root, "before-line") and by_class(root, "after-line")
    assert not by_class(root, "meaningful")


def test_scores_at_the_ends_of_the_scale_stay_inside_the_picture():
    root = parse(score_chart(make_sessions([(10, 0), (10, 7)])))
    stars = [el.find(f"{SVG}polygon") for el in by_class(root, "meaningful")]
    ys = [float(point.split(",")[1]) for star in stars for point in star.get("points").split()]
    assert len(stars) == 2 and min(ys) >= 0
    assert {c.get("cy") for c in by_class(root, "before")} == {"20"}


def test_text_is_escaped():
    sessions = [SessionScores(START, 6, 3, label="<script>alert(1)</script>")]
    svg = score_chart(sessions, title='Pain & "progress" <b>')
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == 'Pain & "progress" <b>'
    assert "<script>alert(1)</script>" in by_class(root, "session")[0].find(f"{SVG}title").text


def test_numbness_measure_uses_numbness_scores_and_skips_missing_ones():
    sessions = [
        SessionScores(START, 6, 3, numbness_before=8, numbness_after=5),
        SessionScores(START + timedelta(days=7), 6, 3),
        SessionScores(START + timedelta(days=14), 6, 3, numbness_before=7, numbness_after=None),
    ]
    svg = score_chart(sessions, measure="numbness", title="Numbness before and after each session")
    root = parse(svg)
    assert [c.get("cy") for c in by_class(root, "before")] == ["52.8", "69.2"]
    # 8 to 5 is drawn, but not starred: numbness has no validated band.
    assert len(by_class(root, "after")) == 1 and by_class(root, "meaningful") == []
    assert root.get("aria-labelledby") == "numbness-chart-title numbness-chart-desc"
    assert "Numbness/tingling (0–10)" in svg


def test_numbness_without_scores_gives_a_message():
    html = score_chart(make_sessions([(6, 3)]), measure="numbness")
    assert html.startswith("<p") and "No numbness/tingling scores recorded yet." in html


def test_unknown_measure_is_rejected():
    with pytest.raises(ValueError):
        score_chart(make_sessions([(6, 3)]), measure="mood")


def test_output_is_deterministic_and_in_date_order():
    sessions = make_sessions(STORY)
    assert score_chart(sessions) == score_chart(list(reversed(sessions)))


def test_summary_of_the_story():
    sessions = make_sessions(STORY)
    result = summary(sessions)
    assert result == {
        "count": 9,
        "average_change": -2.4,
        "average_change_words": "pain fell by 2.4 points within a session on average",
        "meaningful": 8,
        "trend": "improving",
        "last": sessions[-1],
    }


def test_summary_without_sessions():
    assert summary([]) == {
        "count": 0,
        "average_change": None,
        "average_change_words": "",
        "meaningful": 0,
        "trend": None,
        "last": None,
    }


@pytest.mark.parametrize(
    "pairs, average",
    [
        ([(5, 4), (5, 3), (5, 3)], -1.7),
        ([(5, 5), (4, 4)], 0.0),
        ([(5, None), (6, None)], None),
        ([(2, 5)], 3.0),
    ],
)
def test_summary_average_change(pairs, average):
    assert summary(make_sessions(pairs))["average_change"] == average


@pytest.mark.parametrize(
    "befores, trend",
    [
        ([7, 7, 7], None),  # fewer than 4 sessions
        ([7, 6, 6, 5], "steady"),  # 6.33 -> 5.67 is under a point
        ([8, 8, 8, 7, 7, 7], "improving"),  # exactly one point lower
        ([5, 5, 5, 6, 6, 6], "worsening"),
        ([5, 5, 5, 5, 6, 6], "steady"),
        ([4, 4, 4, 4], "steady"),
    ],
)
def test_summary_trend(befores, trend):
    assert summary(make_sessions([(b, None) for b in befores]))["trend"] == trend


def test_summary_uses_date_order():
    sessions = make_sessions([(8, 5), (8, 5), (8, 5), (4, 3), (4, 3), (4, 3)])
    result = summary(list(reversed(sessions)))
    assert result["trend"] == "improving"
    assert result["last"] == sessions[-1]


def test_table_rows_hold_the_same_numbers():
    sessions = [
        SessionScores(START + timedelta(days=7), 5, None, numbness_before=6, label="Session 2"),
        SessionScores(START, 7, 4, numbness_before=8, numbness_after=6, label="Session 1"),
    ]
    rows = score_table_rows(sessions)
    assert rows == [
        {
            "day": START,
            "date": "3 Nov 2024",
            "label": "Session 1",
            "pain_before": 7,
            "pain_after": 4,
            "change": -3,
            "meaningful": "yes",
            "numbness_before": 8,
            "numbness_after": 6,
        },
        {
            "day": START + timedelta(days=7),
            "date": "10 Nov 2024",
            "label": "Session 2",
            "pain_before": 5,
            "pain_after": None,
            "change": None,
            "meaningful": "no",
            "numbness_before": 6,
            "numbness_after": None,
        },
    ]
    assert score_table_rows([]) == []


def test_numbness_falls_are_drawn_without_a_meaningful_band():
    """RULES.md: numbness is shown without a band, none being validated; pain keeps its 2-point band."""
    sessions = [SessionScores(START, 6, 3, numbness_before=6, numbness_after=2)]
    numbness = score_chart(sessions, measure="numbness", title="Numbness/tingling before and after each session")
    assert by_class(parse(numbness), "meaningful") == []
    assert "meaningful" not in str(numbness).lower()
    assert "Numbness/tingling fell by 4 points within a session on average (1 with an after score)." in numbness
    pain = score_chart(sessions)
    assert len(by_class(parse(pain), "meaningful")) == 1
    assert "Meaningful drop (a fall of 2 points or more)" in pain and "; 1 meaningful drop." in pain


@pytest.mark.parametrize(
    "pairs, words",
    [
        ([(1, 3)], "pain rose by 2 points within a session on average"),
        ([(4, 3)], "pain fell by 1 point within a session on average"),
        ([(4, 4)], "pain did not change within a session on average"),
        ([(4, None)], ""),
    ],
)
def test_the_average_change_reads_as_a_fall_or_a_rise(pairs, words):
    assert summary(make_sessions(pairs))["average_change_words"] == words
