"""The one-page builder: from the client's page to a ready plan in few steps, counted."""

import re
from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client, Condition
from planner import plans
from planner.models import PlanStatus, SessionPlan
from tests.factories import PASSWORD, make_therapist

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The target for hands and feet, both sides, for a client with nothing blocking.
MAX_INTERACTIONS = 8
MAX_PAGE_LOADS = 2


class Counted:
    """The therapist's clicks and ticks, and the pages the browser loads, from the client page on."""

    def __init__(self, page):
        self.page = page
        self.interactions = 0
        self.loads = 0
        page.on("load", lambda _: self._loaded())

    def _loaded(self):
        self.loads += 1

    def click(self, locator):
        self.interactions += 1
        locator.click()

    def check(self, locator):
        self.interactions += 1
        locator.check()


def test_hands_and_feet_to_a_ready_plan_in_at_most_eight_interactions_and_two_page_loads(page, live_server, sign_in):
    tara = make_therapist(username="tara", first_name="Tara")
    client = Client.objects.create(
        first_name="Dora",
        last_name="Pine",
        date_of_birth=date(1955, 3, 1),
        neuropathy_type="DPN",
        symptoms={"feet:left": ["numbness"], "feet:right": ["numbness"]},
    )
    client.care_team.add(tara)
    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    expect(page.get_by_role("link", name="Plan a session")).to_be_visible()

    counted = Counted(page)
    counted.click(page.get_by_role("link", name="Plan a session"))
    counted.click(page.get_by_role("button", name="Hands and feet"))
    # The proposal appears on the same page: four places, client's right first, no page load.
    cards = page.locator("#proposal article h3")
    expect(cards).to_have_text(["right hand", "left hand", "right foot", "left foot"], ignore_case=True)
    expect(page.locator(".session-verdict")).to_contain_text("The notes are not marked as read")
    counted.check(page.get_by_label("I have read every note of this plan"))
    counted.click(page.get_by_role("button", name="Save as ready"))
    expect(page.locator(".page-header .badge")).to_have_text("Ready")
    expect(page.get_by_role("heading", name="Ready: what comes next")).to_be_visible()
    expect(page.locator(".session-verdict")).to_contain_text("Can go ahead")

    plan = SessionPlan.objects.get()
    assert plan.status == PlanStatus.READY
    assert sorted(f"{i.region}:{i.side}" for i in plan.items.all()) == [
        "feet:left",
        "feet:right",
        "hands:left",
        "hands:right",
    ]
    assert re.search(rf"/plans/{plan.pk}/$", page.url)
    assert counted.interactions <= MAX_INTERACTIONS, counted.interactions
    assert counted.loads <= MAX_PAGE_LOADS, counted.loads
    print(f"client page to ready plan: {counted.interactions} interactions, {counted.loads} page loads")


def test_a_clash_offers_the_next_free_time_before_saving(page, live_server, sign_in):
    tara = make_therapist(username="tara", first_name="Tara")
    first, second = (
        Client.objects.create(first_name=name, last_name="Pine", date_of_birth=date(1955, 3, 1), neuropathy_type="DPN")
        for name in ("Dora", "Edna")
    )
    first.care_team.add(tara)
    second.care_team.add(tara)
    sign_in("tara", PASSWORD)
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.goto(f"{live_server.url}/plans/new/?client={first.pk}&date={tomorrow}&time=10:00")
    page.get_by_role("button", name="Hands and feet").click()
    page.get_by_label("I have read every note of this plan").check()
    page.get_by_role("button", name="Save as ready").click()
    expect(page.locator(".page-header .badge")).to_have_text("Ready")
    taken = SessionPlan.objects.get()

    start = timezone.localtime(taken.scheduled_for)
    page.goto(f"{live_server.url}/plans/new/?client={second.pk}&date={start:%Y-%m-%d}&time={start:%H:%M}")
    page.get_by_role("button", name="Hands and feet").click()
    clash = page.locator(".clash")
    expect(clash).to_contain_text("You already have a session with Dora Pine")
    expect(page.get_by_role("button", name="Save as ready")).to_be_disabled()
    # Free again after the session and the clinic's 10-minute buffer, on the next 5 minutes.
    busy = timezone.localtime(taken.busy_until)
    free = (busy + timedelta(minutes=-busy.minute % 5)).strftime("%H:%M")
    page.get_by_role("button", name=f"Use {free}").click()
    expect(clash).to_have_count(0)
    expect(page.get_by_label("Time")).to_have_value(free)
    page.get_by_label("I have read every note of this plan").check()
    page.get_by_role("button", name="Save as ready").click()
    expect(page.locator(".page-header .badge")).to_have_text("Ready")
    assert SessionPlan.objects.filter(status=PlanStatus.READY).count() == 2


def test_the_print_sheet_of_all_eight_places_fits_on_two_pages(page, live_server, sign_in):
    """The demo CIPN client of the plan-reading issue, every place planned, printed to PDF by Chromium."""
    tara = make_therapist(username="tara", first_name="Tara")
    today = timezone.localdate()
    client = Client.objects.create(
        first_name="Clara",
        last_name="Vance",
        date_of_birth=date(1961, 5, 2),
        neuropathy_type="CIPN",
        symptoms={
            "hands:left": ["cold_sensitivity"],
            "hands:right": ["cold_sensitivity"],
            "feet:left": ["numbness"],
            "feet:right": ["numbness"],
        },
    )
    client.care_team.add(tara)
    for code, location, side, value, days_ago in [
        ("active_chemo", "whole_body", "", None, 60),
        ("chemo_infusion", "whole_body", "", None, 8),
        ("platelet_count", "whole_body", "", 45_000, 1),
        ("port", "chest", "right", None, 60),
        ("picc_line", "arms", "right", None, 30),
    ]:
        Condition.objects.create(
            client=client,
            code=code,
            location=location,
            side=side,
            value=value,
            noted_on=today - timedelta(days=days_ago),
        )
    plan = plans.create_plan(
        client=client,
        therapist=tara,
        scheduled_for=plans.as_datetime(today + timedelta(days=1), time(10, 0)),
        regions="arms,hands,legs,feet",
        created_by=tara,
    )
    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/plans/{plan.pk}/print/")
    expect(page.locator("table.steps-table tbody tr")).to_have_count(4)
    page.emulate_media(media="print")
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 1 <= pages <= 2, f"{pages} pages on {paper}"


def test_the_day_and_time_get_a_line_each_where_the_panel_is_narrow(page, live_server, sign_in):
    """Beside the proposal the panel is a third of the page: from 992 to 1199 pixels a date side by
    side with the time was cut ("12/06/202"). There they are stacked; wider, side by side."""
    tara = make_therapist(username="tara", first_name="Tara")
    client = Client.objects.create(
        first_name="Dora", last_name="Pine", date_of_birth=date(1955, 3, 1), neuropathy_type="DPN"
    )
    client.care_team.add(tara)
    sign_in("tara", PASSWORD)
    for width, stacked in ((1000, True), (1280, False)):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/plans/new/?client={client.pk}")
        day, at = page.locator("#id_date").bounding_box(), page.locator("#id_time").bounding_box()
        assert (at["y"] >= day["y"] + day["height"]) is stacked, width
        assert day["width"] >= (250 if stacked else 150), width
