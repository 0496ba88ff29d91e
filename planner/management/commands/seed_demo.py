from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from clients.demo import seed_assessments, seed_clients
from planner.demo import seed_course, seed_plans, seed_records
from planner.models import StaffProfile
from planner.roles import CLINIC_ADMIN, THERAPIST

# Demo accounts for a local trial; the README lists them. Never run this on a real clinic.
DEMO_STAFF = [
    {
        "username": "admin",
        "first_name": "Morgan",
        "last_name": "Reyes",
        "roles": [CLINIC_ADMIN],
        "password": "demo-admin-pass",
    },
    {
        "username": "tara",
        "first_name": "Tara",
        "last_name": "Lindqvist",
        "roles": [THERAPIST],
        "password": "demo-therapist-pass",
    },
    {
        "username": "sam",
        "first_name": "Sam",
        "last_name": "Okafor",
        "roles": [THERAPIST],
        "password": "demo-therapist-pass",
    },
]


class Command(BaseCommand):
    help = "Create the demo clinic (accounts first). Safe to run again: existing data is left as it is."

    def handle(self, *args, **options):
        User = get_user_model()
        created = []
        with transaction.atomic():
            for spec in DEMO_STAFF:
                user, was_created = User.objects.get_or_create(
                    username=spec["username"],
                    defaults={
                        "first_name": spec["first_name"],
                        "last_name": spec["last_name"],
                        "email": f"{spec['username']}@demo-clinic.example",
                    },
                )
                if was_created:
                    user.set_password(spec["password"])
                    user.save(update_fields=["password"])
                    user.groups.set(Group.objects.filter(name__in=spec["roles"]))
                    StaffProfile.objects.create(user=user)
                    created.append(user.username)

            staff = {user.username: user for user in User.objects.filter(username__in=["admin", "tara", "sam"])}
            clients = seed_clients({"tara": staff["tara"], "sam": staff["sam"]}, recorded_by=staff["admin"])
            therapists = [staff["tara"], staff["sam"]]
            # Records first: they look back in time; the plans look ahead.
            measure_count = seed_assessments(staff["tara"])
            record_count = seed_records(therapists) + seed_course(staff["tara"])
            plan_count = seed_plans(therapists)

        self.stdout.write(f"Demo accounts ({'created: ' + ', '.join(created) if created else 'already there'}):")
        for spec in DEMO_STAFF:
            roles = " and ".join(spec["roles"])
            self.stdout.write(f"  {roles:<14} username {spec['username']:<6} password {spec['password']}")
        self.stdout.write(f"Demo clients: {len(clients)} created." if clients else "Demo clients: already there.")
        self.stdout.write(
            f"Demo session records: {record_count} created." if record_count else "Demo records: already there."
        )
        self.stdout.write(
            f"Demo measures: {measure_count} created." if measure_count else "Demo measures: already there."
        )
        self.stdout.write(f"Demo upcoming plans: {plan_count} created." if plan_count else "Demo plans: already there.")
