"""An addendum refused for a mistake says so at the top of the page, where a phone shows it."""

import pytest

from planner.models import Addendum, SessionRecord
from tests.planner.test_client_pages import signed_session
from tests.planner.test_plans import make_dpn_client

pytestmark = pytest.mark.django_db


def test_a_refused_addendum_says_so_above_the_record(login, therapist):
    signed_session(login, therapist, make_dpn_client(therapist), "09:00")
    record = SessionRecord.objects.get()
    response = login(therapist).post(f"/records/{record.pk}/addenda/", {"text": "Fix", "correct": "pain_after"})
    page = response.content.decode()
    assert response.status_code == 400 and not Addendum.objects.exists()
    alert = page.index("The addendum was not added:")
    assert alert < page.index("Signed by") and alert < page.index("Enter the corrected value.")
    assert '<a href="#addendum-h" class="alert-link">correct the fields marked below</a>' in page
    assert '<h2 id="addendum-h" class="h6">Add an addendum</h2>' in page


def test_the_record_page_has_no_error_message_before_an_addendum_is_sent(login, therapist):
    signed_session(login, therapist, make_dpn_client(therapist), "09:00")
    record = SessionRecord.objects.get()
    page = login(therapist).get(f"/records/{record.pk}/").content.decode()
    assert "The addendum was not added" not in page and "Add an addendum" in page
