"""The FHIR bulk export's writing (manage.py export_fhir), in this process or in several.

Clients are read in chunks, in id order, and each resource is written as soon as it is built, one
NDJSON file per resource type, so memory stays flat however many clients there are.

With several workers (PostgreSQL only), the clients are split into contiguous ranges of ids. Each
range is written by a worker process into a folder of its own, and the command then appends the
ranges' files in order: the files hold the same lines, in the same order, as with one process.
Every worker reads the database as the command's own transaction saw it when it began (an exported
snapshot), so the export is one consistent picture even while the clinic works.

Nothing here imports models at module level: a worker process imports this module before it sets
Django up.
"""

import json
import random
import re
import shutil

# Clients read (with everything they hold) per query.
CHUNK = 500
# Ranges per worker: a worker that finishes early takes the next range.
RANGES_PER_WORKER = 4

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


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

    def merge(self, other):
        """This sample and another one, of a stream of its own, as one uniform sample of both streams:
        each pick comes from a stream in proportion to what that stream has left unpicked."""
        if other.size != self.size:
            raise ValueError(f"Samples of {self.size} and {other.size} cannot be merged.")
        merged = Sample(self.size, self.random.random())
        merged.seen = self.seen + other.seen
        pools = [[list(sample.items), sample.seen] for sample in (self, other)]
        for pool in pools:
            self.random.shuffle(pool[0])
        while len(merged.items) < min(merged.size, merged.seen):
            left = pools[0][1] + pools[1][1]
            pool = pools[0] if self.random.randrange(left) < pools[0][1] else pools[1]
            merged.items.append(pool[0].pop())
            pool[1] -= 1
        return merged


class Writer:
    """Writes resources into DIR/<type>.ndjson and counts them; offers each to a sample."""

    def __init__(self, directory, sample):
        self.directory, self.sample = directory, sample
        self.files, self.counts = {}, {}

    def _file(self, kind):
        handle = self.files.get(kind)
        if handle is None:
            handle = self.files[kind] = open(self.directory / f"{kind}.ndjson", "w", encoding="utf-8")  # noqa: SIM115 closed in close()
            self.counts[kind] = 0
        return handle

    def write(self, resource):
        kind = resource["resourceType"]
        self._file(kind).write(_encode(resource) + "\n")
        self.counts[kind] += 1
        if self.sample.size:
            self.sample.offer(resource)

    def append(self, kind, path, count):
        """Append a file of `count` resources of one type, written by a worker, to this one's."""
        handle = self._file(kind)
        with open(path, encoding="utf-8") as part:
            shutil.copyfileobj(part, handle, 1 << 20)
        self.counts[kind] += count

    def close(self):
        for handle in self.files.values():
            handle.close()


def write_clients(writer, users, first=None, last=None, tick=None):
    """Write every client (or those with ids first..last) and their resources; add the staff they
    refer to into `users` (id -> user). `tick(n)` is called after every 100 clients. How many clients."""
    from planner import fhir

    clients = fhir.clients_for_export()
    if first is not None:
        clients = clients.filter(pk__gte=first, pk__lte=last)
    done = 0
    for client in clients.iterator(chunk_size=CHUNK):
        for resource in fhir.client_resources(client, client.export_plans, client.export_records, users):
            writer.write(resource)
        done += 1
        if tick and done % 100 == 0:
            tick(100)
    if tick and done % 100:
        tick(done % 100)
    return done


def ranges(ids, parts):
    """The sorted ids cut into at most `parts` contiguous (first, last) ranges of near-equal size."""
    size = -(-len(ids) // parts) if ids else 0
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)] if size else []


def one_snapshot(cursor, shared=False):
    """Make this transaction (PostgreSQL) read one snapshot throughout, taken now, and return its
    name, by which other sessions can import it. Must come before the transaction's first query."""
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    if shared:
        # The command's session waits, in its transaction, for the workers: a server's limit on
        # idle transactions would end it, and with it the snapshot they import.
        cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
    cursor.execute("SELECT pg_export_snapshot()")
    name = cursor.fetchone()[0]
    if not SNAPSHOT_NAME.fullmatch(name):  # it is written into the workers' SQL
        raise ValueError(f"Not a snapshot name: {name!r}")
    return name


SNAPSHOT_NAME = re.compile(r"[0-9A-F]+(-[0-9A-F]+)+")


# In a worker process.

_worker = {}


def start_worker(database_name, base_url, snapshot, counter):
    """A worker's start: Django set up on the command's database (in the tests, the test database)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    connection.settings_dict["NAME"] = database_name
    settings.FHIR_BASE_URL = base_url
    _worker.update(snapshot=snapshot, counter=counter)


def write_range(task):
    """In a worker: write clients first..last into `directory` within the command's snapshot.
    Returns (clients written, {type: count}, staff ids referred to, sample)."""
    from django.db import connection, transaction

    directory, first, last, sample_size, seed = task
    counter = _worker["counter"]

    def tick(n):
        with counter.get_lock():
            counter.value += n

    users = {}
    writer = Writer(directory, Sample(sample_size, seed))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute(f"SET TRANSACTION SNAPSHOT '{_worker['snapshot']}'")  # checked by one_snapshot
            done = write_clients(writer, users, first, last, tick)
    finally:
        writer.close()
    return done, writer.counts, sorted(users), writer.sample
