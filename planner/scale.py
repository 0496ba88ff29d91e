"""A clinic of any size for measuring the pages: see `manage.py seed_scale` and planner.benchmark_pages.

Every row is valid (the database's constraints hold, plans carry real engine proposals) and is
written with bulk inserts, so 100,000 clients and about a million clinical rows take minutes.
The proposals are built once per client profile and reused, with each plan's own client id.
"""

import random
import time as clock
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.utils import timezone

from clients.assessments import MONOFILAMENT_SITES, MnsiQuestionnaire, mnsi_score, record_monofilament
from clients.models import Client, Condition, HistoricalClient_care_team, PhysicianClearance
from protocols import engine
from protocols.engine import ClientFacts, ConditionFact
from protocols.services import engine_templates

from . import attachments, letters, recording
from .models import (
    PlanItem,
    PlanSnapshot,
    PlanStatus,
    RecordItem,
    SessionPlan,
    SessionRecord,
    SnapshotReason,
    StaffProfile,
)
from .plans import facts_to_json, item_from_region, slot_end, worked_minutes
from .roles import CLINIC_ADMIN, THERAPIST

User = get_user_model()

FIRST_NAMES = (
    "María José Martínez Ana Lucía Chloé Zoë Renée Agnès Jürgen Søren Björn Ingrid Noël François Élodie Inés "
    "Sofía Joaquín Ramón Tomás Nuño Iñaki Aurélie Hélène Léa Maëlle Clément Gaël Anaïs Joël Loïc Dagný Þóra "
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra "
    "Aiko Hiroshi Wei Mei Priya Arjun Fatima Omar Amara Kwame Chidi Ngozi Olga Dmitri Anya Piotr Zofia Kateřina"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones García Miller Davis Rodríguez Martínez Hernández López González Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Pérez Thompson White Harris Sánchez Clark Ramírez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
    "Rivera Campbell Mitchell Carter Roberts Müller Schröder Bäcker Øvergård Åberg Ní Bhriain Ó Súilleabháin "
    "Dvořák Nowak Kowalski Wiśniewski Lindqvist Okafor Reyes Shah Patel Kim Park Chen Wang Tanaka Suzuki "
    "Smithson Goldsmith Blacksmith Van der Berg De la Cruz Mac Donald"
).split()

# (code, location, side, value, days before the seed day it was noted; None = random in the last 3 years)
_DPN = [("insulin_user", "whole_body", "", None, None), ("loss_of_protective_sensation", "feet", "both", None, None)]
_CIPN = [("active_chemo", "whole_body", "", None, None), ("oxaliplatin_course", "whole_body", "", None, None)]
PROFILES = [
    ("DPN", {"feet:left": ["numbness", "burning"], "feet:right": ["numbness"]}, _DPN, "feet"),
    (
        "DPN",
        {"feet:left": ["tingling"], "feet:right": ["tingling"], "hands:right": ["numbness"]},
        _DPN[:1],
        "hands,feet",
    ),
    ("DPN", {"feet:left": ["numbness"]}, [*_DPN, ("open_wound", "feet", "left", None, None)], "feet"),
    ("DPN", {"legs:left": ["pain"], "feet:left": ["burning"]}, [("pad", "whole_body", "", None, None)], "legs,feet"),
    ("DPN", {"feet:right": ["pins_and_needles"]}, [("edema", "legs", "both", None, None)], "feet"),
    ("DPN", {"hands:left": ["tingling"], "hands:right": ["tingling"]}, [], "hands"),
    ("CIPN", {"hands:left": ["tingling"], "hands:right": ["tingling"], "feet:left": ["numbness"]}, _CIPN, "hands,feet"),
    (
        "CIPN",
        {"feet:left": ["cold_sensitivity"], "feet:right": ["cold_sensitivity"]},
        [*_CIPN, ("port", "chest", "right", None, None)],
        "feet",
    ),
    ("CIPN", {"hands:right": ["numbness"]}, [("node_removal_axillary", "arms", "right", None, None)], "arms,hands"),
    ("CIPN", {"feet:left": ["allodynia"]}, [("cancer_fatigue", "whole_body", "", None, None)], "feet"),
    (
        "IDIOPATHIC",
        {"feet:left": ["burning"], "feet:right": ["burning"]},
        [("fall_risk", "whole_body", "", None, None)],
        "feet",
    ),
    (
        "IDIOPATHIC",
        {"hands:left": ["weakness"], "legs:right": ["pain"]},
        [("anticoagulant", "whole_body", "", None, None)],
        "hands,legs",
    ),
]
SLOTS_PER_DAY = 8  # hourly sessions from 9:00


@dataclass
class Sizes:
    clients: int
    therapists: int = 20
    plans_per_client: float = 2.0
    heavy_records: int = 300  # the one client with a long history, as the benchmark's "heaviest client"
    seed: int = 15


def profile_facts(profile, client_id, day):
    neuropathy_type, symptoms, conditions, _ = profile
    return ClientFacts(
        client_id=client_id,
        neuropathy_type=neuropathy_type,
        plan_date=day,
        symptoms={tuple(key.split(":")): frozenset(codes) for key, codes in symptoms.items()},
        contributing_causes=frozenset(),
        conditions=tuple(
            ConditionFact(code=code, noted_on=day - timedelta(days=400), location=location, side=side or None)
            for code, location, side, _, _ in conditions
        ),
        clearance_date=day - timedelta(days=30),
    )


def _attnames(model):
    return {field.attname for field in model._meta.concrete_fields}


def insert(model, objects, now, batch_size=5000):
    """Save new objects in bulk and give them their ids: COPY on PostgreSQL, bulk_create elsewhere.

    Django's bulk_create on PostgreSQL sends every column as one array, which is slow for the
    plans' JSON; COPY takes a million rows in about a minute.
    """
    if connection.vendor != "postgresql":
        for start in range(0, len(objects), batch_size):
            model.objects.bulk_create(objects[start : start + batch_size])
        return
    if not objects:
        return
    from psycopg import sql
    from psycopg.types.json import Jsonb

    fields = model._meta.concrete_fields
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
            [table, model._meta.pk.column, table, model._meta.pk.column, len(objects)],
        )
        first = cursor.fetchone()[0] - len(objects) + 1
        for n, obj in enumerate(objects):
            obj.pk = first + n
            obj._state.adding = False
        stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        for obj in objects:
            for field in stamped:
                setattr(obj, field.attname, now)
        json_columns = {f.attname for f in fields if isinstance(f, models.JSONField)}
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(f.column) for f in fields)
        )
        names = [f.attname for f in fields]
        with cursor.cursor.copy(statement) as copy:
            for obj in objects:
                copy.write_row(
                    [Jsonb(getattr(obj, name)) if name in json_columns else getattr(obj, name) for name in names]
                )


class ScaleSeeder:
    def __init__(self, sizes, out=None, batch_size=5000):
        self.sizes = sizes
        self.random = random.Random(sizes.seed)
        self.batch_size = batch_size
        started = clock.monotonic()
        self.out = (
            (lambda message: out(f"{clock.monotonic() - started:6.1f} s  {message}")) if out else (lambda message: None)
        )
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.counts = {}

    def run(self):
        with transaction.atomic():
            self.staff = self._staff()
            self.therapists = self.staff[1:]
            self._proposals()
            self._clients()
            self._care_teams()
            self._conditions()
            self._plans()
            self._heavy_client_measures_and_papers()
        return self.counts

    # What the long-standing client has besides sessions, as a course of care gathers it: a monofilament
    # test and an MNSI questionnaire each quarter, a progress letter every two quarters, documents, and
    # scores corrected by addenda. The heaviest client's page then shows every panel filled.
    HEAVY_QUARTERS = 8
    HEAVY_DOCUMENTS = 3
    HEAVY_CORRECTIONS = 6

    def _heavy_client_measures_and_papers(self):
        """Saved through the app's own functions (a handful of rows, so no bulk insert)."""
        client, therapist = self.heavy_client, self.primary[self.heavy_client.pk]
        every_site_felt = {
            (foot, site): {"tested": True, "real_1": True, "real_2": True, "sham": False}
            for foot in ("right", "left")
            for site in MONOFILAMENT_SITES
        }
        for quarter in reversed(range(self.HEAVY_QUARTERS)):
            day = self.today - timedelta(days=91 * quarter + 1)
            record_monofilament(
                client,
                tested_on=day,
                performed_by="therapist",
                therapist=therapist,
                clinician="",
                notes="",
                answers=every_site_felt,
                recorded_by=therapist,
            )
            flags = [number <= 4 + quarter % 3 for number in range(1, 16)]
            MnsiQuestionnaire.objects.create(
                client=client,
                answered_on=day,
                how="read_aloud",
                answers=flags,
                score=mnsi_score(flags),
                entered_by=therapist,
            )
            if quarter % 2 == 0:
                letters.sign_letter(client, day - timedelta(days=181), day, "Dr. Ada Referrer", therapist)
        for n in range(self.HEAVY_DOCUMENTS):
            pdf = f"%PDF-1.4\n% referral {n}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()
            attachments.store(
                SimpleUploadedFile(f"referral-{n + 1}.pdf", pdf, "application/pdf"),
                "application/pdf",
                f"referral-{n + 1}.pdf",
                client=client,
                user=therapist,
            )
        signed = SessionRecord.objects.filter(client=client).signed().exclude(pain_after=None).order_by("-started_at")
        for record in signed[: self.HEAVY_CORRECTIONS]:
            corrected = record.pain_after - 1 if record.pain_after else 1
            recording.add_addendum(
                record,
                "Pain after corrected on the client's call.",
                record.therapist,
                field="pain_after",
                value=corrected,
            )
        self.counts["heavy client's measures, letters, documents and corrections"] = (
            2 * self.HEAVY_QUARTERS + (self.HEAVY_QUARTERS + 1) // 2 + self.HEAVY_DOCUMENTS + self.HEAVY_CORRECTIONS
        )
        self.out("the heaviest client's monofilament tests, MNSI questionnaires, letters, documents and corrections")

    def _save(self, model, objects, history=True):
        """Insert in bulk, with one "created" history row each, as the forms would leave."""
        objects = list(objects)
        insert(model, objects, self.now, self.batch_size)
        if history and hasattr(model, "history"):
            historical = model.history.model
            tracked = [f.attname for f in historical._meta.concrete_fields if f.attname in _attnames(model)]
            rows = [
                historical(
                    **{name: getattr(obj, name) for name in tracked},
                    history_date=self.now,
                    history_type="+",
                    history_user_id=self.staff[0].pk,
                    history_change_reason="seed_scale",
                )
                for obj in objects
            ]
            insert(historical, rows, self.now, self.batch_size)
            self.history_of = {row.id: row.history_id for row in rows}
        name = str(model._meta.verbose_name_plural)
        self.counts[name] = self.counts.get(name, 0) + len(objects)
        return objects

    def _staff(self):
        password = make_password("scale-password-not-for-use")
        taken = set(User.objects.filter(username__startswith="scale-").values_list("username", flat=True))
        users = [
            User(username=f"scale-admin-{len(taken)}", first_name="Avery", last_name="Admin", password=password)
        ] + [
            User(
                username=f"scale-therapist-{len(taken)}-{n}",
                first_name=self.random.choice(FIRST_NAMES),
                last_name=self.random.choice(LAST_NAMES),
                password=password,
            )
            for n in range(self.sizes.therapists)
        ]
        users = User.objects.bulk_create(users)
        StaffProfile.objects.bulk_create(StaffProfile(user=user) for user in users)
        for user in users:
            user.groups.add(Group.objects.get(name=CLINIC_ADMIN if user is users[0] else THERAPIST))
        self.out(f"{len(users)} staff accounts: {users[0].username} (clinic admin) and {len(users) - 1} therapists")
        return users

    def _proposals(self):
        """One engine proposal (and its facts) per profile, built with the clinic's templates."""
        templates = engine_templates()
        self.proposals = []
        for profile in PROFILES:
            facts = profile_facts(profile, 0, self.today)
            proposal = engine.propose(facts, engine.parse_regions(profile[3]), templates)
            self.proposals.append((facts_to_json(facts), proposal))

    def _clients(self):
        rnd, today = self.random, self.today
        clients = []
        for n in range(self.sizes.clients):
            profile_index = n % len(PROFILES)
            neuropathy_type, symptoms, _, _ = PROFILES[profile_index]
            clients.append(
                Client(
                    first_name=rnd.choice(FIRST_NAMES),
                    last_name=rnd.choice(LAST_NAMES),
                    date_of_birth=today - timedelta(days=rnd.randint(40 * 365, 90 * 365)),
                    phone=f"+1 555 {rnd.randint(1000000, 9999999)}",
                    email=f"client{n}@example.org",
                    external_id=f"S-{n + 1:07d}",
                    neuropathy_type=neuropathy_type,
                    diagnosed_on=today - timedelta(days=rnd.randint(100, 3000)),
                    symptoms=symptoms,
                    consented_on=today - timedelta(days=rnd.randint(0, 1000)),
                    archived_at=self.now if n % 50 == 49 else None,
                    archived_by=self.staff[0] if n % 50 == 49 else None,
                )
            )
        for client in clients:
            client.search_name = client.search_key()
        self.clients = self._save(Client, clients)
        self.profile_of = {client.pk: n % len(PROFILES) for n, client in enumerate(self.clients)}
        self.out(f"{len(clients)} clients")

    def _care_teams(self):
        """The primary therapist gives every session of the client; a third of clients have a second one."""
        rnd = self.random
        through = Client.care_team.through
        self.primary = {}
        links = []
        for client in self.clients:
            first = rnd.randrange(len(self.therapists))
            self.primary[client.pk] = self.therapists[first]
            links.append(through(client_id=client.pk, user_id=self.therapists[first].pk))
            if rnd.random() < 0.33:
                second = (first + 1 + rnd.randrange(len(self.therapists) - 1)) % len(self.therapists)
                links.append(through(client_id=client.pk, user_id=self.therapists[second].pk))
        insert(through, links, self.now, self.batch_size)
        # The care team as the clients' "created" history rows saw it.
        insert(
            HistoricalClient_care_team,
            [
                HistoricalClient_care_team(
                    id=link.pk,
                    history_id=self.history_of[link.client_id],
                    client_id=link.client_id,
                    user_id=link.user_id,
                )
                for link in links
            ],
            self.now,
            self.batch_size,
        )
        self.out(f"{len(links)} care team memberships")

    def _conditions(self):
        """The profiles' conditions, labs for a fifth of the clients, a few foot findings, most clearances."""
        rnd, today = self.random, self.today
        conditions, clearances = [], []
        for n, client in enumerate(self.clients):
            profile = PROFILES[n % len(PROFILES)]
            for code, location, side, value, days in profile[2]:
                noted = today - timedelta(days=days if days is not None else rnd.randint(30, 1000))
                conditions.append(
                    Condition(client=client, code=code, location=location, side=side, value=value, noted_on=noted)
                )
            # Lab results for a fifth of the clients, some recent and some low.
            if n % 5 == 0:
                for code, normal in (("platelet_count", 250_000), ("anc", 3_000)):
                    noted = today - timedelta(days=rnd.randint(0, 60))
                    value = normal if rnd.random() < 0.8 else normal // rnd.choice((3, 6, 15))
                    conditions.append(
                        Condition(client=client, code=code, location="whole_body", value=value, noted_on=noted)
                    )
            # A recent foot finding now and then, some already resolved.
            if n % 40 == 7:
                noted = today - timedelta(days=rnd.randint(0, 30))
                resolved = (
                    noted + timedelta(days=3) if rnd.random() < 0.3 and noted + timedelta(days=3) <= today else None
                )
                conditions.append(
                    Condition(
                        client=client,
                        code="new_foot_finding",
                        location="feet",
                        side=rnd.choice(("left", "right")),
                        detail="callus",
                        noted_on=noted,
                        resolved_on=resolved,
                    )
                )
            if n % 10:
                clearances.append(
                    PhysicianClearance(
                        client=client,
                        physician="Dr. Anika Shah",
                        cleared_on=today - timedelta(days=rnd.randint(0, 500)),
                    )
                )
        self._save(Condition, conditions)
        self._save(PhysicianClearance, clearances)
        self.out(f"{len(conditions)} conditions, {len(clearances)} clearances")

    def _slots(self, therapist_count, per_therapist):
        """Every therapist's sessions fill weekday slots, a few weeks ahead of today and the rest back in time."""
        days_needed = per_therapist // SLOTS_PER_DAY + 1
        # At least three days ahead, so that a weekend's seed has weekdays to come (ready plans to record).
        future_days = max(3, min(28, days_needed // 4))
        day = self.today + timedelta(days=future_days)
        days = []
        while len(days) < days_needed:
            if day.weekday() < 5:
                days.append(day)
            day -= timedelta(days=1)
        slots = [(d, SLOTS_PER_DAY - 1 - s) for d in days for s in range(SLOTS_PER_DAY)]
        return slots

    def _plans(self):
        rnd = self.random
        per_client = [
            int(self.sizes.plans_per_client) + (rnd.random() < self.sizes.plans_per_client % 1) for _ in self.clients
        ]
        heavy = self.clients[0]
        per_client[0] = self.sizes.heavy_records + 20
        by_therapist = {}
        for client, count in zip(self.clients, per_client, strict=True):
            therapist = self.primary[client.pk]
            by_therapist.setdefault(therapist.pk, []).extend([client] * count)
        plans = []
        for therapist in self.therapists:
            wanted = by_therapist.get(therapist.pk, [])
            slots = self._slots(len(self.therapists), len(wanted))
            rnd.shuffle(slots)
            for client, (day, slot) in zip(wanted, slots, strict=False):
                plans.append(self._plan(client, therapist, day, slot))
        self.heavy_client = heavy
        self._save(SessionPlan, plans)
        self._save(
            PlanSnapshot,
            [
                PlanSnapshot(
                    plan=plan,
                    reason=SnapshotReason.BUILT,
                    facts=plan.facts,
                    proposal=plan.proposal,
                    created_at=self.now,
                )
                for plan in plans
            ],
        )
        self.out(f"{len(plans)} plans, each with its first snapshot")
        self._records(self._plan_items(plans))

    def _plan_items(self, plans):
        """Save the plans' items; return the done plans with their items, to be recorded."""
        items, done = [], []
        for plan in plans:
            _, proposal = self.proposals[self.profile_of[plan.client_id]]
            plan_items = [item_from_region(plan, region) for region in proposal["regions"]]
            items.extend(plan_items)
            if plan.status == PlanStatus.DONE:
                done.append((plan, plan_items))
        self._save(PlanItem, items)
        self.out(f"{len(items)} plan items")
        return done

    def _records(self, done):
        """A signed record for each done plan, every worked region recorded as planned."""
        rnd = self.random
        session_records = [
            SessionRecord(
                plan=plan,
                client_id=plan.client_id,
                therapist_id=plan.therapist_id,
                started_at=plan.scheduled_for,
                minutes=min(worked_minutes(plan.proposal), 55) or None,
                pain_before=rnd.randint(3, 8),
                pain_after=rnd.randint(1, 5),
                numbness_before=rnd.randint(3, 8),
                numbness_after=rnd.randint(2, 7),
                subjective="Burning eased since last time.",
                objective="Skin intact, feet warm.",
                assessment="Tolerated the session well.",
                soap_plan="Continue weekly.",
                adverse_events=["none"],
                signed_at=plan.ends_at,
                signed_by_id=plan.therapist_id,
            )
            for plan, _ in done
        ]
        self._save(SessionRecord, session_records)
        record_items = [
            RecordItem(
                record=record,
                plan_item=item,
                region=item.region,
                side=item.side,
                done=True,
                minutes=item.minutes,
                pressure_used=item.pressure,
                pressure_planned=item.pressure,
            )
            for record, (_, plan_items) in zip(session_records, done, strict=True)
            for item in plan_items
            if item.status != "avoid" and item.minutes > 0
        ]
        self._save(RecordItem, record_items)
        self.out(f"{len(session_records)} session records, {len(record_items)} recorded regions")

    def _plan(self, client, therapist, day, slot):
        index = self.profile_of[client.pk]
        facts, proposal = self.proposals[index]
        starts = timezone.make_aware(datetime.combine(day, time(9 + slot, 0)))
        if day > self.today:
            status = PlanStatus.READY if self.random.random() < 0.7 else PlanStatus.DRAFT
        elif day == self.today:
            status = PlanStatus.READY
        else:
            status = PlanStatus.CANCELLED if self.random.random() < 0.05 else PlanStatus.DONE
        minutes = min(worked_minutes(proposal), 50)  # with the 10-minute buffer, the hour is full
        return SessionPlan(
            client=client,
            therapist=therapist,
            scheduled_for=starts,
            ends_at=slot_end(starts, minutes),
            busy_until=slot_end(starts, minutes) + timedelta(minutes=10),
            status=status,
            regions=PROFILES[index][3],
            facts={**facts, "client_id": client.pk, "plan_date": day.isoformat()},
            proposal={**proposal, "client": client.pk},
            notes_acknowledged=status != PlanStatus.DRAFT,
            created_by=therapist,
            cancelled_at=self.now if status == PlanStatus.CANCELLED else None,
            cancel_reason="Client unwell" if status == PlanStatus.CANCELLED else "",
        )
