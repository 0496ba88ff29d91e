"""Session plans: building them from the engine, saving the therapist's changes, the ready gate."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clients.models import Client
from protocols import engine
from protocols.services import engine_templates
from protocols.steps import fit_minutes, min_minutes
from protocols.versioning import claim_version

from .models import (
    CancelReason,
    ClinicSettings,
    PlanItem,
    PlanSnapshot,
    PlanStatus,
    SessionPlan,
    SessionRecord,
    SnapshotReason,
)
from .roles import is_clinic_admin, is_therapist

# A booking holds at least this long, for intake and the skin check, even if little is worked.
MIN_SLOT_MINUTES = 15


class Overlap(Exception):
    """The session would overlap another booked session of its therapist or its client; nothing was saved.

    The message names the other session.
    """

    def __init__(self, message, other=None):
        super().__init__(message)
        self.other = other


class OutsideHours(Exception):
    """The session would start or end outside the clinic's hours; nothing was saved."""


def local_day(moment):
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def as_datetime(day, time):
    return timezone.make_aware(datetime.combine(day, time))


def slot_end(starts_at, minutes):
    return starts_at + timedelta(minutes=max(minutes, MIN_SLOT_MINUTES))


def clinic():
    return ClinicSettings.load()


def buffer_after(settings=None):
    return timedelta(minutes=(settings or clinic()).buffer_minutes)


def place(plan, minutes, settings=None):
    """Set the plan's end (start + minutes, at least the 15-minute floor) and the therapist's
    busy time (the end plus the clinic's buffer)."""
    plan.ends_at = slot_end(plan.scheduled_for, minutes)
    plan.busy_until = plan.ends_at + buffer_after(settings)


def hours_problem(starts_at, ends_at, settings=None):
    """Why a session from starts_at to ends_at is outside the clinic's hours, as a sentence; "" when it is not."""
    settings = settings or clinic()
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    opens, closes = settings.opens_at, settings.closes_at
    if start.time() < opens or end.date() != start.date() or end.time() > closes:
        return (
            f"Sessions are given between {opens:%H:%M} and {closes:%H:%M}: "
            f"this one would run from {start:%H:%M} to {end:%H:%M}."
        )
    return ""


def refuse_longer_after_hours(plan, was_ends_at, settings=None):
    """Raise OutsideHours when a change made the session longer and it now runs outside the clinic's
    hours (past closing, or past midnight); a session left outside them by a later change of the
    hours is kept as long as it does not grow."""
    if plan.ends_at > was_ends_at and (problem := hours_problem(plan.scheduled_for, plan.ends_at, settings)):
        raise OutsideHours(problem)


def overlap_with(plan):
    """The booked plan this one would overlap (its therapist's, buffer included, or its client's), or None."""
    others = SessionPlan.objects.booked().select_related("client", "therapist").order_by("scheduled_for")
    if plan.pk:
        others = others.exclude(pk=plan.pk)
    found = (
        others.therapist_overlaps(plan.therapist_id, plan.scheduled_for, plan.busy_until).first()
        or others.client_overlaps(plan.client_id, plan.scheduled_for, plan.ends_at).first()
    )
    return found


def overlap_text(other, therapist_id, settings=None):
    """The sentence that names the other session."""
    start, end = timezone.localtime(other.scheduled_for), timezone.localtime(other.ends_at)
    when = f"on {start:%-d %b} from {start:%H:%M} to {end:%H:%M}"
    if other.therapist_id == therapist_id:
        buffer = (settings or clinic()).buffer_minutes
        kept = f", and the {buffer} minutes after a session are kept free" if buffer else ""
        # Need-to-know ends with the care: a client they have left is not named.
        who = (
            other.client
            if other.client.care_team.filter(pk=therapist_id).exists()
            else "a client no longer in your care"
        )
        return f"You already have a session with {who} {when}{kept}."
    therapist = other.therapist.get_full_name() or other.therapist.get_username()
    return f"{other.client} already has a session with {therapist} {when}."


# PostgreSQL's SQLSTATE for a transaction cancelled to break a deadlock.
DEADLOCK = "40P01"


def book(plan, settings=None, **save_kwargs):
    """Save the plan's time if it overlaps nothing; raise Overlap naming the other session if it does.

    Called inside a transaction: on SQLite the transaction holds the write lock from its start
    (IMMEDIATE), so the check and the save cannot interleave with another booking; on PostgreSQL
    the exclusion constraints refuse the save of the second of two concurrent bookings.
    """
    other = overlap_with(plan)
    if other is not None:
        raise Overlap(overlap_text(other, plan.therapist_id, settings), other)
    try:
        with transaction.atomic():
            plan.save(**save_kwargs)
    except (IntegrityError, OperationalError) as error:
        # Two bookings of one time saved together: PostgreSQL refuses the second with the exclusion
        # constraint, or, when each waits on the other's check, cancels one as a deadlock (40P01).
        conflict = "no_overlap" in str(error) or getattr(error.__cause__, "sqlstate", None) == DEADLOCK
        if not conflict:
            raise
        other = overlap_with(plan)
        if other is None:
            raise Overlap("Another session was booked at this time meanwhile: choose another time.") from None
        raise Overlap(overlap_text(other, plan.therapist_id, settings), other) from None


def worked_minutes(proposal):
    return sum(region["minutes"] for region in proposal["regions"])


# The facts a plan was built from, kept with it as JSON.


def facts_to_json(facts):
    """The engine facts as a JSON-safe dict, so a plan keeps exactly what it was built from."""
    return {
        "client_id": facts.client_id,
        "neuropathy_type": facts.neuropathy_type,
        "plan_date": facts.plan_date.isoformat(),
        "symptoms": [
            {"region": region, "side": side, "symptoms": sorted(codes)}
            for (region, side), codes in sorted(facts.symptoms.items())
            if codes
        ],
        "contributing_causes": sorted(facts.contributing_causes),
        "conditions": [
            {
                "code": c.code,
                "noted_on": c.noted_on.isoformat(),
                "location": c.location,
                "side": c.side,
                "value": None if c.value is None else str(c.value),
                "resolved_on": c.resolved_on.isoformat() if c.resolved_on else None,
                "detail": c.detail,
            }
            for c in facts.conditions
        ],
        "clearance_date": facts.clearance_date.isoformat() if facts.clearance_date else None,
    }


def facts_from_json(data):
    def day(value):
        return date.fromisoformat(value) if value else None

    return engine.ClientFacts(
        client_id=data["client_id"],
        neuropathy_type=data["neuropathy_type"],
        plan_date=day(data["plan_date"]),
        symptoms={(row["region"], row["side"]): frozenset(row["symptoms"]) for row in data["symptoms"]},
        contributing_causes=frozenset(data["contributing_causes"]),
        conditions=tuple(
            engine.ConditionFact(
                code=c["code"],
                noted_on=day(c["noted_on"]),
                location=c["location"],
                side=c["side"],
                value=None if c["value"] is None else Decimal(c["value"]),
                resolved_on=day(c["resolved_on"]),
                detail=c["detail"],
            )
            for c in data["conditions"]
        ),
        clearance_date=day(data["clearance_date"]),
    )


def current_facts(plan):
    """The client's facts now, for the plan's session day (two queries unless prefetched)."""
    return plan.client.facts_on(date.fromisoformat(plan.facts["plan_date"]))


def facts_changed(plan, current=None):
    """True when the client's facts for the session day differ from those the plan was built on
    (`current`: current_facts(plan), when the caller has read them)."""
    return facts_to_json(current or current_facts(plan)) != plan.facts


def places_read_otherwise(plan, items, facts):
    """Of the plan's places `items` (planned to be worked), those the rules read more strictly under the
    client's facts now (`facts`: current_facts(plan)) than when the plan was built: {(region, side):
    (avoided, sentence)}. Now avoided: the notes that avoid it; capped below the planned pressure: the
    new cap. Empty when the engine cannot plan (the plan page says why). One query: the templates."""
    templates = engine_templates()
    keys = {template.key for template in templates}
    choices = {(item.region, item.side): item.template_key for item in items if item.template_key in keys}
    try:
        proposal = engine.propose(facts, [(item.region, item.side) for item in items], templates, choices)
    except engine.EngineError:
        return {}
    planned = {(item.region, item.side): item for item in items}
    changed = {}
    for region in proposal["regions"]:
        key, item = (region["region"], region["side"]), planned[(region["region"], region["side"])]
        if region["status"] == "avoid":
            why = " ".join(note["text"] for note in region["notes"] if note["severity"] == "avoid")
            changed[key] = (True, f"Since the plan was built, the rules avoid this place. {why}".strip())
        elif (cap := region["pressure_max"]) is not None and item.pressure is not None and cap < item.pressure:
            changed[key] = (
                False,
                f"Since the plan was built, the rules cap the pressure here at {cap}, "
                f"below the {item.pressure} planned.",
            )
    return changed


# The proposal.


def propose(facts, regions, choices=None):
    """The engine's proposal with the clinic's current templates."""
    return engine.propose(facts, regions, engine_templates(), choices)


def fitted(proposal):
    """The proposal with region minutes trimmed in proportion to the session's limit, and whether it was.

    Steps are left as proposed: the pages scale them to the region's minutes (protocols.steps).
    """
    worked = [region for region in proposal["regions"] if region["status"] != "avoid"]
    new_minutes = fit_minutes(
        [(r["minutes"], min_minutes(r["steps"])) for r in worked], proposal["session"]["max_minutes"]
    )
    if new_minutes == [r["minutes"] for r in worked]:
        return proposal, False
    trimmed = dict(zip((id(r) for r in worked), new_minutes, strict=True))
    regions = [{**r, "minutes": trimmed.get(id(r), r["minutes"])} for r in proposal["regions"]]
    return {**proposal, "regions": regions}, True


# The ready gate (RULES.md "How the engine combines rules", step 7).


@dataclass(frozen=True)
class Blocker:
    """One reason a plan cannot be marked ready, and where to fix it when a page can."""

    code: str
    text: str
    fix_url: str = ""
    fix_label: str = ""
    # What the therapist editing the plan does about it, said to them only: a clinic admin reading
    # the plan, or a printed sheet, cannot tick a box.
    hint: str = ""

    @property
    def to_editor(self):
        return f"{self.text} {self.hint}" if self.hint else self.text


def blockers(*, session, client_id, day, minutes, worked, acknowledged, stale=False):
    """Everything that stops a plan from being marked ready, in the order a therapist fixes them."""
    found = []
    if session["status"] == "defer":
        found.append(
            Blocker(
                "deferred", f"The session is deferred: no hands-on session on {day:%-d %b %Y} (see the session notes)."
            )
        )
    if session["requires_clearance"] and not session["clearance_on_file"] and stale:
        # The record changed since (perhaps by this very clearance): rebuilding reads it again.
        found.append(
            Blocker(
                "clearance",
                "Physician clearance was required and none was on file when this plan was built: rebuild it to "
                "read the clearances on file now.",
            )
        )
    elif session["requires_clearance"] and not session["clearance_on_file"]:
        found.append(
            Blocker(
                "clearance",
                "Physician clearance is required and none dated within the 365 days before the session is on file.",
                f"/clients/{client_id}/clearances/new/",
                "Record the clearance",
            )
        )
    if minutes > session["max_minutes"]:
        found.append(
            Blocker(
                "minutes", f"The plan totals {minutes} minutes; this session allows {session['max_minutes']} at most."
            )
        )
    if not worked:
        found.append(Blocker("nothing", "No region is planned to be worked."))
    if stale:
        found.append(
            Blocker("stale", "The client's record changed after this plan was built: rebuild it with today's facts.")
        )
    if not acknowledged:
        found.append(Blocker("unread", "The notes are not marked as read.", hint="Tick that you have read every note."))
    return found


def plan_blockers(plan, items, stale=False):
    """Blockers of a saved plan, from its snapshot and the therapist's choices."""
    return blockers(
        session=plan.session,
        client_id=plan.client_id,
        day=local_day(plan.scheduled_for),
        minutes=sum(item.minutes for item in items if item.is_worked),
        worked=any(item.is_worked for item in items),
        acknowledged=plan.notes_acknowledged,
        stale=stale,
    )


# Writing plans.


def item_from_region(plan, region):
    """The plan item for one region of a proposal, at the minutes and pressure the proposal offers."""
    return PlanItem(
        plan=plan,
        position=place_position(region),
        region=region["region"],
        side=region["side"],
        status=region["status"],
        template_key=region["template_key"],
        template_name=region["template"],
        template_version=region["template_version"],
        pressure_max=region["pressure_max"],
        pressure=region["pressure_max"],
        proposed_minutes=region["minutes"],
        minutes=region["minutes"],
        steps=region["steps"],
        notes=region["notes"],
    )


def place_position(region):
    """Plan items are kept in page order: arms, hands, legs, feet; the client's right first."""
    return engine.REGIONS.index(region["region"]) * 2 + (0 if region["side"] == "right" else 1)


@transaction.atomic
def create_plan(
    *, client, therapist, scheduled_for, regions, created_by, goals="", fit=False, ready=False, late_reason=None
):
    """Build the proposal for the client on the session day and save it as a plan.

    With `fit`, region minutes are trimmed to the session's limit; with `ready`, the plan is
    marked ready when nothing blocks it (the caller has shown the notes and had them acknowledged).
    With `late_reason` (a string, perhaps empty) the plan is a late entry: a session that took place
    without a plan, documented afterwards; it is ready to be recorded at once, and keeps the
    proposal of its date so the record shows what the rules said.
    """
    settings = clinic()
    facts = client.facts_on(local_day(scheduled_for))
    proposal = propose(facts, engine.parse_regions(regions))
    worked = fitted(proposal)[0] if fit else proposal
    plan = SessionPlan(
        client=client,
        therapist=therapist,
        scheduled_for=scheduled_for,
        regions=regions,
        facts=facts_to_json(facts),
        proposal=proposal,
        goals=goals,
        notes_acknowledged=ready or late_reason is not None,
        created_by=created_by,
        late_entry=late_reason is not None,
        late_reason=late_reason or "",
    )
    if plan.late_entry:
        plan.status = PlanStatus.READY
    place(plan, worked_minutes(worked), settings)
    if problem := hours_problem(plan.scheduled_for, plan.ends_at, settings):
        raise OutsideHours(problem)
    book(plan, settings)
    items = []
    for region in worked["regions"]:
        item = item_from_region(plan, region)
        item.proposed_minutes = next(
            r["minutes"] for r in proposal["regions"] if (r["region"], r["side"]) == (item.region, item.side)
        )
        items.append(item)
    PlanItem.objects.bulk_create(items)
    PlanSnapshot.keep(plan, SnapshotReason.BUILT, created_by)
    if ready and not plan_blockers(plan, items):
        plan.status = PlanStatus.READY
        plan.save(update_fields=["status"])
    return plan


@transaction.atomic
def rebuild_plan(plan, facts=None, choices=None, reason=None, user=None):
    """Replace the plan's proposal: with today's facts (a rebuild) or the stored ones (a template swap).

    The therapist's minutes, pressures and dropped regions are kept where the new proposal still
    allows them; the plan returns to draft and the notes must be read again.
    """
    if reason is None:
        reason = SnapshotReason.TEMPLATE if choices is not None else SnapshotReason.REBUILT
    facts = facts or facts_from_json(plan.facts)
    previous = {(item.region, item.side): item for item in plan.items.all()}
    if choices is None:
        choices = {key: item.template_key for key, item in previous.items()}
    proposal = propose(facts, list(previous), _valid_choices(choices))
    items = []
    for region in proposal["regions"]:
        old = previous[(region["region"], region["side"])]
        item = item_from_region(plan, region)
        item.pk = old.pk  # the same region/side keeps its row, so records that point at it stay valid
        if item.status != "avoid" and old.template_key == item.template_key:
            item.dropped = old.dropped
            item.minutes = max(old.minutes, min_minutes(item.steps))
            if old.pressure is not None:
                item.pressure = min(old.pressure, item.pressure_max)
        item.save()
        items.append(item)
    plan.facts = facts_to_json(facts)
    plan.proposal = proposal
    plan.status = PlanStatus.DRAFT
    plan.notes_acknowledged = False
    was_ends_at = plan.ends_at
    place(plan, sum(i.minutes for i in items if i.is_worked))
    refuse_longer_after_hours(plan, was_ends_at)
    claim_version(plan, plan.version)
    book(plan)
    PlanSnapshot.keep(plan, reason, user)
    return plan


@transaction.atomic
def reschedule_plan(plan, starts_at, user):
    """Move the plan to a new day and time: the proposal is built again from the client's facts on
    the new date (nadir window, lab ages, clearance all follow the date), the therapist's choices are
    kept where the new proposal allows them, the plan returns to draft with the notes unread, and the
    move is kept in the plan's history. Raises Overlap or OutsideHours, and then nothing changes."""
    moved_from = plan.scheduled_for
    plan.scheduled_for = starts_at
    was, now = timezone.localtime(moved_from), timezone.localtime(starts_at)
    plan._change_reason = f"Rescheduled from {was:%Y-%m-%d %H:%M} to {now:%Y-%m-%d %H:%M}"
    rebuild_plan(plan, facts=plan.client.facts_on(local_day(starts_at)), reason=SnapshotReason.RESCHEDULED, user=user)
    if problem := hours_problem(plan.scheduled_for, plan.ends_at):
        raise OutsideHours(problem)
    return plan


def _valid_choices(choices):
    """Template choices that still exist; a retired template falls back to the default."""
    keys = {template.key for template in engine_templates()}
    return {target: key for target, key in choices.items() if key in keys}


@transaction.atomic
def save_changes(plan, *, version, items, changes, details, mark_ready):
    """Save the therapist's changes to an open plan; with `mark_ready`, pass the ready gate too.

    `changes` maps each adjustable item to its cleaned form data (template, minutes, pressure,
    dropped); `details` holds goals, notes and notes_acknowledged. Returns the blockers left (empty
    when the plan is now ready, or when it was not asked to be). Raises StaleVersion when someone
    saved the plan since `version` was read; OutsideHours when the longer session would run outside
    the clinic's hours.
    """
    was_ends_at = plan.ends_at
    claim_version(plan, version)
    swaps = {}
    for item, cleaned in changes.items():
        if cleaned["template"] and cleaned["template"] != item.template_key:
            swaps[(item.region, item.side)] = cleaned["template"]
        item.minutes, item.pressure, item.dropped = cleaned["minutes"], cleaned["pressure"], cleaned["dropped"]
        item.save(update_fields=["minutes", "pressure", "dropped"])
    if swaps:
        rebuild_plan(plan, choices={**{(i.region, i.side): i.template_key for i in items}, **swaps})
    plan.goals, plan.notes = details["goals"], details["notes"]
    plan.notes_acknowledged = details["notes_acknowledged"]
    items = list(plan.items.all())
    place(plan, sum(i.minutes for i in items if i.is_worked))
    refuse_longer_after_hours(plan, was_ends_at)
    plan.status = PlanStatus.DRAFT
    left = plan_blockers(plan, items, facts_changed(plan)) if mark_ready else []
    if mark_ready and not left:
        plan.status = PlanStatus.READY
    book(plan)
    return left


@transaction.atomic
def fit_plan(plan):
    """Trim the worked regions' minutes in proportion to the session's limit, none below its step count.

    Returns the plan's new total. The plan returns to draft: it was over the limit, so it was not ready.
    """
    items = [item for item in plan.items.all() if item.is_worked]
    new_minutes = fit_minutes([(item.minutes, min_minutes(item.steps)) for item in items], plan.max_minutes)
    for item, minutes in zip(items, new_minutes, strict=True):
        if item.minutes != minutes:
            item.minutes = minutes
            item.save(update_fields=["minutes"])
    place(plan, sum(new_minutes))
    plan.status = PlanStatus.DRAFT
    claim_version(plan, plan.version)
    book(plan)  # shorter, but the clinic's buffer may have grown since it was booked
    return sum(new_minutes)


def therapist_has_left(plan):
    """True when the plan's therapist can no longer act on it (account deactivated, no longer a
    therapist, or off the client's care team): then a clinic admin may cancel it."""
    therapist = plan.therapist
    return (
        not therapist.is_active
        or not is_therapist(therapist)
        or not plan.client.care_team.filter(pk=therapist.pk).exists()
    )


def on_care_team(user, client="client"):
    """An annotation: whether `user` is on the care team of the client `client` names (a plan's or a
    record's "client"; "pk" on a queryset of clients)."""
    members = Client.care_team.through.objects.filter(client=OuterRef(client), user=user)
    return Exists(members)


def check_still_on_care_team(user, client, to_do, on_team=None):
    """Raise PermissionDenied unless the user is still a therapist on the client's care team: a plan's
    therapist who has lost the role, or left the team, can no longer act on it (`to_do`: "record this
    session"). A clinic admin reads every client, so being able to open the plan does not say it.
    `on_team`, when the caller read it with the plan (on_care_team), saves a query."""
    if not is_therapist(user):
        raise PermissionDenied(
            f"Your account is no longer a therapist's, so you cannot {to_do}: a clinic admin gives the role back."
        )
    if on_team is None:
        on_team = client.care_team.filter(pk=user.pk).exists()
    if not on_team:
        raise PermissionDenied(
            f"You are no longer on {client}'s care team, so you cannot {to_do}: a clinic admin adds you back."
        )


class RecordStarted(Exception):
    """The session's record is started: the session took place and cannot be cancelled."""


def cancel_plan(plan, reason, category=""):
    """Cancel the plan (it stays in the record), with the kind of reason and, optionally, a note.

    The plan's row is locked first, as the record's first save locks it, so a session is either
    cancelled or recorded: RecordStarted when its record is started. The version claimed is the one
    the plan was read at, so a save made since (a reschedule) refuses the cancel (StaleVersion)
    rather than being written over."""
    with transaction.atomic():
        SessionPlan.objects.select_for_update().filter(pk=plan.pk).exists()
        if SessionRecord.objects.filter(plan_id=plan.pk).exists():
            raise RecordStarted
        plan.status = PlanStatus.CANCELLED
        plan.cancelled_at = timezone.now()
        plan.cancel_category = category
        plan.cancel_reason = reason
        claim_version(plan, plan.version)
        plan.save()


def future_plans(client, now=None):
    """The client's booked sessions still to come and not recorded: what archiving cancels."""
    return (
        SessionPlan.objects.filter(client=client, status__in=[PlanStatus.DRAFT, PlanStatus.READY])
        .filter(scheduled_for__gte=now or timezone.now(), record__isnull=True)
        .select_related("therapist")
        .order_by("scheduled_for", "pk")
    )


def cancelled_by_the_archiving(sender, client, archived_at, **kwargs):
    """For the clinic admin who restores a client: the sessions still to come that the archiving
    cancelled, which stay cancelled."""
    cancelled = SessionPlan.objects.filter(
        client=client,
        status=PlanStatus.CANCELLED,
        cancel_category=CancelReason.CLIENT_ARCHIVED,
        cancelled_at__gte=archived_at,
        scheduled_for__gte=timezone.now(),
    ).count()
    if not cancelled:
        return []
    if cancelled == 1:
        return [f"The archiving cancelled 1 session still to come with {client}. It stays cancelled: plan it again."]
    return [
        f"The archiving cancelled {cancelled} sessions still to come with {client}. "
        "They stay cancelled: plan them again."
    ]


def left_behind_by_care_team(sender, client, users, **kwargs):
    """What therapists taken off a client's care team leave behind, for the clinic admin who took them off:
    records they can no longer open to sign, and sessions still booked with them."""
    sentences = []
    for user in users:
        if is_clinic_admin(user):
            continue  # a clinic admin opens every client's plans and records, care team or not
        name = user.get_full_name() or user.username
        unsigned = SessionRecord.objects.filter(client=client, therapist=user).unsigned().count()
        if unsigned == 1:
            sentences.append(
                f"{name} left 1 session record of {client} unsigned: only they can sign it, and off the care "
                "team they cannot open it. Add them back to the care team until it is signed."
            )
        elif unsigned:
            sentences.append(
                f"{name} left {unsigned} session records of {client} unsigned: only they can sign them, and off "
                "the care team they cannot open them. Add them back to the care team until they are signed."
            )
        booked = future_plans(client).filter(therapist=user).count()
        if booked:
            sessions = "session" if booked == 1 else "sessions"
            sentences.append(
                f"{name} still has {booked} {sessions} to come with {client}: cancel "
                f"{'it' if booked == 1 else 'them'} from the plan page, or add them back to the care team."
            )
    return sentences


def cancel_for_archived_client(sender, client, user, **kwargs):
    """Archiving a client cancels every session still to come, with the reason "client archived"."""
    for plan in future_plans(client):
        try:
            cancel_plan(plan, "", CancelReason.CLIENT_ARCHIVED)
        except RecordStarted:
            continue  # recorded meanwhile: the session took place, its record is kept and finished


# The therapist's day: clashes and the next free slot.


def _round_up(moment, minutes=5):
    """The moment rounded up to whole `minutes` (a time a person would book)."""
    extra = (-(moment.minute % minutes)) % minutes
    moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=extra)
    return moment


def clash_and_next_free(therapist, starts_at, minutes, exclude=None, client=None, settings=None):
    """The booked plan a new session would overlap (the therapist's, buffer included, or the
    client's), or None; and the first start from starts_at on that day where it overlaps nothing
    (None when the day has no such time before closing)."""
    settings = settings or clinic()
    buffer = buffer_after(settings)
    whose = Q(therapist=therapist) | Q(client=client) if client is not None else Q(therapist=therapist)
    booked = SessionPlan.objects.booked().on_days(local_day(starts_at)).filter(whose)
    if exclude is not None:
        booked = booked.exclude(pk=exclude.pk)
    booked = list(booked.select_related("client", "therapist").order_by("scheduled_for"))

    def first_hit(start):
        end = slot_end(start, minutes)
        for plan in booked:
            if plan.therapist_id == therapist.pk and plan.scheduled_for < end + buffer and plan.busy_until > start:
                return plan, plan.busy_until
            if client is not None and plan.client_id == client.pk and plan.scheduled_for < end and plan.ends_at > start:
                return plan, plan.ends_at
        return None, None

    clash, free_from = first_hit(starts_at)
    if clash is None:
        return None, starts_at
    candidate = _round_up(free_from)
    for _ in range(len(booked) + 1):
        hit, free_from = first_hit(candidate)
        if hit is None:
            break
        candidate = _round_up(free_from)
    if hours_problem(candidate, slot_end(candidate, minutes), settings):
        return clash, None
    return clash, candidate
