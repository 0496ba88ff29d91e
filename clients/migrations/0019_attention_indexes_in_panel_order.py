# The dashboard's attention panel reads its two indexes in its own order (date, then id).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0018_refuse_control_characters"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="condition",
            name="condition_attention_noted",
        ),
        migrations.RemoveIndex(
            model_name="physicianclearance",
            name="clearance_date",
        ),
        migrations.AddIndex(
            model_name="condition",
            index=models.Index(
                condition=models.Q(
                    ("code__in", ["platelet_count", "anc", "open_wound", "new_foot_finding", "charcot_suspected"])
                ),
                fields=["-noted_on", "-id"],
                include=("client", "code", "value", "resolved_on", "entered_in_error"),
                name="condition_attention_noted",
            ),
        ),
        migrations.AddIndex(
            model_name="physicianclearance",
            index=models.Index(fields=["-cleared_on", "-id"], name="clearance_date"),
        ),
    ]
