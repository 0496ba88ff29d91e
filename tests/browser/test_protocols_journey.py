import re

import pytest
from playwright.sync_api import expect

from protocols.models import ProtocolTemplate
from tests.factories import PASSWORD, make_clinic_admin, make_therapist

# The live server needs real transactions; serialized rollback restores what data migrations made.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_admin_changes_a_step_and_sees_the_new_version(page, live_server, sign_in):
    make_clinic_admin(username="morgan", first_name="Morgan", last_name="Reyes")
    sign_in("morgan", PASSWORD)
    page.get_by_role("link", name="Protocol library").click()
    expect(page.get_by_role("heading", name="Protocol library")).to_be_visible()
    page.get_by_role("link", name="Edit Feet: circulation and sensation").click()

    step = page.get_by_role("group", name="Step 4")
    expect(step.get_by_label("Technique")).to_have_value("thumb kneading")
    step.get_by_label("Minutes").fill("0")
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_text("Minutes must be at least 1.").first).to_be_visible()

    page.get_by_role("group", name="Step 4").get_by_label("Minutes").fill("4")
    page.get_by_role("button", name="Save as version 2").click()
    expect(page.get_by_text("saved as version 2")).to_be_visible()
    expect(page.get_by_text("Version 2", exact=True)).to_be_visible()
    expect(page.get_by_text("14 minutes in 8 steps")).to_be_visible()
    history = page.get_by_role("table", name="Every saved version, newest first")
    expect(history.get_by_role("row", name=re.compile(r"^2 current"))).to_contain_text("Morgan Reyes")
    assert ProtocolTemplate.objects.get(key="feet-standard").version == 2


def test_therapist_reads_the_library_without_edit_buttons(page, live_server, sign_in):
    make_therapist(username="tara", first_name="Tara")
    sign_in("tara", PASSWORD)
    page.get_by_role("link", name="Protocol library").click()
    expect(page.get_by_role("heading", name="Feet: circulation and sensation")).to_be_visible()
    expect(page.locator("#rule-platelets_critical")).to_contain_text("Defer")
    expect(page.get_by_role("link", name=re.compile("^Edit"))).to_have_count(0)
    expect(page.get_by_role("link", name="New template")).to_have_count(0)

    page.get_by_role("link", name="Feet: circulation and sensation").click()
    expect(page.get_by_role("heading", name="Change history")).to_be_visible()
    expect(page.get_by_role("link", name="Edit template")).to_have_count(0)
    expect(page.get_by_role("button", name="Retire")).to_have_count(0)
