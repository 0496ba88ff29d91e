"""One function decides the lab value the engine uses; the client page and the dashboard show that one."""

import datetime

import pytest
from django.utils import timezone

from clients.services import needing_attention
from protocols.engine import ConditionFact, in_use, lab_in_use
from protocols.labels import format_date
from tests.factories import document_of, make_client, make_condition

TODAY = timezone.localdate()


def result(days_ago, value):
    return ConditionFact("platelet_count", TODAY - datetime.timedelta(days=days_ago), value=value)


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        ([result(3, 90_000), result(1, 150_000)], result(1, 150_000)),
        ([result(1, 1_500_000), result(1, 45_000)], result(1, 45_000)),
        ([result(1, 45_000), result(1, 150_000)], result(1, 45_000)),
        ([result(14, 45_000)], result(14, 45_000)),
        ([result(15, 45_000)], None),
        ([result(-1, 45_000)], None),
        ([], None),
    ],
)
def test_the_value_in_use_is_the_latest_and_on_its_day_the_lowest(results, expected):
    assert lab_in_use(results, TODAY) == expected
    assert in_use(results, TODAY) == (expected or (results[0] if results and results[0].noted_on <= TODAY else None))


@pytest.mark.django_db
def test_client_page_shows_the_value_in_use_and_files_the_other_under_earlier(login, therapist):
    client = make_client(care_team=[therapist], neuropathy_type="CIPN")
    yesterday = TODAY - datetime.timedelta(days=1)
    mistyped = make_condition(client, "platelet_count", value=1_500_000, noted_on=yesterday)
    corrected = make_condition(client, "platelet_count", value=45_000, noted_on=yesterday)
    response = login(therapist).get(f"/clients/{client.pk}/")
    current = [item.condition for group in response.context["meanings"] for item in group.items]
    assert current == [corrected]
    assert response.context["past_conditions"] == [mistyped]
    page = response.content.decode()
    assert '45,000/µL</span> <span class="small text-body-secondary lab-in-use">value in use for plans' in page


@pytest.mark.django_db
def test_dashboard_names_the_value_in_use(therapist):
    client = make_client(care_team=[therapist], neuropathy_type="CIPN")
    yesterday = TODAY - datetime.timedelta(days=1)
    make_condition(client, "platelet_count", value=60_000, noted_on=yesterday)
    make_condition(client, "platelet_count", value=45_000, noted_on=yesterday)
    [entry] = needing_attention(therapist, TODAY)
    assert entry.reasons == [f"Platelet count 45,000/µL on {format_date(yesterday)}, the value in use"]


def test_the_export_says_which_lab_result_is_in_use(login, therapist):
    client = make_client(care_team=[therapist])
    today = timezone.localdate()
    make_condition(client, "platelet_count", value=150_000, noted_on=today - datetime.timedelta(days=3))
    make_condition(client, "platelet_count", value=45_000, noted_on=today - datetime.timedelta(days=1))
    make_condition(client, "platelet_count", value=60_000, noted_on=today - datetime.timedelta(days=1))
    doc = document_of(login(therapist).get(f"/clients/{client.pk}/export.json"))
    assert doc["labs_in_use"]["platelet_count"] == {
        "value": 45_000,
        "noted_on": (today - datetime.timedelta(days=1)).isoformat(),
    }
    assert doc["labs_in_use"]["anc"] is None
    assert len([c for c in doc["conditions"] if c["code"] == "platelet_count"]) == 3  # every result stays listed


def _in_error_link(client, condition):
    return f'href="/clients/{client.pk}/conditions/{condition.pk}/edit/#entered-in-error"'


@pytest.mark.django_db
def test_every_screen_that_shows_the_value_in_use_offers_entered_in_error(login, therapist):
    from datetime import time

    from planner import plans

    client = make_client(care_team=[therapist], neuropathy_type="CIPN")
    yesterday = TODAY - datetime.timedelta(days=1)
    make_condition(client, "platelet_count", value=60_000, noted_on=yesterday)
    in_use = make_condition(client, "platelet_count", value=45_000, noted_on=yesterday)
    browser = login(therapist)
    link = _in_error_link(client, in_use)
    assert link in browser.get(f"/clients/{client.pk}/").content.decode()
    assert link in browser.get("/clients/attention/?panel=1").content.decode()  # the dashboard's panel
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TODAY + datetime.timedelta(days=1), time(10)),
        regions="hands",
        created_by=therapist,
    )
    said = f"Platelet count 45,000/µL on {in_use.noted_on:%-d %b %Y} is the value in use"
    page = browser.get(f"/plans/{plan.pk}/").content.decode()
    assert said in page and link in page
    assert f"{said}." in browser.get(f"/plans/{plan.pk}/print/").content.decode()
    # The link leads to the form that marks it.
    form = browser.get(f"/clients/{client.pk}/conditions/{in_use.pk}/edit/").content.decode()
    assert 'id="entered-in-error"' in form and "Mark as entered in error" in form
