"""Therapists record monofilament tests and MNSI questionnaires; clinic admins read them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Therapist": [
        "view_monofilamenttest",
        "add_monofilamenttest",
        "view_mnsiquestionnaire",
        "add_mnsiquestionnaire",
    ],
    "Clinic admin": ["view_monofilamenttest", "view_mnsiquestionnaire"],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="clients", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = {codename for names in ROLE_PERMISSIONS.values() for codename in names}
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="clients", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("clients", "0003_assessments")]

    operations = [migrations.RunPython(grant, revoke)]
