from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = "Session planner"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 - registers the deploy checks
        from .middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="planner-session-clock")

        from clients.signals import care_team_left, client_archived, client_restored

        from .plans import cancel_for_archived_client, cancelled_by_the_archiving, left_behind_by_care_team

        client_archived.connect(cancel_for_archived_client, dispatch_uid="planner-cancel-archived")
        client_restored.connect(cancelled_by_the_archiving, dispatch_uid="planner-cancelled-by-archiving")
        care_team_left.connect(left_behind_by_care_team, dispatch_uid="planner-care-team-left")
