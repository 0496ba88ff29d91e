"""Recording a planned session: save a draft, sign it, add addenda and score corrections.

Locking is enforced here; the views only show the outcome.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from protocols.versioning import claim_version, first_save

from .corrections import PRESSURE_USED, ScoreCorrection
from .models import Addendum, PlanStatus, RecordItem, SessionPlan, SessionRecord
from .record_forms import above_plan
from .roles import is_clinic_admin

# A session can be recorded from this long before its planned start (setting up, the intake talk).
OPENS_BEFORE = timedelta(minutes=30)
# The same addendum sent again by its author within this time is the same form sent twice.
REPEAT_WINDOW = timedelta(minutes=10)


def now():
    """The clock the recording gate reads."""
    return timezone.now()


def opens_at(plan):
    return plan.scheduled_for - OPENS_BEFORE


class RecordLocked(Exception):
    """The record is signed: only an addendum can change what it says."""


class PlanChanged(Exception):
    """The plan was cancelled, or turned back to a draft, after the record form was opened and before
    its record was first saved: the message says which."""


# What the record form saves: numbers (empty allowed in a draft) and free texts.
NUMBER_FIELDS = ["minutes", "pain_before", "pain_after", "numbness_before", "numbness_after"]
TEXT_FIELDS = ["skin_check", "subjective", "objective", "assessment", "soap_plan", "next_time", "adverse_other"]


def worked_items(plan):
    """The plan items a record asks about: every region planned to be worked."""
    return [item for item in plan.items.all() if item.is_worked]


def save_record(plan, cleaned, item_rows, user, *, sign=False):
    """Create or update the plan's record from valid forms; sign it when asked. Returns the record."""
    with transaction.atomic():
        # The plan's row is locked first, as cancelling locks it: a session is either cancelled or recorded.
        status = SessionPlan.objects.select_for_update().filter(pk=plan.pk).values_list("status", flat=True).get()
        record = SessionRecord.objects.select_for_update().filter(plan=plan).first()
        if record is not None and record.is_signed:
            raise RecordLocked
        if record is None and status == PlanStatus.CANCELLED:
            raise PlanChanged("Not saved: this session was cancelled meanwhile, so it takes no record.")
        if record is None and status != PlanStatus.READY:
            raise PlanChanged(
                "Not saved: this plan was turned back to a draft meanwhile. Read it, mark it ready, then record."
            )
        if record is None:
            record = SessionRecord(
                plan=plan, client=plan.client, therapist=plan.therapist, started_at=plan.scheduled_for
            )
        # A form opened on no record sends 0; one opened on a record that has gone sends its old version.
        claim_version(record, cleaned.get("version"))
        for name in NUMBER_FIELDS:
            setattr(record, name, cleaned.get(name))
        for name in TEXT_FIELDS:
            setattr(record, name, cleaned.get(name) or "")
        record.adverse_events = list(cleaned.get("adverse_events") or [])
        if sign:
            record.signed_at = timezone.now()
            record.signed_by = user
        if record.pk is None:
            first_save(record)
        else:
            record.save()
        existing = {item.plan_item_id: item for item in record.items.all()}
        for plan_item, values in item_rows:
            item = existing.get(plan_item.pk) or RecordItem(
                record=record, plan_item=plan_item, region=plan_item.region, side=plan_item.side
            )
            item.done = bool(values.get("done"))
            item.minutes = values.get("minutes")
            item.pressure_used = values.get("pressure_used")
            item.pressure_planned = plan_item.pressure
            item.deviation_reason = (values.get("deviation_reason") or "").strip() if item.is_deviation else ""
            item.save()
        if sign:
            plan.status = PlanStatus.DONE
            plan.save(update_fields=["status", "updated_at"])
    return record


def says_the_same(record, cleaned, item_rows):
    """True when the record already holds exactly these values (the same form sent twice)."""
    if any(getattr(record, name) != cleaned.get(name) for name in NUMBER_FIELDS):
        return False
    if any(getattr(record, name) != (cleaned.get(name) or "") for name in TEXT_FIELDS):
        return False
    if record.adverse_events != list(cleaned.get("adverse_events") or []):
        return False
    saved = {item.plan_item_id: item for item in record.items.all()}
    for plan_item, values in item_rows:
        item = saved.get(plan_item.pk)
        reason = (values.get("deviation_reason") or "").strip()
        sent = (
            bool(values.get("done")),
            values.get("minutes"),
            values.get("pressure_used"),
            reason if values.get("done") and above_plan(values.get("pressure_used"), plan_item.pressure) else "",
        )
        if item is None or (item.done, item.minutes, item.pressure_used, item.deviation_reason) != sent:
            return False
    return True


def may_add_to(user, record):
    """Who adds to a session record (an addendum, an attached document, one replaced): its therapist, or
    a clinic admin; a colleague on the care team reads it but does not add to it."""
    return record.therapist_id == user.pk or is_clinic_admin(user)


def records_to_add_to(user, records):
    """Of a queryset of records, those the user may add to (may_add_to), filtered by the database."""
    return records if is_clinic_admin(user) else records.filter(therapist=user)


@transaction.atomic
def add_addendum(record, text, author, *, field="", value=None, item=None, deviation_reason=""):
    """Add an addendum; with a field and value it also corrects that score (or the item's pressure used,
    with the reason for a pressure above the plan's)."""
    if not record.is_signed:
        raise ValueError("Only a signed record takes addenda; edit the draft instead.")
    addendum = Addendum.objects.create(record=record, text=text, author=author)
    if field:
        ScoreCorrection.objects.create(
            addendum=addendum,
            record=record,
            item=item if field == PRESSURE_USED else None,
            field=field,
            original=getattr(item if field == PRESSURE_USED else record, field),
            corrected=value,
            deviation_reason=deviation_reason if field == PRESSURE_USED else "",
        )
    return addendum


def repeated_addendum(record, author, text, correct="", value=""):
    """The author's latest addendum on the record when it says the same, just now (a form sent twice); else None.

    `correct` and `value` are as the addendum form sends them ("pain_after", "pressure_used:12"; "5").
    """
    latest = record.addenda.filter(author=author).select_related("correction").order_by("-created_at", "-pk").first()
    if latest is None or latest.text != (text or "").strip() or timezone.now() - latest.created_at > REPEAT_WINDOW:
        return None
    correction = getattr(latest, "correction", None)
    said = ("", "")
    if correction is not None:
        choice = f"{correction.field}:{correction.item_id}" if correction.item_id else correction.field
        said = (choice, str(correction.corrected))
    sent = ((correct or "").strip(), (value or "").strip())
    return latest if sent == said else None


def refusal_to_sign(plan, moment):
    """Why the record cannot be signed now, as a sentence; "" when it can. The form opens 30 minutes
    before the session, for the scores before it; a record signed then would be signed before its
    session began (its signature earlier than its start, in the record and in every export)."""
    if moment < plan.scheduled_for:
        starts = timezone.localtime(plan.scheduled_for)
        return (
            f"This session starts at {starts:%H:%M}: sign its record once the session has begun. "
            "Save it as a draft until then."
        )
    return ""


def refusal_to_record(plan, record, moment):
    """Why this plan's session cannot be recorded now, as a sentence; "" when it can."""
    if plan.client.is_archived and record is None:
        return f"{plan.client} is archived: restore the client before recording a session."
    if plan.status not in (PlanStatus.READY, PlanStatus.DONE):
        return "Only a plan marked ready can be recorded. Finish the plan first."
    if record is None and opens_at(plan) > moment:
        starts, opens = timezone.localtime(plan.scheduled_for), timezone.localtime(opens_at(plan))
        return (
            f"This session is planned for {starts:%-d %B} at {starts:%H:%M}: "
            f"recording opens at {opens:%H:%M} that day, 30 minutes before the start."
        )
    return ""
