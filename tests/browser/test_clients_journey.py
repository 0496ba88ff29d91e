import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_clinic_admin, make_therapist

# The live server needs real transactions; serialized rollback restores what data migrations made.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def sign_out(page, name):
    page.get_by_role("button", name=name).click()
    page.get_by_role("button", name="Sign out").click()


def test_admin_creates_a_client_that_only_the_care_team_can_open(page, live_server, sign_in):
    make_clinic_admin(username="morgan", first_name="Morgan", last_name="Reyes")
    make_therapist(username="tara", first_name="Tara", last_name="Lindqvist")
    make_therapist(username="sam", first_name="Sam", last_name="Okafor")

    # The admin takes the client in: DPN, numbness in both feet, Tara on the care team.
    sign_in("morgan", PASSWORD)
    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Quinn")
    page.get_by_label("Date of birth").fill("1958-04-02")
    page.get_by_label("External id").fill("C-1001")
    page.get_by_label("Tara Lindqvist (tara)").check()
    page.get_by_label("DPN: Diabetic peripheral neuropathy").check()
    page.get_by_label("Numbness, left foot").check()
    page.get_by_label("Numbness, right foot").check()
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_text("Ada Quinn added")).to_be_visible()
    client_url = page.url

    # Then an open wound on the left foot.
    page.get_by_role("link", name="Add condition").first.click()
    page.get_by_label("Condition").select_option(label="Open wound")
    page.get_by_label("Location").select_option(label="Feet")
    page.get_by_label("Side").select_option(label="Left")
    page.get_by_label("Detail").fill("heel")
    page.get_by_role("button", name="Add condition").click()
    expect(page.get_by_text("Open wound, left foot added")).to_be_visible()
    sign_out(page, "Morgan Reyes")

    # Tara finds the client and sees the wound on the body map.
    sign_in("tara", PASSWORD)
    page.get_by_role("link", name="Clients", exact=True).click()
    page.get_by_label("Name or external id").fill("quin")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Quinn, Ada").click()
    expect(page).to_have_url(client_url)
    body_map = page.get_by_role("img", name=re.compile("Body map of Ada Quinn"))
    expect(body_map).to_be_visible()
    wound = body_map.locator('g.bm-marker[data-code="open_wound"]')
    expect(wound).to_have_count(1)
    expect(wound.locator("title")).to_have_text("1: Open wound, left foot")
    expect(body_map.locator('[data-place="feet-left"]')).to_have_class(re.compile("bm-few"))
    expect(page.locator(".marker-list li").first).to_contain_text("Open wound, left foot (heel)")
    expect(page.get_by_role("heading", name=re.compile("Keep off an area"))).to_be_visible()
    # The recent changes load once the page is shown: the wound's addition, by the admin.
    recent = page.get_by_role("region", name="Recent changes")
    expect(recent).to_contain_text("Morgan Reyes added a condition: Open wound, left foot")
    expect(recent).not_to_contain_text("Loading")
    # When they cannot be read (the connection dropped), the panel says so and links to the full history.
    page.route("**/history/?recent=1", lambda route: route.abort())
    page.reload()
    expect(recent).to_contain_text("The recent changes could not be loaded.")
    expect(recent.get_by_role("link", name="Open the full history")).to_have_attribute(
        "href", re.compile(r"/clients/\d+/history/$")
    )
    page.unroute("**/history/?recent=1")
    sign_out(page, "Tara Lindqvist")

    # Sam is not on the care team: the client does not exist for him.
    sign_in("sam", PASSWORD)
    response = page.goto(client_url)
    assert response.status == 404
    page.goto(f"{live_server.url}/clients/")
    expect(page.get_by_text("No active client has you on their care team")).to_be_visible()
