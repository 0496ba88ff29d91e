"""The server error page, and the page for a database that cannot be reached.

When PostgreSQL is down or restarting, requests fail fast (the pool waits seconds, not 30) and
the user gets a 503 that says so, with Retry-After; the pool checks each connection before
handing it out, so the app recovers by itself when the database is back.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

DATABASE_FAULTS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_database_fault(error):
    if isinstance(error, DATABASE_FAULTS):
        return True
    try:  # the pool's own time-out, when every connection is taken or none can be made
        from psycopg_pool import PoolTimeout
    except ImportError:  # pragma: no cover - SQLite only
        return False
    return isinstance(error, PoolTimeout)


def server_error(request):
    """Django's handler500: a 503 for a database fault, else the plain 500 page. Neither touches the database."""
    if is_database_fault(sys.exc_info()[1]):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form from a page opened before the last sign-in, in words, with the layout."""
    from django.shortcuts import render

    return render(request, "403_csrf.html", status=403)
