"""The client's right before the left wherever places are listed."""

import re

import pytest

from clients.models import Condition
from tests.planner.test_plans import TODAY, make_dpn_client

pytestmark = pytest.mark.django_db


def in_order(page, *words):
    positions = [page.find(word) for word in words]
    return -1 not in positions and positions == sorted(positions)


def test_the_late_entry_form_lists_the_right_side_first(login, therapist):
    client = make_dpn_client(therapist)
    page = login(therapist).get(f"/plans/late/?client={client.pk}").content.decode()
    values = re.findall(r'name="regions" value="([a-z]+:[a-z]+)"', page)
    assert values == [f"{region}:{side}" for region in ("arms", "hands", "legs", "feet") for side in ("right", "left")]


def test_the_client_page_describes_the_body_map_right_side_first(login, therapist):
    client = make_dpn_client(therapist)
    page = login(therapist).get(f"/clients/{client.pk}/").content.decode()
    description = re.search(r"<desc[^>]*>(.*?)</desc>", page, re.S).group(1)
    assert in_order(description, "Right arm", "Left arm", "Right hand", "Left hand", "Right foot", "Left foot")
    titles = re.findall(r"<title>((?:Right|Left) [a-z]+):", page)
    assert titles == [
        "Right leg",
        "Left leg",
        "Right foot",
        "Left foot",
        "Right arm",
        "Left arm",
        "Right hand",
        "Left hand",
    ]


def test_what_a_condition_means_names_the_right_side_first(login, therapist):
    client = make_dpn_client(therapist)
    Condition.objects.create(
        client=client, code="loss_of_protective_sensation", location="feet", side="both", noted_on=TODAY
    )
    page = login(therapist).get(f"/clients/{client.pk}/").content.decode()
    assert "at most: right foot and left foot" in page and "left foot and right foot" not in page


def test_the_change_history_names_the_right_side_first(login, therapist):
    client = make_dpn_client(therapist)
    client.symptoms = {"feet:left": ["burning"], "feet:right": ["burning"]}
    client.save()
    page = login(therapist).get(f"/clients/{client.pk}/history/").content.decode()
    assert in_order(page, "Symptoms, right foot", "Symptoms, left foot")
