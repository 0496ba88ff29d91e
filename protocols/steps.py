"""Step minutes that follow a region's minutes (RULES.md "Step kinds").

Pure: a list of step dicts in, a new list out. When a therapist shortens or lengthens a region,
each step keeps its share of the time, at least one minute, and the steps add up to the region.
"""

from math import floor


class TooFewMinutes(ValueError):
    """A region cannot be shorter than one minute per step."""


def min_minutes(steps):
    """The fewest minutes a region with these steps can have: one per step."""
    return len(steps)


def scale_steps(steps, minutes):
    """The steps with their minutes scaled to add up to `minutes`, each at least 1 minute.

    Shares follow the steps' own minutes (largest remainder first, earlier steps winning ties),
    so the template's steps come back unchanged when `minutes` is the template's total.
    """
    steps = list(steps)
    if not steps:
        return []
    if minutes < len(steps):
        raise TooFewMinutes(f"{minutes} minutes is fewer than the {len(steps)} steps, at least 1 minute each")
    weights = [max(step["minutes"], 0) for step in steps]
    total = sum(weights)
    if total == 0:
        weights, total = [1] * len(steps), len(steps)
    shares = [minutes * weight / total for weight in weights]
    given = [max(1, floor(share)) for share in shares]
    # Hand out what is left, or take back what the 1-minute floor added, by the largest gap.
    while sum(given) < minutes:
        index = max(range(len(steps)), key=lambda i: (shares[i] - given[i], -i))
        given[index] += 1
    while sum(given) > minutes:
        index = max((i for i in range(len(steps)) if given[i] > 1), key=lambda i: (given[i] - shares[i], -i))
        given[index] -= 1
    return [{**step, "minutes": step_minutes} for step, step_minutes in zip(steps, given, strict=True)]


def fit_minutes(regions, limit):
    """Region minutes trimmed in proportion to fit `limit`, none below its number of steps.

    `regions` is a list of (minutes, step count). Minutes that already fit come back unchanged;
    when even the step counts exceed the limit, every region gets its step count (still over).
    """
    minutes = [region_minutes for region_minutes, _ in regions]
    total = sum(minutes)
    if total <= limit:
        return minutes
    floors = [steps for _, steps in regions]
    shares = [region_minutes * limit / total for region_minutes in minutes]
    given = [
        max(floor_, min(region_minutes, floor(share)))
        for floor_, region_minutes, share in zip(floors, minutes, shares, strict=True)
    ]
    while sum(given) > limit:
        spare = [i for i in range(len(given)) if given[i] > floors[i]]
        if not spare:
            break
        index = max(spare, key=lambda i: (given[i] - shares[i], given[i], -i))
        given[index] -= 1
    while sum(given) < limit:
        room = [i for i in range(len(given)) if given[i] < minutes[i]]
        if not room:
            break
        index = max(room, key=lambda i: (shares[i] - given[i], -i))
        given[index] += 1
    return given
