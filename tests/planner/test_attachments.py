"""Attachments: type checked by content, size-limited, stored outside the web root, served after a permission check."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from planner.attachments import Attachment, clean_name
from tests.factories import make_clearance
from tests.planner.test_plans import make_dpn_client

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "private"
    settings.ATTACHMENT_MAX_BYTES = 1024
    return settings.ATTACHMENTS_DIR


@pytest.fixture
def client_record(therapist):
    return make_dpn_client(therapist)


def upload(login, user, client, name="clearance.pdf", content=PDF, **data):
    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return login(user).post(f"/clients/{client.pk}/attachments/new/", {"file": file, "attach_to": "client", **data})


def test_a_pdf_is_stored_outside_the_web_root_and_downloaded_through_the_view(
    login, therapist, client_record, private_dir
):
    response = upload(login, therapist, client_record, description="Clearance letter")
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type, attachment.size) == ("clearance.pdf", "application/pdf", len(PDF))
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.path.parent == private_dir and attachment.path.read_bytes() == PDF
    assert "clearance.pdf" not in attachment.stored_as
    download = login(therapist).get(f"/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf" and "attachment" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"] and "private" in download["Cache-Control"]


def test_attachment_permissions(anonymous, login, therapist, second_therapist, clinic_admin, client_record):
    upload(login, therapist, client_record)
    url = f"/attachments/{Attachment.objects.get().pk}/"
    assert anonymous.get(url)["Location"].startswith("/accounts/login/")
    assert login(second_therapist).get(url).status_code == 404
    assert login(clinic_admin).get(url).status_code == 200
    assert upload(login, second_therapist, client_record).status_code == 404
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 not a pdf at all", "not a PDF, PNG or JPEG image"),
        ("report.pdf", PNG, "holds a PNG image but its name says otherwise"),
        ("big.pdf", PDF + b"x" * 2000, "attachments may be 0 MB at most"),
        ("empty.pdf", b"", "The submitted file is empty."),
        (".hidden.pdf", PDF, "must not contain a folder path or start with a dot"),
        ("x" * 160 + ".pdf", PDF, "rename it to 150 at most"),
    ],
)
def test_hostile_files_get_a_clear_message_and_nothing_is_stored(
    login, therapist, client_record, private_dir, name, content, message
):
    response = upload(login, therapist, client_record, name=name, content=content)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Attachment.objects.exists()
    assert not private_dir.exists() or not any(private_dir.iterdir())


def test_a_newer_file_supersedes_and_nothing_is_deleted(login, therapist, client_record):
    clearance = make_clearance(client_record)
    upload(login, therapist, client_record, attach_to=f"clearance:{clearance.pk}")
    old = Attachment.objects.get()
    assert old.clearance == clearance
    upload(login, therapist, client_record, name="scan.png", content=PNG, supersedes=str(old.pk))
    old.refresh_from_db()
    new = Attachment.objects.latest("pk")
    assert old.superseded_by == new and old.path.exists() and Attachment.objects.count() == 2
    page = login(therapist).get(f"/clients/{client_record.pk}/").content.decode()
    assert "replaced by a newer document" in page and "scan.png" in page
    doc = login(therapist).get(f"/clients/{client_record.pk}/export.json").json()
    listed = {a["name"]: a for a in doc["attachments"]}
    assert listed["clearance.pdf"]["superseded"] and listed["clearance.pdf"]["on"] == "clearance"
    assert listed["scan.png"]["sha256"] == hashlib.sha256(PNG).hexdigest() and listed["scan.png"]["size"] == len(PNG)


def test_no_attachment_on_an_archived_client(login, therapist, client_record):
    from django.utils import timezone

    client_record.archived_at = timezone.now()
    client_record.save()
    assert upload(login, therapist, client_record).status_code == 302
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invoice\u202egnp.pdf", "control or invisible characters"),  # a right-to-left override
        ("bad\x07name.pdf", "control or invisible characters"),
        ("../../etc/passwd.pdf", "folder path"),
        ("", "has no name"),
    ],
)
def test_names_django_would_clean_are_refused_by_the_check_too(name, message):
    # Django's upload parser already drops folders and unprintable characters; the check does not rely on it.
    with pytest.raises(ValidationError, match=message):
        clean_name(name)


def test_a_file_attached_to_a_record_is_listed_on_the_record(login, therapist, client_record):
    from planner.models import SessionRecord
    from tests.planner.test_client_pages import signed_session

    signed_session(login, therapist, client_record, "09:00")
    record = SessionRecord.objects.get()
    upload(
        login,
        therapist,
        client_record,
        name="photo.jpg",
        content=b"\xff\xd8\xff\xe0" + b"0" * 20,
        attach_to=f"record:{record.pk}",
    )
    attachment = Attachment.objects.get()
    assert attachment.record == record and attachment.content_type == "image/jpeg"
    assert "photo.jpg" in login(therapist).get(f"/records/{record.pk}/").content.decode()
