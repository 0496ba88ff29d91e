"""Grant the client-record permissions to the two roles of DESIGN.md.

Therapists see their care team's clients and keep the clinical parts up to date; clinic admins
do everything with every client.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINICAL = [
    "view_client",
    "change_profile",
    "view_condition",
    "add_condition",
    "change_condition",
    "view_physicianclearance",
    "add_physicianclearance",
    "change_physicianclearance",
]
ROLE_PERMISSIONS = {
    "Therapist": CLINICAL,
    "Clinic admin": CLINICAL + ["view_all_clients", "add_client", "change_client", "archive_client", "import_clients"],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrate; make sure they exist now.
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
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="clients"))


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
