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
each list below: it has them all), its care team,
clearances, conditions; the clinic's templates joined with their steps (condition meanings; the recent
changes load after the page);
monofilament tests and their sites, MNSI questionnaires; the client's plans as
small rows (coming, earlier, cancellations counted) and the shown ones; the client's corrections (one
query, for the records and the charts alike); its latest records, their items; the signed sessions'
scores for the charts;
progress letters; attachments; the access log row (one INSERT)"""


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
    with django_assert_num_queries(20, info=QUERIES):
        browser.get(f"/clients/{client.pk}/")
    signed_session(login, therapist, client, "11:00", pain_before=5)
    for n in range(2, 5):
        add_measures(client, therapist, n)
    with django_assert_num_queries(20, info=QUERIES):
        page = browser.get(f"/clients/{client.pk}/").content.decode()
    assert "pain 5 → 4" in page and "scan4.pdf" in page and "Dr. 4" in page
