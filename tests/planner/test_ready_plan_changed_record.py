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


def test_the_record_form_names_a_place_the_rules_now_avoid_and_leaves_it_unticked(login, therapist):
    """A wound noted on a planned hand after the plan was made ready: its row says the rules now avoid
    it, and why, and does not come ticked "Worked"; the other hand comes ticked, without a word."""
    from tests.planner.test_plans import TODAY
    from tests.planner.test_records import record_data

    client = dpn_client(therapist)
    plan = plan_for(client, therapist, regions="hands", day=TODAY, ready=True)
    right, left = plan.items.get(side="right"), plan.items.get(side="left")
    make_condition(client, "open_wound", location="hands", side="right")

    response = login(therapist).get(f"/plans/{plan.pk}/record/")
    page = response.content.decode()
    assert "The places the rules now read otherwise say so below." in page
    rows = {row["plan_item"].pk: row for row in response.context["rows"]}
    assert rows[right.pk]["now"].startswith("Since the plan was built, the rules avoid this place. Open wound")
    assert rows[right.pk]["now"] in page
    assert not rows[right.pk]["form"]["done"].value() and rows[left.pk]["form"]["done"].value()
    assert rows[left.pk]["now"] == ""

    # A draft saved with the hand worked keeps what it says; the warning stays.
    sent = record_data(plan)
    assert sent[f"area-{right.pk}-done"] == "on"
    assert login(therapist).post(f"/plans/{plan.pk}/record/", sent).status_code == 302
    response = login(therapist).get(f"/plans/{plan.pk}/record/")
    rows = {row["plan_item"].pk: row for row in response.context["rows"]}
    assert rows[right.pk]["form"]["done"].value() and rows[right.pk]["now"]


def test_a_form_on_a_plan_whose_facts_did_not_change_says_nothing_of_it(login, therapist):
    from tests.planner.test_plans import TODAY

    plan = plan_for(dpn_client(therapist), therapist, regions="hands", day=TODAY, ready=True)
    response = login(therapist).get(f"/plans/{plan.pk}/record/")
    assert "changed after this plan was built" not in response.content.decode()
    assert all(row["form"]["done"].value() and not row.get("now") for row in response.context["rows"])


def test_a_plan_built_before_its_clearance_was_recorded_asks_for_a_rebuild_not_another_clearance(login, therapist):
    """The plan's snapshot had no clearance; one was recorded since: the plan page no longer offers to
    record a clearance (a second one), it says to rebuild."""
    from tests.factories import make_clearance

    client = dpn_client(therapist)
    make_condition(client, "vte_history", location="legs", side="left")  # asks for a clearance
    plan = plan_for(client, therapist, regions="legs")
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert f'href="/clients/{client.pk}/clearances/new/">Record the clearance</a>' in page

    make_clearance(client)
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert "Record the clearance" not in page
    assert "none was on file when this plan was built: rebuild it to read the clearances on file now." in page


def test_a_changed_plans_record_form_reads_the_facts_once_and_the_templates_once(
    login, therapist, django_assert_num_queries
):
    """The form on an unchanged plan with no record yet makes 8 queries; on a changed one, one more: the
    clinic's templates, for the engine's reading of the places now. The facts are read once for both."""
    from tests.planner.test_plans import TODAY

    client = dpn_client(therapist)
    plan = plan_for(client, therapist, regions="hands", day=TODAY, ready=True)
    make_condition(client, "open_wound", location="hands", side="right")
    browser = login(therapist)
    browser.get(f"/plans/{plan.pk}/record/")
    with django_assert_num_queries(9):
        response = browser.get(f"/plans/{plan.pk}/record/")
    assert any(row["now"] for row in response.context["rows"])
