"""Small hand-written factories: each makes one valid object, with keyword overrides."""

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from planner.models import StaffProfile
from planner.roles import CLINIC_ADMIN, THERAPIST

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(1)


def make_user(*roles, username=None, password=PASSWORD, must_change_password=False, **fields):
    n = next(_numbers)
    username = username or f"user{n}"
    fields.setdefault("first_name", f"First{n}")
    fields.setdefault("last_name", f"Last{n}")
    fields.setdefault("email", f"{username}@clinic.example")
    user = get_user_model().objects.create_user(username=username, password=password, **fields)
    user.groups.set(Group.objects.filter(name__in=roles))
    StaffProfile.objects.create(user=user, must_change_password=must_change_password)
    return user


def make_therapist(**kwargs):
    return make_user(THERAPIST, **kwargs)


def make_clinic_admin(**kwargs):
    return make_user(CLINIC_ADMIN, **kwargs)
