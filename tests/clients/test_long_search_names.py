"""A name that grows when lowered for search ("ß" is "ss", the ligature "ﷺ" eighteen letters) still saves."""

import pytest

from clients.importing import import_documents
from clients.models import Client
from tests.factories import client_document as document

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("letter", ["ß", "\ufdfa"])
def test_a_long_name_that_grows_when_lowered_saves_and_is_found(therapist, letter):
    report = import_documents(document(first_name=letter * 100, last_name=letter * 100))
    assert report.saved, report.error_messages()
    client = Client.objects.get(external_id="H-1")
    client.full_clean()  # what the database column holds, on PostgreSQL a varchar that refused it
    assert list(Client.objects.search("h-1")) == [client]


def test_the_intake_form_saves_a_long_name_that_grows_when_lowered(login, clinic_admin, therapist):
    data = {
        "first_name": "ß" * 100,
        "last_name": "ß" * 100,
        "date_of_birth": "1960-01-02",
        "neuropathy_type": "DPN",
        "care_team": [therapist.pk],
    }
    response = login(clinic_admin).post("/clients/new/", data)
    assert response.status_code == 302
    Client.objects.get().full_clean()
