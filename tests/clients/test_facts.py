"""Client.facts_on: a client in the engine's terms, and the engine taking it from there."""

import datetime

import pytest

from clients.models import Client
from protocols.default_templates import DEFAULT_TEMPLATES
from protocols.engine import ClientFacts, ConditionFact, parse_regions, propose
from tests.factories import make_clearance, make_client, make_condition

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 11, 20)


def test_facts_carry_profile_conditions_and_clearance():
    client = make_client(
        neuropathy_type="CIPN",
        contributing_causes=["alcohol"],
        symptoms={"feet:left": ["numbness", "burning"], "hands:right": ["tingling"]},
    )
    make_condition(client, "open_wound", location="feet", side="left", detail="heel", noted_on=DAY)
    make_condition(client, "platelet_count", value=45_000, noted_on=DAY - datetime.timedelta(days=2))
    make_condition(
        client, "fever", noted_on=DAY - datetime.timedelta(days=9), resolved_on=DAY - datetime.timedelta(days=5)
    )
    make_condition(client, "anticoagulant", noted_on=DAY, entered_in_error=True)
    make_clearance(client, cleared_on=DAY - datetime.timedelta(days=100))

    facts = client.facts_on(DAY)
    assert isinstance(facts, ClientFacts)
    assert (facts.client_id, facts.neuropathy_type, facts.plan_date) == (client.pk, "CIPN", DAY)
    assert facts.symptoms == {
        ("feet", "left"): frozenset({"numbness", "burning"}),
        ("hands", "right"): frozenset({"tingling"}),
    }
    assert facts.contributing_causes == frozenset({"alcohol"})
    # Every condition but the one entered in error, resolved ones too: the engine decides what is active.
    assert set(facts.conditions) == {
        ConditionFact("open_wound", DAY, "feet", "left", None, None, "heel"),
        ConditionFact("platelet_count", DAY - datetime.timedelta(days=2), "whole_body", None, 45_000),
        ConditionFact(
            "fever", DAY - datetime.timedelta(days=9), "whole_body", None, None, DAY - datetime.timedelta(days=5)
        ),
    }
    assert facts.clearance_date == DAY - datetime.timedelta(days=100)


def test_clearance_date_is_the_latest_on_or_before_the_day():
    client = make_client()
    assert client.facts_on(DAY).clearance_date is None
    make_clearance(client, cleared_on=DAY - datetime.timedelta(days=400))
    make_clearance(client, cleared_on=DAY - datetime.timedelta(days=30))
    make_clearance(client, cleared_on=DAY + datetime.timedelta(days=1))
    assert client.facts_on(DAY).clearance_date == DAY - datetime.timedelta(days=30)
    # Before any clearance: the earliest later one, which the engine treats as not on file yet.
    early = DAY - datetime.timedelta(days=500)
    assert client.facts_on(early).clearance_date == DAY + datetime.timedelta(days=1)


def test_facts_take_two_queries_and_none_when_prefetched(django_assert_num_queries):
    client = make_client()
    make_condition(client, "open_wound")
    make_clearance(client)
    with django_assert_num_queries(2):  # conditions, clearances
        client.facts_on(DAY)
    prefetched = Client.objects.prefetch_related("conditions", "clearances").get(pk=client.pk)
    with django_assert_num_queries(0):
        prefetched.facts_on(DAY)


def test_engine_plans_from_the_facts():
    client = make_client(symptoms={"feet:left": ["numbness"], "feet:right": ["numbness"]})
    make_condition(client, "open_wound", location="feet", side="left", noted_on=DAY)
    make_condition(client, "node_removal_axillary", location="arms", side="right", noted_on=DAY)
    proposal = propose(client.facts_on(DAY), parse_regions("feet,arms:right"), DEFAULT_TEMPLATES)
    by_place = {(item["region"], item["side"]): item for item in proposal["regions"]}
    assert by_place[("feet", "left")]["status"] == "avoid"
    assert by_place[("feet", "right")]["status"] == "modify"
    assert by_place[("arms", "right")]["pressure_max"] == 2
    assert proposal["session"]["clearance_on_file"] is False
