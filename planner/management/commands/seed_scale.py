import time

from django.core.management.base import BaseCommand, CommandError

from planner.scale import ScaleSeeder, Sizes


class Command(BaseCommand):
    help = (
        "Add a clinic of the given size for benchmarking: clients with care teams, conditions, clearances, "
        "plans with items and signed records (about ten clinical rows per client), with bulk inserts; the heaviest "
        "client also gets measures, letters, documents and corrected scores. "
        "Never run this on a real clinic's database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, required=True, help="How many clients, e.g. 100000.")
        parser.add_argument("--therapists", type=int, default=20)
        parser.add_argument("--plans-per-client", type=float, default=2.0)
        parser.add_argument("--heavy-records", type=int, default=300, help="Records of the one long-standing client.")
        parser.add_argument("--seed", type=int, default=15, help="Random seed, for a repeatable clinic.")

    def handle(self, *args, **options):
        if options["clients"] < 1 or options["therapists"] < 2:
            raise CommandError("--clients must be at least 1 and --therapists at least 2.")
        sizes = Sizes(
            clients=options["clients"],
            therapists=options["therapists"],
            plans_per_client=options["plans_per_client"],
            heavy_records=options["heavy_records"],
            seed=options["seed"],
        )
        started = time.monotonic()
        counts = ScaleSeeder(sizes, out=self.stdout.write).run()
        clinical = sum(counts.values()) - counts.get("clients", 0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts['clients']:,} clients and {clinical:,} clinical rows "
                f"in {time.monotonic() - started:.0f} s."
            )
        )
