"""Late entries: a session that was not planned, recorded afterwards within the clinic's limit."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages

from clients.models import Client, Condition
from planner.models import ClinicSettings, PlanStatus, SessionPlan, SessionRecord
from protocols.labels import format_date
from tests.planner.test_plans import TODAY, make_cipn_client, make_dpn_client
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db

YESTERDAY = TODAY - timedelta(days=1)


def late_data(day=YESTERDAY, time="10:00", regions=("hands:left", "hands:right"), reason=""):
    return {"date": day.isoformat(), "time": time, "regions": list(regions), "late_reason": reason}


def post_late(login, therapist, client, **kwargs):
    return login(therapist).post(f"/plans/late/?client={client.pk}", {"client": client.pk, **late_data(**kwargs)})


def test_a_late_entry_keeps_the_proposal_of_its_date_and_is_recorded(login, therapist):
    client = make_cipn_client(therapist)
    # An infusion nine days before yesterday: yesterday was in the nadir window, today is not.
    Condition.objects.create(
        client=client, code="chemo_infusion", location="whole_body", noted_on=YESTERDAY - timedelta(days=9)
    )
    response = post_late(login, therapist, client)
    plan = SessionPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/record/"
    assert plan.late_entry and not plan.late_flagged and plan.status == PlanStatus.READY
    assert plan.facts["plan_date"] == YESTERDAY.isoformat()
    assert "nadir_window" in {note["rule"] for note in plan.session["notes"]}
    assert login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, sign="1")).status_code == 302
    record = SessionRecord.objects.get(plan=plan)
    assert record.is_signed
    # The client page's sessions panel, which the page loads once shown.
    panel = f"/clients/{client.pk}/sessions/?panel=1"
    for url in (f"/plans/{plan.pk}/", f"/records/{record.pk}/", panel, f"/plans/?from={YESTERDAY}"):
        assert "Late entry" in login(therapist).get(url).content.decode(), url
    assert login(therapist).get(f"/plans/{plan.pk}.json").json()["late_entry"] is True


def test_a_deferred_date_needs_a_reason_and_flags_the_entry(login, therapist):
    client = make_dpn_client(therapist)
    Condition.objects.create(client=client, code="fever", location="whole_body", noted_on=YESTERDAY)
    response = post_late(login, therapist, client)
    assert response.status_code == 400
    error = response.context["form"].errors["late_reason"][0]
    assert "Why it went ahead" in error and "fever" in error
    # What deferred that date, in the note's own words: no rule code before it.
    deferred = response.content.decode().split("Deferred on that date.", 1)[1].split("</ul>", 1)[0]
    assert f"<li>Fever, noted {YESTERDAY.day} {YESTERDAY:%b %Y}. Do not massage today" in deferred
    assert "fever:" not in deferred
    assert not SessionPlan.objects.exists()
    response = post_late(login, therapist, client, reason="Fever had gone by the afternoon; hands only, light.")
    assert response.status_code == 302
    plan = SessionPlan.objects.get()
    assert plan.late_flagged and plan.late_reason.startswith("Fever had gone")
    assert "flagged" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert "Flagged:" in page and "Fever had gone" in page
    assert login(therapist).get(f"/plans/{plan.pk}.json").json()["late_flagged"] is True


@pytest.mark.parametrize(
    "change, field",
    [
        ({"day": TODAY + timedelta(days=1)}, "date"),
        ({"day": TODAY - timedelta(days=8)}, "date"),
        ({"day": TODAY, "time": "23:59"}, "time"),
        ({"regions": ()}, "regions"),
        ({"time": "06:00"}, "time"),
        ({"time": "10:00:30"}, "time"),
    ],
)
def test_late_entries_are_refused_outside_the_limit_or_in_the_future(login, therapist, change, field):
    response = post_late(login, therapist, make_dpn_client(therapist), **change)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not SessionPlan.objects.exists()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"date": ""}, "date", "Date: enter the day the session took place."),
        ({"date": "yesterday"}, "date", "Date: enter a date such as 2026-12-24."),
        ({"time": ""}, "time", "Start: enter the time the session started."),
        ({"time": "10h"}, "time", "Start: enter a time such as 14:30."),
    ],
)
def test_a_late_entrys_day_and_start_messages_name_the_field(login, therapist, change, field, message):
    client = make_dpn_client(therapist)
    data = {"client": client.pk, **late_data(), **change}
    response = login(therapist).post(f"/plans/late/?client={client.pk}", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not SessionPlan.objects.exists()


def test_the_limit_is_the_clinics_setting(login, therapist):
    ClinicSettings.objects.update_or_create(pk=1, defaults={"late_entry_days": 10})
    assert post_late(login, therapist, make_dpn_client(therapist), day=TODAY - timedelta(days=9)).status_code == 302


def test_a_late_entry_may_not_overlap_a_booked_session(login, therapist):
    client = make_dpn_client(therapist)
    assert post_late(login, therapist, client, time="10:00").status_code == 302
    response = post_late(login, therapist, make_cipn_client(therapist), time="10:20")
    assert response.status_code == 400
    assert "You already have a session with Dora Pine" in response.context["form"].errors["time"][0]


def test_a_region_the_rules_avoided_that_day_is_named_not_dropped(login, therapist):
    """Its record would have no row for it: the entry is refused, naming the place and the rule."""
    client = make_dpn_client(therapist)
    Condition.objects.create(
        client=client, code="open_wound", location="feet", side="left", noted_on=YESTERDAY - timedelta(days=3)
    )
    response = post_late(login, therapist, client, regions=("feet:left", "hands:left"))
    assert response.status_code == 400
    (error,) = response.context["form"].errors["regions"]
    assert error.startswith(f"Regions: on {YESTERDAY:%-d %b %Y} the rules avoid left foot (open wound")
    assert "write in the record's notes what was done there" in error
    assert not SessionPlan.objects.exists()
    assert post_late(login, therapist, client, regions=("hands:left",)).status_code == 302


def test_the_sheet_of_a_late_entry_says_so_and_asks_nothing_more_of_it(login, therapist):
    client = make_dpn_client(therapist)
    Condition.objects.create(client=client, code="fever", location="whole_body", noted_on=YESTERDAY)
    post_late(login, therapist, client, reason="Fever had gone by the afternoon; hands only, light.")
    plan = SessionPlan.objects.get()
    Condition.objects.create(client=client, code="open_wound", location="feet", side="left", noted_on=TODAY)
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    assert f"Plan {plan.pk} · Late entry" in sheet
    assert "LATE ENTRY:</strong> recorded afterwards: Fever had gone by the afternoon" in sheet
    assert "Flagged: the rules deferred the session that day." in sheet
    assert "Rebuild it before the session" not in sheet and "NOT READY" not in sheet


def test_a_late_entry_is_marked_on_every_page_and_sheet_that_shows_it(login, therapist):
    client = make_dpn_client(therapist)
    two_days_ago = TODAY - timedelta(days=2)
    post_late(login, therapist, client, day=two_days_ago, reason="A walk-in.")
    plan = SessionPlan.objects.get()
    # A draft left unsigned for more than a day: the dashboard lists it.
    assert login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan)).status_code == 302
    record = SessionRecord.objects.get(plan=plan)
    browser = login(therapist)
    dashboard = browser.get("/").content.decode()
    unsigned = dashboard.split('id="unsigned-heading"')[1].split("</section>")[0]
    assert '<span class="badge text-bg-warning">Late entry</span>' in unsigned
    signed = record_data(plan, version=record.version, sign="1")
    assert browser.post(f"/plans/{plan.pk}/record/", signed).status_code == 302
    for url in (
        f"/records/{record.pk}/",
        f"/records/{record.pk}/print/",
        f"/plans/{plan.pk}/",
        f"/plans/{plan.pk}/print/",
        f"/clients/{client.pk}/sessions/?panel=1",  # the client page's sessions panel, loaded after it
        f"/plans/?from={two_days_ago}",
    ):
        assert "Late entry" in browser.get(url).content.decode(), url
    sheet = browser.get(f"/records/{record.pk}/print/").content.decode()
    assert "LATE ENTRY:</strong> recorded afterwards: A walk-in." in sheet


def test_a_late_entry_may_not_come_before_the_clients_consent(login, therapist):
    client = make_dpn_client(therapist)
    Client.objects.filter(pk=client.pk).update(consented_on=TODAY)
    response = post_late(login, therapist, client, day=YESTERDAY)
    assert response.status_code == 400
    assert (
        f"Date: {client} consented to treatment on {format_date(TODAY)}, after this day. If consent was given "
        "earlier, a clinic admin corrects the consent date first."
    ) in response.content.decode().replace("&#x27;", "'")
    assert not SessionPlan.objects.exists()
    # The consent day itself, or a client with no consent date on file, takes the entry.
    Client.objects.filter(pk=client.pk).update(consented_on=YESTERDAY)
    assert post_late(login, therapist, client, day=YESTERDAY).status_code == 302
