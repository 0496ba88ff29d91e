"""Control characters and invisible formatting in what a therapist or admin types on the planner's
pages: refused under the field (or naming it), nothing saved. A right-to-left override turns
"Tester Bell" into "lleB retseT" on every page that shows it; an escape or a bell does not show
at all, yet makes the text differ from the same text typed. Line breaks stay welcome in notes."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from planner.models import Addendum, PlanStatus, SessionPlan, SessionRecord
from tests.planner.test_late_entry import post_late
from tests.planner.test_plans import create_plan, make_dpn_client, plan_data, save_data
from tests.planner.test_records import record_data
from tests.planner.test_team import NEW_THERAPIST

pytestmark = pytest.mark.django_db

HIDDEN = ["Eased\u202e after", "Eased\x1b[2J", "Ea\x07sed", "\ufeffEased"]


@pytest.mark.parametrize("text", HIDDEN)
@pytest.mark.parametrize("field", ["subjective", "soap_plan", "next_time", "adverse_other"])
def test_a_record_note_with_a_hidden_character_is_refused_and_nothing_saved(login, therapist, ready_plan, field, text):
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, **{field: text}))
    assert response.status_code == 400
    assert f"Remove the control character U+{ord(next(c for c in text if not c.isprintable())):04X}" in (
        response.content.decode()
    )
    assert not SessionRecord.objects.exists()


def test_a_record_note_keeps_its_line_breaks_and_tabs(login, therapist, ready_plan):
    note = "Burning eased.\r\n\tHeel wound unchanged."
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, subjective=note))
    assert SessionRecord.objects.get().subjective == note


def test_an_addendum_with_a_hidden_character_is_refused(login, therapist, ready_plan):
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, sign="1"))
    record = SessionRecord.objects.get()
    assert record.is_signed
    login(therapist).post(f"/records/{record.pk}/addenda/", {"text": "Checked\u202e again"})
    assert not Addendum.objects.exists()
    login(therapist).post(f"/records/{record.pk}/addenda/", {"text": "Checked again.\nAll well."})
    assert Addendum.objects.get().text == "Checked again.\nAll well."


def test_plan_goals_and_notes_with_a_hidden_character_are_refused(login, therapist):
    client = make_dpn_client(therapist)
    response = login(therapist).post(f"/plans/new/?client={client.pk}", {**plan_data(), "goals": "Ease\u202e burning"})
    assert response.status_code == 400 and "Remove the control character U+202E" in response.content.decode()
    assert not SessionPlan.objects.exists()

    plan = create_plan(login, therapist, client)
    for field in ("goals", "notes"):
        response = login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, **{field: "Ease\x07 burning"}))
        assert response.status_code == 400 and "Remove the control character U+0007" in response.content.decode()
        plan.refresh_from_db()
        assert "\x07" not in plan.goals + plan.notes


def test_a_late_entry_reason_with_a_hidden_character_is_refused(login, therapist):
    response = post_late(login, therapist, make_dpn_client(therapist), reason="Walk-in\u202e")
    assert response.status_code == 400 and "Remove the control character U+202E" in response.content.decode()
    assert not SessionPlan.objects.exists()


def test_a_cancellation_note_with_a_hidden_character_is_refused_naming_the_field(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    response = login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "weather", "reason": "Snow\u202e"})
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Note: Remove the control character U+202E" in said
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.cancel_reason == ""


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_a_staff_name_with_a_hidden_character_is_refused(login, clinic_admin, field):
    response = login(clinic_admin).post("/team/new/", {**NEW_THERAPIST, field: "Tester\u202e Bell"})
    assert "Remove the control character U+202E" in " ".join(response.context["form"].errors[field])
    assert not get_user_model().objects.filter(username=NEW_THERAPIST["username"]).exists()
