"""Sessions signed in through ModelBackend name it, and it is no longer configured (clients.roles.
RoleBackend reads permissions with the roles): they are made to name RoleBackend, so the upgrade
signs nobody out (a session naming a backend that is not configured is anonymous). Reversible."""

from django.db import migrations

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
ROLE_BACKEND = "clients.roles.RoleBackend"


def rename_backend(sessions, old, new):
    """Rewrite the sign-in backend `old` to `new` in every stored session; returns how many changed."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return 0
    store, changed = SessionStore(), 0
    for session in sessions.iterator():
        data = store.decode(session.session_data)  # {} for data that does not decode
        if data.get(BACKEND_SESSION_KEY) == old:
            data[BACKEND_SESSION_KEY] = new
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])
            changed += 1
    return changed


def forwards(apps, schema_editor):
    sessions = apps.get_model("sessions", "Session").objects.using(schema_editor.connection.alias)
    rename_backend(sessions, MODEL_BACKEND, ROLE_BACKEND)


def backwards(apps, schema_editor):
    sessions = apps.get_model("sessions", "Session").objects.using(schema_editor.connection.alias)
    rename_backend(sessions, ROLE_BACKEND, MODEL_BACKEND)


class Migration(migrations.Migration):
    dependencies = [
        ("planner", "0015_staff_profile_version"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
