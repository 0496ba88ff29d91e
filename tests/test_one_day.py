"""The suite runs on one day whatever the hour it starts (tests/conftest.py)."""

from datetime import date, datetime, time
from types import SimpleNamespace

import time_machine
from django.utils import timezone

from tests import conftest


def test_a_run_started_just_before_midnight_reads_noon_of_that_day():
    just_before_midnight = timezone.make_aware(datetime(2026, 3, 14, 23, 59, 30))
    with time_machine.travel(just_before_midnight.timestamp(), tick=False):
        config = SimpleNamespace()
        conftest.pytest_configure(config)
        try:
            now = timezone.localtime()
            assert now.date() == date(2026, 3, 14)
            assert time(12) <= now.time() < time(12, 1)
        finally:
            conftest.pytest_unconfigure(config)
        assert timezone.localtime() == just_before_midnight


def test_this_run_reads_the_afternoon_of_the_day_it_started():
    assert time(12) <= timezone.localtime().time()
