"""The print sheet's table of places: the client's right and left get the same width, whatever they say;
and nothing on the sheet reaches past the printed page's width."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from clients.models import Client, Condition
from planner import plans
from tests.factories import PASSWORD, make_therapist

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def tomorrows_plan(neuropathy_type, condition, location, regions):
    """Tara's plan for Lina tomorrow at 10:00, with one condition on the left side of `location`."""
    tara = make_therapist(username="tara", first_name="Tara")
    client = Client.objects.create(
        first_name="Lina", last_name="Parkes", date_of_birth=date(1968, 5, 9), neuropathy_type=neuropathy_type
    )
    client.care_team.add(tara)
    Condition.objects.create(
        client=client, code=condition, location=location, side="left", noted_on=timezone.localdate()
    )
    return plans.create_plan(
        client=client,
        therapist=tara,
        scheduled_for=plans.as_datetime(timezone.localdate() + timedelta(days=1), time(10, 0)),
        regions=regions,
        created_by=tara,
    )


def test_a_side_not_worked_keeps_half_of_the_table(page, live_server, sign_in):
    plan = tomorrows_plan("CIPN", "lymphedema", "arms", "arms,hands")
    sign_in("tara", PASSWORD)
    for media, width in (("screen", 1280), ("print", 794)):
        page.set_viewport_size({"width": width, "height": 1100})
        page.emulate_media(media=media)
        page.goto(f"{live_server.url}/plans/{plan.pk}/print/")
        right, left = (page.locator("table.steps-table thead th").nth(n).bounding_box() for n in (1, 2))
        assert abs(right["width"] - left["width"]) <= 2, (media, right, left)
        # "Client's right" on one line, not squeezed beside a long cell.
        assert right["height"] == left["height"] < 30, (media, right, left)


# A4 with the sheet's 12 mm margins: 186 mm at 96 px to the inch; and the whole A4 width.
PRINTED_WIDTHS = (703, 794)


def test_nothing_on_the_printed_sheet_reaches_past_the_page(page, live_server, sign_in):
    plan = tomorrows_plan("DPN", "open_wound", "feet", "hands,feet")
    sign_in("tara", PASSWORD)
    page.emulate_media(media="print")
    for width in PRINTED_WIDTHS:
        page.set_viewport_size({"width": width, "height": 1123})
        page.goto(f"{live_server.url}/plans/{plan.pk}/print/")
        past = page.evaluate(
            """width => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > width + 0.5)
                .map(e => e.tagName + '.' + e.className)""",
            width,
        )
        assert past == [], (width, past)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
