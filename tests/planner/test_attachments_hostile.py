"""Attachments against hostile uploads: a huge file, hidden characters in the description, a client
archived while the file was on its way, and generated names, contents and fields."""

import io
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.files import uploadhandler
from django.db import OperationalError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import attachments
from planner.attachments import TYPES, Attachment
from planner.views import attachments as attachment_views
from tests.factories import make_clearance
from tests.planner.test_attachments import PDF, PNG, upload
from tests.test_fuzz import HOSTILE_VALUE, row_counts

# private_dir and client_record: tests/planner/conftest.py
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_dir")]


def stored_files(private_dir):
    return list(private_dir.iterdir()) if private_dir.exists() else []


def test_a_huge_file_is_refused_by_its_size_without_being_kept_on_the_server(
    monkeypatch, login, therapist, client_record, private_dir
):
    kept = []
    for handler in (uploadhandler.MemoryFileUploadHandler, uploadhandler.TemporaryFileUploadHandler):
        real = handler.receive_data_chunk

        def counting(self, raw_data, start, real=real):
            kept.append(len(raw_data))
            return real(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    size = 3 * 1024 * 1024  # over Django's 2.5 MB in memory, so it would go to a temporary file
    response = upload(login, therapist, client_record, content=PDF + b"x" * (size - len(PDF)))
    assert response.status_code == 400
    assert "The file is 3.0 MB; attachments may be 1 KB at most." in response.content.decode()
    assert sum(kept) <= 1024
    assert not Attachment.objects.exists() and not stored_files(private_dir)


def test_a_file_at_the_limit_is_kept_whole(login, therapist, client_record):
    content = PDF + b"x" * (1024 - len(PDF))
    assert upload(login, therapist, client_record, content=content).status_code == 302
    assert Attachment.objects.get().path.read_bytes() == content


@pytest.mark.parametrize(
    ("description", "said"),
    [
        (
            "Lab report\nfrom the clinic",
            "Remove the line break (a control character, U+000A): this field holds one line.",
        ),
        ("Lab\x1b[31m report", "Remove the control character U+001B"),
        ("\u202efdp.exe", "Remove the control character U+202E"),
    ],
    ids=["line-break", "escape", "right-to-left-override"],
)
def test_a_description_with_a_hidden_character_is_refused_naming_it(
    login, therapist, client_record, private_dir, description, said
):
    response = upload(login, therapist, client_record, description=description)
    assert response.status_code == 400 and said in response.content.decode()
    assert not Attachment.objects.exists() and not stored_files(private_dir)


def test_a_file_sent_as_the_client_is_archived_is_not_stored(monkeypatch, login, therapist, client_record, private_dir):
    real = attachment_views.AttachmentForm.clean

    def archived_meanwhile(self):
        client_record.archived_at = timezone.now()
        client_record.save(update_fields=["archived_at"])
        return real(self)

    monkeypatch.setattr(attachment_views.AttachmentForm, "clean", archived_meanwhile)
    response = upload(login, therapist, client_record)
    assert response.status_code == 302 and response["Location"] == f"/clients/{client_record.pk}/"
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [f"{client_record} is archived: restore the client before changing the record."]
    assert not Attachment.objects.exists() and not stored_files(private_dir)


@pytest.mark.parametrize("fails_at", ["insert", "commit"])
def test_a_file_whose_row_is_not_saved_is_not_kept_on_disk(
    monkeypatch, login, therapist, client_record, private_dir, fails_at
):
    """The connection drops while the row is written, or as the transaction commits: the user is
    told the database is out of reach (503), and the file just written is removed with the row."""

    def dropped(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    if fails_at == "insert":
        monkeypatch.setattr(Attachment.objects, "create", dropped)
    else:
        real_atomic = transaction.atomic

        class FailsOnCommit:
            def __init__(self):
                self.block = real_atomic()

            def __enter__(self):
                return self.block.__enter__()

            def __exit__(self, kind, error, trace):
                self.block.__exit__(kind, error, trace)
                if kind is None:
                    assert stored_files(private_dir)  # written before the commit
                    raise OperationalError("server closed the connection unexpectedly")

        monkeypatch.setattr(attachments, "transaction", SimpleNamespace(atomic=FailsOnCommit))
    browser = login(therapist)
    browser.raise_request_exception = False
    file = io.BytesIO(PDF)
    file.name = "clearance.pdf"
    response = browser.post(f"/clients/{client_record.pk}/attachments/new/", {"file": file, "attach_to": "client"})
    assert response.status_code == 503
    assert not stored_files(private_dir)


FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONTENTS = st.one_of(
    st.sampled_from(
        [
            PDF,
            PNG,
            b"",
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            b"<html><script>alert(1)</script></html>",
            b"%PDF-<html><script>alert(1)</script></html>",
            PDF + b"x" * 2000,
        ]
    ),
    st.binary(max_size=1500),
)
NAMES = st.one_of(HOSTILE_VALUE, st.text(max_size=300)).flatmap(
    lambda stem: st.sampled_from(["", ".pdf", ".PDF", ".png", ".svg", ".html", ".pdf.html"]).map(lambda end: stem + end)
)


def test_generated_uploads_get_an_answer_never_a_server_error_and_are_only_ever_downloaded(
    login, therapist, client_record, private_dir
):
    clearance = make_clearance(client_record)
    browser = login(therapist)
    targets = st.one_of(st.sampled_from(["client", f"clearance:{clearance.pk}"]), HOSTILE_VALUE)
    optional = st.one_of(st.just(""), HOSTILE_VALUE)

    @FUZZ
    @given(name=NAMES, content=CONTENTS, attach_to=targets, description=optional, supersedes=optional)
    def send(name, content, attach_to, description, supersedes):
        file = io.BytesIO(content)
        file.name = name
        fields = {"attach_to": attach_to, "description": description, "supersedes": supersedes}
        before = row_counts()
        try:
            response = browser.post(f"/clients/{client_record.pk}/attachments/new/", {"file": file, **fields})
        except ValueError as error:  # the test client's own refusal of a name that breaks a header line
            assert "header" in str(error).lower() or "newline" in str(error).lower()
            return
        assert response.status_code in (302, 400), (name, fields)
        if response.status_code == 400:
            assert row_counts() == before, (name, fields)
            return
        attachment = Attachment.objects.latest("pk")
        download = browser.get(f"/attachments/{attachment.pk}/")
        assert download["Content-Type"] in TYPES and download["Content-Disposition"].startswith("attachment;")
        assert download["X-Content-Type-Options"] == "nosniff"
        assert b"".join(download.streaming_content) == content

    send()
