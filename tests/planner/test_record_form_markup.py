"""The record page writes its fields out (templates/planner/_record_field.html) instead of rendering them
with crispy: each must read as crispy's rendering of the same field, values, errors and help texts included."""

import pytest
from django.template import Context, Template
from pytest_django.asserts import assertContains

from planner.models import SessionRecord
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db

CRISPY = Template("{% load crispy_forms_filters %}{{ field|as_crispy_field }}")
RECORD_FIELDS = [
    "subjective",
    "objective",
    "assessment",
    "soap_plan",
    "next_time",
    "pain_before",
    "pain_after",
    "numbness_before",
    "numbness_after",
    "minutes",
    "skin_check",
    "adverse_events",
    "adverse_other",
]
FINDING_FIELDS = ["code", "location", "side", "detail"]


def assert_fields_as_crispy_renders_them(response):
    """Each field's markup on the page equals crispy's (attributes in any order, whitespace aside)."""
    form, finding_form = response.context["form"], response.context["finding_form"]
    assert set(RECORD_FIELDS) | {"version"} == set(form.fields)
    for field in [*(form[name] for name in RECORD_FIELDS), *(finding_form[name] for name in FINDING_FIELDS)]:
        assertContains(
            response, CRISPY.render(Context({"field": field})), count=1, html=True, status_code=response.status_code
        )


def test_a_saved_draft_shows_its_values_as_crispy_would(login, therapist, ready_plan):
    browser = login(therapist)
    data = record_data(ready_plan, pain_before=0, skin_check="Heel <wound> & callus", adverse_events=["other"])
    browser.post(f"/plans/{ready_plan.pk}/record/", {**data, "adverse_other": "Cramp", "next_time": "Feet first"})
    assert SessionRecord.objects.get().pain_before == 0
    response = browser.get(f"/plans/{ready_plan.pk}/record/")
    assert_fields_as_crispy_renders_them(response)
    page = response.content.decode()
    # A score of 0 is a value, a ticked event is checked, and a text keeps its first character (the
    # line break after <textarea> is the one a browser drops).
    assert 'name="pain_before" value="0"' in page
    assert 'value="other" id="id_adverse_events_6" checked>' in page
    assert 'id="id_skin_check">\nHeel &lt;wound&gt; &amp; callus</textarea>' in page
    assert '<input type="hidden" name="version" value="1" id="id_version">' in page


def test_a_refused_record_shows_its_errors_as_crispy_would(login, therapist, ready_plan):
    data = record_data(ready_plan, sign="1", pain_after="", pain_before="11", adverse_events=["none", "other"])
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert {"pain_before", "pain_after", "adverse_events", "adverse_other"} <= set(form.errors)
    assert_fields_as_crispy_renders_them(response)


def test_a_refused_finding_is_offered_again_as_crispy_would(login, therapist, ready_plan):
    data = record_data(ready_plan, code="edema", location="feet", side="left", detail="Ankle & <shin>")
    data["code"] = "not_a_finding"
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/finding/", data)
    assert response.status_code == 400
    assert response.context["finding_form"]["detail"].value() == "Ankle & <shin>"
    assert_fields_as_crispy_renders_them(response)
