"""The therapist's pages on a phone (390 px) and a tablet (820 px): nothing cut off, no sideways page scroll."""

import pytest
from playwright.sync_api import expect

from planner.models import SessionRecord
from tests.factories import PASSWORD, make_therapist
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
PAGE_WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def no_sideways_scroll(page):
    scroll_width, client_width = page.evaluate(PAGE_WIDTHS)
    assert scroll_width == client_width, f"the page scrolls sideways by {scroll_width - client_width} px"


def signed_record_with_a_deviation(login, therapist, client):
    plan = create_plan(login, therapist, client, day=TODAY)
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    hand = plan.items.get(region="hands", side="left")
    reason = "Client asked for a firmer touch on the palm"
    deviation = {f"area-{hand.pk}-pressure_used": 3, f"area-{hand.pk}-deviation_reason": reason}
    data = record_data(plan, sign="1", **deviation)
    assert login(therapist).post(f"/plans/{plan.pk}/record/", data).status_code == 302
    return SessionRecord.objects.get(plan=plan)


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_a_long_email_address_stays_inside_the_client_page(page, live_server, sign_in, viewport):
    tara = make_therapist(username="tara", first_name="Tara")
    client = make_dpn_client(tara, email="samuel.adeyemi.family.account@example-clinic.com")
    page.set_viewport_size(viewport)
    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    email = page.get_by_role("link", name="samuel.adeyemi.family.account@example-clinic.com")
    expect(email).to_be_visible()
    no_sideways_scroll(page)
    box = email.bounding_box()
    assert box["x"] + box["width"] <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_a_signed_record_reads_without_sideways_scroll(page, live_server, sign_in, login, viewport):
    tara = make_therapist(username="tara", first_name="Tara")
    record = signed_record_with_a_deviation(login, tara, make_dpn_client(tara))
    page.set_viewport_size(viewport)
    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/records/{record.pk}/")
    reason = page.get_by_text("Client asked for a firmer touch on the palm").locator("visible=true")
    expect(reason).to_be_visible()
    no_sideways_scroll(page)
    box = reason.bounding_box()
    assert box["x"] + box["width"] <= viewport["width"]


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_the_week_names_every_day_in_full_and_marks_today(page, live_server, sign_in, viewport):
    make_therapist(username="tara", first_name="Tara")
    page.set_viewport_size(viewport)
    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/plans/?from={TODAY}")
    heads = page.locator("th.cal-head")
    expect(heads).to_have_count(7)
    for n in range(7):
        widths = heads.nth(n).evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert widths[0] <= widths[1], f"{heads.nth(n).inner_text()!r} is cut off"
    today_head = page.locator("th.cal-today")
    badge = today_head.get_by_text("Today").bounding_box()
    head = today_head.bounding_box()
    assert head["x"] <= badge["x"] and badge["x"] + badge["width"] <= head["x"] + head["width"]
