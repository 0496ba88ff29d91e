"""Every client as FHIR Bulk Data NDJSON: one file per resource type, one resource per line.

Clients are read in chunks (each chunk's conditions, clearances, plans and records prefetched
together), and each resource is written as soon as it is built, so memory stays flat however
many clients there are (planner.bulk_fhir). With --workers N (PostgreSQL), N processes write
ranges of clients side by side from one snapshot of the database. The practitioners referred to
are collected (one entry per staff account) and written at the end.
"""

import multiprocessing
import shutil
import time
from collections import Counter
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from clients.models import Client
from planner import bulk_fhir, fhir

# The workers' folders inside DIR while they write; removed when the files are put together.
PARTS = ".parts"


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
        elif not final and (tenth == self.last_tenth or tenth == 10):
            return  # a line per tenth; the last one when the export is done, with its whole time
        self.last_drawn, self.last_tenth = now, tenth
        share = done / self.total if self.total else 1
        bar = "#" * int(share * 30)
        elapsed = now - self.started
        line = f"[{bar:<30}] {done:,}/{self.total:,} clients {share:4.0%} {elapsed:6.1f} s"
        self.stream.write(("\r" + line) if self.tty else line, ending="\n" if final or not self.tty else "")
        self.stream.flush()


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
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            metavar="N",
            help="Write with N processes side by side (PostgreSQL; about N times faster on N free cores).",
        )

    def handle(self, *args, directory, validate_sample, seed, quiet, workers, **options):
        if validate_sample < 0:
            raise CommandError("--validate-sample must be 0 or more.")
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")
        if workers > 1 and connection.vendor != "postgresql":
            raise CommandError("--workers above 1 needs PostgreSQL: the workers share one snapshot of the database.")
        if workers > 1 and connection.in_atomic_block:
            raise CommandError("--workers above 1 needs a transaction of its own: run it outside any other.")
        out = Path(directory)
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise CommandError(f"{out} must be an empty directory (or not exist yet).")
        out.mkdir(parents=True, exist_ok=True)

        started = time.monotonic()
        sample = bulk_fhir.Sample(validate_sample, seed)
        writer = bulk_fhir.Writer(out, sample)
        try:
            # One transaction, one picture of the clinic: on PostgreSQL the clients come through one
            # server-side cursor, every query reads the snapshot the transaction began with, and so
            # do the workers. (Within a caller's transaction, that transaction's reads.)
            own_transaction = connection.vendor == "postgresql" and not connection.in_atomic_block
            with transaction.atomic():
                if own_transaction:
                    with connection.cursor() as cursor:
                        snapshot = bulk_fhir.one_snapshot(cursor, shared=workers > 1)
                total = Client.objects.count()
                progress = None if quiet else Progress(total, self.stderr)
                if workers > 1:
                    done, users = self._in_workers(out, writer, workers, snapshot, progress, validate_sample, seed)
                else:
                    users = {}
                    count = Counter()

                    def tick(n):
                        count["done"] += n
                        if progress:
                            progress.update(count["done"])

                    done = bulk_fhir.write_clients(writer, users, tick=tick)
                for _, user in sorted(users.items()):
                    writer.write(fhir.practitioner(user))
                if progress:
                    progress.update(done, final=True)
        finally:
            writer.close()
            shutil.rmtree(out / PARTS, ignore_errors=True)

        seconds = time.monotonic() - started
        written = sum(writer.counts.values())
        self.stdout.write(f"Wrote {written:,} resources for {done:,} clients in {seconds:.1f} s to {out}:")
        for kind, count in sorted(writer.counts.items()):
            self.stdout.write(f"  {kind}.ndjson  {count:,}")
        if validate_sample:
            self._check(writer.sample)

    def _in_workers(self, out, writer, workers, snapshot, progress, sample_size, seed):
        """Write the clients in `workers` processes, a range of ids each at a time, then append the
        ranges' files to `writer`'s in id order. (clients written, {id: staff account referred to})."""
        ids = list(Client.objects.order_by("pk").values_list("pk", flat=True))
        tasks = []
        for number, (first, last) in enumerate(bulk_fhir.ranges(ids, workers * bulk_fhir.RANGES_PER_WORKER)):
            part = out / PARTS / f"{number:04d}"
            part.mkdir(parents=True)
            tasks.append((part, first, last, sample_size, None if seed is None else seed + number))
        # Spawned, not forked: a fork would copy this process's connection pool and its threads.
        context = multiprocessing.get_context("spawn")
        counter = context.Value("q", 0)
        initargs = (connection.settings_dict["NAME"], settings.FHIR_BASE_URL, snapshot, counter)
        # A pool of futures, not multiprocessing.Pool: a worker that dies (killed, out of memory) or
        # cannot start breaks it, where a Pool would wait for the lost range, or restart, for ever.
        start = {"initializer": bulk_fhir.start_worker, "initargs": initargs}
        with ProcessPoolExecutor(workers, mp_context=context, **start) as pool:
            futures = [pool.submit(bulk_fhir.write_range, task) for task in tasks]
            pending = set(futures)
            try:
                while pending:
                    finished, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
                    if progress:
                        progress.update(counter.value)
                    for future in finished:
                        future.result()  # the first failure stops the export
            except BrokenProcessPool as error:
                pool.shutdown(cancel_futures=True)
                raise CommandError(f"A worker process stopped before its clients were written: {error}") from error
            except Exception as error:
                pool.shutdown(cancel_futures=True)
                raise CommandError(f"A worker failed, nothing more was written: {error}") from error
            results = [future.result() for future in futures]
        done, user_ids = 0, set()
        for (part, *_), (written, counts, staff, sample) in zip(tasks, results, strict=True):
            done += written
            user_ids.update(staff)
            writer.sample = writer.sample.merge(sample)
            for kind in counts:
                writer.append(kind, part / f"{kind}.ndjson", counts[kind])
        return done, get_user_model().objects.in_bulk(user_ids)

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
