import datetime
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Min, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from protocols.engine import CLEARANCE_VALID_DAYS, LAB_VALID_DAYS, ClientFacts, ConditionFact, in_use
from protocols.labels import place
from protocols.vocabulary import (
    CONDITION_GROUPS,
    CONDITION_SIDES,
    CONDITIONS,
    CONTRIBUTING_CAUSES,
    LOCATION_LABELS,
    LOCATIONS,
    NEUROPATHY_TYPES,
    REGIONS,
    SIDE_LABELS,
    SIDES,
)

from .validators import (
    DIAGNOSED_BEFORE_BIRTH,
    DIAGNOSED_ON,
    EARLIEST_BIRTH_DATE,
    has_letter,
    looks_like_phone,
    not_before_1900,
    not_before_birth,
    not_in_future,
    one_line_of_text,
    place_key,
    plain_text,
)

NEUROPATHY_TYPE_CHOICES = [(code, f"{code}: {label}") for code, label in NEUROPATHY_TYPES.items()]
# The catalogue grouped as forms show it: skin, circulation, diabetes, oncology, general.
CONDITION_CHOICES = [
    (group_label, [(code, kind.label) for code, kind in CONDITIONS.items() if kind.group == group])
    for group, group_label in CONDITION_GROUPS.items()
]
LOCATION_CHOICES = [(code, LOCATION_LABELS[code]) for code in LOCATIONS]
SIDE_CHOICES = [(code, SIDE_LABELS[code]) for code in CONDITION_SIDES]
LAB_CODES = [code for code, kind in CONDITIONS.items() if kind.value is not None]
WHOLE_BODY_CODES = [code for code, kind in CONDITIONS.items() if kind.whole_body]
PLACED_CODES = [code for code, kind in CONDITIONS.items() if kind.needs_side]
# Lab results and infusions are dated events (see protocols.engine): the latest one counts, for
# LAB_VALID_DAYS at most on the client page, and they are never "resolved".
EVENT_CODES = [*LAB_CODES, "chemo_infusion"]


class PrefixSearchIndex(models.Index):
    """An index on UPPER(column) with the pattern operator class on PostgreSQL (migration 0001 made three)."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        statement = super().create_sql(model, schema_editor, using, **kwargs)
        if schema_editor.connection.vendor == "postgresql":
            statement.parts["columns"] = f"{statement.parts['columns']} text_pattern_ops"
        return statement


# Letters that carry no accent to strip but that people type without their stroke or ligature.
_PLAIN_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def search_text(text):
    """Lower case without accents, as names are stored and searched: "Martínez" and "MARTINEZ" give "martinez"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_PLAIN_LETTERS))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_PLAIN_LETTERS)


EXTERNAL_ID_TAKEN = "Another client already has this external id (ids are compared without regard to case)."


class ClientArchived(Exception):
    """A clinical write on an archived client: its record is read-only until an admin restores it."""

    def __init__(self, client):
        self.client = client
        super().__init__(f"{client} is archived: restore the client before changing the record.")


class ClientQuerySet(models.QuerySet):
    def for_user(self, user):
        """Every client for those who may see all (clinic admins); otherwise the user's care team's."""
        if user.has_perm("clients.view_all_clients"):
            return self
        if user.has_perm("clients.view_client"):
            return self.filter(care_team=user)
        return self.none()

    def held(self, client):
        """The client's row read anew and locked until the transaction ends (call inside one). Writes
        to one client whose checks must not pass twice at once (a form sent twice, two people at the
        same moment) wait for each other here, and see an archive saved meanwhile."""
        return self.select_for_update().get(pk=client.pk)

    def active(self):
        """Clients that are not archived: the default list, and the only ones that can be planned for."""
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def same_external_id(self, *external_ids):
        """Clients whose external id is one of these, case aside ("demo-001" is "DEMO-001"). The database
        lowers both sides, as the unique index client_external_id_unique_any_case does, so the two agree
        on letters beyond ASCII too."""
        return (
            self.exclude(external_id="")
            .alias(external_id_key=Lower("external_id"))
            .filter(external_id_key__in=[Lower(Value(external_id)) for external_id in external_ids])
        )

    def first_records(self):
        """{client pk: [(date, what), ...]}: each client's earliest condition, clearance, monofilament
        test and MNSI questionnaire (four queries), the dates a date of birth may not come after."""
        kinds = [
            (Condition.objects.recorded(), "noted_on", "A condition was noted on {}"),
            (PhysicianClearance.objects.all(), "cleared_on", "A physician's clearance is dated {}"),
            (MonofilamentTest.objects.all(), "tested_on", "A monofilament test was done on {}"),
            (MnsiQuestionnaire.objects.all(), "answered_on", "An MNSI questionnaire was answered on {}"),
        ]
        firsts = {}
        for rows, field, what in kinds:
            rows = rows.filter(client__in=self.values("pk")).order_by().values("client").annotate(first=Min(field))
            for row in rows:
                firsts.setdefault(row["client"], []).append((row["first"], what))
        return firsts

    def search(self, text):
        """Clients whose name or external id holds every word, accents and case ignored, best match first:
        the last name starting with the first word, then any name or the id starting with it, then the rest."""
        # "Martínez, José", as the list writes a name, is the words "martinez" and "jose".
        words = search_text(text).replace(",", " ").replace(";", " ").split()
        if not words:
            return self
        for word in words:
            self = self.filter(search_name__contains=word)
        rank = models.Case(
            models.When(search_name__startswith=words[0], then=0),
            models.When(search_name__contains=f" {words[0]}", then=1),
            default=2,
            output_field=models.IntegerField(),
        )
        return self.alias(search_rank=rank).order_by("search_rank", "last_name", "first_name", "pk")


class Client(models.Model):
    """A client's record: identity, neuropathy profile and care team. Conditions and clearances hang off it."""

    first_name = models.CharField(max_length=100, validators=[has_letter, one_line_of_text])
    last_name = models.CharField(max_length=100, validators=[has_letter, one_line_of_text])
    date_of_birth = models.DateField(validators=[not_in_future, not_before_1900])
    phone = models.CharField(max_length=40, blank=True, validators=[looks_like_phone])
    email = models.EmailField("E-mail", blank=True)
    emergency_contact = models.CharField(
        max_length=200, blank=True, validators=[one_line_of_text], help_text="Name and phone number."
    )
    referring_physician = models.CharField(max_length=200, blank=True, validators=[one_line_of_text])
    external_id = models.CharField(
        "External id",
        max_length=40,
        blank=True,
        validators=[one_line_of_text],
        help_text="The client's number in another system, e.g. C-1001. Optional; imports match on it.",
    )
    consented_on = models.DateField(
        "Consent date", null=True, blank=True, validators=[not_in_future], help_text="When the client signed consent."
    )

    neuropathy_type = models.CharField(max_length=10, choices=NEUROPATHY_TYPE_CHOICES)
    diagnosed_on = models.DateField("Diagnosis date", null=True, blank=True, validators=[not_in_future])
    # Codes of protocols.vocabulary, kept in the vocabulary's order by the forms and the import.
    contributing_causes = models.JSONField(default=list, blank=True)
    # {"feet:left": ["tingling", "numbness"], ...}: see validators.clean_symptoms.
    symptoms = models.JSONField(default=dict, blank=True)

    care_team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="clients_cared_for")

    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Bumped by every save of a form or an import; a form carries the number it was built from.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # "martinez maria c-1001": last name, first name and external id through search_text(), kept by save().
    # Text, not a bounded column: lowering may lengthen a name ("ß" is "ss", one ligature is 18 letters).
    search_name = models.TextField(blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=["care_team"], excluded_fields=["version", "updated_at", "search_name"])

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        permissions = [
            ("view_all_clients", "Can see every client, not only their care team's"),
            ("change_profile", "Can change a client's neuropathy profile"),
            ("archive_client", "Can archive and restore clients"),
            ("import_clients", "Can import clients and export all of them"),
        ]
        constraints = [
            # Case aside, as search and import compare ids.
            models.UniqueConstraint(
                Lower("external_id"),
                condition=~Q(external_id=""),
                name="client_external_id_unique_any_case",
                violation_error_message=EXTERNAL_ID_TAKEN,
            ),
            models.CheckConstraint(
                condition=Q(neuropathy_type__in=list(NEUROPATHY_TYPES)), name="client_neuropathy_type_valid"
            ),
            models.CheckConstraint(condition=Q(date_of_birth__gte=EARLIEST_BIRTH_DATE), name="client_born_after_1900"),
            models.CheckConstraint(
                condition=Q(diagnosed_on__isnull=True) | Q(diagnosed_on__gte=models.F("date_of_birth")),
                name="client_diagnosed_after_birth",
                violation_error_message=DIAGNOSED_BEFORE_BIRTH,
            ),
            models.CheckConstraint(
                condition=Q(archived_by__isnull=True) | Q(archived_at__isnull=False),
                name="client_archived_by_only_when_archived",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="client_version_positive"),
        ]
        indexes = [
            # The list's ORDER BY last_name, first_name, id (and the CSV export's), for any client.
            models.Index(fields=["last_name", "first_name", "id"], name="client_name_order"),
            # The default list, one page at any depth: active clients in name order, read from the
            # index alone (SELECT id ... WHERE archived_at IS NULL ORDER BY names LIMIT 25 OFFSET n).
            models.Index(
                fields=["last_name", "first_name", "id"],
                condition=Q(archived_at__isnull=True),
                name="client_active_name_order",
            ),
            # The default list of one neuropathy type (?type=CIPN), one page at any depth.
            models.Index(
                fields=["neuropathy_type", "last_name", "first_name", "id"],
                condition=Q(archived_at__isnull=True),
                name="client_active_type_name_order",
            ),
            # The archived list (?status=archived), one page at any depth, as the default list above.
            models.Index(
                fields=["last_name", "first_name", "id"],
                condition=Q(archived_at__isnull=False),
                name="client_archived_name_order",
            ),
            # The ?q= search (search_name LIKE '%word%') has a pg_trgm GIN index on PostgreSQL,
            # created in migration 0005 because SQLite has no such index.
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = self.search_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name", "external_id"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def clean(self):
        try:
            not_before_birth(self.consented_on, self.date_of_birth)  # a constraint keeps diagnosed_on
        except ValidationError as error:
            raise ValidationError({"consented_on": error}) from None

    def dated_records(self):
        """(date, what) of the diagnosis and the earliest of each kind of record: see born_before_records."""
        firsts = Client.objects.filter(pk=self.pk).first_records().get(self.pk, []) if self.pk else []
        return [(self.diagnosed_on, DIAGNOSED_ON), *firsts]

    def search_key(self):
        return search_text(f"{self.last_name} {self.first_name} {self.external_id}".strip())

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def sort_name(self):
        return f"{self.last_name}, {self.first_name}"

    @property
    def is_archived(self):
        return self.archived_at is not None

    def ensure_writable(self):
        """Raise ClientArchived if the client is archived. Every clinical write calls this first
        (conditions, clearances, profile, findings, new plans, new records, assessments); what
        stays possible on an archived client is cancelling open plans, addenda and corrections
        to signed records, and a progress letter."""
        if self.is_archived:
            raise ClientArchived(self)

    def age_on(self, day):
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self):
        return self.age_on(timezone.localdate())

    def symptoms_at(self, region, side):
        return self.symptoms.get(place_key(region, side), [])

    def symptoms_by_place(self):
        """{(region, side): frozenset of symptom codes}, the engine's shape, for places with symptoms."""
        places = {}
        for key, codes in self.symptoms.items():
            region, side = key.split(":")
            places[(region, side)] = frozenset(codes)
        return places

    def affected_regions(self):
        """ "Feet (both), hands (left)": the regions with any symptom, for lists."""
        parts = []
        for region in REGIONS:
            sides = [side for side in SIDES if self.symptoms.get(place_key(region, side))]
            if sides:
                which = "both" if len(sides) == 2 else sides[0]
                parts.append(f"{LOCATION_LABELS[region]} ({which})")
        return parts

    def cause_labels(self):
        return [CONTRIBUTING_CAUSES[code] for code in self.contributing_causes if code in CONTRIBUTING_CAUSES]

    def recorded_conditions(self):
        """Conditions that count: all but those entered in error (uses a prefetch when there is one)."""
        return [condition for condition in self.conditions.all() if not condition.entered_in_error]

    def current_conditions(self, day):
        """What the client page lists as active on `day`: active conditions, and of each kind of
        dated event the one the engine uses (protocols.engine.in_use), if it is at most
        LAB_VALID_DAYS old."""
        current, events = [], {}
        for condition in self.recorded_conditions():
            if condition.is_event:
                events.setdefault(condition.code, []).append(condition)
            elif condition.is_active_on(day):
                current.append(condition)
        in_use_now = (in_use(group, day, LAB_VALID_DAYS) for group in events.values())
        return current + [event for event in in_use_now if event is not None]

    def earlier_conditions(self, day):
        """Resolved conditions and earlier results, newest first."""
        current = {condition.pk for condition in self.current_conditions(day)}
        earlier = [
            condition
            for condition in self.recorded_conditions()
            if condition.pk not in current
            and condition.noted_on <= day
            and (condition.is_event or condition.resolved_on is not None)
        ]
        return sorted(earlier, key=lambda c: (c.resolved_on or c.noted_on, c.pk), reverse=True)

    def latest_clearance(self, on=None):
        """The latest clearance dated on or before `on` (any, if none is); None without one."""
        clearances = sorted(self.clearances.all(), key=lambda c: (c.cleared_on, c.pk), reverse=True)
        if on is not None:
            earlier = [clearance for clearance in clearances if clearance.cleared_on <= on]
            if earlier:
                return earlier[0]
        return clearances[0] if clearances else None

    def facts_on(self, day):
        """What the planning engine needs to know about this client for a session on `day`.

        Two queries (conditions, clearances), none when both are prefetched.
        """
        clearance = self.latest_clearance(on=day)
        return ClientFacts(
            client_id=self.pk,
            neuropathy_type=self.neuropathy_type,
            plan_date=day,
            symptoms=self.symptoms_by_place(),
            contributing_causes=frozenset(self.contributing_causes),
            conditions=tuple(condition.as_fact() for condition in self.recorded_conditions()),
            clearance_date=clearance.cleared_on if clearance else None,
        )


class CareTeamListing(models.Model):
    """One care-team membership with its client's list keys (names, archived or not): on PostgreSQL,
    the client list filtered by a therapist reads a page at any depth from one index of these,
    without joining the therapist's clients to the whole clinic's names.

    Written by the database alone, never by the application: on PostgreSQL, triggers on the
    care-team table (a member added, moved or removed, the table emptied) and on the clients table
    (a rename, an archive or a restore) keep it in step, whatever writes them (forms, the import's
    bulk inserts, COPY). Migration 0021_care_team_listing fills it and creates the triggers. On
    SQLite it stays empty and the list joins the care team instead (see that migration)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    # The unique constraint below serves lookups by user: no index of its own.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False)
    last_name = models.CharField(max_length=100)
    first_name = models.CharField(max_length=100)
    archived = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="care_team_listing_unique")]
        indexes = [
            # The client list filtered by therapist (?therapist=, any status), one page at any depth:
            # SELECT client_id ... WHERE user_id = t AND archived = false ORDER BY names LIMIT 25 OFFSET n.
            models.Index(
                fields=["user", "archived", "last_name", "first_name", "client"], name="care_team_listing_order"
            ),
        ]

    def __str__(self):
        return f"{self.last_name}, {self.first_name} ({self.user_id})"


class ConditionQuerySet(models.QuerySet):
    def recorded(self):
        return self.filter(entered_in_error=False)

    def active_on(self, day):
        """Recorded conditions noted on or before `day` and not resolved by then (RULES.md "active")."""
        return self.recorded().filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=day), noted_on__lte=day)

    def ongoing_on(self, day):
        """Active conditions that are not dated events (lab results, infusions)."""
        return self.active_on(day).exclude(code__in=EVENT_CODES)

    def recent_events_on(self, day):
        """Dated events of the LAB_VALID_DAYS before `day`, which the client page counts once per kind."""
        return self.recorded().filter(
            code__in=EVENT_CODES, noted_on__lte=day, noted_on__gte=day - datetime.timedelta(days=LAB_VALID_DAYS)
        )


class Condition(models.Model):
    """One health condition of a client, from the catalogue of RULES.md, noted on a date and maybe resolved."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="conditions")
    code = models.CharField("Condition", max_length=40, choices=CONDITION_CHOICES)
    location = models.CharField(max_length=20, blank=True, choices=LOCATION_CHOICES)
    side = models.CharField(max_length=5, blank=True, choices=SIDE_CHOICES)
    value = models.PositiveIntegerField(null=True, blank=True, help_text="Lab results only: cells per µL.")
    detail = models.CharField(
        max_length=200, blank=True, validators=[one_line_of_text], help_text="E.g. heel, second toe, Coumadin."
    )
    noted_on = models.DateField(validators=[not_in_future], help_text="For a lab result, the date of the test.")
    resolved_on = models.DateField(null=True, blank=True, validators=[not_in_future])
    # Kept, and shown in the history, but left out of the facts and of exports.
    entered_in_error = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])

    objects = ConditionQuerySet.as_manager()

    class Meta:
        ordering = ["-noted_on", "code", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(code__in=list(CONDITIONS)), name="condition_code_valid"),
            models.CheckConstraint(condition=Q(location__in=["", *LOCATIONS]), name="condition_location_valid"),
            models.CheckConstraint(condition=Q(side__in=["", *CONDITION_SIDES]), name="condition_side_valid"),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("noted_on")),
                name="condition_resolved_after_noted",
                violation_error_message="The condition cannot be resolved before it was noted.",
            ),
            # Lab results carry a number and nothing else does.
            models.CheckConstraint(
                condition=Q(code__in=LAB_CODES, value__isnull=False) | (~Q(code__in=LAB_CODES) & Q(value__isnull=True)),
                name="condition_value_only_for_labs",
            ),
            models.CheckConstraint(
                condition=~Q(code__in=WHOLE_BODY_CODES) | Q(location="whole_body", side=""),
                name="condition_whole_body_has_no_side",
            ),
            models.CheckConstraint(
                condition=~Q(code__in=PLACED_CODES) | Q(location="") | ~Q(side=""),
                name="condition_placed_has_side",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="condition_version_positive"),
        ]
        indexes = [
            # The client page and facts_on: a client's conditions, newest first.
            models.Index(fields=["client", "noted_on"], name="condition_client_noted"),
            # The dashboard's clients needing attention: the clinic's latest lab results and new
            # wounds or foot findings, newest first (clients.services.needing_attention). In the
            # panel's own order (date, then id), so the walk stops at the panel's few rows instead of
            # sorting every condition of the newest day. It holds what a care team's choice reads, so
            # that reads no table rows (an index-only scan).
            models.Index(
                fields=["-noted_on", "-id"],
                include=["client", "code", "value", "resolved_on", "entered_in_error"],
                condition=Q(code__in=[*LAB_CODES, "open_wound", "new_foot_finding", "charcot_suspected"]),
                name="condition_attention_noted",
            ),
        ]

    def __str__(self):
        return f"{self.label}, {self.place}" if self.place else self.label

    def save(self, *args, **kwargs):
        self.client.ensure_writable()
        super().save(*args, **kwargs)

    def clean(self):
        if self.client_id is None:
            return
        errors = {}
        for name in ("noted_on", "resolved_on"):
            try:
                not_before_birth(getattr(self, name), self.client.date_of_birth)
            except ValidationError as error:
                errors[name] = error
        if errors:
            raise ValidationError(errors)

    @property
    def kind(self):
        return CONDITIONS[self.code]

    @property
    def label(self):
        return self.kind.label

    @property
    def group_label(self):
        return CONDITION_GROUPS[self.kind.group]

    @property
    def place(self):
        """ "left foot", "both feet", "chest (right)", "" for the whole body."""
        if not self.location or self.location == "whole_body":
            return f"{self.side} side" if self.side and self.side != "both" else ("both sides" if self.side else "")
        return place(self.location, self.side or None)

    @property
    def value_display(self):
        if self.value is None:
            return ""
        return f"{self.value:,} {self.kind.value.split('/')[1] if '/' in self.kind.value else ''}".strip()

    @property
    def is_event(self):
        return self.code in EVENT_CODES

    def is_active_on(self, day):
        return (
            not self.entered_in_error and self.noted_on <= day and (self.resolved_on is None or self.resolved_on > day)
        )

    def as_fact(self):
        return ConditionFact(
            code=self.code,
            noted_on=self.noted_on,
            location=self.location or None,
            side=self.side or None,
            value=self.value,
            resolved_on=self.resolved_on,
            detail=self.detail,
        )


class PhysicianClearance(models.Model):
    """A physician's clearance for massage; the latest one counts, valid for a year (see protocols.engine)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="clearances")
    physician = models.CharField(max_length=200, validators=[one_line_of_text])
    cleared_on = models.DateField("Date", validators=[not_in_future])
    restrictions = models.TextField(
        blank=True, validators=[plain_text], help_text="What the physician asked the therapist to avoid."
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["-cleared_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="clearance_version_positive"),
        ]
        indexes = [
            # facts_on and the client page: a client's latest clearance.
            models.Index(fields=["client", "cleared_on"], name="clearance_client_date"),
            # The dashboard's clients needing attention: the most recently expired clearances, in the
            # panel's order (date, then id), so the walk stops at the panel's few rows.
            models.Index(fields=["-cleared_on", "-id"], name="clearance_date"),
        ]

    def __str__(self):
        return f"Clearance by {self.physician} on {self.cleared_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.client.ensure_writable()
        super().save(*args, **kwargs)

    def clean(self):
        if self.client_id is not None:
            try:
                not_before_birth(self.cleared_on, self.client.date_of_birth)
            except ValidationError as error:
                raise ValidationError({"cleared_on": error}) from None

    def age_in_days(self, on=None):
        return ((on or timezone.localdate()) - self.cleared_on).days

    def is_current(self, on=None):
        """Within the year the engine accepts."""
        return 0 <= self.age_in_days(on) <= CLEARANCE_VALID_DAYS


# The access log lives with its writer; imported here so Django registers it with the app.

from .access import ACCOUNT_KINDS, AccessEvent, AccessKind, AccessLogIsAppendOnly  # noqa: E402, F401

# The outcome measures live in their own module; imported here so Django registers them with the app.
from .assessments import MnsiQuestionnaire, MonofilamentSite, MonofilamentTest  # noqa: E402, F401


class PendingImport(models.Model):
    """An uploaded client file between its check and its confirmation.

    The file waits here, not in the session (it may be 5 MB), under a random one-time token: the
    confirmation claims the token (`claim`), so confirming twice, a double click or two tabs,
    imports the file once. Pending imports are not clinical records: a day after upload they are
    cleared away with the next upload.
    """

    token = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=255)
    content = models.TextField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    KEPT_FOR = datetime.timedelta(days=1)

    def __str__(self):
        return f"{self.name} uploaded {self.uploaded_at:%Y-%m-%d %H:%M}"

    @classmethod
    def start(cls, name, content, user):
        cls.objects.filter(uploaded_at__lt=timezone.now() - cls.KEPT_FOR).delete()
        return cls.objects.create(token=secrets.token_urlsafe(32), name=name, content=content, uploaded_by=user)

    @classmethod
    def claim(cls, token, user):
        """The pending import of that token, marked confirmed; None if unknown, expired or already confirmed.

        Call inside the transaction that imports: the UPDATE holds the row until commit, so of two
        confirmations of one token exactly one gets the file.
        """
        fresh = timezone.now() - cls.KEPT_FOR
        claimed = cls.objects.filter(
            token=token, uploaded_by=user, confirmed_at__isnull=True, uploaded_at__gte=fresh
        ).update(confirmed_at=timezone.now())
        return cls.objects.get(token=token) if claimed else None
