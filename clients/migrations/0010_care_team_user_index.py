"""An index on the care team by user, then client: a therapist's clients read from the index alone."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0009_access_log"),
    ]

    operations = [
        # The dashboard's clients needing attention for a therapist (clients.services.needing_attention):
        # the care team's clients hashed from this index alone, then joined to the recent conditions.
        migrations.RunSQL(
            "CREATE INDEX care_team_user_client ON clients_client_care_team (user_id, client_id)",
            "DROP INDEX care_team_user_client",
        ),
    ]
