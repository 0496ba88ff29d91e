"""Time the main pages on a seeded clinic: python -m planner.benchmark_pages [--runs 30] [--database-url URL ...].

Server time in-process through Django's test client (middleware, view, template, and the whole
body of streamed responses; for those, the time to their first piece is on a row of its own), the
pages interleaved run by run so that a busy machine slows all of them alike, beside a minimal view
that makes one query, measured in the same run. Seed the clinic first with `manage.py seed_scale
--clients N`. With several --database-url, each database is measured in turn (one process each) and
the tables are printed side by side, so the growth of each page with the clinic's size shows.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def minimal(request):
    """One query, the smallest page a signed-in user can get: the yardstick for the others."""
    from django.contrib.auth import get_user_model
    from django.http import HttpResponse

    return HttpResponse(str(get_user_model().objects.filter(pk=request.user.pk).count()))


def _urlpatterns():
    from django.contrib.auth.decorators import login_required
    from django.urls import include, path

    return [path("benchmark/minimal/", login_required(minimal)), path("", include("planner.urls"))]


def _pages():
    """(label, user, url) for each page, chosen from the seeded data; the heaviest client by records."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils import timezone

    from clients.models import Client
    from planner.models import PlanStatus, SessionPlan
    from planner.roles import CLINIC_ADMIN, THERAPIST

    User = get_user_model()
    admin = User.objects.filter(groups__name=CLINIC_ADMIN, is_active=True).order_by("pk").first()
    heavy = (
        Client.objects.active().annotate(n=Count("session_records")).order_by("-n", "pk").values_list("pk", flat=True)
    )[0]
    plan = (
        SessionPlan.objects.filter(client_id=heavy, therapist__groups__name=THERAPIST)
        .order_by("-scheduled_for")
        .select_related("therapist")
        .first()
    )
    therapist = plan.therapist
    today = timezone.localdate()
    # A ready plan of today's, or else the next one, with no record yet.
    ready = SessionPlan.objects.filter(therapist=therapist, status=PlanStatus.READY, record__isnull=True)
    to_record = (
        ready.filter(scheduled_for__date=today).order_by("scheduled_for").first()
        or ready.filter(scheduled_for__date__gt=today).order_by("scheduled_for").first()
        or plan
    )

    def deep(clients):
        """Page 500 of a list, or its last page when it has fewer."""
        return max(1, min(500, clients.count() // 25))

    cipn = Client.objects.active().filter(neuropathy_type="CIPN")
    team = Client.objects.active().filter(care_team=therapist)
    # The record form opens 30 minutes before its session: it is measured as the therapist sees it
    # then, whatever the hour the benchmark runs (recording.now is the clock the gate reads).
    global RECORDING_CLOCK
    RECORDING_CLOCK = to_record.scheduled_for
    return [
        ("minimal view (one query)", admin, "/benchmark/minimal/"),
        ("dashboard, clinic admin", admin, "/"),
        ("dashboard, therapist", therapist, "/"),
        # The dashboards' clients needing attention, loaded after them (static/js/actions.js).
        ("dashboard's clients needing attention, clinic admin", admin, "/clients/attention/?panel=1"),
        ("dashboard's clients needing attention, therapist", therapist, "/clients/attention/?panel=1"),
        ("client list, page 1", admin, "/clients/"),
        ("client list, deep page (500, or the last)", admin, f"/clients/?page={deep(Client.objects.active())}"),
        ("client list ?type=CIPN, deep page", admin, f"/clients/?type=CIPN&page={deep(cipn)}"),
        ("client list ?therapist=, deep page", admin, f"/clients/?therapist={therapist.pk}&page={deep(team)}"),
        ("client list archived, deep page", admin, f"/clients/?status=archived&page={deep(Client.objects.archived())}"),
        ("client list ?q=smith", admin, "/clients/?q=smith"),
        ("client page, heaviest client", admin, f"/clients/{heavy}/"),
        # What the client page loads once it is shown (static/js/actions.js), each a request of its own.
        ("client page's sessions (loaded after it)", admin, f"/clients/{heavy}/sessions/?panel=1"),
        ("client page's measures (loaded after it)", admin, f"/clients/{heavy}/measures/?panel=1"),
        ("client page's documents and letters (loaded after it)", admin, f"/clients/{heavy}/documents/?panel=1"),
        ("client page's recent changes (loaded after it)", admin, f"/clients/{heavy}/history/?recent=1"),
        ("client export.json, same client", admin, f"/clients/{heavy}/export.json"),
        ("schedule, clinic admin (today, 6 therapists a page)", admin, "/plans/"),
        ("CSV export of all clients", admin, "/clients/export.csv"),
        ("plan preview JSON", therapist, f"/clients/{heavy}/plan-preview.json?regions=feet,hands"),
        ("plan builder", therapist, f"/plans/new/?client={heavy}"),
        ("plan print sheet", therapist, f"/plans/{plan.pk}/print/"),
        ("record form", therapist, f"/plans/{to_record.pk}/record/"),
    ]


RECORDING_CLOCK = None


def _recording_now():
    from django.utils import timezone

    return max(timezone.now(), RECORDING_CLOCK) if RECORDING_CLOCK else timezone.now()


def _get(browser, url):
    """(status, bytes, ms to the first piece of a streamed body or None) of one request."""
    started = time.perf_counter()
    response = browser.get(url)
    if not response.streaming:
        return response.status_code, len(response.content), None
    pieces = iter(response.streaming_content)
    size = len(next(pieces, b""))
    first = (time.perf_counter() - started) * 1000
    size += sum(len(piece) for piece in pieces)
    return response.status_code, size, first


FIRST_BYTES = ", first bytes"


def measure(runs, warmup=2, only=()):
    """{label: {...}} for every page (or those whose label contains one of `only`, beside the
    minimal view), in this process's database."""
    from django.db import connection
    from django.test import Client as Browser
    from django.test.utils import override_settings

    from clients.models import Client

    urlconf = type(sys)("benchmark_urls")
    urlconf.urlpatterns = _urlpatterns()
    sys.modules["benchmark_urls"] = urlconf
    from unittest import mock

    with (
        override_settings(ROOT_URLCONF="benchmark_urls", ALLOWED_HOSTS=["testserver"]),
        mock.patch("planner.recording.now", _recording_now),
    ):
        pages = [page for i, page in enumerate(_pages()) if i == 0 or not only or any(o in page[0] for o in only)]
        browsers = {}
        for _, user, _ in pages:
            if user.pk not in browsers:
                browsers[user.pk] = Browser()
                browsers[user.pk].force_login(user)
        results = {label: {"url": url, "times": []} for label, _, url in pages}
        for label, user, url in pages:
            # The fewer of two requests' queries: a request that refreshes the session's idle clock (once a
            # minute) writes it too, which is no part of the page.
            counts = []
            for _ in range(2):
                queries = []
                with connection.execute_wrapper(
                    lambda execute, *args, queries=queries: queries.append(1) or execute(*args)
                ):
                    status, size, first = _get(browsers[user.pk], url)
                counts.append(len(queries))
            results[label].update(status=status, bytes=size, queries=min(counts))
            if first is not None:
                results[label + FIRST_BYTES] = {"url": url, "times": [], "status": status, "bytes": 0, "queries": 0}
        for run in range(warmup + runs):
            for label, user, url in pages:
                started = time.perf_counter()
                _, _, first = _get(browsers[user.pk], url)
                elapsed = (time.perf_counter() - started) * 1000
                if run >= warmup:
                    results[label]["times"].append(elapsed)
                    if first is not None:
                        results[label + FIRST_BYTES]["times"].append(first)
        for result in results.values():
            times = sorted(result.pop("times"))
            result["p50"] = statistics.median(times)
            result["p95"] = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        # Each streamed page's first bytes on the row after it.
        ordered = {}
        for label, _, _ in pages:
            ordered[label] = results[label]
            if label + FIRST_BYTES in results:
                ordered[label + FIRST_BYTES] = results[label + FIRST_BYTES]
        return {"clients": Client.objects.count(), "pages": ordered}


def table(measured):
    """Markdown table: one block of columns per database, and how each page grew from the first to the last."""
    first, last = measured[0], measured[-1]
    header = ["page"]
    for m in measured:
        size = f"{m['clients']:,} clients"
        header += [f"p50 ms ({size})", f"p95 ms ({size})", "queries"]
    if len(measured) > 1:
        header.append(f"p50 growth ×{last['clients'] / first['clients']:.0f} clients")
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    minimal_p95 = {id(m): m["pages"]["minimal view (one query)"]["p95"] for m in measured}
    for label in first["pages"]:
        row = [label]
        for m in measured:
            page = m["pages"][label]
            flag = "" if page["status"] == 200 else f" (HTTP {page['status']})"
            ratio = page["p95"] / minimal_p95[id(m)]
            queries = "" if label.endswith(FIRST_BYTES) else str(page["queries"])
            row += [f"{page['p50']:.1f}", f"{page['p95']:.1f} ({ratio:.1f}× min){flag}", queries]
        if len(measured) > 1:
            row.append(f"{last['pages'][label]['p50'] / first['pages'][label]['p50']:.1f}×")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="Timed runs of every page (after 2 warm-up runs).")
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        help="Measure this database (repeat for several, e.g. 10k and 100k clients); default: DATABASE_URL.",
    )
    parser.add_argument(
        "--page", action="append", default=[], help="Only the pages whose label contains this (repeatable)."
    )
    parser.add_argument("--json", action="store_true", help="Print the raw figures as JSON.")
    options = parser.parse_args(argv)

    if len(options.database_url) > 1:
        measured = []
        for url in options.database_url:
            env = {**os.environ, "DATABASE_URL": url}
            command = [sys.executable, "-m", "planner.benchmark_pages", "--runs", str(options.runs), "--json"]
            command += [f"--page={page}" for page in options.page]
            output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
            measured.append(json.loads(output))
    else:
        if options.database_url:
            os.environ["DATABASE_URL"] = options.database_url[0]
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")
        import django

        django.setup()
        measured = [measure(options.runs, only=options.page)]
    if options.json:
        print(json.dumps(measured[0]))
    else:
        print(table(measured))


if __name__ == "__main__":
    main()
