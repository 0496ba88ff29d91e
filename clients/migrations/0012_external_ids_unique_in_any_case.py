"""External ids are unique without regard to case, as search and import compare them.

Before the constraint changes, ids that differ only in case are looked for: the migration stops
and names them, so that someone renames one of each pair, rather than failing on a bare
IntegrityError."""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower


def no_ids_differing_only_in_case(apps, schema_editor):
    Client = apps.get_model("clients", "Client")
    twins = (
        Client.objects.exclude(external_id="")
        .values(key=Lower("external_id"))
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("key", flat=True)
    )
    if twins:
        shown = ", ".join(
            " / ".join(Client.objects.filter(external_id__iexact=key).values_list("external_id", flat=True))
            for key in twins[:10]
        )
        raise RuntimeError(
            f"Some clients have external ids that differ only in case ({shown}). Change one id of each pair "
            "(Edit details on the client's page), then run the migrations again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0011_attention_index_covers_the_care_team_choice"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(no_ids_differing_only_in_case, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="client",
            name="client_external_id_unique",
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("external_id"),
                condition=models.Q(("external_id", ""), _negated=True),
                name="client_external_id_unique_any_case",
                violation_error_message=(
                    "Another client already has this external id (ids are compared without regard to case)."
                ),
            ),
        ),
    ]
