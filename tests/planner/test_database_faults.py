"""Database faults: a dropped connection is replaced by the pool, an unreachable database gives a
503 quickly, and the app needs no restart when the database is back."""

import os
import time
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from planner.settings import database_from_url

POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_or_fail():
    """The machine's PostgreSQL; CI must have it (a missing server fails there, never skips)."""
    try:
        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is needed at 127.0.0.1:5432: {error}")
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432 (CI fails here instead)")


def pooled(url):
    """A connection through the app's own pool settings, the pool cut to one connection so the
    request after a drop gets the very connection that was dropped."""
    settings = database_from_url(url)
    settings["OPTIONS"]["pool"] = {**settings["OPTIONS"]["pool"], "min_size": 1, "max_size": 1}
    return ConnectionHandler({"default": settings})["default"]


def backend_pid(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def outside_the_test_database(django_db_blocker):
    """These tests open their own connections, not the test database's."""
    with django_db_blocker.unblock():
        yield


@pytest.mark.usefixtures("outside_the_test_database")
def test_the_pool_replaces_a_connection_postgresql_dropped():
    postgres_or_fail()
    connection = pooled(POSTGRES)
    try:
        first = backend_pid(connection)
        connection.close()  # back to the pool, as at the end of a request
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [first])
        time.sleep(0.2)
        second = backend_pid(connection)  # the next request: a fresh connection, no error
        assert second != first
    finally:
        connection.close()
        connection.close_pool()


@pytest.mark.usefixtures("outside_the_test_database")
def test_an_unreachable_database_is_given_up_on_in_seconds():
    connection = pooled("postgres://postgres@127.0.0.1:1/planner")  # nothing listens on port 1
    started = time.monotonic()
    with pytest.raises(OperationalError):
        connection.ensure_connection()
    connection.close_pool()
    assert time.monotonic() - started < 10


@pytest.mark.django_db
def test_a_database_fault_answers_503_with_retry_after_and_says_so(login, therapist):
    browser = login(therapist)
    browser.raise_request_exception = False
    failing = mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("connection to server at 127.0.0.1 failed"),
    )
    with failing:
        response = browser.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "The records database cannot be reached" in response.content.decode()
    assert browser.get("/").status_code == 200  # back by itself: no restart


@pytest.mark.django_db
def test_any_other_error_is_still_a_plain_500(login, therapist):
    browser = login(therapist)
    browser.raise_request_exception = False
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=ValueError("bug")):
        response = browser.get("/")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
