"""The progress letter: built from corrected records and the measures, signed by the therapist, kept as sent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clients import assessments
from clients.assessments import MnsiQuestionnaire
from planner.letters import ProgressLetter
from planner.models import SessionRecord
from tests.factories import page_and_panels
from tests.planner.test_client_pages import signed_session
from tests.planner.test_plans import make_dpn_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def course(login, therapist):
    client = make_dpn_client(therapist, referring_physician="Dr. Anika Shah")
    signed_session(login, therapist, client, "09:00", pain_before=7, pain_after=4)
    signed_session(login, therapist, client, "11:00", pain_before=5, pain_after=3)
    answers = {
        (foot, site): {"tested": True, "real_1": True, "real_2": site != "met1", "sham": foot == "left"}
        for foot in ("right", "left")
        for site in ("hallux", "met1", "met5")
    }
    assessments.record_monofilament(
        client,
        tested_on=TODAY,
        performed_by="therapist",
        therapist=therapist,
        clinician="",
        notes="",
        answers=answers,
        recorded_by=therapist,
    )
    flags = [n in (1, 2, 3, 5, 6, 8, 11) for n in range(1, 16)]
    MnsiQuestionnaire.objects.create(
        client=client, answered_on=TODAY, how="read_aloud", answers=flags, score=9, entered_by=therapist
    )
    return client


def test_the_letter_preview_reports_the_course_without_diagnosis(login, therapist, course):
    page = login(therapist).get(f"/clients/{course.pk}/letters/new/").content.decode()
    assert "To: Dr. Anika Shah" in page
    assert "2 signed sessions over 1 week: 2 a week" in page
    assert "Pain before sessions: 7 of 10" in page and "(2 points lower); a fall of 2 points or more" in page
    assert "no validated band" in page
    assert "score 9 of 13; 7 or more is the screening cut-off used in diabetes" in page
    assert "left foot 2 of 3 sites felt" in page and "Sign and save as sent" in page
    assert "Every region was worked at or below the planned pressure." in page
    assert "diagnosis" not in page.replace("it is not a diagnosis", "").replace("not a diagnosis", "")
    assert not ProgressLetter.objects.exists()


def test_signing_saves_the_letter_as_sent_and_corrections_are_used(login, therapist, course):
    first = SessionRecord.objects.order_by("started_at").first()
    login(therapist).post(
        f"/records/{first.pk}/addenda/", {"text": "Pain before was 6.", "correct": "pain_before", "value": 6}
    )
    data = {"start": (TODAY - timedelta(days=7)).isoformat(), "end": TODAY.isoformat(), "recipient": "Dr. Shah"}
    response = login(therapist).post(f"/clients/{course.pk}/letters/new/", data)
    letter = ProgressLetter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/letters/{letter.pk}/"
    assert letter.signed_by == therapist and letter.recipient == "Dr. Shah"
    assert "Pain before sessions: 6 of 10" in letter.html and "1 point lower" in letter.html
    assert "Signed by Tara Lindqvist" in letter.html
    page = login(therapist).get(f"/letters/{letter.pk}/").content.decode()
    assert letter.html in page
    assert "Dr. Shah" in page_and_panels(login(therapist), course)


def test_letter_is_allowed_on_an_archived_client(login, therapist, course):
    course.archived_at = timezone.now()
    course.save()
    data = {"start": TODAY.isoformat(), "end": TODAY.isoformat(), "recipient": "Dr. Shah"}
    assert login(therapist).post(f"/clients/{course.pk}/letters/new/", data).status_code == 302
    assert ProgressLetter.objects.count() == 1


def test_letter_ladder(anonymous, login, therapist, second_therapist, clinic_admin, course):
    url = f"/clients/{course.pk}/letters/new/"
    data = {"start": TODAY.isoformat(), "end": TODAY.isoformat(), "recipient": "Dr. Shah"}
    assert anonymous.get(url)["Location"].startswith("/accounts/login/")
    assert login(second_therapist).get(url).status_code == 404
    assert login(clinic_admin).get(url).status_code == 200
    assert login(clinic_admin).post(url, data).status_code == 403  # admins do not sign clinical records
    assert not ProgressLetter.objects.exists()
    login(therapist).post(url, data)
    letter = ProgressLetter.objects.get()
    assert login(second_therapist).get(f"/letters/{letter.pk}/").status_code == 404
    assert login(clinic_admin).get(f"/letters/{letter.pk}/").status_code == 200


def test_bad_periods_are_named(login, therapist, course):
    url = f"/clients/{course.pk}/letters/new/"
    future = {"start": TODAY.isoformat(), "end": (TODAY + timedelta(days=2)).isoformat(), "recipient": "Dr. Shah"}
    response = login(therapist).post(url, future)
    assert response.status_code == 400 and "cannot end in the future" in response.content.decode()
    backwards = {"start": TODAY.isoformat(), "end": (TODAY - timedelta(days=2)).isoformat(), "recipient": "Dr. S"}
    assert "must start on or before its end" in login(therapist).post(url, backwards).content.decode()
    assert not ProgressLetter.objects.exists()


def test_the_letter_lists_places_in_page_order_and_ends_a_restriction_with_one_full_stop(login, therapist, course):
    from planner.letters import letter_facts
    from tests.factories import make_clearance

    make_clearance(course, cleared_on=TODAY - timedelta(days=3), restrictions="Semi-reclined only. ")
    facts = letter_facts(course, TODAY - timedelta(days=30), TODAY, therapist)
    places = [row["place"] for row in facts["pressures"]]
    expected = [f"{side} {region}" for region in ("arm", "hand", "leg", "foot") for side in ("right", "left")]
    assert len(places) >= 2 and places == [p for p in expected if p in places]
    page = login(therapist).get(f"/clients/{course.pk}/letters/new/").content.decode()
    assert "Semi-reclined only." in page and "Semi-reclined only.." not in page


def test_a_letter_without_worked_regions_says_only_that_and_no_period_starts_before_birth(login, therapist):
    client = make_dpn_client(therapist, referring_physician="Dr. Anika Shah")
    page = login(therapist).get(f"/clients/{client.pk}/letters/new/").content.decode()
    assert "No region was recorded as worked." in page
    assert "Every region was worked at or below the planned pressure." not in page
    url = f"/clients/{client.pk}/letters/new/?start=1900-01-01&end={TODAY}&recipient=Dr.+Shah"
    response = login(therapist).get(url)
    assert response.status_code == 400
    assert response.context["form"].errors["start"][0].startswith("From: the period starts before the client was born")


def test_a_letter_sent_twice_is_signed_once_and_a_changed_one_again(login, therapist, course):
    data = {"start": (TODAY - timedelta(days=7)).isoformat(), "end": TODAY.isoformat(), "recipient": "Dr. Shah"}
    browser = login(therapist)
    first = browser.post(f"/clients/{course.pk}/letters/new/", data)
    again = browser.post(f"/clients/{course.pk}/letters/new/", data)
    letter = ProgressLetter.objects.get()
    assert first["Location"] == again["Location"] == f"/letters/{letter.pk}/"
    # A new score since: the facts differ, so it is another letter.
    signed_session(login, therapist, course, "15:00", pain_before=3, pain_after=2)
    browser.post(f"/clients/{course.pk}/letters/new/", data)
    assert ProgressLetter.objects.count() == 2


@pytest.mark.parametrize(
    ("above_plan", "sentence"),
    [
        (0, "Every region was worked at or below the planned pressure."),
        (1, "A region was worked above the planned pressure once, with the reason in the session record."),
        (3, "Regions were worked above the planned pressure 3 times, each with its reason in the session record."),
    ],
)
def test_the_letter_counts_pressures_above_the_plan_in_plain_words(above_plan, sentence):
    from planner.letters import render_letter

    facts = {"pressures": [{"place": "right hand", "low": 2, "high": 3, "latest": 3}], "above_plan": above_plan}
    text = " ".join(render_letter(facts, "Dr. Anika Shah").split())
    assert sentence in text
    assert "1 time" not in text


def test_a_session_later_today_is_not_counted_as_planned_and_not_given(login, therapist, course, time_machine):
    from datetime import datetime, time

    from tests.planner.test_plans import create_plan

    time_machine.move_to(timezone.make_aware(datetime.combine(TODAY, time(12, 0))))
    create_plan(login, therapist, course, day=TODAY, time="15:00")  # this afternoon: not yet due
    page = login(therapist).get(f"/clients/{course.pk}/letters/new/").content.decode()
    assert "Sessions planned in the period: 2; given and signed: 2." in page


def test_a_session_later_today_cancelled_this_morning_is_counted_as_cancelled(login, therapist, course, time_machine):
    from datetime import datetime, time

    from planner.models import SessionPlan
    from planner.plans import cancel_plan
    from tests.planner.test_plans import create_plan

    time_machine.move_to(timezone.make_aware(datetime.combine(TODAY, time(12, 0))))
    plan = create_plan(login, therapist, course, day=TODAY, time="15:00")
    cancel_plan(SessionPlan.objects.get(pk=plan.pk), "Client unwell", "health")
    page = login(therapist).get(f"/clients/{course.pk}/letters/new/").content.decode()
    assert "Sessions planned in the period: 2; given and signed: 2; cancelled: 1." in page


def test_the_letter_names_a_lab_result_that_shapes_the_sessions_and_not_a_normal_one(therapist):
    """A platelet count under the bound that changes a session caps every region's pressure: the physician
    reads it among what the sessions are adapted to, with its value and date; a normal count is not."""
    from planner.letters import letter_facts
    from tests.factories import make_client, make_condition

    client = make_client(care_team=[therapist], neuropathy_type="CIPN")
    make_condition(client, "active_chemo")
    make_condition(client, "platelet_count", value=42_000, noted_on=TODAY - timedelta(days=2))
    make_condition(client, "anc", value=2_500, noted_on=TODAY - timedelta(days=2))
    conditions = letter_facts(client, TODAY - timedelta(days=30), TODAY, therapist)["restrictions"]["conditions"]
    day = TODAY - timedelta(days=2)
    assert f"Platelet count 42,000/µL on {day.day} {day:%b %Y}" in conditions
    assert not any(text.startswith("Neutrophil") or "2,500" in text for text in conditions)
    assert "Active chemotherapy" in conditions
