"""Plan items in page order: arms, hands, legs, feet, the client's right before the left."""

from django.db import migrations

REGIONS = ["arms", "hands", "legs", "feet"]


def renumber(apps, schema_editor):
    PlanItem = apps.get_model("planner", "PlanItem")
    changed = []
    for item in PlanItem.objects.only("pk", "region", "side", "position").iterator(chunk_size=2000):
        position = REGIONS.index(item.region) * 2 + (0 if item.side == "right" else 1)
        if item.position != position:
            item.position = position
            changed.append(item)
    PlanItem.objects.bulk_update(changed, ["position"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("planner", "0007_attachments")]

    operations = [migrations.RunPython(renumber, migrations.RunPython.noop)]
