from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = "Session planner"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 - registers the deploy checks
        from .middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="planner-session-clock")

        from clients.signals import client_archived

        from .plans import cancel_for_archived_client

        client_archived.connect(cancel_for_archived_client, dispatch_uid="planner-cancel-archived")
