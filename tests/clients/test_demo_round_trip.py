"""The demo clinic's documents import back as they are."""

import pytest
from django.core.management import call_command

from clients.documents import export_client
from clients.importing import import_documents
from clients.models import Client

pytestmark = pytest.mark.django_db


def test_every_demo_client_imports_back_with_no_changes(capsys):
    call_command("seed_demo")
    docs = [export_client(client) for client in Client.objects.active()]
    report = import_documents(docs, dry_run=True)
    assert report.ok, report.error_messages()
    changed = {record.external_id: record.changes for record in report.records if record.changes}
    assert changed == {}
