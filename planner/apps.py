from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "planner"
    verbose_name = "Session planner"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy checks
