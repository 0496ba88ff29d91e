"""Uploads sent at the same instant: one of two replacing the same document, one of two twins, is saved."""

import io
import threading

import pytest
from django.test import Client

from planner import attachments
from planner.attachments import Attachment
from tests.planner.test_attachments import PDF, PNG
from tests.planner.test_plans import make_dpn_client
from tests.threads import post_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "private"
    return settings.ATTACHMENTS_DIR


def send_both(monkeypatch, client, uploads):
    """Post the uploads from two threads, both checked before either is stored; the responses."""
    both_checked = threading.Barrier(len(uploads), timeout=20)
    real = attachments.check_upload

    def check_then_wait(*args):
        checked = real(*args)
        both_checked.wait()
        return checked

    monkeypatch.setattr(attachments, "check_upload", check_then_wait)
    url = f"/clients/{client.pk}/attachments/new/"
    return post_together(
        *(
            (user, url, {"file": named_file(name, content), "attach_to": "client", **data})
            for user, name, content, data in uploads
        )
    )


def named_file(name, content):
    file = io.BytesIO(content)
    file.name = name
    return file


def first_upload(therapist, client):
    browser = Client()
    browser.force_login(therapist)
    browser.post(
        f"/clients/{client.pk}/attachments/new/", {"file": named_file("clearance.pdf", PDF), "attach_to": "client"}
    )
    return Attachment.objects.get()


def test_two_replacements_of_one_document_at_once_save_one(monkeypatch, therapist, second_therapist):
    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    old = first_upload(therapist, client)
    replaces = {"supersedes": str(old.pk)}
    responses = send_both(
        monkeypatch,
        client,
        [(therapist, "scan.png", PNG, replaces), (second_therapist, "photo.png", PNG + b"2", replaces)],
    )
    assert sorted(r.status_code for r in responses) == [302, 400]
    old.refresh_from_db()
    refused = next(r for r in responses if r.status_code == 400).content.decode()
    assert f"clearance.pdf was replaced meanwhile by {old.superseded_by.name}" in refused
    assert Attachment.objects.filter(superseded_by__isnull=True).count() == 1


def test_a_file_sent_twice_at_once_is_saved_once(monkeypatch, therapist):
    client = make_dpn_client(therapist)
    responses = send_both(monkeypatch, client, [(therapist, "clearance.pdf", PDF, {})] * 2)
    assert sorted(r.status_code for r in responses) == [302, 400]
    refused = next(r for r in responses if r.status_code == 400).content.decode()
    assert "clearance.pdf is already attached to the client&#x27;s record with the same content" in refused
    assert Attachment.objects.count() == 1
