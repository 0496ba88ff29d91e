"""Who may do what with the library: clinic admins edit templates, everyone signed in reads.

The groups may not exist yet (another app's migration creates them too), hence get_or_create.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ = [
    "view_neuropathytype",
    "view_source",
    "view_conditionkind",
    "view_protocoltemplate",
    "view_templatestep",
    "view_templateversion",
]
GRANTS = {
    "Therapist": READ,
    "Clinic admin": READ + [
        "add_protocoltemplate",
        "change_protocoltemplate",
        "add_templatestep",
        "change_templatestep",
    ],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrate; make sure they exist now.
    app_config = apps.get_app_config("protocols")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    for group_name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="protocols", codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="protocols"))


class Migration(migrations.Migration):
    dependencies = [
        ("protocols", "0002_library"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
