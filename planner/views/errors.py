"""The server error page, and the page for a database that cannot be reached.

When PostgreSQL is down or restarting, requests fail fast (the pool waits seconds, not 30) and
the user gets a 503 that says so, with Retry-After; the pool checks each connection before
handing it out, so the app recovers by itself when the database is back.
"""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError
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


# A form Django refuses to read: more than DATA_UPLOAD_MAX_MEMORY_SIZE of fields, too many fields or files.
TOO_BIG = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request, exception=None):
    """Django's handler400. A form too large to read is said to be so, in the site's layout; any other
    bad request (a forged host name, a broken cookie) gets the bare page, which reads nothing of it."""
    if isinstance(exception, TOO_BIG):
        from django.shortcuts import render

        megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        context = {
            "megabytes": f"{megabytes:.1f}".rstrip("0").rstrip("."),
            "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            "files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        }
        return render(request, "400_too_big.html", context, status=400)
    return HttpResponseBadRequest(loader.render_to_string("400.html"))
