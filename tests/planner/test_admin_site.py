"""Django's admin site is not routed; the first clinic admin comes from a management command."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from planner.roles import is_clinic_admin

pytestmark = pytest.mark.django_db


def test_admin_site_is_not_routed(login, clinic_admin):
    assert login(clinic_admin).get("/admin/").status_code == 404


def test_create_clinic_admin(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "lantern-orchard-velvet-42")
    call_command("create_clinic_admin", "robin", email="robin@clinic.example")
    user = get_user_model().objects.get(username="robin")
    assert is_clinic_admin(user) and not user.is_superuser and user.check_password("lantern-orchard-velvet-42")


def test_create_clinic_admin_refuses_a_weak_password(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "password")
    with pytest.raises(CommandError, match="too common"):
        call_command("create_clinic_admin", "robin")
    assert not get_user_model().objects.filter(username="robin").exists()
