"""Attachments: type checked by content, size-limited, stored outside the web root, served after a permission check."""

import hashlib
import io

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from planner import attachments
from planner.attachments import Attachment, check_upload, clean_name
from protocols.labels import sizes_over_limit
from tests.factories import document_of, make_clearance, page_and_panels

# private_dir, client_record and ready_plan: tests/planner/conftest.py
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_dir")]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def upload(login, user, client, name="clearance.pdf", content=PDF, **data):
    # Sent under the name exactly as given, as a browser sends it: Django's own file classes would clean it first.
    file = io.BytesIO(content)
    file.name = name
    return login(user).post(f"/clients/{client.pk}/attachments/new/", {"file": file, "attach_to": "client", **data})


def said(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


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
        ("big.pdf", PDF + b"x" * 2000, "The file is 2.0 KB; attachments may be 1 KB at most."),
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
    page = page_and_panels(login(therapist), client_record)
    assert "replaced by a newer document" in page and "scan.png" in page
    doc = document_of(login(therapist).get(f"/clients/{client_record.pk}/export.json"))
    listed = {a["name"]: a for a in doc["attachments"]}
    assert listed["clearance.pdf"]["superseded"] and listed["clearance.pdf"]["on"] == "clearance"
    assert listed["scan.png"]["sha256"] == hashlib.sha256(PNG).hexdigest() and listed["scan.png"]["size"] == len(PNG)


def test_an_upload_still_needs_the_forms_csrf_token(therapist, client_record):
    # The view reads the upload itself before the CSRF check (see attachment_new): the check still holds.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(therapist)
    url = f"/clients/{client_record.pk}/attachments/new/"
    file = SimpleUploadedFile("clearance.pdf", PDF)
    assert browser.post(url, {"file": file, "attach_to": "client"}).status_code == 403
    assert not Attachment.objects.exists()
    token = browser.get(url).context["csrf_token"]
    file = SimpleUploadedFile("clearance.pdf", PDF)
    response = browser.post(url, {"file": file, "attach_to": "client", "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302 and Attachment.objects.count() == 1


def test_no_attachment_on_an_archived_client(login, therapist, client_record):
    from django.utils import timezone

    client_record.archived_at = timezone.now()
    client_record.save()
    assert upload(login, therapist, client_record).status_code == 302
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../../etc/passwd.pdf", "folder path"),
        ("scans\\passwd.pdf", "folder path"),
        ("", "has no name"),
        ("\u200b\u202e", "has no name"),
    ],
)
def test_names_django_would_clean_are_refused_by_the_check_too(name, message):
    # Django's upload parser already drops folders; the check does not rely on it.
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


# Sizes: said so that the file reads as over the limit however little it is over.


@pytest.mark.parametrize(
    ("size", "limit", "said"),
    [
        (10 * 1024 * 1024 + 5, 10 * 1024 * 1024, ("10,485,765 bytes", "10 MB (10,485,760 bytes)")),
        (10 * 1024 * 1024 + 60_000, 10 * 1024 * 1024, ("10.1 MB", "10 MB")),
        (12 * 1024 * 1024, 10 * 1024 * 1024, ("12.0 MB", "10 MB")),
        (1025, 1024, ("1,025 bytes", "1 KB (1,024 bytes)")),
        (3_000_000, 1024, ("2.9 MB", "1 KB")),
        (1001, 1000, ("1,001 bytes", "1,000 bytes")),
        (1_048_010, 1_048_000, ("1,048,010 bytes", "1,048,000 bytes")),  # 1,023.4 KB would read as less
        (5 * 1024 * 1024 + 1, 5 * 1024 * 1024, ("5,242,881 bytes", "5 MB (5,242,880 bytes)")),
    ],
)
def test_a_size_over_the_limit_reads_as_over_it(size, limit, said):
    assert sizes_over_limit(size, limit) == said


def test_a_file_a_few_bytes_over_ten_megabytes_is_not_said_to_be_ten(login, therapist, client_record, settings):
    settings.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    response = upload(login, therapist, client_record, content=PDF + b"x" * (10 * 1024 * 1024 + 5 - len(PDF)))
    page = response.content.decode()
    assert response.status_code == 400 and "10.0 MB" not in page
    assert "The file is 10,485,765 bytes; attachments may be 10 MB (10,485,760 bytes) at most." in page
    assert not Attachment.objects.exists()


# Names: what the clinic sees is the name the file has on the therapist's computer.


def test_a_long_name_is_said_to_be_as_long_as_it_is(login, therapist, client_record):
    # Django cuts a name to 255 characters before the app sees it; the count is of the name sent.
    response = upload(login, therapist, client_record, name="x" * 300 + ".pdf")
    page = response.content.decode()
    assert response.status_code == 400 and "The file name is 304 characters long; rename it to 150 at most." in page
    assert not Attachment.objects.exists()


def test_a_name_django_cut_short_is_not_given_a_false_length():
    cut = SimpleUploadedFile("x" * 300 + ".pdf", PDF)
    assert len(cut.name) == 255
    with pytest.raises(ValidationError, match="The file name is 255 characters or more; rename it to 150 at most."):
        check_upload(cut)


@pytest.mark.parametrize(
    ("sent", "kept", "note"),
    [
        # Browsers send a double quote, a line feed and a carriage return as %22, %0A and %0D.
        ("quote%22name%22.pdf", 'quote"name".pdf', ""),
        ("R&amp;D 50%20off.pdf", "R&amp;D 50%20off.pdf", ""),
        ("two%0D%0Alines.pdf", "two lines.pdf", "line breaks, tabs or special spaces became plain spaces"),
        ("tab\there.pdf", "tab here.pdf", "line breaks, tabs or special spaces became plain spaces"),
        ("no\u00a0break.pdf", "no break.pdf", "line breaks, tabs or special spaces became plain spaces"),
        ("bell\x07esc\x1bdel\x7f.pdf", "bellescdel.pdf", "control or invisible characters were removed"),
        (
            "tab\tand\u200bzero.pdf",
            "tab andzero.pdf",
            "line breaks, tabs or special spaces became plain spaces and control or invisible characters were removed",
        ),
        ("invoice\u202egnp.pdf", "invoicegnp.pdf", "control or invisible characters were removed"),
        ("zero\u200bwidth.pdf", "zerowidth.pdf", "control or invisible characters were removed"),
        ("C:\\fakepath\\scan.pdf", "scan.pdf", ""),
    ],
)
def test_a_name_is_kept_as_the_user_sees_it_and_any_change_is_said(login, therapist, client_record, sent, kept, note):
    response = upload(login, therapist, client_record, name=sent)
    assert response.status_code == 302, response.content.decode()
    assert Attachment.objects.get().name == kept
    message = said(response)
    assert message.startswith(f"{kept} attached")
    if note:
        assert f"Its name differs from the uploaded file's: {note}." in message
    else:
        assert "differs" not in message


def test_a_name_of_invisible_characters_only_is_refused(login, therapist, client_record):
    response = upload(login, therapist, client_record, name="\u200b\u202e.pdf")
    page = response.content.decode()
    assert response.status_code == 400 and "must not contain a folder path or start with a dot" in page
    # The user typed no dot at the start: the message says what the name became.
    assert "Once its invisible characters are removed, the name is “.pdf”." in page
    assert not Attachment.objects.exists()


def test_the_joiners_of_persian_and_indic_names_are_kept():
    from planner.attachments import clean_name

    assert clean_name("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.pdf") == (
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.pdf",
        [],
    )


# Twins: the same file sent twice (a double click) is kept once.


def test_the_same_file_sent_twice_is_refused_naming_the_one_attached(login, therapist, client_record):
    assert upload(login, therapist, client_record).status_code == 302
    response = upload(login, therapist, client_record, description="Sent again")
    assert response.status_code == 400
    first = Attachment.objects.get()
    page = response.content.decode()
    assert "clearance.pdf is already attached to the client&#x27;s record with the same content" in page
    assert f"uploaded {first.uploaded_at.day} {first.uploaded_at:%b %Y} by Tara Lindqvist" in page


def test_the_same_file_twice_on_a_clearance_is_refused_but_elsewhere_or_renamed_is_kept(
    login, therapist, client_record
):
    clearance = make_clearance(client_record)
    upload(login, therapist, client_record, attach_to=f"clearance:{clearance.pk}")
    response = upload(login, therapist, client_record, attach_to=f"clearance:{clearance.pk}")
    assert response.status_code == 400 and "is already attached to the clearance by" in response.content.decode()
    assert upload(login, therapist, client_record).status_code == 302  # on the client itself: another place
    assert upload(login, therapist, client_record, name="clearance copy.pdf").status_code == 302
    assert Attachment.objects.count() == 3


def test_the_same_file_replacing_its_twin_or_an_old_version_is_not_a_twin(login, therapist, client_record):
    upload(login, therapist, client_record, description="Clearance")
    first = Attachment.objects.get()
    # Sent again to replace itself (a better description): the old one is no longer current.
    response = upload(login, therapist, client_record, description="Clearance letter", supersedes=str(first.pk))
    assert response.status_code == 302
    second = Attachment.objects.latest("pk")
    upload(login, therapist, client_record, name="scan.png", content=PNG, supersedes=str(second.pk))
    third = Attachment.objects.latest("pk")
    # Back to the first file: an older version, now superseded, is not a twin.
    assert upload(login, therapist, client_record, supersedes=str(third.pk)).status_code == 302
    assert Attachment.objects.filter(superseded_by__isnull=True).count() == 1


# Replacing: one document is replaced once.


def test_a_document_replaced_meanwhile_is_not_replaced_again(
    login, therapist, second_therapist, client_record, monkeypatch
):
    client_record.care_team.add(second_therapist)
    upload(login, therapist, client_record)
    old = Attachment.objects.get()
    real_store = attachments.store

    def other_upload_first(*args, **kwargs):
        # The other therapist's upload, sent at the same moment, saves just after this one's form was checked.
        monkeypatch.setattr(attachments, "store", real_store)
        other = SimpleUploadedFile("newer.png", PNG)
        real_store(other, "image/png", "newer.png", client=client_record, user=second_therapist, supersedes=old)
        return real_store(*args, **kwargs)

    monkeypatch.setattr(attachments, "store", other_upload_first)
    response = upload(login, therapist, client_record, name="scan.png", content=PNG + b"1", supersedes=str(old.pk))
    assert response.status_code == 400
    assert "clearance.pdf was replaced meanwhile by newer.png" in response.content.decode()
    old.refresh_from_db()
    assert old.superseded_by.name == "newer.png" and Attachment.objects.count() == 2
    assert Attachment.objects.filter(superseded_by__isnull=True).get().name == "newer.png"


def test_a_document_replaced_meanwhile_from_a_draft_record_is_not_named(
    login, therapist, second_therapist, client_record, ready_plan, monkeypatch
):
    """The newer document is on another therapist's draft record, which the refused user may not open."""
    from planner.models import SessionRecord
    from tests.planner.test_records import record_data

    ready_plan.client.care_team.add(second_therapist)
    upload(login, therapist, ready_plan.client)
    old = Attachment.objects.get()
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan))
    draft = SessionRecord.objects.get()
    real_store = attachments.store

    def author_replaces_it_first(*args, **kwargs):
        monkeypatch.setattr(attachments, "store", real_store)
        other = SimpleUploadedFile("wound.png", PNG)
        real_store(
            other, "image/png", "wound.png", client=ready_plan.client, user=therapist, record=draft, supersedes=old
        )
        return real_store(*args, **kwargs)

    monkeypatch.setattr(attachments, "store", author_replaces_it_first)
    response = upload(
        login, second_therapist, ready_plan.client, name="scan.png", content=PNG + b"1", supersedes=str(old.pk)
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "clearance.pdf was replaced meanwhile by a document on a session record not yet signed." in page
    assert "wound.png" not in page and "Lindqvist" not in page


def test_a_superuser_opens_every_document(login, therapist, client_record, ready_plan):
    """A superuser sees every client (Client's for_user asks the permission), so every document too."""
    from django.contrib.auth import get_user_model

    from tests.planner.test_records import record_data

    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, sign="1"))
    record = ready_plan.record
    upload(login, therapist, ready_plan.client, name="wound.pdf", attach_to=f"record:{record.pk}")
    root = get_user_model().objects.create_superuser("root", "root@example.org", "x-not-used-9")
    assert login(root).get(f"/attachments/{Attachment.objects.get().pk}/").status_code == 200


def test_a_document_already_replaced_cannot_be_chosen_to_replace_again(login, therapist, client_record):
    # The form was opened before the document was replaced in another tab.
    upload(login, therapist, client_record)
    old = Attachment.objects.get()
    upload(login, therapist, client_record, name="scan.png", content=PNG, supersedes=str(old.pk))
    response = upload(login, therapist, client_record, name="other.png", content=PNG + b"1", supersedes=str(old.pk))
    assert response.status_code == 400
    assert "clearance.pdf was replaced meanwhile by scan.png" in response.content.decode()
    assert Attachment.objects.count() == 2


def test_a_replaced_document_of_another_client_cannot_be_named(login, therapist, client_record):
    from tests.planner.test_plans import make_cipn_client

    other = make_cipn_client(therapist)
    upload(login, therapist, other)
    theirs = Attachment.objects.get()
    for chosen in (str(theirs.pk), "9" * 30, "²"):
        response = upload(login, therapist, client_record, name="scan.png", content=PNG, supersedes=chosen)
        assert response.status_code == 400
        assert "Replaces: choose one of the documents offered." in response.content.decode()
    assert Attachment.objects.count() == 1 and Attachment.objects.get().superseded_by is None


def test_a_document_on_a_draft_record_is_its_authors_until_signed(
    login, therapist, second_therapist, clinic_admin, ready_plan
):
    """A draft is its author's (SessionRecord's for_user), and so is what is attached to it: on every
    page that lists or serves it. Signed, both are the care team's."""
    from planner.models import SessionRecord
    from tests.planner.test_records import record_data

    client = ready_plan.client
    client.care_team.add(second_therapist)
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan))
    record = SessionRecord.objects.get()
    assert not record.is_signed
    upload(login, therapist, client, name="wound.pdf", attach_to=f"record:{record.pk}")
    url = f"/attachments/{Attachment.objects.get(record=record).pk}/"

    colleague = login(second_therapist)
    assert colleague.get(url).status_code == 404
    assert "wound.pdf" not in page_and_panels(colleague, client)
    assert document_of(colleague.get(f"/clients/{client.pk}/export.json"))["attachments"] == []
    assert "wound.pdf" not in colleague.get(f"/clients/{client.pk}/attachments/new/").content.decode()
    for reader in (therapist, clinic_admin):
        assert login(reader).get(url).status_code == 200
        assert "wound.pdf" in page_and_panels(login(reader), client)

    record.refresh_from_db()
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, version=record.version, sign="1"))
    assert SessionRecord.objects.get().is_signed
    assert colleague.get(url).status_code == 200
    assert [a["name"] for a in document_of(colleague.get(f"/clients/{client.pk}/export.json"))["attachments"]] == [
        "wound.pdf"
    ]


@pytest.mark.parametrize(
    ("size", "shown"), [(1, "1 byte"), (47, "47 bytes"), (1023, "1023 bytes"), (1024, "1 KB"), (2_621_440, "2.5 MB")]
)
def test_a_small_file_is_not_listed_as_0_kb(size, shown):
    assert Attachment(size=size).size_display == shown


def test_only_the_records_therapist_or_a_clinic_admin_adds_documents_to_a_signed_record(
    login, therapist, second_therapist, clinic_admin, client_record
):
    """As with addenda: a colleague on the care team reads a signed record and its documents, but neither
    attaches a document to it nor replaces one of its documents."""
    from planner.models import SessionRecord
    from tests.planner.test_client_pages import signed_session

    client_record.care_team.add(second_therapist)
    signed_session(login, therapist, client_record, "09:00")
    record = SessionRecord.objects.get()
    upload(login, therapist, client_record, name="notes.pdf", attach_to=f"record:{record.pk}")
    notes = Attachment.objects.get()

    colleague = login(second_therapist)
    assert colleague.get(f"/attachments/{notes.pk}/").status_code == 200  # read, as the record
    form = colleague.get(f"/clients/{client_record.pk}/attachments/new/").content.decode()
    assert f'value="record:{record.pk}"' not in form and f'value="{notes.pk}"' not in form
    refused = upload(
        login, second_therapist, client_record, name="mine.pdf", content=PDF + b"1", attach_to=f"record:{record.pk}"
    )
    assert refused.status_code == 400 and "Attach to" in refused.content.decode()
    refused = upload(
        login, second_therapist, client_record, name="mine.pdf", content=PDF + b"2", supersedes=str(notes.pk)
    )
    assert refused.status_code == 400 and "Replaces: choose one of the documents offered." in refused.content.decode()
    assert list(Attachment.objects.all()) == [notes]
    notes.refresh_from_db()
    assert notes.superseded_by is None
    # To the client's record, the colleague attaches as before.
    assert upload(login, second_therapist, client_record, name="mine.pdf", content=PDF + b"3").status_code == 302

    # The record's therapist, and a clinic admin, add to the record and replace its documents.
    for user, content in ((therapist, PDF + b"4"), (clinic_admin, PDF + b"5")):
        form = login(user).get(f"/clients/{client_record.pk}/attachments/new/").content.decode()
        assert f'value="record:{record.pk}"' in form
        current = Attachment.objects.get(record=record, superseded_by__isnull=True)
        sent = upload(
            login,
            user,
            client_record,
            name="notes.pdf",
            content=content,
            attach_to=f"record:{record.pk}",
            supersedes=str(current.pk),
        )
        assert sent.status_code == 302
        current.refresh_from_db()
        assert current.superseded_by.uploaded_by == user


def test_the_client_page_lists_documents_and_letters_without_a_query_each(
    login, therapist, client_record, django_assert_num_queries
):
    """The lists read what they show (who, when, what a document is attached to, a letter's period and
    signer) in their one query each: nothing left unread is fetched row by row."""
    from django.utils import timezone

    from planner.letters import ProgressLetter
    from planner.models import SessionRecord
    from tests.planner.test_client_pages import signed_session

    browser = login(therapist)
    signed_session(login, therapist, client_record, "09:00")
    record = SessionRecord.objects.get()
    clearance = make_clearance(client_record, physician="Dr. Ines Park")
    with django_assert_num_queries(9):  # with neither documents nor letters, neither list is read
        browser.get(f"/clients/{client_record.pk}/")
    upload(login, therapist, client_record, name="referral.pdf")
    upload(
        login, therapist, client_record, name="clearance.pdf", content=PDF + b"1", attach_to=f"clearance:{clearance.pk}"
    )
    upload(login, therapist, client_record, name="record.pdf", content=PDF + b"2", attach_to=f"record:{record.pk}")
    today = timezone.localdate()
    for n in range(2):
        ProgressLetter.objects.create(
            client=client_record,
            period_start=today,
            period_end=today,
            recipient=f"Dr. Shah {n}",
            facts={},
            html="<p>letter</p>",
            signed_by=therapist,
            signed_at=timezone.now(),
        )
    with django_assert_num_queries(9):  # the documents and letters load after the page
        page = browser.get(f"/clients/{client_record.pk}/").content.decode()
    assert "referral.pdf" not in page
    with django_assert_num_queries(7):  # session, user, roles, the client, the access log row, the two lists
        page = browser.get(f"/clients/{client_record.pk}/documents/?panel=1").content.decode()
    name = therapist.get_full_name()
    assert f"on the clearance by Dr. Ines Park, {clearance.cleared_on:%-d %b %Y}" in page
    assert f"on the session record of {record.started_at:%-d %b %Y}" in page
    assert "referral.pdf" in page and "on the client," in page and page.count(f"by {name}") >= 3
    assert "to Dr. Shah 0" in page and "to Dr. Shah 1" in page and f"signed by {name}" in page
