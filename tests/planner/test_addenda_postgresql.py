"""An addendum form sent twice at the same instant (a double click) is added once, on PostgreSQL."""

import time

import pytest

from planner import recording
from planner.models import Addendum, ScoreCorrection, SessionRecord
from tests.planner.test_client_pages import signed_session
from tests.planner.test_plans import make_dpn_client
from tests.threads import post_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize(
    "sent",
    [
        {"text": "Called the client the next day: no bruising."},
        {"text": "Pain after was 5, not 3.", "correct": "pain_after", "value": "5"},
    ],
    ids=["text", "correction"],
)
def test_a_double_click_on_add_addendum_adds_it_once(monkeypatch, login, therapist, sent):
    signed_session(login, therapist, make_dpn_client(therapist), "09:00", pain_before=6, pain_after=3)
    record = SessionRecord.objects.get()
    real = recording.repeated_addendum

    def check_slowly(*args):
        found = real(*args)
        time.sleep(0.5)  # the other send would check now, before this one is saved, without a lock
        return found

    monkeypatch.setattr(recording, "repeated_addendum", check_slowly)
    url = f"/records/{record.pk}/addenda/"
    statuses = [response.status_code for response in post_together((therapist, url, sent), (therapist, url, sent))]
    assert statuses == [302, 302]
    assert Addendum.objects.count() == 1
    assert ScoreCorrection.objects.count() == (1 if "correct" in sent else 0)
