"""The one-page plan builder: the proposal for the chosen day and places, as the therapist chooses."""

from datetime import time

from django.utils import timezone

from protocols import engine

from . import plans, proposals

DEFAULT_START = time(9, 0)
HANDS_AND_FEET = ["hands:right", "hands:left", "feet:right", "feet:left"]


def default_start():
    """The builder's first offer: 09:00, or the next quarter hour when today is already past it."""
    now = timezone.localtime()
    quarter = (now.hour * 60 + now.minute + 14) // 15 * 15
    return max(DEFAULT_START, time(min(quarter, 23 * 60 + 45) // 60, min(quarter, 23 * 60 + 45) % 60))


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
    if request.method == "GET" and not {"date", "regions", "preset"} & set(source):
        return None
    data = source.copy()
    chosen = dict((key, values) for key, _, values in presets(client)).get(data.get("preset"))
    if chosen:
        data.setlist("regions", chosen)
        data.setdefault("date", timezone.localdate().isoformat())
        data.setdefault("time", default_start().strftime("%H:%M"))
    if data.get("use_time"):
        data["time"] = data["use_time"]
    return data


class Draft:
    """What the builder shows for a valid request: the fitted proposal, the clash, the blockers."""

    def __init__(self, client, therapist, cleaned):
        self.client, self.cleaned = client, cleaned
        facts = client.facts_on(cleaned["date"])
        self.regions_text = ",".join(cleaned["regions"])
        proposal = plans.propose(facts, engine.parse_regions(self.regions_text))
        self.original_minutes = plans.worked_minutes(proposal)
        self.proposal, self.trimmed = plans.fitted(proposal)
        self.minutes = plans.worked_minutes(self.proposal)
        self.starts_at = plans.as_datetime(cleaned["date"], cleaned["time"])
        self.clash, self.next_free = plans.clash_and_next_free(therapist, self.starts_at, self.minutes)
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

    @property
    def blocks_ready(self):
        """Blockers other than the unread notes, which the tick on this page clears."""
        return [blocker for blocker in self.blockers if blocker.code != "unread"]

    def clash_text(self):
        start, end = timezone.localtime(self.clash.scheduled_for), timezone.localtime(self.clash.ends_at)
        return f"You already have a session with {self.clash.client} from {start:%H:%M} to {end:%H:%M}."

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
