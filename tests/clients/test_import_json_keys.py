"""A JSON client file with a key given twice in one object: which one was meant cannot be known."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.importing import ImportFileError, read_upload
from clients.models import Client
from tests.factories import client_document as document

pytestmark = pytest.mark.django_db


def test_a_json_key_given_twice_is_refused_naming_the_key(therapist):
    text = json.dumps(document())[:-1] + ', "first_name": "Bob"}'
    with pytest.raises(ImportFileError) as refused:
        read_upload("clients.json", text.encode())
    assert str(refused.value) == "The key 'first_name' appears twice in one object; keep one."


def test_the_upload_page_names_a_key_given_twice_and_imports_nothing(login, clinic_admin, therapist):
    text = json.dumps([document(), document(external_id="H-2", neuropathy={"type": "DPN", "type ": "CIPN"})])
    text = text.replace('"type ": "CIPN"', '"type": "CIPN"')
    upload = SimpleUploadedFile("clients.json", text.encode(), content_type="application/json")
    response = login(clinic_admin).post("/clients/import/", {"file": upload})
    assert "The key &#x27;type&#x27; appears twice in one object; keep one." in response.content.decode()
    assert "confirm" not in response.content.decode()
    assert not Client.objects.exists()


def test_the_same_key_in_two_documents_is_not_a_key_given_twice(therapist):
    text = json.dumps([document(), document(external_id="H-2")])
    docs, _ = read_upload("clients.json", text.encode())
    assert [doc["external_id"] for doc in docs] == ["H-1", "H-2"]
