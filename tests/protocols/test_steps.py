import pytest

from protocols.default_templates import DEFAULT_TEMPLATES
from protocols.steps import TooFewMinutes, fit_minutes, scale_steps


def steps_of(*minutes):
    return [{"technique": f"step {n}", "minutes": m, "pressure": 2} for n, m in enumerate(minutes)]


HANDS = [
    {"technique": s.technique, "minutes": s.minutes, "pressure": s.pressure}
    for s in next(t for t in DEFAULT_TEMPLATES if t.region == "hands").steps
]


@pytest.mark.parametrize("minutes", range(len(HANDS), 61))
def test_scaled_steps_add_up_to_the_region_and_keep_a_minute_each(minutes):
    scaled = scale_steps(HANDS, minutes)
    assert sum(step["minutes"] for step in scaled) == minutes
    assert min(step["minutes"] for step in scaled) >= 1
    assert [step["technique"] for step in scaled] == [step["technique"] for step in HANDS]


def test_the_template_total_gives_the_template_back():
    assert scale_steps(HANDS, sum(s["minutes"] for s in HANDS)) == HANDS


@pytest.mark.parametrize(
    "minutes, total, expected",
    [
        ((2, 2, 2, 1, 1, 2), 5, None),
        ((1, 2, 2, 2, 1, 1, 1), 5, None),
        ((1, 2, 2, 2, 1, 1, 1), 7, [1, 1, 1, 1, 1, 1, 1]),
        ((2, 1, 2, 2, 1, 2, 1, 1), 6, None),
        ((3, 1), 8, [6, 2]),
        ((0, 0), 3, [2, 1]),
    ],
)
def test_shares_follow_the_steps_own_minutes(minutes, total, expected):
    if len(minutes) > total:
        with pytest.raises(TooFewMinutes):
            scale_steps(steps_of(*minutes), total)
        return
    scaled = [step["minutes"] for step in scale_steps(steps_of(*minutes), total)]
    if expected is not None:
        assert scaled == expected


def test_fewer_minutes_than_steps_is_refused():
    with pytest.raises(TooFewMinutes, match="fewer than the 7 steps"):
        scale_steps(HANDS, 6)


def test_no_steps_scale_to_nothing():
    assert scale_steps([], 10) == []


@pytest.mark.parametrize(
    "regions, limit, expected",
    [
        ([(10, 7), (10, 7), (12, 8), (12, 8)], 45, [10, 10, 12, 12]),  # fits: unchanged
        ([(10, 7), (10, 7), (13, 8)], 30, [9, 9, 12]),
        ([(10, 7), (10, 7), (13, 8), (13, 8)], 30, [7, 7, 8, 8]),  # every region at its step count
        ([(10, 7), (10, 7), (13, 8), (13, 8)], 20, [7, 7, 8, 8]),  # cannot fit: still the floor
        ([(20, 2), (10, 2)], 15, [10, 5]),
    ],
)
def test_fitting_trims_in_proportion_never_below_the_step_count(regions, limit, expected):
    fitted = fit_minutes(regions, limit)
    assert fitted == expected
    assert all(new >= steps for new, (_, steps) in zip(fitted, regions, strict=True))
    assert sum(fitted) <= max(limit, sum(steps for _, steps in regions))
