"""The schedule grid as a browser draws it: on a phone, and where sessions share a cell."""

import pytest

from tests.factories import PASSWORD, make_therapist
from tests.planner.test_plans import TOMORROW, make_cipn_client, make_dpn_client

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def booked(therapist, client, at):
    from planner import plans

    return plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, at),
        regions="hands,feet",
        created_by=therapist,
    )


def test_on_a_phone_only_the_grid_scrolls_sideways(page, live_server, sign_in):
    make_therapist(username="tara", first_name="Tara")
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/plans/?from={TOMORROW}")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] == widths[1]  # the hidden labels of the columns out of view stay inside the grid


def test_sessions_sharing_a_cell_are_each_drawn_inside_it(page, live_server, sign_in):
    from datetime import time

    tara = make_therapist(username="tara", first_name="Tara")
    booked(tara, make_dpn_client(tara), time(10, 0))  # to 10:32, free from 10:42
    booked(tara, make_cipn_client(tara), time(10, 45))
    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/plans/?from={TOMORROW}")
    cell = page.locator("td.cal-busy").first
    box = cell.bounding_box()
    sessions = cell.locator(".cal-session")
    assert sessions.count() == 2
    for n in range(2):
        inner = sessions.nth(n).bounding_box()
        assert box["y"] <= inner["y"] and inner["y"] + inner["height"] <= box["y"] + box["height"] + 1


def test_on_a_phone_the_week_also_reads_as_a_list_with_whole_names(page, live_server, sign_in):
    from datetime import time

    from playwright.sync_api import expect

    tara = make_therapist(username="tara", first_name="Tara")
    plan = booked(tara, make_dpn_client(tara, first_name="Bartholomew", last_name="Fitzwilliam-Harrington"), time(9, 0))
    sign_in("tara", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server.url}/plans/?from={TOMORROW}")
    agenda = page.get_by_role("region", name="The week, day by day")
    expect(agenda).to_be_visible()
    entry = agenda.get_by_role("link", name="09:00–09:32 Bartholomew Fitzwilliam-Harrington")
    expect(entry).to_be_visible()
    assert entry.get_attribute("href") == f"/plans/{plan.pk}/"
    box = entry.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # whole, not cut off at the frame's edge
    expect(agenda.get_by_text("No sessions")).to_have_count(6)
    # The grid is still there for choosing a free time; on a wide screen the list is not repeated.
    expect(page.locator("table.calendar-week")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(agenda).to_be_hidden()
