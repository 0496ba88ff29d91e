"""The client page's measures, course, letters and attachments: the query count stays flat as they grow."""

import pytest
from django.utils import timezone

from clients import assessments
from clients.assessments import MnsiQuestionnaire
from planner import letters, recording
from planner.attachments import Attachment
from planner.models import SessionRecord
from tests.planner.test_client_pages import signed_session
from tests.planner.test_plans import make_dpn_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
QUERIES = """session, user, the user's roles and permissions (one query), the client (with whether it has
monofilament tests, progress letters and attachments, and its latest MNSI questionnaire's day), its care
team, clearances, conditions; the clinic's templates joined with their steps (condition meanings); the
access log row (one INSERT). The sessions, measures, documents, letters and recent changes load after
the page."""
SESSIONS_QUERIES = """session, user, the user's roles and permissions (one query), the client (with whether any of
its scores is corrected); the access log row (one INSERT); the client's plans as small rows (coming,
earlier, cancellations counted) and the shown ones; the client's corrections (one query, for the records
and the charts alike); its latest records, their items; the signed sessions' scores for the charts"""
MEASURES_QUERIES = """session, user, the user's roles and permissions (one query), the client; the access log row
(one INSERT); monofilament tests and their sites, MNSI questionnaires"""
DOCUMENTS_QUERIES = """session, user, the user's roles and permissions (one query), the client; the access log row
(one INSERT); progress letters, attachments"""


def add_measures(client, therapist, n):
    answers = {
        (foot, site): {"tested": True, "real_1": True, "real_2": site != "met5", "sham": False}
        for foot in ("right", "left")
        for site in ("hallux", "met1", "met5")
    }
    assessments.record_monofilament(
        client,
        tested_on=TODAY,
        performed_by="therapist",
        therapist=therapist,
        clinician="",
        notes="",
        answers=answers,
        recorded_by=therapist,
    )
    MnsiQuestionnaire.objects.create(
        client=client, answered_on=TODAY, how="read_aloud", answers=[True] * 15, score=11, entered_by=therapist
    )
    letters.sign_letter(client, TODAY, TODAY, f"Dr. {n}", therapist)
    Attachment.objects.create(
        client=client,
        name=f"scan{n}.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        stored_as=f"stored{n}",
        uploaded_by=therapist,
    )
    for record in SessionRecord.objects.filter(client=client):
        recording.add_addendum(record, "Pain after corrected.", therapist, field="pain_after", value=n)


def test_client_page_queries_stay_flat_with_measures(login, therapist, django_assert_num_queries):
    client = make_dpn_client(therapist)
    signed_session(login, therapist, client, "09:00")
    add_measures(client, therapist, 1)
    browser = login(therapist)
    measures, documents = f"/clients/{client.pk}/measures/?panel=1", f"/clients/{client.pk}/documents/?panel=1"
    sessions = f"/clients/{client.pk}/sessions/?panel=1"
    with django_assert_num_queries(9, info=QUERIES):
        browser.get(f"/clients/{client.pk}/")
    with django_assert_num_queries(11, info=SESSIONS_QUERIES):
        browser.get(sessions)
    with django_assert_num_queries(8, info=MEASURES_QUERIES):
        browser.get(measures)
    with django_assert_num_queries(7, info=DOCUMENTS_QUERIES):
        browser.get(documents)
    signed_session(login, therapist, client, "11:00", pain_before=5)
    for n in range(2, 5):
        add_measures(client, therapist, n)
    with django_assert_num_queries(9, info=QUERIES):
        page = browser.get(f"/clients/{client.pk}/").content.decode()
    # The page loads its sessions, measures, documents and letters after it is shown, from these addresses.
    for url in (sessions, measures, documents):
        assert f'data-fragment="{url}"' in page
    assert "scan4.pdf" not in page and "Dr. 4" not in page and "pain 5 → 4" not in page
    with django_assert_num_queries(11, info=SESSIONS_QUERIES):
        panel = browser.get(sessions).content.decode()
    assert "pain 5 → 4" in panel and "2 scores corrected by addenda" in panel
    with django_assert_num_queries(8, info=MEASURES_QUERIES):
        panel = browser.get(measures).content.decode()
    assert panel.count("<td>3 of 3 felt</td>") == 8  # four tests, each foot
    assert panel.count(f"/clients/{client.pk}/mnsi/") == 4
    with django_assert_num_queries(7, info=DOCUMENTS_QUERIES):
        panel = browser.get(documents).content.decode()
    assert "scan4.pdf" in panel and "Dr. 4" in panel and panel.count('href="/letters/') == 4
