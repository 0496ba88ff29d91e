"""Time the client import: python -m clients.benchmark_import [--clients 10000] [--database-url URL].

Builds a file of N client documents (each with a profile, two conditions, a clearance and a care
team: about 5 MB for 10,000), then times the dry run and the real import against a fresh test
database (created and dropped here, never the clinic's own), beside a minimal one-query call in
the same run, and prints clients per second for each.
"""

import argparse
import datetime
import json
import os
import sys
import time


def documents(count, therapist):
    today = datetime.date.today()
    recent = (today - datetime.timedelta(days=3)).isoformat()
    return [
        {
            "schema": "planner.client.v1",
            "external_id": f"B-{number:06d}",
            "first_name": ("Ann", "Zoë", "Ravi", "Mei", "Olu", "Sven")[number % 6],
            "last_name": f"Lee {number}",
            "date_of_birth": f"19{30 + number % 60}-0{1 + number % 9}-1{number % 10}",
            "phone": "+1 555 0100",
            "neuropathy": {
                "type": ("DPN", "CIPN", "IDIOPATHIC")[number % 3],
                "regions": [{"region": "feet", "side": "both", "symptoms": ["numbness", "burning"]}],
            },
            "conditions": [
                {"code": "open_wound", "location": "feet", "side": "left", "noted_on": recent},
                {"code": "platelet_count", "value": 120_000 + number, "noted_on": recent},
            ],
            "clearance": {"physician": "Dr. Shah", "date": recent},
            "care_team": [therapist],
        }
        for number in range(count)
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--database-url", help="Default: DATABASE_URL, else SQLite. A test database is made on it.")
    args = parser.parse_args(argv)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from clients.importing import import_documents, parse_json
    from clients.models import Client
    from tests.factories import make_therapist

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        make_therapist(username="bench")
        text = json.dumps(documents(args.clients, "bench"))
        print(f"{args.clients} clients, {len(text) / 1024 / 1024:.1f} MB of JSON, on {connection.vendor}")
        started = time.perf_counter()
        Client.objects.count()
        minimal = time.perf_counter() - started
        print(f"  minimal (one query)  {minimal * 1000:8.1f} ms")
        for dry_run in (True, False):
            started = time.perf_counter()
            docs, labels = parse_json(text)
            report = import_documents(docs, dry_run=dry_run, labels=labels)
            elapsed = time.perf_counter() - started
            if not report.ok:
                sys.exit("; ".join(report.error_messages()[:5]))
            label = "dry run" if dry_run else "import"
            print(f"  {label:<20} {elapsed * 1000:8.0f} ms  {args.clients / elapsed:8.0f} clients/s")
        assert Client.objects.count() == args.clients
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
