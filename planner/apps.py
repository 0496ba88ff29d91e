from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = "Session planner"

    def ready(self):
        from clients.signals import client_archived

        from .plans import cancel_for_archived_client

        client_archived.connect(cancel_for_archived_client, dispatch_uid="planner-cancel-archived")
