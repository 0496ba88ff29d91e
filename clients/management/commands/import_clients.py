from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clients.forms import MAX_IMPORT_BYTES
from clients.importing import ImportFileError, import_documents, is_csv, read_upload


class Command(BaseCommand):
    help = (
        "Import client documents from a JSON file (one document or a list) or a CSV file, all or nothing. "
        "Exits non-zero on any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .json or .csv file.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; save nothing.")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: {error.strerror}") from None
        if len(data) > MAX_IMPORT_BYTES:
            raise CommandError(f"{file}: {len(data) / 1024 / 1024:.1f} MB; the limit is 5 MB.")
        try:
            docs, labels = read_upload(path.name, data)
        except ImportFileError as error:
            raise CommandError(str(error)) from None

        report = import_documents(docs, dry_run=dry_run, labels=labels, csv=is_csv(path.name))
        for record in report.records:
            if record.errors:
                continue
            changes = f": {'; '.join(record.changes)}" if record.changes else ""
            self.stdout.write(f"{record.label}: {record.action} {record.name}{changes}")
        if not report.ok:
            for message in report.error_messages():
                self.stderr.write(message)
            raise CommandError(f"{file}: {len(report.error_messages())} error(s); nothing was imported.")
        verb = "would create" if dry_run else "created"
        summary = f"{verb} {report.created}, {'would update' if dry_run else 'updated'} {report.updated}"
        if report.unchanged:
            summary += f", {report.unchanged} unchanged"
        self.stdout.write(self.style.SUCCESS(f"{file}: {summary}{' (dry run: nothing saved)' if dry_run else ''}."))
