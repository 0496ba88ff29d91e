"""Score corrections: an addendum to a signed record may correct a score or a pressure used.

The record itself stays as signed. The corrected value is what charts and the progress letter
use (the latest correction of a value wins); the original stays visible beside it with who
corrected it, when and why (the addendum's author, time and text).
"""

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from protocols.labels import place

SCORE_FIELDS = {
    "pain_before": "Pain before",
    "pain_after": "Pain after",
    "numbness_before": "Numbness/tingling before",
    "numbness_after": "Numbness/tingling after",
}
PRESSURE_USED = "pressure_used"
FIELD_CHOICES = [*SCORE_FIELDS.items(), (PRESSURE_USED, "Pressure used")]


class ScoreCorrection(models.Model):
    """The corrected value of one score of a record, or of the pressure used on one region, and its addendum."""

    addendum = models.OneToOneField("planner.Addendum", on_delete=models.PROTECT, related_name="correction")
    record = models.ForeignKey("planner.SessionRecord", on_delete=models.PROTECT, related_name="corrections")
    item = models.ForeignKey(
        "planner.RecordItem", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    field = models.CharField(max_length=20, choices=FIELD_CHOICES)
    original = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The value as signed.")
    corrected = models.PositiveSmallIntegerField()
    deviation_reason = models.CharField(
        max_length=300, blank=True, help_text="Why a corrected pressure used is above the plan's."
    )

    class Meta:
        ordering = ["addendum__created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=[code for code, _ in FIELD_CHOICES]), name="correction_field_valid"
            ),
            models.CheckConstraint(
                condition=Q(field=PRESSURE_USED, item__isnull=False, corrected__lte=5)
                | (~Q(field=PRESSURE_USED) & Q(item__isnull=True, corrected__lte=10)),
                name="correction_value_in_range",
            ),
        ]
        indexes = [
            # The corrected-value subqueries: the latest correction of one field of a record.
            models.Index(fields=["record", "field"], name="correction_record_field"),
        ]

    def __str__(self):
        return f"{self.label}: {self.original} corrected to {self.corrected}"

    @property
    def label(self):
        if self.field == PRESSURE_USED and self.item is not None:
            return f"Pressure used, {place(self.item.region, self.item.side)}"
        return dict(FIELD_CHOICES)[self.field]


def _latest(field, **match):
    return (
        ScoreCorrection.objects.filter(field=field, **match)
        .order_by("-addendum__created_at", "-pk")
        .values("corrected")[:1]
    )


def with_corrected_scores(records):
    """Annotate each record with corrected_<score> for the four scores: the latest correction or the signed value."""
    return records.annotate(
        **{
            f"corrected_{name}": Coalesce(Subquery(_latest(name, record=OuterRef("pk"))), F(name))
            for name in SCORE_FIELDS
        }
    )


def client_corrections(client):
    """Every correction of the client's records, oldest first (so the latest of each value comes last),
    as (record_id, item_id, field, corrected, deviation_reason) rows: one query. The client page reads
    them once for its charts and its list of records (corrected_score_rows, read_corrected), which
    read the same rows each on its own before."""
    return list(
        ScoreCorrection.objects.filter(record__client=client)
        .order_by("addendum__created_at", "pk")
        .values_list("record_id", "item_id", "field", "corrected", "deviation_reason")
    )


def corrected_score_rows(records, client_fixes, *leading):
    """(*leading, pain_before, pain_after, numbness_before, numbness_after) per record, each score its
    latest correction or the signed value, in the records' order: one query, with the corrections of
    the records' client (client_corrections; with_corrected_scores probes four subqueries per record)."""
    latest = {
        (record, field): corrected
        for record, _item, field, corrected, _reason in client_fixes  # oldest first: the latest wins
        if field != PRESSURE_USED
    }
    return [
        (*lead, *(latest.get((pk, name), value) for name, value in zip(SCORE_FIELDS, scores, strict=True)))
        for pk, *row in records.values_list("pk", *leading, *SCORE_FIELDS)
        for lead, scores in [(row[: len(leading)], row[len(leading) :])]
    ]


def read_corrected(records, client_fixes):
    """Set on each record of `records` (a list of one client's records) what with_corrected_scores and
    with_corrected_pressure annotate: corrected_<score> for the four scores, and `corrected_items`, its
    items in order, each with corrected_pressure_used and corrected_deviation_reason. One query for any
    number of records, their items, with the corrections of their client (client_corrections), oldest
    first, so the latest of each value is set last. A list of a few records reads far faster so than
    through the annotations' six subqueries, which are built and compiled anew for every query."""
    from planner.models import RecordItem  # models imports this module

    by_pk = {}
    for record in records:
        for name in SCORE_FIELDS:
            setattr(record, f"corrected_{name}", getattr(record, name))
        record.corrected_items = []
        by_pk[record.pk] = record
    items = {}
    for item in RecordItem.objects.filter(record__in=list(by_pk)):
        item.corrected_pressure_used, item.corrected_deviation_reason = item.pressure_used, item.deviation_reason
        by_pk[item.record_id].corrected_items.append(item)
        items[item.pk] = item
    for record_id, item_id, field, corrected, reason in client_fixes:
        if record_id not in by_pk:  # a record not in the list (not shown, or not the user's to see)
            continue
        if field != PRESSURE_USED:
            setattr(by_pk[record_id], f"corrected_{field}", corrected)
        elif item_id in items:
            items[item_id].corrected_pressure_used, items[item_id].corrected_deviation_reason = corrected, reason
    return records


def with_corrected_pressure(items):
    """Annotate each record item with corrected_pressure_used, and corrected_deviation_reason: the
    reason its latest pressure correction gave (or the signed reason when it was not corrected)."""
    latest_reason = (
        ScoreCorrection.objects.filter(field=PRESSURE_USED, item=OuterRef("pk"))
        .order_by("-addendum__created_at", "-pk")
        .values("deviation_reason")[:1]
    )
    return items.annotate(
        corrected_pressure_used=Coalesce(Subquery(_latest(PRESSURE_USED, item=OuterRef("pk"))), F(PRESSURE_USED)),
        corrected_deviation_reason=Coalesce(Subquery(latest_reason), F("deviation_reason")),
    )


def in_order(record):
    """The record's corrections, oldest first, each with `previous`: the value in use before it."""
    in_use = {}
    rows = list(record.corrections.select_related("addendum__author", "item").order_by("addendum__created_at", "pk"))
    for correction in rows:
        key = (correction.field, correction.item_id)
        correction.previous = in_use.get(key, correction.original)
        in_use[key] = correction.corrected
    return rows


def mark_deviations(items, record_corrections):
    """Set deviation_now and deviation_reason_now on items annotated by with_corrected_pressure: the
    deviation as the record now reads, a corrected pressure with the reason its correction gave."""
    latest = {c.item_id: c for c in record_corrections if c.field == PRESSURE_USED}  # oldest first: latest wins
    for item in items:
        item.deviation_now = (
            item.done
            and item.pressure_planned is not None
            and item.corrected_pressure_used is not None
            and item.corrected_pressure_used > item.pressure_planned
        )
        correction = latest.get(item.pk)
        item.deviation_reason_now = correction.deviation_reason if correction else item.deviation_reason


def current_value(record, field, item=None):
    """The value a correction would replace: the latest correction of it, else the signed value."""
    match = {"item": item} if item is not None else {}
    latest = _latest(field, record=record, **match).first()
    if latest is not None:
        return latest["corrected"]
    return getattr(item if item is not None else record, field)
