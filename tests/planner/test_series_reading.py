"""The builder's series table: each date says how its own proposal compares with the one shown above it."""

import re

import pytest

from tests.factories import make_clearance
from tests.planner.test_plans import TODAY, make_cipn_client
from tests.planner.test_series import series

pytestmark = pytest.mark.django_db


def rows(page):
    """(date, what the rules say) of every row of the series table."""
    table = page[page.index("series-table") : page.index("</table>", page.index("series-table"))]
    return [
        (re.sub(r"<[^>]+>", "", date).strip(), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", said)).strip())
        for date, said in re.findall(r'<td class="text-nowrap">(.*?)</td>\s*<td>\d+</td>\s*<td>(.*?)</td>', table, re.S)
    ]


def test_a_date_whose_rules_differ_from_the_proposal_above_does_not_say_as_proposed_above(login, therapist):
    # Platelets 45,000 today: very low (pressure 1) while the count is at most 14 days old, then unknown.
    client = make_cipn_client(therapist)
    make_clearance(client, cleared_on=TODAY)
    response = series(login, therapist, client, 3, action="preview", regions=("hands:left",))
    assert response.status_code == 200
    entries = response.context["draft"].series
    assert [e.flagged for e in entries] == [False, False, False]
    said = [text for _date, text in rows(response.content.decode())]
    assert said[:2] == ["As proposed above", "As proposed above"], said
    assert said[2] != "As proposed above", said
    assert "No recent platelet count" in said[2] and "Very low platelets" in said[2], said
    assert "pressure cap 2 (above: 1)" in said[2], said
