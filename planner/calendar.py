"""The schedule as a grid: half-hour rows between the clinic's hours, one column per day or per
therapist. Pure: it arranges plans it is given, no queries."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from .models import PlanStatus

ROW = timedelta(minutes=30)


@dataclass
class Column:
    key: str
    label: str
    day: object  # a date
    plans: list
    bookable: bool = False  # empty slots link to a new plan (the column is the user's own)
    today: bool = False


@dataclass
class Block:
    """Plans drawn together in one cell: one plan, or plans whose rows meet."""

    first_row: int
    last_row: int  # exclusive
    plans: list = field(default_factory=list)

    @property
    def rows(self):
        return self.last_row - self.first_row


@dataclass
class Cell:
    block: Block = None
    starts_at: datetime = None
    href: str = ""
    column: Column = None


@dataclass
class Row:
    at: time
    cells: list
    hour: bool


def split_cancelled(plans):
    """The booked plans and the cancelled ones, each in the order given."""
    booked, cancelled = [], []
    for plan in plans:
        (cancelled if plan.status == PlanStatus.CANCELLED else booked).append(plan)
    return booked, cancelled


# A stand-in primary key, replaced in the reversed URL of each plan on the schedule.
PK_MARK = 987654321


# A therapist's session with a client whose care team they have left still takes their time, but
# need-to-know has ended: the schedule shows neither the client nor a link to the plan.
LEFT_CARE = "No longer in your care"


def label(plans):
    """What each block shows, formatted here once rather than through a filter per use (a clinic's
    day holds hundreds of sessions): its link, start and end times, and the client's name.

    A plan annotated `in_care=False` shows no name, link or deferral (see LEFT_CARE)."""
    zone, detail = timezone.get_current_timezone(), reverse("planner:plan-detail", args=[PK_MARK])
    for plan in plans:
        plan.href = detail.replace(str(PK_MARK), str(plan.pk))
        plan.starts_hm = f"{plan.scheduled_for.astimezone(zone):%H:%M}"
        plan.ends_hm = f"{plan.ends_at.astimezone(zone):%H:%M}"
        plan.client_name = str(plan.client)
        if getattr(plan, "in_care", True) is False:
            plan.href, plan.client_name, plan.session_status = "", LEFT_CARE, None
    return plans


def days_of(start, span, plans):
    """Each day shown, from `start`, with its plans."""
    days = {start + timedelta(days=n): [] for n in range(span)}
    for plan in plans:
        days.setdefault(timezone.localdate(plan.scheduled_for), []).append(plan)
    return days


def therapist_columns(day, staff, plans, user, can_book, today):
    """One column per therapist on one day; only the user's own column takes bookings."""
    by_therapist = {member.pk: [] for member in staff}
    names = {member.pk: member for member in staff}
    for plan in plans:
        by_therapist.setdefault(plan.therapist_id, []).append(plan)
        names.setdefault(plan.therapist_id, plan.therapist)
    current = {member.pk for member in staff}
    return [
        Column(
            key=str(pk),
            label=(names[pk].get_full_name() or names[pk].username) + ("" if pk in current else " (former therapist)"),
            day=day,
            plans=column_plans,
            bookable=can_book and pk == user.pk,
            today=day == today,
        )
        for pk, column_plans in by_therapist.items()
    ]


def day_columns(days, bookable, today):
    """One column per day of one therapist's week."""
    return [
        Column(
            key=day.isoformat(),
            label=f"{day:%a %-d %b}",
            day=day,
            plans=day_plans,
            bookable=bookable,
            today=day == today,
        )
        for day, day_plans in sorted(days.items())
    ]


def _minutes(moment, day):
    local = timezone.localtime(moment)
    days = (local.date() - day).days
    return days * 24 * 60 + local.hour * 60 + local.minute


def _blocks(plans, day, first, count):
    """The column's plans as blocks of rows (first minute `first`, `count` rows), in time order."""
    blocks = []
    for plan in sorted(plans, key=lambda p: (p.scheduled_for, p.pk)):
        start = (_minutes(plan.scheduled_for, day) - first) // 30
        end = -(-(_minutes(plan.ends_at, day) - first) // 30)
        start = min(max(start, 0), count - 1)
        end = min(max(end, start + 1), count)
        if blocks and start < blocks[-1].last_row:
            blocks[-1].last_row = max(blocks[-1].last_row, end)
            blocks[-1].plans.append(plan)
        else:
            blocks.append(Block(start, end, [plan]))
    return blocks


def grid(columns, opens, closes, now):
    """Rows of cells for a table: each column's plans as blocks spanning their rows, and an empty
    cell for every free half hour (with a link to a new plan there when the column is bookable and
    the time is still to come). The rows run from opening to closing, widened to any plan outside."""
    first = opens.hour * 60 + opens.minute
    last = closes.hour * 60 + closes.minute
    for column in columns:
        for plan in column.plans:
            first = min(first, _minutes(plan.scheduled_for, column.day))
            last = max(last, _minutes(plan.ends_at, column.day))
    first = max(first // 30 * 30, 0)
    last = min(-(-last // 30) * 30, 24 * 60)
    count = max((last - first) // 30, 1)
    starts = {}
    covered = set()
    for index, column in enumerate(columns):
        for block in _blocks(column.plans, column.day, first, count):
            starts[(index, block.first_row)] = block
            covered.update((index, row) for row in range(block.first_row + 1, block.last_row))
    rows = []
    for number in range(count):
        minute = first + number * 30
        at = time(minute // 60, minute % 60)
        cells = []
        for index, column in enumerate(columns):
            if (index, number) in covered:
                continue
            block = starts.get((index, number))
            if block is not None:
                cells.append(Cell(block=block, column=column))
                continue
            starts_at = timezone.make_aware(datetime.combine(column.day, at))
            href = ""
            if column.bookable and starts_at >= now:
                href = "/plans/new/?" + urlencode({"date": column.day.isoformat(), "time": at.strftime("%H:%M")})
            cells.append(Cell(starts_at=starts_at, href=href, column=column))
        rows.append(Row(at=at, cells=cells, hour=minute % 60 == 0))
    return rows
