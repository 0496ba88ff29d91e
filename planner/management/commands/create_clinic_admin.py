"""The first clinic admin of a new installation: `manage.py create_clinic_admin USERNAME`.

Django's admin site is not routed (every clinical change goes through the app, where it is
guarded and audited), so this is how a clinic gets its first account; that admin then adds
everyone else on the Team page.
"""

import getpass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from planner.models import StaffProfile
from planner.roles import CLINIC_ADMIN


class Command(BaseCommand):
    help = "Create a clinic admin account (asks for the password twice)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, username, email, first_name, last_name, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already an account with the username {username!r}.")
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            raise CommandError("The two passwords differ; nothing was created.")
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        user.set_password(password)
        with transaction.atomic():
            user.save()
            user.groups.add(Group.objects.get(name=CLINIC_ADMIN))
            StaffProfile.objects.create(user=user)
        self.stdout.write(f"Clinic admin {username} created. Add the rest of the team on the Team page.")
