"""The therapist's private iCalendar feed: off by default, secret URL, revocable, no personal data."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from planner.feeds import CalendarFeed, reference
from planner.models import ClinicSettings
from tests.planner.test_plans import TOMORROW, create_plan, make_cipn_client, make_dpn_client

pytestmark = pytest.mark.django_db


def turn_on(login, user, action="on"):
    response = login(user).post("/calendar/", {"action": action})
    assert response.status_code == 200
    url = response.context["url"]
    assert url.startswith("http://testserver/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://testserver")


def test_the_feed_is_off_until_the_therapist_turns_it_on(login, anonymous, therapist):
    page = login(therapist).get("/calendar/").content.decode()
    assert "Status:</strong> off" in page and "Turn the feed on" in page
    assert not CalendarFeed.objects.filter(user=therapist, enabled=True).exists()
    assert anonymous.get("/calendar/anything.ics").status_code == 404


def test_the_feed_holds_times_and_a_reference_only(login, anonymous, therapist):
    dora = make_dpn_client(therapist)
    plan = create_plan(login, therapist, dora, time="10:00")
    cancelled = create_plan(login, therapist, make_cipn_client(therapist), day=TOMORROW + timedelta(days=1))
    login(therapist).post(f"/plans/{cancelled.pk}/cancel/", {"category": "weather"})
    path = turn_on(login, therapist)
    response = anonymous.get(path)  # calendar servers do not sign in
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1  # the cancelled session is not in the feed
    [event] = events
    assert event.decoded("dtstart") == plan.scheduled_for and event.decoded("dtend") == plan.ends_at
    assert str(event["summary"]) == f"Session {reference(plan.pk)}"
    assert set(event.keys()) == {
        *("UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE"),
        *("DTSTART", "DTEND", "SUMMARY", "STATUS", "TRANSP"),
    }
    for private in ("Dora", "Pine", "D.P.", "DP", "Cleo", "Ng", "open_wound", "insulin", "DPN", "feet", "hands"):
        assert private not in body, private
    assert reference(plan.pk) in login(therapist).get(f"/plans/{plan.pk}/").content.decode()


def test_renewing_or_revoking_the_address_stops_the_old_one(login, anonymous, therapist):
    first = turn_on(login, therapist)
    assert anonymous.get(first).status_code == 200
    second = turn_on(login, therapist, "renew")
    assert second != first
    assert anonymous.get(first).status_code == 404 and anonymous.get(second).status_code == 200
    token = second.removeprefix("/calendar/").removesuffix(".ics")
    assert token not in str(list(CalendarFeed.objects.values_list("token_hash", flat=True)))  # only a hash is kept
    login(therapist).post("/calendar/", {"action": "off"})
    assert anonymous.get(second).status_code == 404


def test_a_clinic_admin_turns_feeds_off_for_everyone(login, anonymous, therapist, clinic_admin):
    path = turn_on(login, therapist)
    data = {"opens_at": "07:00", "closes_at": "21:00", "buffer_minutes": 10, "late_entry_days": 7}
    assert login(clinic_admin).post("/clinic/settings/", data).status_code == 302  # the box left unticked
    assert not ClinicSettings.load().calendar_feeds_allowed
    assert anonymous.get(path).status_code == 404
    page = login(therapist).get("/calendar/").content.decode()
    assert "The clinic has turned calendar feeds off" in page
    login(therapist).post("/calendar/", {"action": "renew"})
    assert anonymous.get(path).status_code == 404
    # Off is for good: turned on again, no old address comes back; each therapist turns theirs on anew.
    login(clinic_admin).post("/clinic/settings/", {**data, "calendar_feeds_allowed": "on"})
    assert anonymous.get(path).status_code == 404
    fresh = turn_on(login, therapist)
    assert fresh != path and anonymous.get(fresh).status_code == 200


def test_only_therapists_have_feeds(login, clinic_admin):
    assert login(clinic_admin).get("/calendar/").status_code == 403


def test_a_moved_session_keeps_its_uid_and_says_it_changed(login, anonymous, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist), time="10:00")
    path = turn_on(login, therapist)
    first = anonymous.get(path).content
    assert anonymous.get(path).content == first  # nothing changed, nothing looks changed
    [before] = Calendar.from_ical(first).walk("VEVENT")
    plan.refresh_from_db()
    assert before.decoded("dtstamp") == before.decoded("last-modified") == plan.updated_at.replace(microsecond=0)
    moved = (TOMORROW + timedelta(days=1)).isoformat()
    login(therapist).post(f"/plans/{plan.pk}/reschedule/", {"date": moved, "time": "11:00"})
    [after] = Calendar.from_ical(anonymous.get(path).content).walk("VEVENT")
    assert str(after["uid"]) == str(before["uid"])
    assert after.decoded("dtstart") > before.decoded("dtstart")
    assert int(after["sequence"]) > int(before["sequence"])
    assert after.decoded("last-modified") >= before.decoded("last-modified")


def test_a_calendar_app_may_ask_with_head_and_may_not_post(login, anonymous, therapist):
    create_plan(login, therapist, make_dpn_client(therapist), time="10:00")
    path = turn_on(login, therapist)
    head = anonymous.head(path)
    assert head.status_code == 200 and head["Content-Type"].startswith("text/calendar")
    assert head.content == b""
    assert anonymous.post(path).status_code == 405
    assert anonymous.head("/calendar/anything.ics").status_code == 404
