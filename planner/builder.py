"""The one-page plan builder: the proposal for the chosen day and places, as the therapist chooses."""

from dataclasses import dataclass
from datetime import time, timedelta

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from protocols import engine
from protocols.rules import RULES_BY_CODE

from . import plans, proposals
from .forms import series_dates

DEFAULT_START = time(9, 0)
HANDS_AND_FEET = ["hands:right", "hands:left", "feet:right", "feet:left"]


def default_start():
    """The builder's first offer: 09:00, or the next quarter hour when today is already past it."""
    now = timezone.localtime()
    quarter = (now.hour * 60 + now.minute + 14) // 15 * 15
    return max(DEFAULT_START, time(min(quarter, 23 * 60 + 45) // 60, min(quarter, 23 * 60 + 45) % 60))


def default_slot():
    """The builder's first offer of day and time: today at default_start(), or tomorrow at 09:00 when
    less than an hour is left before the clinic closes."""
    start, today = default_start(), timezone.localdate()
    closes = plans.clinic().closes_at
    if start.hour * 60 + start.minute + 60 > closes.hour * 60 + closes.minute:
        return today + timedelta(days=1), DEFAULT_START
    return today, start


def presets(client):
    """Region presets offered above the picker: (key, label, region:side values)."""
    found = [("hands-feet", "Hands and feet", HANDS_AND_FEET)]
    affected = [f"{region}:{side}" for region, side in sorted(client.symptoms_by_place(), key=_place_order)]
    if affected and sorted(affected) != sorted(HANDS_AND_FEET):
        found.append(("affected", "Affected regions", affected))
    return found


def _place_order(pair):
    return proposals.place_key({"region": pair[0], "side": pair[1]})


def request_data(request, client):
    """The builder's submitted data, with a chosen preset or free slot applied; None on a first visit."""
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and not {"regions", "preset"} & set(source):
        return None  # a first visit, perhaps from a free slot of the schedule (?date=&time=)
    data = source.copy()
    chosen = dict((key, values) for key, _, values in presets(client)).get(data.get("preset"))
    if chosen:
        data.setlist("regions", chosen)
        day, start = default_slot()
        data.setdefault("date", day.isoformat())
        data.setdefault("time", start.strftime("%H:%M"))
    if data.get("use_time"):
        data["time"] = data["use_time"]
    return data


@dataclass
class SeriesDate:
    """One date of a series, as the builder lists it: its own proposal from the facts known today."""

    starts_at: object
    session: dict
    minutes: int
    nadir: bool
    needs_clearance: bool
    deferred: bool
    problem: str  # a clash or the clinic's hours: the series cannot be saved as it is
    differences: str = ""  # how its rules differ from the proposal shown above the table, if they do

    @property
    def flagged(self):
        return self.nadir or self.needs_clearance or self.deferred


def _rules(proposal):
    codes = {note["rule"] for note in proposal["session"]["notes"]}
    for region in proposal["regions"]:
        codes.update(note["rule"] for note in region["notes"])
    return codes


def _titles(codes):
    titles = sorted(RULES_BY_CODE[code].title if code in RULES_BY_CODE else code for code in codes)
    return " and ".join([", ".join(titles[:-1]), titles[-1]]) if len(titles) > 1 else "".join(titles)


def differences(above, proposal):
    """What a date's proposal says that the proposal shown above the series does not, in a phrase;
    "" when they agree. A nadir window has its own badge in the table."""
    parts = []
    rules_above, rules = _rules(above), _rules(proposal)
    if added := rules - rules_above - {"nadir_window"}:
        parts.append(f"adds {_titles(added)}")
    if gone := rules_above - rules:
        parts.append(f"without {_titles(gone)}")
    caps_above = {(r["region"], r["side"]): r["pressure_max"] for r in above["regions"]}
    changed = {
        (caps_above[(r["region"], r["side"])], r["pressure_max"])
        for r in proposal["regions"]
        if None not in (caps_above.get((r["region"], r["side"])), r["pressure_max"])
        and caps_above[(r["region"], r["side"])] != r["pressure_max"]
    }
    if len(changed) == 1:
        [(cap_above, cap)] = changed
        parts.append(f"pressure cap {cap} (above: {cap_above})")
    elif changed:
        parts.append("other pressure caps")
    return f"Not as above: {'; '.join(parts)}." if parts else ""


class Draft:
    """What the builder shows for a valid request: the fitted proposal, the clash, the blockers."""

    def __init__(self, client, therapist, cleaned):
        self.client, self.cleaned = client, cleaned
        self.dates = series_dates(cleaned["date"], cleaned.get("repeat_weeks") or 1, cleaned.get("repeat_days") or [])
        if len(self.dates) > 1:
            prefetch_related_objects([client], "conditions", "clearances")  # one read for every date
        facts = client.facts_on(cleaned["date"])
        self.regions_text = ",".join(cleaned["regions"])
        proposal = plans.propose(facts, engine.parse_regions(self.regions_text))
        self.original_minutes = plans.worked_minutes(proposal)
        self.proposal, self.trimmed = plans.fitted(proposal)
        self.minutes = plans.worked_minutes(self.proposal)
        self.starts_at = plans.as_datetime(cleaned["date"], cleaned["time"])
        self.settings = plans.clinic()
        self.hours_problem = plans.hours_problem(
            self.starts_at, plans.slot_end(self.starts_at, self.minutes), self.settings
        )
        self.clash, self.next_free = plans.clash_and_next_free(
            therapist, self.starts_at, self.minutes, client=client, settings=self.settings
        )
        self.therapist = therapist
        self.blockers = plans.blockers(
            session=self.proposal["session"],
            client_id=client.pk,
            day=cleaned["date"],
            minutes=self.minutes,
            worked=any(r["status"] != "avoid" for r in self.proposal["regions"]),
            acknowledged=cleaned["notes_acknowledged"],
        )
        if self.clash:
            # The summary never says "can go ahead" at a time that cannot be saved.
            clash = plans.Blocker("clash", "The time clashes with another of your sessions: see above.")
            self.blockers.insert(0, clash)
        earlier = proposals.last_signed_proposal(client, self.starts_at)
        self.session, regions = proposals.mark_new(
            self.proposal["session"], [proposals.region_document(r) for r in self.proposal["regions"]], earlier
        )
        self.rows = proposals.region_rows(regions)
        self.compared = earlier is not None
        self.series = [self._series_date(day) for day in self.dates] if len(self.dates) > 1 else []

    def _series_date(self, day):
        proposal, _ = plans.fitted(plans.propose(self.client.facts_on(day), engine.parse_regions(self.regions_text)))
        minutes = plans.worked_minutes(proposal)
        starts_at = plans.as_datetime(day, self.cleaned["time"])
        session = proposal["session"]
        problem = plans.hours_problem(starts_at, plans.slot_end(starts_at, minutes), self.settings)
        if not problem:
            clash, _ = plans.clash_and_next_free(
                self.therapist, starts_at, minutes, client=self.client, settings=self.settings
            )
            problem = plans.overlap_text(clash, self.therapist.pk, self.settings) if clash else ""
        return SeriesDate(
            starts_at=starts_at,
            session=session,
            minutes=minutes,
            nadir="nadir_window" in _rules(proposal),
            needs_clearance=session["requires_clearance"] and not session["clearance_on_file"],
            deferred=session["status"] == "defer",
            problem=problem,
            differences=differences(self.proposal, proposal),
        )

    @property
    def series_problems(self):
        return [entry for entry in self.series if entry.problem]

    @property
    def series_flagged(self):
        return [entry for entry in self.series if entry.flagged]

    @property
    def blocks_ready(self):
        """Blockers other than the unread notes, which the tick on this page clears."""
        return [blocker for blocker in self.blockers if blocker.code != "unread"]

    def clash_text(self):
        return plans.overlap_text(self.clash, self.therapist.pk, self.settings)

    @transaction.atomic
    def save_series(self, therapist):
        """Every date of the series as a draft, each with its own proposal; all or none."""
        return [
            plans.create_plan(
                client=self.client,
                therapist=therapist,
                scheduled_for=entry.starts_at,
                regions=self.regions_text,
                created_by=therapist,
                goals=self.cleaned["goals"],
                fit=True,
            )
            for entry in self.series
        ]

    def save(self, therapist, ready):
        return plans.create_plan(
            client=self.client,
            therapist=therapist,
            scheduled_for=self.starts_at,
            regions=self.regions_text,
            created_by=therapist,
            goals=self.cleaned["goals"],
            fit=True,
            ready=ready,
        )
