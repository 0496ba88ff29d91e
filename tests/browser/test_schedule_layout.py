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
