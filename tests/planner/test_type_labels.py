"""A neuropathy type reads as the clinic says it: DPN, CIPN, Idiopathic; never the code IDIOPATHIC."""

import re

import pytest

from planner.models import SessionRecord
from tests.planner.test_client_pages import signed_session
from tests.planner.test_plans import make_dpn_client

pytestmark = pytest.mark.django_db


def visible(html):
    """The page's text with tags, attribute values and option values left out."""
    return re.sub(r"<[^>]*>", " ", html)


@pytest.fixture
def idiopathic(login, therapist):
    client = make_dpn_client(therapist, referring_physician="Dr. Anika Shah")
    client.neuropathy_type = "IDIOPATHIC"
    client.save()
    signed_session(login, therapist, client, "09:00")
    return client


def test_pages_name_the_idiopathic_type_without_its_code(login, therapist, clinic_admin, idiopathic):
    record = SessionRecord.objects.get()
    browser = login(therapist)
    pages = {
        "plan": f"/plans/{record.plan_id}/",
        "plan sheet": f"/plans/{record.plan_id}/print/",
        "record sheet": f"/records/{record.pk}/print/",
        "client": f"/clients/{idiopathic.pk}/",
        "clients": "/clients/",
        "letter": f"/clients/{idiopathic.pk}/letters/new/",
        "library": "/protocols/",
        "profile form": f"/clients/{idiopathic.pk}/profile/",
    }
    for name, url in pages.items():
        page = browser.get(url).content.decode()
        assert "IDIOPATHIC" not in visible(page), name
    assert "Tara Lindqvist · Idiopathic · " in browser.get(pages["plan"]).content.decode()
    client_page = browser.get(pages["client"]).content.decode()
    assert "<dt>Type</dt><dd>Idiopathic peripheral neuropathy</dd>" in client_page
    assert 'title="Idiopathic peripheral neuropathy">Idiopathic</span>' in client_page
    letter = browser.get(pages["letter"]).content.decode()
    assert "(Idiopathic peripheral neuropathy)" in letter
    for url in ("/clients/new/", "/clients/"):
        assert "IDIOPATHIC:" not in visible(login(clinic_admin).get(url).content.decode()), url


def test_the_condition_form_offers_the_right_side_first(login, therapist):
    client = make_dpn_client(therapist)
    page = login(therapist).get(f"/clients/{client.pk}/conditions/new/").content.decode()
    sides = re.findall(r'<option value="(right|left|both)"', page)
    assert sides == ["right", "left", "both"], sides


def test_dpn_and_cipn_keep_their_abbreviations(login, therapist):
    client = make_dpn_client(therapist)
    signed_session(login, therapist, client, "09:00")
    record = SessionRecord.objects.get()
    browser = login(therapist)
    assert " · DPN · " in browser.get(f"/plans/{record.plan_id}/").content.decode()
    assert (
        "<dt>Type</dt><dd>DPN: Diabetic peripheral neuropathy</dd>"
        in browser.get(f"/clients/{client.pk}/").content.decode()
    )
    assert '<option value="CIPN">CIPN</option>' in browser.get("/clients/").content.decode()
