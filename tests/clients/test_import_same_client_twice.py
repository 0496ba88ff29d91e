"""The same client twice in one file, as a spreadsheet row copied twice: refused, naming both rows."""

import pytest

from clients.importing import import_documents, read_upload
from clients.models import Client

pytestmark = pytest.mark.django_db

HEADER = "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team"


def check(text):
    docs, labels = read_upload("clients.csv", text.encode())
    return import_documents(docs, labels=labels, csv=True)


def test_a_row_copied_without_an_external_id_is_refused_naming_both_rows(therapist):
    report = check(
        f"{HEADER}\n,Ann,Lee,1960-01-02,,,DPN,tara\n,Bo,Lee,1960-01-02,,,DPN,tara\n,ANN,Lée,1960-01-02,,,DPN,tara\n"
    )
    assert report.error_messages() == [
        "row 4, external_id: the same client (name and date of birth) is also row 2, and neither has an external id, "
        "so both would be added: remove one, or give each its external id"
    ]
    assert not Client.objects.exists()


def test_two_clients_of_one_name_with_their_own_ids_are_two_clients(therapist):
    report = check(f"{HEADER}\nC-1,Ann,Lee,1960-01-02,,,DPN,tara\nC-2,Ann,Lee,1960-01-02,,,DPN,tara\n")
    assert report.saved, report.error_messages()
    assert Client.objects.count() == 2


def test_a_copied_json_document_without_an_id_is_refused(therapist):
    doc = {
        "first_name": "Ann",
        "last_name": "Lee",
        "date_of_birth": "1960-01-02",
        "neuropathy": {"type": "DPN"},
        "care_team": ["tara"],
    }
    report = import_documents([doc, dict(doc)])
    assert [message.split(":")[0] for message in report.error_messages()] == ["document 2, external_id"]
    assert not Client.objects.exists()
