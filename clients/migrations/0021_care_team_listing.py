"""The care-team listing (clients.models.CareTeamListing): each membership with its client's names and
archive, for the client list filtered by therapist on PostgreSQL. There, triggers keep it in step
with the care team and the clients, and it is filled from them with both tables locked, so that no
write lands between the fill and the triggers. On SQLite the table stays empty and unused: SQLite
rebuilds a table to alter it, which a trigger naming the table would break, and a clinic small
enough for SQLite lists a therapist's clients fast by the join."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

LOCK = "LOCK TABLE clients_client, clients_client_care_team IN SHARE ROW EXCLUSIVE MODE"

FILL = """
INSERT INTO clients_careteamlisting (client_id, user_id, last_name, first_name, archived)
SELECT c.id, ct.user_id, c.last_name, c.first_name, c.archived_at IS NOT NULL
FROM clients_client_care_team ct JOIN clients_client c ON c.id = ct.client_id
"""

TRIGGERS = [
    # A membership added, moved or removed (NEW and OLD are care-team rows).
    """CREATE FUNCTION care_team_listing_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM clients_careteamlisting WHERE client_id = OLD.client_id AND user_id = OLD.user_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO clients_careteamlisting (client_id, user_id, last_name, first_name, archived)
        SELECT c.id, NEW.user_id, c.last_name, c.first_name, c.archived_at IS NOT NULL
        FROM clients_client c WHERE c.id = NEW.client_id;
    END IF;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER care_team_listing_member AFTER INSERT OR UPDATE OR DELETE ON clients_client_care_team
FOR EACH ROW EXECUTE FUNCTION care_team_listing_member()""",
    # The care team emptied at once (TRUNCATE fires no row trigger).
    """CREATE FUNCTION care_team_listing_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM clients_careteamlisting;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER care_team_listing_emptied AFTER TRUNCATE ON clients_client_care_team
FOR EACH STATEMENT EXECUTE FUNCTION care_team_listing_emptied()""",
    # A client renamed, archived or restored.
    """CREATE FUNCTION care_team_listing_client() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE clients_careteamlisting
    SET last_name = NEW.last_name, first_name = NEW.first_name, archived = NEW.archived_at IS NOT NULL
    WHERE client_id = NEW.id;
    RETURN NULL;
END $$""",
    """CREATE TRIGGER care_team_listing_client AFTER UPDATE OF last_name, first_name, archived_at ON clients_client
FOR EACH ROW WHEN (
    OLD.last_name <> NEW.last_name OR OLD.first_name <> NEW.first_name
    OR (OLD.archived_at IS NULL) <> (NEW.archived_at IS NULL)
) EXECUTE FUNCTION care_team_listing_client()""",
]

DROP = [
    "DROP TRIGGER care_team_listing_client ON clients_client",
    "DROP FUNCTION care_team_listing_client()",
    "DROP TRIGGER care_team_listing_emptied ON clients_client_care_team",
    "DROP FUNCTION care_team_listing_emptied()",
    "DROP TRIGGER care_team_listing_member ON clients_client_care_team",
    "DROP FUNCTION care_team_listing_member()",
]


def fill_and_keep(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in [LOCK, *TRIGGERS, FILL]:
        schema_editor.execute(statement, params=None)


def stop_keeping(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0020_list_name_order_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CareTeamListing",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("last_name", models.CharField(max_length=100)),
                ("first_name", models.CharField(max_length=100)),
                ("archived", models.BooleanField()),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="clients.client"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["user", "archived", "last_name", "first_name", "client"], name="care_team_listing_order"
                    )
                ],
                "constraints": [models.UniqueConstraint(fields=("user", "client"), name="care_team_listing_unique")],
            },
        ),
        migrations.RunPython(fill_and_keep, stop_keeping),
    ]
