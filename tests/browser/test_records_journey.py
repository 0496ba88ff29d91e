from datetime import date, time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client
from planner import plans
from planner.models import PlanStatus
from tests.factories import PASSWORD, make_therapist

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_therapist_records_signs_sees_the_chart_and_adds_an_addendum(page, live_server, sign_in):
    tara = make_therapist(username="tara", first_name="Tara")
    client = Client.objects.create(
        first_name="Ivo",
        last_name="Berg",
        date_of_birth=date(1950, 1, 9),
        neuropathy_type="IDIOPATHIC",
        symptoms={"hands:left": ["tingling"], "hands:right": ["tingling"]},
    )
    client.care_team.add(tara)
    start = plans.as_datetime(timezone.localdate(), time(12, 0))  # the test clock stands at the end of today
    plan = plans.create_plan(client=client, therapist=tara, scheduled_for=start, regions="hands", created_by=tara)
    plan.status, plan.notes_acknowledged = PlanStatus.READY, True
    plan.save()

    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    expect(page.locator("#progress")).to_contain_text("No signed sessions yet")

    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.get_by_role("link", name="Record the session").click()
    page.get_by_label("Pain before (0-10)").fill("6")
    page.get_by_label("Pain after (0-10)").fill("3")
    page.get_by_label("Numbness/tingling before (0-10)").fill("5")
    page.get_by_label("Numbness/tingling after (0-10)").fill("4")
    page.get_by_label("Subjective").fill("Tingling eased during the session.")
    page.get_by_label("None").check()
    page.get_by_role("button", name="Sign the record").click()
    expect(page.get_by_text("Record signed")).to_be_visible()
    expect(page.get_by_text("6 → 3")).to_be_visible()

    page.goto(f"{live_server.url}/clients/{client.pk}/")
    chart = page.locator("#progress svg").first
    expect(chart).to_be_visible()
    expect(chart.locator("circle.before")).to_have_count(1)
    expect(page.locator("#progress")).to_contain_text("1 signed session")

    page.goto(f"{live_server.url}/plans/{plan.pk}/record/")
    expect(page).to_have_url(f"{live_server.url}/records/{plan.record.pk}/")
    expect(page.get_by_role("button", name="Sign the record")).to_have_count(0)

    page.get_by_label("Addendum").fill("Client called: tingling stayed lower for two days.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.get_by_text("Addendum added.")).to_be_visible()
    expect(page.locator("#addenda-h + ol")).to_contain_text("tingling stayed lower")


def test_a_finding_added_while_recording_keeps_the_notes_typed(page, live_server, sign_in):
    tara = make_therapist(username="tara", first_name="Tara")
    client = Client.objects.create(
        first_name="Ivo", last_name="Berg", date_of_birth=date(1950, 1, 9), neuropathy_type="IDIOPATHIC"
    )
    client.care_team.add(tara)
    start = plans.as_datetime(timezone.localdate(), time(12, 0))
    plan = plans.create_plan(client=client, therapist=tara, scheduled_for=start, regions="hands", created_by=tara)
    plan.status, plan.notes_acknowledged = PlanStatus.READY, True
    plan.save()

    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/plans/{plan.pk}/record/")
    page.get_by_label("Pain before (0-10)").fill("6")
    page.get_by_label("Subjective").fill("Tingling eased during the session.")
    page.get_by_label("Condition").select_option("open_wound")
    page.get_by_label("Location").select_option("hands")
    page.get_by_label("Side").select_option("right")
    page.get_by_role("button", name="Add as a condition").click()
    expect(page.get_by_text("added to Ivo Berg's conditions")).to_be_visible()
    expect(page.get_by_label("Subjective")).to_have_value("Tingling eased during the session.")
    expect(page.get_by_label("Pain before (0-10)")).to_have_value("6")
    assert client.conditions.filter(code="open_wound", location="hands", side="right").exists()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved. Sign it when it is complete.")).to_be_visible()
    plan.refresh_from_db()
    assert plan.record.subjective == "Tingling eased during the session."
