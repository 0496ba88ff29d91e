import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client, Condition
from tests.factories import PASSWORD, make_therapist

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def test_therapist_plans_hands_and_feet_marks_ready_and_prints(page, live_server, sign_in):
    tara = make_therapist(username="tara", first_name="Tara")
    client = Client.objects.create(
        first_name="Dora",
        last_name="Pine",
        date_of_birth=date(1955, 3, 1),
        neuropathy_type="DPN",
        symptoms={"feet:left": ["numbness"], "feet:right": ["numbness"]},
    )
    client.care_team.add(tara)
    Condition.objects.create(
        client=client, code="open_wound", location="feet", side="left", noted_on=timezone.localdate(), detail="heel"
    )
    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/plans/new/?client={client.pk}")
    page.get_by_label("Date").fill((timezone.localdate() + timedelta(days=1)).isoformat())
    page.get_by_label("Time").fill("10:00")
    for place in ("Left hand", "Right hand", "Left foot", "Right foot"):
        page.get_by_label(place, exact=True).check()
    # The proposal follows the ticks: no round trip to show it.
    expect(page.locator("#proposal article")).to_have_count(4)

    left_foot = page.locator("article", has=page.get_by_role("heading", name="left foot"))
    expect(left_foot).to_contain_text("Do not work")
    expect(left_foot).to_contain_text("Open wound (heel)")
    for place in ("left hand", "right hand", "right foot"):
        card = page.locator("article", has=page.get_by_role("heading", name=place))
        expect(card).to_contain_text(re.compile(r"Pressure cap\s*2"))

    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_text("Plan saved as a draft")).to_be_visible()
    page.get_by_label("I have read every note of this plan").check()
    page.get_by_role("button", name="Save and mark ready").click()
    expect(page.get_by_text("The plan is ready.")).to_be_visible()
    expect(page.locator(".page-header .badge")).to_have_text("Ready")

    page.get_by_role("link", name="Print sheet").click()
    expect(page.get_by_role("heading", name="Dora Pine")).to_be_visible()
    expect(page.locator("table")).to_contain_text("Do not work")
    expect(page.get_by_text("Pain before")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "plan-print-sheet.png"), full_page=True)
