# The client list reads a partial name index for each of its filtered orders: active clients of one
# neuropathy type, and archived clients, as the default list reads the active one.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0019_attention_indexes_in_panel_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True)),
                fields=["neuropathy_type", "last_name", "first_name", "id"],
                name="client_active_type_name_order",
            ),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", False)),
                fields=["last_name", "first_name", "id"],
                name="client_archived_name_order",
            ),
        ),
    ]
