"""A plan marked ready whose client's record changed since: the page must not say to give it as it is."""

import pytest

from planner.models import PlanStatus
from tests.factories import make_condition
from tests.planner.test_plan_reading import dpn_client, plan_for

pytestmark = pytest.mark.django_db


def test_a_ready_plan_built_on_facts_that_changed_does_not_say_give_the_session(login, therapist):
    client = dpn_client(therapist)
    plan = plan_for(client, therapist, ready=True)
    assert plan.status == PlanStatus.READY
    make_condition(client, "open_wound", location="feet", side="right")
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert "The client's record changed after this plan was built." in page
    assert "Not ready yet" in page and "Can go ahead" not in page
    # The box for a plan that can be given tells the therapist to give it with its print sheet.
    assert "Ready: what comes next" not in page
    assert "Give the session on" not in page
