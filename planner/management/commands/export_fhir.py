"""Every client as FHIR Bulk Data NDJSON: one file per resource type, one resource per line.

Clients are read in chunks (each chunk's conditions, clearances, plans and records prefetched
together), and each resource is written as soon as it is built, so memory stays flat however
many clients there are. The practitioners referred to are collected (one entry per staff
account) and written at the end.
"""

import json
import random
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clients.models import Client
from planner import fhir

CHUNK = 500


class Progress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise."""

    def __init__(self, total, stream):
        self.total, self.stream = total, stream  # a management command's OutputWrapper
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.last_drawn, self.last_tenth = 0.0, -1

    def update(self, done, final=False):
        now = time.monotonic()
        tenth = done * 10 // self.total if self.total else 10
        if self.tty:
            if not final and now - self.last_drawn < 0.5:
                return
        elif not final and tenth == self.last_tenth:
            return
        self.last_drawn, self.last_tenth = now, tenth
        share = done / self.total if self.total else 1
        bar = "#" * int(share * 30)
        elapsed = now - self.started
        line = f"[{bar:<30}] {done:,}/{self.total:,} clients {share:4.0%} {elapsed:6.1f} s"
        self.stream.write(("\r" + line) if self.tty else line, ending="\n" if final or not self.tty else "")
        self.stream.flush()


class Sample:
    """A uniform random sample of n resources out of a stream of unknown length (reservoir sampling)."""

    def __init__(self, size, seed=None):
        self.size, self.seen, self.items = size, 0, []
        self.random = random.Random(seed)

    def offer(self, resource):
        self.seen += 1
        if len(self.items) < self.size:
            self.items.append(resource)
        else:
            slot = self.random.randrange(self.seen)
            if slot < self.size:
                self.items[slot] = resource


def validate(resources):
    """[(resource, error message)] for those that fhir.resources' R4B models reject."""
    try:
        from fhir.resources.R4B import get_fhir_model_class
    except ImportError as error:
        raise CommandError("--validate-sample needs fhir.resources: pip install -r requirements-dev.txt") from error
    failures = []
    for resource in resources:
        try:
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        except Exception as error:  # pydantic's ValidationError, or an unknown resource type
            failures.append((resource, str(error)))
    return failures


class Command(BaseCommand):
    help = "Write every client as FHIR R4 Bulk Data NDJSON files (one per resource type) into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", help="Where to write; created if missing, must be empty.")
        parser.add_argument(
            "--validate-sample",
            type=int,
            default=0,
            metavar="N",
            help="Validate N resources picked at random with fhir.resources' R4B models.",
        )
        parser.add_argument("--seed", type=int, default=None, help="Seed of the random sample (repeatable runs).")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, directory, validate_sample, seed, quiet, **options):
        if validate_sample < 0:
            raise CommandError("--validate-sample must be 0 or more.")
        out = Path(directory)
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise CommandError(f"{out} must be an empty directory (or not exist yet).")
        out.mkdir(parents=True, exist_ok=True)

        started = time.monotonic()
        files, counts, users = {}, Counter(), {}
        sample = Sample(validate_sample, seed)

        def write(resource):
            kind = resource["resourceType"]
            if kind not in files:
                files[kind] = open(out / f"{kind}.ndjson", "w", encoding="utf-8")  # noqa: SIM115 closed below
            files[kind].write(json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n")
            counts[kind] += 1
            if validate_sample:
                sample.offer(resource)

        try:
            # One transaction: on PostgreSQL the clients come through one server-side cursor.
            with transaction.atomic():
                total = Client.objects.count()
                progress = None if quiet else Progress(total, self.stderr)
                done = 0
                for client in fhir.clients_for_export().iterator(chunk_size=CHUNK):
                    for resource in fhir.client_resources(client, client.export_plans, client.export_records, users):
                        write(resource)
                    done += 1
                    if progress and done % 100 == 0:
                        progress.update(done)
                for _, user in sorted(users.items()):
                    write(fhir.practitioner(user))
                if progress:
                    progress.update(done, final=True)
        finally:
            for handle in files.values():
                handle.close()

        seconds = time.monotonic() - started
        self.stdout.write(f"Wrote {sum(counts.values()):,} resources for {done:,} clients in {seconds:.1f} s to {out}:")
        for kind, count in sorted(counts.items()):
            self.stdout.write(f"  {kind}.ndjson  {count:,}")
        if validate_sample:
            self._check(sample)

    def _check(self, sample):
        """Validate the sampled resources; name the first invalid ones and fail if there are any."""
        failures = validate(sample.items)
        if failures:
            for resource, error in failures[:10]:
                self.stderr.write(f"{resource['resourceType']}/{resource['id']}: {error}")
            raise CommandError(f"{len(failures)} of {len(sample.items)} sampled resources are not valid FHIR.")
        which = (
            f"all {len(sample.items):,} resources"
            if sample.seen == len(sample.items)
            else f"{len(sample.items):,} resources picked at random"
        )
        self.stdout.write(f"Validated {which}: all valid FHIR R4(B).")
