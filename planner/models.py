from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from simple_history import register


class StaffProfile(models.Model):
    """What the clinic keeps about a staff account beyond Django's user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_profile")
    must_change_password = models.BooleanField(
        default=False, help_text="Set when an admin gives a temporary password; cleared when the user changes it."
    )

    def __str__(self):
        return f"Profile of {self.user}"

    @classmethod
    def must_change(cls, user):
        return cls.objects.filter(user=user, must_change_password=True).exists()


# Account changes (names, e-mail, active flag, roles) are audited like clinical records.
register(get_user_model(), app="planner", m2m_fields=["groups"], excluded_fields=["password", "last_login"])
