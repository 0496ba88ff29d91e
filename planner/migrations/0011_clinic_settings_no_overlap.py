"""Clinic schedule settings, and no overlapping sessions for one therapist or one client.

Existing plans get the therapist's buffer (10 minutes) after their end, trimmed where the next
session already starts inside it. Where two booked plans truly overlap, the later one is
cancelled with a reason naming the one kept (a plan with a record is kept over one without).
On PostgreSQL two exclusion constraints (btree_gist) then hold the rule under concurrent requests.
"""

import datetime
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations, models
from django.db.models import F
from django.utils import timezone

BUFFER = datetime.timedelta(minutes=10)


class BtreeGistOnPostgreSQL(BtreeGistExtension):
    """btree_gist on PostgreSQL; nothing on another database, either way."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

CONSTRAINTS_SQL = [
    """ALTER TABLE planner_sessionplan ADD CONSTRAINT plan_therapist_no_overlap
       EXCLUDE USING gist (therapist_id WITH =, tstzrange(scheduled_for, busy_until, '[)') WITH &&)
       WHERE (status <> 'cancelled')""",
    """ALTER TABLE planner_sessionplan ADD CONSTRAINT plan_client_no_overlap
       EXCLUDE USING gist (client_id WITH =, tstzrange(scheduled_for, ends_at, '[)') WITH &&)
       WHERE (status <> 'cancelled')""",
]


def resolve_overlaps(apps, schema_editor):
    SessionPlan = apps.get_model("planner", "SessionPlan")
    Record = apps.get_model("planner", "SessionRecord")
    apps.get_model("planner", "HistoricalSessionPlan").objects.update(busy_until=F("ends_at"))
    recorded = set(Record.objects.values_list("plan_id", flat=True))
    # Only the times, people and status: the JSON snapshots (kilobytes a plan) would hold gigabytes
    # of memory for a clinic's hundreds of thousands of plans.
    fields = ["scheduled_for", "ends_at", "therapist_id", "client_id", "status", "version"]
    fields += ["cancelled_at", "cancel_reason"]
    plans = list(SessionPlan.objects.only(*fields).order_by("scheduled_for", "pk"))
    for plan in plans:
        plan.busy_until = plan.ends_at + BUFFER
    by_therapist, by_client = {}, {}  # booked plans kept so far that may still reach a later start
    for plan in plans:
        if plan.status == "cancelled":
            continue
        mine = by_therapist.setdefault(plan.therapist_id, [])
        theirs = by_client.setdefault(plan.client_id, [])
        mine[:] = [other for other in mine if other.busy_until > plan.scheduled_for]
        theirs[:] = [other for other in theirs if other.ends_at > plan.scheduled_for]
        clash = next((o for o in mine if o.ends_at > plan.scheduled_for), None) or next(iter(theirs), None)
        if clash is not None:
            loser, winner = plan, clash
            if plan.pk in recorded and clash.pk not in recorded:
                loser, winner = clash, plan
                for kept in (by_therapist[clash.therapist_id], by_client[clash.client_id]):
                    kept.remove(clash)
                mine.append(plan)
                theirs.append(plan)
            loser.status = "cancelled"
            loser.cancelled_at = timezone.now()
            loser.cancel_reason = f"Double booking: overlapped plan {winner.pk}, which was kept."
            loser.version += 1
            continue
        for other in mine:
            # A buffer that reaches into the therapist's next session is shortened to end there.
            other.busy_until = max(plan.scheduled_for, other.ends_at)
        mine.append(plan)
        theirs.append(plan)
    SessionPlan.objects.bulk_update(
        plans, ["busy_until", "status", "cancelled_at", "cancel_reason", "version"], batch_size=500
    )


def add_exclusion_constraints(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CONSTRAINTS_SQL:
            schema_editor.execute(sql)


def drop_exclusion_constraints(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in ("plan_therapist_no_overlap", "plan_client_no_overlap"):
            schema_editor.execute(f"ALTER TABLE planner_sessionplan DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0006_attention_indexes'),
        ('planner', '0010_plan_time_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ClinicSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('opens_at', models.TimeField(default=datetime.time(7, 0), verbose_name='Sessions from')),
                ('closes_at', models.TimeField(default=datetime.time(21, 0), verbose_name='Sessions until')),
                ('buffer_minutes', models.PositiveSmallIntegerField(default=10, help_text='Kept free after each session, for notes, the room and hand washing.', verbose_name="Buffer between a therapist's sessions (minutes)")),
                ('late_entry_days', models.PositiveSmallIntegerField(default=7, help_text='A session that was not planned can be recorded afterwards for this many days.', verbose_name='Late entries allowed for (days)')),
                ('calendar_feeds_allowed', models.BooleanField(default=True, help_text="Turning this off stops every therapist's calendar feed at once.", verbose_name='Therapists may subscribe to their schedule in a calendar app')),
            ],
            options={
                'verbose_name': 'clinic settings',
                'verbose_name_plural': 'clinic settings',
            },
        ),
        migrations.CreateModel(
            name='HistoricalClinicSettings',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('opens_at', models.TimeField(default=datetime.time(7, 0), verbose_name='Sessions from')),
                ('closes_at', models.TimeField(default=datetime.time(21, 0), verbose_name='Sessions until')),
                ('buffer_minutes', models.PositiveSmallIntegerField(default=10, help_text='Kept free after each session, for notes, the room and hand washing.', verbose_name="Buffer between a therapist's sessions (minutes)")),
                ('late_entry_days', models.PositiveSmallIntegerField(default=7, help_text='A session that was not planned can be recorded afterwards for this many days.', verbose_name='Late entries allowed for (days)')),
                ('calendar_feeds_allowed', models.BooleanField(default=True, help_text="Turning this off stops every therapist's calendar feed at once.", verbose_name='Therapists may subscribe to their schedule in a calendar app')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical clinic settings',
                'verbose_name_plural': 'historical clinic settings',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='historicalsessionplan',
            name='busy_until',
            field=models.DateTimeField(default=django.utils.timezone.now, help_text="The end plus the clinic's buffer at booking time: how long the therapist is taken."),
            preserve_default=False,
        ),
        # Nullable while it is filled in: a placeholder value in the rows' old versions would
        # be read when the exclusion constraints build their index in this same transaction.
        migrations.AddField(
            model_name='sessionplan',
            name='busy_until',
            field=models.DateTimeField(null=True, help_text="The end plus the clinic's buffer at booking time: how long the therapist is taken."),
        ),
        migrations.RunPython(resolve_overlaps, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='sessionplan',
            name='busy_until',
            field=models.DateTimeField(help_text="The end plus the clinic's buffer at booking time: how long the therapist is taken."),
        ),
        migrations.AddConstraint(
            model_name='sessionplan',
            constraint=models.CheckConstraint(condition=models.Q(('busy_until__gte', models.F('ends_at'))), name='plan_busy_until_after_end'),
        ),
        BtreeGistOnPostgreSQL(),
        migrations.RunPython(add_exclusion_constraints, drop_exclusion_constraints),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('pk', 1)), name='clinic_settings_single_row'),
        ),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('closes_at__gt', models.F('opens_at'))), name='clinic_hours_order'),
        ),
        migrations.AddConstraint(
            model_name='clinicsettings',
            constraint=models.CheckConstraint(condition=models.Q(('buffer_minutes__lte', 120)), name='clinic_buffer_at_most_2h'),
        ),
        migrations.AddField(
            model_name='historicalclinicsettings',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
