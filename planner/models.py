from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models.fields.json import KT
from django.utils import timezone
from simple_history import register
from simple_history.models import HistoricalRecords

from planner.roles import is_clinic_admin


class StaffProfile(models.Model):
    """What the clinic keeps about a staff account beyond Django's user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile")
    must_change_password = models.BooleanField(
        default=False, help_text="Set when an admin gives a temporary password; cleared when the user changes it."
    )
    # The account's edit form checks it (protocols.versioning), so one admin's stale form cannot undo another's edit.
    version = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"Profile of {self.user}"

    @classmethod
    def must_change(cls, user):
        return cls.objects.filter(user=user, must_change_password=True).exists()


# Account changes (names, e-mail, active flag, roles) are audited like clinical records.
register(get_user_model(), app="planner", m2m_fields=["groups"], excluded_fields=["password", "last_login"])


class ClinicSettings(models.Model):
    """The clinic's schedule rules, one row edited by clinic admins: hours, the buffer between a
    therapist's sessions, how late a session may be recorded afterwards, calendar feeds."""

    opens_at = models.TimeField("Sessions from", default=time(7, 0))
    closes_at = models.TimeField("Sessions until", default=time(21, 0))
    buffer_minutes = models.PositiveSmallIntegerField(
        "Buffer between a therapist's sessions (minutes)",
        default=10,
        help_text="Kept free after each session, for notes, the room and hand washing.",
    )
    late_entry_days = models.PositiveSmallIntegerField(
        "Late entries allowed for (days)",
        default=7,
        help_text="A session that was not planned can be recorded afterwards for this many days.",
    )
    calendar_feeds_allowed = models.BooleanField(
        "Therapists may subscribe to their schedule in a calendar app",
        default=True,
        help_text="Turning this off stops every therapist's calendar feed at once.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "clinic settings"
        verbose_name_plural = "clinic settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="clinic_settings_single_row"),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="clinic_hours_order"),
            models.CheckConstraint(condition=models.Q(buffer_minutes__lte=120), name="clinic_buffer_at_most_2h"),
        ]

    def __str__(self):
        return "Clinic settings"

    @classmethod
    def load(cls):
        found, _ = cls.objects.get_or_create(pk=1)
        return found


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    READY = "ready", "Ready"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CancelReason(models.TextChoices):
    """Why a session did not take place; counted per client."""

    CLIENT_CANCELLED = "client_cancelled", "Client cancelled"
    CLINIC_CANCELLED = "clinic_cancelled", "Clinic cancelled"
    NO_SHOW = "no_show", "No-show"
    WEATHER = "weather", "Weather"
    HEALTH = "health", "Client's health"
    CLIENT_ARCHIVED = "client_archived", "Client archived"


class ItemStatus(models.TextChoices):
    OK = "ok", "Work"
    MODIFY = "modify", "Work with changes"
    AVOID = "avoid", "Do not work"


def day_start(day, after=0):
    """The moment the local day (or the day `after` days later) begins, for ranges on datetimes."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=after), time.min))


class OnCareTeam(models.Func):
    """A condition on rows with a client (`client` names its column): the user is on the client's care team.

    A probe per row (a scalar subquery on the care team's (user, client) key), not a join: PostgreSQL then
    walks a list's index in order and stops at its LIMIT, where a join read the whole care team and every
    plan in range before sorting (a therapist's dashboard lists: 0.2 ms instead of 1-2 ms each to run, and
    half the planning). Written out, as the ORM's Subquery took longer to build than the probe to run."""

    output_field = models.BooleanField()

    def __init__(self, user, client="client_id"):
        super().__init__(models.F(client), models.Value(user.pk))

    def as_sql(self, compiler, connection, **extra_context):
        from clients.models import Client  # clients' models load before the planner's

        client, client_params = compiler.compile(self.source_expressions[0])
        user, user_params = compiler.compile(self.source_expressions[1])
        through = Client.care_team.through._meta
        team, client_column, user_column = (
            connection.ops.quote_name(name)
            for name in (through.db_table, through.get_field("client").column, through.get_field("user").column)
        )
        probe = f"SELECT TRUE FROM {team} probe WHERE probe.{client_column} = {client} AND probe.{user_column} = {user}"
        # FALSE, not NULL, off the care team: so that exclude() and ~Q() read the rows this does not.
        return f"COALESCE(({probe}), FALSE)", [*client_params, *user_params]


class SessionPlanQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins see every plan; a therapist sees the plans they give, while they are on the
        client's care team (need-to-know ends with the care)."""
        if is_clinic_admin(user):
            return self
        return self.filter(therapist=user).filter(OnCareTeam(user))

    def booked(self):
        """Plans that hold a place in the therapist's day."""
        return self.exclude(status=PlanStatus.CANCELLED)

    def for_lists(self):
        """Plans as lists show them: without the JSON snapshots (kilobytes each), with the session's
        status ("ok" or "defer") read from the proposal in the database as `session_status`."""
        return self.defer("facts", "proposal").annotate(session_status=KT("proposal__session__status"))

    def for_plan_list(self, with_therapist=True):
        """Plans with their client, and their therapist when the list names them (a clinic admin's), reading
        only the columns templates/planner/_plan_list.html shows: a dashboard's lists build small objects
        instead of whole plans, clients and accounts. A therapist's own lists are all theirs: no account is
        joined or built per plan."""
        plans = self.for_lists().select_related("client")
        fields = [
            *("scheduled_for", "status", "late_entry", "client", "therapist"),
            *("client__first_name", "client__last_name", "client__archived_at"),
        ]
        if with_therapist:
            plans = plans.select_related("therapist")
            fields += ["therapist__first_name", "therapist__last_name", "therapist__username"]
        return plans.only(*fields)

    def on_days(self, first, last=None):
        """Plans starting on the local days first..last: a range on scheduled_for, which the indexes serve."""
        return self.filter(scheduled_for__gte=day_start(first), scheduled_for__lt=day_start(last or first, after=1))

    def therapist_overlaps(self, therapist, starts_at, busy_until):
        """The therapist's booked plans whose time, buffer included, meets starts_at..busy_until."""
        return self.booked().filter(therapist=therapist, scheduled_for__lt=busy_until, busy_until__gt=starts_at)

    def client_overlaps(self, client, starts_at, ends_at):
        """The client's booked plans (with any therapist) that meet starts_at..ends_at."""
        return self.booked().filter(client=client, scheduled_for__lt=ends_at, ends_at__gt=starts_at)


class SessionPlan(models.Model):
    """A planned session: the engine's proposal as built (a snapshot) and the therapist's choices."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="plans")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_plans")
    scheduled_for = models.DateTimeField()
    ends_at = models.DateTimeField(help_text="Start plus the planned minutes; used to refuse double bookings.")
    busy_until = models.DateTimeField(
        help_text="The end plus the clinic's buffer at booking time: how long the therapist is taken."
    )
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    regions = models.CharField(max_length=100, help_text='What was asked for, e.g. "hands,feet:left".')
    facts = models.JSONField(help_text="The client facts the proposal was built from.")
    proposal = models.JSONField(help_text="The engine's proposal, exactly as built.")
    goals = models.TextField(blank=True)
    notes = models.TextField("Session notes", blank=True)
    notes_acknowledged = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    late_entry = models.BooleanField(
        default=False, help_text="Recorded afterwards: the session took place without a plan made before it."
    )
    late_reason = models.TextField(
        "Why it went ahead", blank=True, help_text="Required when the rules deferred the session on that date."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_category = models.CharField(
        "Reason", max_length=20, choices=CancelReason.choices, blank=True, help_text="Why the session did not happen."
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    # Who changed what and when; the snapshots change only when the plan is (re)built, and each
    # version of them is kept once, in PlanSnapshot, not copied into every history row.
    history = HistoricalRecords(excluded_fields=["facts", "proposal"])

    objects = SessionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_for", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("scheduled_for")), name="plan_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="plan_version_positive"),
            models.CheckConstraint(
                condition=models.Q(busy_until__gte=models.F("ends_at")), name="plan_busy_until_after_end"
            ),
            # On PostgreSQL two exclusion constraints (migration 0011) also refuse overlapping booked
            # plans of one therapist (start..busy_until) and of one client (start..ends_at).
        ]
        indexes = [
            # The schedule and the double-booking check: a therapist's plans in a time range.
            models.Index(fields=["therapist", "scheduled_for"], name="plan_therapist_time"),
            # The client page: a client's plans by date.
            models.Index(fields=["client", "scheduled_for"], name="plan_client_time"),
            # A clinic admin's day (dashboard's today, schedule by day): every therapist's plans in a time range.
            models.Index(fields=["scheduled_for"], name="plan_time"),
            # The dashboard's next ready sessions and open drafts: status = X AND scheduled_for >= today, by time.
            models.Index(fields=["status", "scheduled_for"], name="plan_status_time"),
            # The same lists on a therapist's dashboard: therapist = X AND status = Y AND scheduled_for >= today.
            models.Index(fields=["therapist", "status", "scheduled_for"], name="plan_therapist_status_time"),
            # A clinic admin's dashboard, past sessions with no record: open plans before today, latest first.
            models.Index(
                fields=["-scheduled_for"],
                name="plan_open_time",
                condition=models.Q(status__in=["draft", "ready"]),
            ),
        ]

    def __str__(self):
        return f"Plan {self.pk} for {self.client} on {self.scheduled_for:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.client.ensure_writable()  # an archived client gets no new plans; open ones may be cancelled
        super().save(*args, **kwargs)

    def readable_by(self, user):
        """SessionPlanQuerySet.for_user's rule for one plan of a client the user may see (so on its care
        team, or a clinic admin): a clinic admin reads every plan, a therapist the plans they give."""
        return is_clinic_admin(user) or self.therapist_id == user.pk

    @property
    def is_open(self):
        """Draft or ready: the plan can still be changed or rebuilt."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.READY)

    @property
    def session(self):
        return self.proposal["session"]

    @property
    def is_deferred(self):
        return self.session["status"] == "defer"

    @property
    def late_flagged(self):
        """A late entry of a session the rules deferred on its date: it went ahead against them."""
        return self.late_entry and self.is_deferred

    @property
    def max_minutes(self):
        return self.session["max_minutes"]


class SnapshotReason(models.TextChoices):
    BUILT = "built", "Built"
    REBUILT = "rebuilt", "Rebuilt with the client's current record"
    TEMPLATE = "template", "Template changed"
    RESCHEDULED = "rescheduled", "Rescheduled"


class PlanSnapshot(models.Model):
    """One version of a plan's facts and proposal, kept each time they change (never on other saves)."""

    plan = models.ForeignKey(SessionPlan, on_delete=models.PROTECT, related_name="snapshots")
    reason = models.CharField(max_length=20, choices=SnapshotReason.choices)
    facts = models.JSONField()
    proposal = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The plan's versions, oldest first: plan.snapshots.all().
            models.Index(fields=["plan", "created_at"], name="plan_snapshot_plan_time"),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} on {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def keep(cls, plan, reason, user=None):
        """Keep the plan's current facts and proposal as a version."""
        return cls.objects.create(plan=plan, reason=reason, facts=plan.facts, proposal=plan.proposal, created_by=user)


class PlanItem(models.Model):
    """One region on one side of a plan, as proposed and as the therapist adjusted it."""

    plan = models.ForeignKey(SessionPlan, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    region = models.CharField(max_length=10)
    side = models.CharField(max_length=5)
    status = models.CharField(max_length=10, choices=ItemStatus.choices)
    template_key = models.CharField(max_length=60)
    template_name = models.CharField(max_length=120)
    template_version = models.PositiveIntegerField()
    pressure_max = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The engine's cap.")
    pressure = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Planned, at most the cap.")
    proposed_minutes = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField()
    dropped = models.BooleanField(default=False, help_text="The therapist chose not to work this region.")
    steps = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    # Steps and notes come from the proposal, kept per version in PlanSnapshot.
    history = HistoricalRecords(excluded_fields=["steps", "notes"])

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "region", "side"], name="plan_item_unique_region_side"),
            models.CheckConstraint(condition=models.Q(pressure__lte=5), name="plan_item_pressure_walton"),
            models.CheckConstraint(
                condition=models.Q(pressure__lte=models.F("pressure_max")), name="plan_item_pressure_capped"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="avoid") | (models.Q(pressure__isnull=True) & models.Q(minutes=0)),
                name="plan_item_avoided_not_worked",
            ),
        ]

    def __str__(self):
        return f"{self.side} {self.region}"

    @property
    def is_worked(self):
        return self.status != ItemStatus.AVOID and not self.dropped


class AdverseEvent(models.TextChoices):
    NONE = "none", "None"
    DIZZINESS = "dizziness", "Dizziness"
    LOW_BLOOD_SUGAR = "low_blood_sugar", "Low blood sugar"
    PAIN_FLARE = "pain_flare", "Pain flare"
    BRUISING = "bruising", "Bruising"
    SKIN_REACTION = "skin_reaction", "Skin reaction"
    OTHER = "other", "Other"


class SessionRecordQuerySet(models.QuerySet):
    def for_user(self, user):
        """Admins see every record. A therapist on the client's care team sees every signed record
        of that client (continuity of care) and their own drafts; off the care team, none."""
        if is_clinic_admin(user):
            return self
        return self.filter(OnCareTeam(user)).filter(models.Q(signed_at__isnull=False) | models.Q(therapist=user))

    def signed(self):
        return self.filter(signed_at__isnull=False)

    def unsigned(self):
        return self.filter(signed_at__isnull=True)


def _score_range(field):
    return models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0, f"{field}__lte": 10})


class SessionRecord(models.Model):
    """What happened in a planned session: scores, regions worked, SOAP notes; signed, then locked."""

    plan = models.OneToOneField(SessionPlan, on_delete=models.PROTECT, related_name="record")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="session_records")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_records")
    started_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_before = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_after = models.PositiveSmallIntegerField(null=True, blank=True)
    numbness_before = models.PositiveSmallIntegerField("Numbness/tingling before", null=True, blank=True)
    numbness_after = models.PositiveSmallIntegerField("Numbness/tingling after", null=True, blank=True)
    skin_check = models.TextField("Skin and foot check", blank=True)
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    soap_plan = models.TextField("Plan", blank=True)
    adverse_events = models.JSONField(default=list, blank=True)
    adverse_other = models.CharField("Other adverse event", max_length=200, blank=True)
    next_time = models.TextField("Next time", blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = SessionRecordQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_score_range("pain_before"), name="record_pain_before_0_10"),
            models.CheckConstraint(condition=_score_range("pain_after"), name="record_pain_after_0_10"),
            models.CheckConstraint(condition=_score_range("numbness_before"), name="record_numbness_before_0_10"),
            models.CheckConstraint(condition=_score_range("numbness_after"), name="record_numbness_after_0_10"),
            models.CheckConstraint(
                condition=models.Q(minutes__isnull=True) | models.Q(minutes__gt=0), name="record_minutes_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True, signed_by__isnull=True)
                | models.Q(signed_at__isnull=False, signed_by__isnull=False),
                name="record_signed_with_signer",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="record_version_positive"),
        ]
        indexes = [
            # The client page's progress chart: a client's records by date.
            models.Index(fields=["client", "started_at"], name="record_client_time"),
            # The dashboard: a therapist's unsigned records.
            models.Index(fields=["therapist", "signed_at"], name="record_therapist_signed"),
        ]

    def __str__(self):
        return f"Record of {self.client} on {self.started_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.client.ensure_writable()  # no new records on an archived client; addenda stay possible
        super().save(*args, **kwargs)

    @property
    def is_signed(self):
        return self.signed_at is not None

    def deviations(self):
        """Regions worked above the planned pressure, as the record now reads when it was read with
        corrections.read_corrected (else from a prefetch of items when there is one)."""
        items = getattr(self, "corrected_items", None)
        return [item for item in (self.items.all() if items is None else items) if item.is_deviation]

    def adverse_event_labels(self):
        labels = dict(AdverseEvent.choices)
        return [
            self.adverse_other if code == AdverseEvent.OTHER and self.adverse_other else labels.get(code, code)
            for code in self.adverse_events
        ]


class RecordItem(models.Model):
    """One planned region/side as it was actually worked (or not)."""

    record = models.ForeignKey(SessionRecord, on_delete=models.PROTECT, related_name="items")
    plan_item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="+")
    region = models.CharField(max_length=10)
    side = models.CharField(max_length=5)
    done = models.BooleanField(default=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    pressure_used = models.PositiveSmallIntegerField(null=True, blank=True)
    pressure_planned = models.PositiveSmallIntegerField(null=True, blank=True)
    deviation_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan_item__position"]
        constraints = [
            models.UniqueConstraint(fields=["record", "plan_item"], name="record_item_unique_region"),
            models.CheckConstraint(
                condition=models.Q(minutes__isnull=True) | models.Q(minutes__gt=0), name="record_item_minutes_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(pressure_used__isnull=True) | models.Q(pressure_used__lte=5),
                name="record_item_pressure_walton",
            ),
            models.CheckConstraint(
                condition=models.Q(done=False) | models.Q(minutes__isnull=False, pressure_used__isnull=False),
                name="record_item_done_has_minutes_and_pressure",
            ),
        ]

    def __str__(self):
        return f"{self.side} {self.region}"

    @property
    def pressure_in_use(self):
        """The pressure used as the record now reads: corrected by an addendum when the item was read
        with corrections.with_corrected_pressure, else as signed."""
        return getattr(self, "corrected_pressure_used", self.pressure_used)

    @property
    def reason_in_use(self):
        """The reason for a pressure above the plan, from the latest correction when read with it."""
        return getattr(self, "corrected_deviation_reason", self.deviation_reason)

    @property
    def is_deviation(self):
        return (
            self.done
            and self.pressure_in_use is not None
            and self.pressure_planned is not None
            and self.pressure_in_use > self.pressure_planned
        )


class Addendum(models.Model):
    """A correction or addition to a signed record; never edited, shown in order under the record."""

    record = models.ForeignKey(SessionRecord, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(text=""), name="addendum_not_empty"),
        ]

    def __str__(self):
        return f"Addendum by {self.author} on {self.created_at:%Y-%m-%d %H:%M}"


# Modules of one feature each; imported here so Django registers their models with the app.
from .attachments import Attachment  # noqa: E402, F401
from .corrections import ScoreCorrection  # noqa: E402, F401
from .feeds import CalendarFeed  # noqa: E402, F401
from .letters import ProgressLetter  # noqa: E402, F401
