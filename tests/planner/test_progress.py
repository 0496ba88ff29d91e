"""Course progress: before scores against the first (pain with the 2-point band), sessions a week."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from planner import progress
from planner.charts import SessionScores

START = date(2026, 9, 1)


def sessions(befores, numbness=None, every=3):
    numbness = numbness or [None] * len(befores)
    return [
        SessionScores(START + timedelta(days=every * i), b, None, numbness_before=n)
        for i, (b, n) in enumerate(zip(befores, numbness, strict=True))
    ]


@pytest.mark.parametrize(
    ("befores", "change", "meaningful"),
    [([7, 6, 5], -2, True), ([7, 6, 6], -1, False), ([4, 5], 1, False), ([3, 1], -2, True), ([2, 1], -1, False)],
)
def test_pain_course_change_uses_the_two_point_band(befores, change, meaningful):
    result = progress.course_change(sessions(befores), "pain")
    assert (result["first"], result["latest"], result["change"], result["meaningful"]) == (
        befores[0],
        befores[-1],
        change,
        meaningful,
    )


def test_numbness_has_no_band():
    result = progress.course_change(sessions([5, 5], numbness=[8, 3]), "numbness")
    assert result["change"] == -5 and result["meaningful"] is None
    sentence = progress.change_sentence(result)
    assert "5 points lower" in sentence and "no validated band" in sentence


def test_sentences_say_the_change_in_words():
    assert progress.change_sentence(progress.course_change(sessions([7, 5]), "pain")) == (
        "Pain before sessions: 7 of 10 on 1 Sep 2026, 5 on 4 Sep 2026 (2 points lower); "
        "a fall of 2 points or more is a meaningful change."
    )
    assert "not yet the fall of 2 points" in progress.change_sentence(progress.course_change(sessions([7, 6]), "pain"))
    assert progress.change_sentence(progress.course_change(sessions([6]), "pain")) == (
        "Pain before the first session: 6 of 10."
    )
    assert progress.course_change([], "pain") is None and progress.change_sentence(None) == ""


@pytest.mark.parametrize(
    ("offsets", "per_week", "in_dose"),
    [
        ([0, 2, 4, 7, 9, 11], 3.0, True),  # Monday, Wednesday, Friday for two weeks
        ([0, 3, 7, 10], 2.0, True),
        ([0, 7, 14, 21], 1.0, False),  # weekly
        ([0], 1.0, False),  # a single session counts over one week
        ([0, 1, 2, 3], 4.0, False),
    ],
)
def test_sessions_per_week(offsets, per_week, in_dose):
    dose = progress.sessions_per_week([START + timedelta(days=d) for d in offsets])
    assert dose["per_week"] == per_week and dose["in_studied_dose"] is in_dose
    assert "2 to 3 a week is the studied dose" in dose["sentence"]


def test_pain_course_chart_shades_the_meaningful_fall_and_numbness_does_not():
    scores = sessions([7, 6, 5, 4], numbness=[6, 6, 5, 5])
    pain = ET.fromstring(str(progress.course_chart(scores, "pain")))
    numbness = ET.fromstring(str(progress.course_chart(scores, "numbness")))
    classes = [el.get("class") for el in pain.iter()]
    assert classes.count("course-point") == 4 and "band" in classes and "first" in classes
    band = next(el for el in pain.iter() if el.get("class") == "band")
    first = next(el for el in pain.iter() if el.get("class") == "first")
    # The band's top is the score 2 below the first: 5, lower on the screen than the first (7).
    assert float(band.get("y")) > float(first.get("y1"))
    assert "band" not in [el.get("class") for el in numbness.iter()]


def test_one_session_gives_no_course_chart():
    assert "two sessions" in str(progress.course_chart(sessions([6]), "pain"))


@pytest.mark.parametrize(
    ("befores", "ending"),
    [
        ([7, 6], "(1 point lower); not yet the fall of 2 points that counts as a meaningful change."),
        ([3, 3], "(no change); a fall of 2 points or more would be a meaningful change."),
        ([3, 6], "(3 points higher); a fall of 2 points or more would be a meaningful change."),
        ([1, 0], "(1 point lower); from a first score below 2, a meaningful fall of 2 points is not possible."),
        ([0, 4], "(4 points higher); from a first score below 2, a meaningful fall of 2 points is not possible."),
    ],
)
def test_a_pain_course_without_a_meaningful_fall_says_what_it_is(befores, ending):
    sentence = progress.change_sentence(progress.course_change(sessions(befores), "pain"))
    assert sentence.endswith(ending)
    assert "not yet" not in sentence or befores[-1] < befores[0]


def test_the_pain_chart_mentions_a_band_only_when_it_draws_one():
    chart = ET.fromstring(str(progress.course_chart(sessions([1, 0, 1]), "pain")))
    description = next(el for el in chart.iter() if el.tag.endswith("desc")).text
    assert "band" not in [el.get("class") for el in chart.iter()]
    assert "shaded band are" not in description and "No band is shaded" in description
    chart = ET.fromstring(str(progress.course_chart(sessions([6, 4]), "pain")))
    description = next(el for el in chart.iter() if el.tag.endswith("desc")).text
    assert "band" in [el.get("class") for el in chart.iter()] and "shaded band are 2 or more below" in description
