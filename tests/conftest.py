"""Persona fixtures: a clinic admin, a therapist, a second therapist, and anonymous."""

import pytest
import time_machine
from django.db import connection
from django.test import Client

from tests import factories


def pytest_configure(config):
    """Run the whole suite on one day. Test modules read today's date once, at import, and the app
    reads the clock on every request, so a run that passed midnight compared yesterday's dates
    with today's. The run's clock starts at noon of the day it starts (local time) and ticks from
    there, so any run shorter than twelve hours stays on that day whatever the hour it starts.
    The destination is an epoch timestamp so that the process's time zone is left alone."""
    from datetime import datetime, time

    from django.utils import timezone

    noon = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    config._one_day = time_machine.travel(noon.timestamp(), tick=True)
    config._one_day.start()


def pytest_unconfigure(config):
    one_day = getattr(config, "_one_day", None)
    if one_day is not None:
        one_day.stop()


@pytest.fixture
def clinic_admin(db):
    return factories.make_clinic_admin(username="morgan", first_name="Morgan", last_name="Reyes")


@pytest.fixture
def therapist(db):
    return factories.make_therapist(username="tara", first_name="Tara", last_name="Lindqvist")


@pytest.fixture
def second_therapist(db):
    return factories.make_therapist(username="sam", first_name="Sam", last_name="Okafor")


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def login():
    """Return a test client signed in as the given user."""

    def _login(user):
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _late_in_the_day(monkeypatch):
    """Recording opens 30 minutes before a session's start. Tests plan today's sessions at fixed
    hours, so the recording gate reads a clock set to the last minute of today, whatever the hour
    the suite runs; tests of the gate itself set the clock they need."""
    from datetime import datetime, time

    from django.utils import timezone

    from planner import recording

    end_of_today = timezone.make_aware(datetime.combine(timezone.localdate(), time(23, 59)))
    monkeypatch.setattr(recording, "now", lambda: end_of_today)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """A test marked postgresql fails on any other database: it must never pass by being skipped."""
    if item.get_closest_marker("postgresql") and connection.vendor != "postgresql":
        pytest.fail(
            "This test needs PostgreSQL: run it with DATABASE_URL=postgres://... "
            "(`make test` leaves it out on SQLite; CI's PostgreSQL pass runs it).",
            pytrace=False,
        )
