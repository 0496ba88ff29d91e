"""Letters signed at the same instant: a form sent twice is signed once; two therapists each sign their own."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from planner.letters import ProgressLetter
from planner.views import letters as letter_views
from tests.planner.test_plans import make_dpn_client
from tests.threads import post_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
TODAY = timezone.localdate()


@pytest.fixture
def checked_together(monkeypatch):
    """Each request waits, its form checked, until the other one is checked too: neither signed yet."""
    both_checked = threading.Barrier(2, timeout=20)
    real = letter_views.LetterForm.clean

    def clean(self):
        cleaned = real(self)
        both_checked.wait()
        return cleaned

    monkeypatch.setattr(letter_views.LetterForm, "clean", clean)


def letter_data():
    return {"start": (TODAY - timedelta(days=30)).isoformat(), "end": TODAY.isoformat(), "recipient": "Dr. Shah"}


def test_a_letter_sent_twice_at_once_is_signed_once(checked_together, therapist):
    client = make_dpn_client(therapist, referring_physician="Dr. Shah")
    url = f"/clients/{client.pk}/letters/new/"
    responses = post_together(*[(therapist, url, letter_data())] * 2)
    letter = ProgressLetter.objects.get()
    assert [r["Location"] for r in responses] == [f"/letters/{letter.pk}/"] * 2


def test_two_therapists_signing_at_once_each_sign_their_own(checked_together, therapist, second_therapist):
    client = make_dpn_client(therapist, referring_physician="Dr. Shah")
    client.care_team.add(second_therapist)
    url = f"/clients/{client.pk}/letters/new/"
    responses = post_together((therapist, url, letter_data()), (second_therapist, url, letter_data()))
    assert [r.status_code for r in responses] == [302, 302]
    assert sorted(letter.signed_by.username for letter in ProgressLetter.objects.all()) == ["sam", "tara"]
