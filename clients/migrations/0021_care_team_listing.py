"""The care-team listing (clients.models.CareTeamListing): each membership with its client's names and
archive, filled from the care team and kept in step by triggers, for the client list filtered by
therapist."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILL = """
INSERT INTO clients_careteamlisting (client_id, user_id, last_name, first_name, archived)
SELECT c.id, ct.user_id, c.last_name, c.first_name, c.archived_at IS NOT NULL
FROM clients_client_care_team ct JOIN clients_client c ON c.id = ct.client_id
"""

# One membership's row, from its client's row (NEW is the care-team row).
_ADD = """
INSERT INTO clients_careteamlisting (client_id, user_id, last_name, first_name, archived)
SELECT c.id, NEW.user_id, c.last_name, c.first_name, c.archived_at IS NOT NULL
FROM clients_client c WHERE c.id = NEW.client_id;
"""
_REMOVE = "DELETE FROM clients_careteamlisting WHERE client_id = OLD.client_id AND user_id = OLD.user_id;"
_RELIST = """
UPDATE clients_careteamlisting
SET last_name = NEW.last_name, first_name = NEW.first_name, archived = NEW.archived_at IS NOT NULL
WHERE client_id = NEW.id;
"""
_CLIENT_CHANGED = "OLD.last_name <> NEW.last_name OR OLD.first_name <> NEW.first_name OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL)"

TRIGGERS = {
    "postgresql": [
        f"""CREATE FUNCTION care_team_listing_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN {_REMOVE} END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN {_ADD} END IF;
    RETURN NULL;
END $$""",
        """CREATE TRIGGER care_team_listing_member AFTER INSERT OR UPDATE OR DELETE ON clients_client_care_team
FOR EACH ROW EXECUTE FUNCTION care_team_listing_member()""",
        f"""CREATE FUNCTION care_team_listing_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {_RELIST} RETURN NULL; END $$""",
        f"""CREATE TRIGGER care_team_listing_client AFTER UPDATE OF last_name, first_name, archived_at ON clients_client
FOR EACH ROW WHEN ({_CLIENT_CHANGED}) EXECUTE FUNCTION care_team_listing_client()""",
    ],
    "sqlite": [
        f"CREATE TRIGGER care_team_listing_added AFTER INSERT ON clients_client_care_team BEGIN {_ADD} END",
        f"CREATE TRIGGER care_team_listing_removed AFTER DELETE ON clients_client_care_team BEGIN {_REMOVE} END",
        f"""CREATE TRIGGER care_team_listing_moved AFTER UPDATE OF client_id, user_id ON clients_client_care_team
BEGIN {_REMOVE} {_ADD} END""",
        f"""CREATE TRIGGER care_team_listing_client AFTER UPDATE OF last_name, first_name, archived_at ON clients_client
FOR EACH ROW WHEN {_CLIENT_CHANGED} BEGIN {_RELIST} END""",
    ],
}

DROP = {
    "postgresql": [
        "DROP TRIGGER care_team_listing_client ON clients_client",
        "DROP FUNCTION care_team_listing_client()",
        "DROP TRIGGER care_team_listing_member ON clients_client_care_team",
        "DROP FUNCTION care_team_listing_member()",
    ],
    "sqlite": [
        f"DROP TRIGGER {name}"
        for name in ("care_team_listing_client", "care_team_listing_moved", "care_team_listing_removed", "care_team_listing_added")
    ],
}


def create_triggers(apps, schema_editor):
    for statement in TRIGGERS[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    for statement in DROP[schema_editor.connection.vendor]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0020_list_name_order_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CareTeamListing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_name', models.CharField(max_length=100)),
                ('first_name', models.CharField(max_length=100)),
                ('archived', models.BooleanField()),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clients.client')),
                ('user', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['user', 'archived', 'last_name', 'first_name', 'client'], name='care_team_listing_order')],
                'constraints': [models.UniqueConstraint(fields=('user', 'client'), name='care_team_listing_unique')],
            },
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
