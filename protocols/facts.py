"""What the planning engine reads: a client's facts on a date, templates, and which dated result counts.

Pure (no Django). protocols.engine re-exports these names; callers import them from there.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from protocols.vocabulary import CONDITIONS, REGIONS, SIDES

LAB_VALID_DAYS = 14
CLEARANCE_VALID_DAYS = 365

# Lab results: the conditions that carry a number.
LAB_CODES = tuple(code for code, kind in CONDITIONS.items() if kind.value is not None)

# Every plannable region/side in plan order: arms, hands, legs, feet; left before right.
PLAN_ORDER = {pair: index for index, pair in enumerate((region, side) for region in REGIONS for side in SIDES)}


class EngineError(ValueError):
    """Facts or a request the engine cannot interpret; the message names the bad value."""


@dataclass(frozen=True)
class ConditionFact:
    """One recorded condition of a client, active or not."""

    code: str
    noted_on: date
    location: str | None = None
    side: str | None = None
    value: int | float | Decimal | None = None
    resolved_on: date | None = None
    detail: str = ""


@dataclass(frozen=True)
class ClientFacts:
    """What the engine knows about a client for a session on plan_date."""

    client_id: int | None
    neuropathy_type: str
    plan_date: date
    # (region, side) -> symptom codes, side being left or right.
    symptoms: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    contributing_causes: frozenset[str] = frozenset()
    # All of the client's conditions: the engine decides which are active on plan_date.
    conditions: tuple[ConditionFact, ...] = ()
    clearance_date: date | None = None


@dataclass(frozen=True)
class TemplateStep:
    technique: str
    minutes: int
    pressure: int
    instruction: str
    # A code of vocabulary.STEP_KINDS; None for a clinic's step whose kind is not set yet.
    kind: str | None = None


@dataclass(frozen=True)
class Template:
    """A protocol for one region on one side."""

    key: str
    name: str
    region: str
    steps: tuple[TemplateStep, ...]
    neuropathy_type: str | None = None  # None: for every type
    version: int = 1

    @property
    def minutes(self):
        return sum(step.minutes for step in self.steps)

    @property
    def pressure(self):
        """The template's own pressure: its highest step pressure."""
        return max((step.pressure for step in self.steps), default=0)


def in_use(events, day, valid_days=None):
    """The one of several dated events of one kind that counts on `day` (RULES.md, settled readings).

    `events` are anything with `noted_on` and `value` (engine facts, the client's saved conditions).
    The latest dated on or before `day` counts; of several on that day the lowest value, to err
    safe. None when there is none, or (with `valid_days`) when the latest is older than that.
    """
    events = [event for event in events if event.noted_on <= day]
    if not events:
        return None
    latest = max(events, key=lambda event: (event.noted_on, -(event.value or 0)))
    if valid_days is not None and (day - latest.noted_on).days > valid_days:
        return None
    return latest


def lab_in_use(results, day):
    """The lab result the engine uses on `day`, or None (unknown): every page that shows a current lab
    value shows this one."""
    return in_use(results, day, LAB_VALID_DAYS)
