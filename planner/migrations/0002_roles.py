"""The two roles of DESIGN.md and the account permissions of a clinic admin.

Later migrations of each app grant the permissions of their own models to these groups.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINIC_ADMIN_PERMISSIONS = [
    ("auth", "view_user"),
    ("auth", "add_user"),
    ("auth", "change_user"),
    ("auth", "view_group"),
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group.objects.get_or_create(name="Therapist")
    admin, _ = Group.objects.get_or_create(name="Clinic admin")
    for app_label, codename in CLINIC_ADMIN_PERMISSIONS:
        admin.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("planner", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
