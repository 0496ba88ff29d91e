"""Small hand-written factories: each makes one valid object, with keyword overrides."""

import datetime
import itertools
import json
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from clients.documents import SCHEMA
from clients.models import Client, Condition, PhysicianClearance
from planner.models import StaffProfile
from planner.roles import CLINIC_ADMIN, THERAPIST
from protocols.vocabulary import condition

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


# Client records.


def make_client(*, care_team=(), **fields):
    """A DPN client born in 1958; care_team is a list of users."""
    n = next(_numbers)
    fields.setdefault("first_name", f"Client{n}")
    fields.setdefault("last_name", f"Surname{n}")
    fields.setdefault("date_of_birth", datetime.date(1958, 4, 2))
    fields.setdefault("neuropathy_type", "DPN")
    client = Client.objects.create(**fields)
    client.care_team.set(care_team)
    return client


def make_condition(client, code="open_wound", **fields):
    """A condition noted today; location and side default to what the code needs (left foot for placed ones)."""
    kind = condition(code)
    if kind.needs_side and "location" not in fields:
        fields["location"] = "feet" if "feet" in kind.locations else kind.locations[0]
    if kind.needs_side and "side" not in fields:
        fields["side"] = "left"
    if kind.whole_body:
        fields.setdefault("location", "whole_body")
    if kind.value is not None:
        fields.setdefault("value", 120_000)
    fields.setdefault("noted_on", timezone.localdate())
    return Condition.objects.create(client=client, code=code, **fields)


def make_clearance(client, **fields):
    fields.setdefault("physician", "Dr. Anika Shah")
    fields.setdefault("cleared_on", timezone.localdate())
    return PhysicianClearance.objects.create(client=client, **fields)


def client_document(**fields):
    """The smallest client document an import takes (Ann Lee, H-1, on tara's care team), with `fields` set."""
    document = {
        "schema": SCHEMA,
        "external_id": "H-1",
        "first_name": "Ann",
        "last_name": "Lee",
        "date_of_birth": "1960-01-02",
        "neuropathy": {"type": "DPN"},
        "care_team": ["tara"],
    }
    document.update(fields)
    return document


def document_of(response):
    """The client document a streamed export.json response carries, read to its end."""
    assert response.status_code == 200, response.status_code
    return json.loads(b"".join(response.streaming_content))


def page_and_panels(browser, client):
    """The client page (of a client or a client's id) with what it loads once shown (static/js/actions.js:
    each data-fragment address, in page order, its response put in the panel), as one text: what a reader
    sees after a moment."""
    page = browser.get(f"/clients/{getattr(client, 'pk', client)}/").content.decode()
    parts = [page]
    for url in re.findall(r'data-fragment="([^"]+)"', page):
        response = browser.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, url
        parts.append(response.content.decode())
    return "\n".join(parts)
