import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Condition
from planner.models import Addendum, PlanStatus, SessionRecord
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data

pytestmark = pytest.mark.django_db


# ready_plan: tests/planner/conftest.py


def record_data(plan, version=0, **overrides):
    data = {
        "version": version,
        "minutes": 33,
        "pain_before": 6,
        "pain_after": 3,
        "numbness_before": 5,
        "numbness_after": 4,
        "subjective": "Burning eased after the first week.",
        "objective": "Skin intact apart from the known heel wound.",
        "assessment": "Tolerated pressure 2 well.",
        "soap_plan": "Continue twice weekly.",
        "adverse_events": ["none"],
    }
    for item in plan.items.all():
        if item.is_worked:
            prefix = f"area-{item.pk}"
            data.update(
                {f"{prefix}-done": "on", f"{prefix}-minutes": item.minutes, f"{prefix}-pressure_used": item.pressure}
            )
    data.update(overrides)
    return data


def test_ladder_for_the_record_form(anonymous, login, ready_plan, second_therapist, clinic_admin):
    url = f"/plans/{ready_plan.pk}/record/"
    assert anonymous.get(url)["Location"].startswith("/accounts/login/")
    assert login(second_therapist).get(url).status_code == 404
    assert login(clinic_admin).get(url).status_code == 403
    assert login(clinic_admin).post(url, record_data(ready_plan, sign="1")).status_code == 403
    assert not SessionRecord.objects.exists()


def test_form_starts_from_the_plan(login, therapist, ready_plan):
    page = login(therapist).get(f"/plans/{ready_plan.pk}/record/").content.decode()
    assert "left hand" in page.lower() and "Left foot: not worked" in page
    assert "Not planned to be worked" not in page  # said once, in the left foot's cell beside the right
    # The finding form offers the skin and foot findings of the (grouped) catalogue.
    assert '<option value="open_wound">' in page and '<option value="insulin_user">' not in page


def test_a_region_not_worked_on_either_side_is_named_under_the_rows(login, therapist):
    client = make_dpn_client(therapist)
    Condition.objects.create(client=client, code="open_wound", location="feet", side="right", noted_on=TODAY)
    plan = create_plan(login, therapist, client, day=TODAY)
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    page = login(therapist).get(f"/plans/{plan.pk}/record/").content.decode()
    assert "Not planned to be worked: right foot, left foot." in page
    assert "foot: not worked" not in page


def test_the_form_shows_the_plan_s_goals_and_the_therapist_s_notes(login, therapist, ready_plan):
    ready_plan.goals, ready_plan.notes = "Less burning at night", "Bolster under the knees."
    ready_plan.save()
    page = login(therapist).get(f"/plans/{ready_plan.pk}/record/").content.decode()
    assert "<strong>Goals:</strong> Less burning at night" in page
    assert "<strong>Therapist's notes:</strong> Bolster under the knees." in page


def test_a_session_is_recorded_on_its_day_not_before(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))  # tomorrow
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    response = login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, sign="1"))
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert not SessionRecord.objects.exists()


def test_draft_then_sign_locks_the_record_and_finishes_the_plan(login, therapist, ready_plan):
    client = login(therapist)
    response = client.post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, pain_after=""))
    assert response.status_code == 302
    record = SessionRecord.objects.get()
    assert record.pain_after is None and not record.is_signed and record.items.count() == 3

    response = client.post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, version=record.version, sign="1"))
    assert response.status_code == 302
    record.refresh_from_db()
    ready_plan.refresh_from_db()
    assert record.is_signed and record.signed_by == therapist and record.pain_after == 3
    assert ready_plan.status == PlanStatus.DONE
    assert record.history.count() >= 2


def test_signing_needs_every_score(login, therapist, ready_plan):
    response = login(therapist).post(
        f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, pain_after="", sign="1")
    )
    assert response.status_code == 400
    assert "pain_after" in response.context["form"].errors
    assert not SessionRecord.objects.exists()


@pytest.mark.parametrize(
    "field, value", [("pain_before", 11), ("pain_after", -1), ("numbness_before", "x"), ("minutes", 0)]
)
def test_scores_outside_the_scale_are_refused(login, therapist, ready_plan, field, value):
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not SessionRecord.objects.exists()


def test_region_minutes_zero_or_far_beyond_the_plan_are_refused(login, therapist, ready_plan):
    hand = ready_plan.items.get(region="hands", side="left")
    for minutes in (0, 200):
        data = record_data(ready_plan, **{f"area-{hand.pk}-minutes": minutes})
        assert login(therapist).post(f"/plans/{ready_plan.pk}/record/", data).status_code == 400
    assert not SessionRecord.objects.exists()


def test_pressure_above_the_plan_needs_a_reason_and_shows_as_deviation(login, therapist, ready_plan):
    hand = ready_plan.items.get(region="hands", side="left")
    data = record_data(ready_plan, **{f"area-{hand.pk}-pressure_used": 3})
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/", data)
    assert response.status_code == 400
    assert not SessionRecord.objects.exists()

    data[f"area-{hand.pk}-deviation_reason"] = "Client asked for firmer work on the palm"
    assert login(therapist).post(f"/plans/{ready_plan.pk}/record/", data).status_code == 302
    item = SessionRecord.objects.get().items.get(region="hands", side="left")
    assert item.is_deviation and item.deviation_reason.startswith("Client asked")
    page = login(therapist).get(f"/records/{item.record_id}/").content.decode()
    assert "Deviation" in page


def test_signed_record_refuses_every_edit(login, therapist, ready_plan):
    client = login(therapist)
    client.post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, sign="1"))
    record = SessionRecord.objects.get()
    response = client.post(
        f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, version=record.version, subjective="Rewritten")
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.subjective.startswith("Burning eased")
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRecord.objects.filter(pk=record.pk).update(pain_before=12)


def test_addenda_correct_a_signed_record(login, therapist, ready_plan, clinic_admin, second_therapist):
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, sign="1"))
    record = SessionRecord.objects.get()
    url = f"/records/{record.pk}/addenda/"
    assert login(therapist).get(url).status_code == 405
    assert login(second_therapist).post(url, {"text": "x"}).status_code == 404
    assert login(therapist).post(url, {"text": "   "}).status_code == 400
    assert login(therapist).post(url, {"text": "Pain after was 4, not 3."}).status_code == 302
    assert login(clinic_admin).post(url, {"text": "Checked with the client."}).status_code == 302
    addenda = list(record.addenda.order_by("pk"))
    assert [(a.author, a.text) for a in addenda] == [
        (therapist, "Pain after was 4, not 3."),
        (clinic_admin, "Checked with the client."),
    ]
    page = login(therapist).get(f"/records/{record.pk}/").content.decode()
    assert page.index("Pain after was 4") < page.index("Checked with the client")


def test_addendum_on_a_draft_is_refused(login, therapist, ready_plan):
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan))
    record = SessionRecord.objects.get()
    login(therapist).post(f"/records/{record.pk}/addenda/", {"text": "Too early"})
    assert not Addendum.objects.exists()


def test_two_tabs_cannot_overwrite_a_draft(login, therapist, ready_plan):
    client = login(therapist)
    client.post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan))
    record = SessionRecord.objects.get()
    first = record_data(ready_plan, version=record.version, subjective="Tab one")
    second = record_data(ready_plan, version=record.version, subjective="Tab two")
    assert client.post(f"/plans/{ready_plan.pk}/record/", first).status_code == 302
    response = client.post(f"/plans/{ready_plan.pk}/record/", second)
    assert response.status_code == 400 and "Someone saved this record" in response.content.decode()
    record.refresh_from_db()
    assert record.subjective == "Tab one"


def test_clinic_admin_cannot_sign(login, clinic_admin, ready_plan):
    login(clinic_admin).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, sign="1"))
    assert not SessionRecord.objects.exists()


def test_a_draft_plan_cannot_be_recorded(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    response = login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, sign="1"))
    assert response.status_code == 302
    assert not SessionRecord.objects.exists()


def test_a_new_finding_becomes_a_condition(login, therapist, ready_plan):
    data = {"code": "open_wound", "location": "hands", "side": "right", "detail": "blister on the thumb"}
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/finding/", data)
    assert response.status_code == 302
    condition = Condition.objects.get(code="open_wound", location="hands")
    assert condition.noted_on == timezone.localdate() and condition.client == ready_plan.client
    preview = login(therapist).get(f"/clients/{ready_plan.client_id}/plan-preview.json?regions=hands:right").json()
    assert preview["regions"][0]["status"] == "avoid"


def test_a_bad_finding_saves_nothing_and_says_why(login, therapist, ready_plan):
    before = Condition.objects.count()
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/finding/", {"code": "open_wound"}, follow=True)
    assert Condition.objects.count() == before
    assert "The finding was not added" in response.content.decode()


def test_dashboard_lists_records_unsigned_for_more_than_a_day(login, therapist, ready_plan):
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan))
    record = SessionRecord.objects.get()
    assert "unsigned for more than a day" not in login(therapist).get("/").content.decode()
    SessionRecord.objects.filter(pk=record.pk).update(started_at=timezone.now() - timedelta(days=2))
    assert "unsigned for more than a day" in login(therapist).get("/").content.decode()


def test_the_unsigned_list_reads_neither_snapshots_nor_notes(login, therapist, ready_plan, django_assert_num_queries):
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan))
    SessionRecord.objects.update(started_at=timezone.now() - timedelta(days=2))
    browser = login(therapist)
    browser.get("/")
    # As with no unsigned record (test_dashboard_pages): names and flags come in its one query.
    with django_assert_num_queries(8):
        response = browser.get("/")
    [record] = response.context["unsigned_records"]
    # The plan's JSON snapshots and the record's notes stay in the database.
    assert {"facts", "proposal"} <= record.plan.get_deferred_fields()
    assert {"subjective", "objective", "assessment", "soap_plan"} <= record.get_deferred_fields()
    assert f"{record.client.first_name} {record.client.last_name}" in response.content.decode()


def test_record_form_query_count_is_fixed(login, therapist, ready_plan, django_assert_num_queries):
    client = login(therapist)
    client.post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan))
    # session, user, roles and permissions, plan with its record (one join), plan items (once: worked
    # and not worked), record items, the access log row, and the current facts (conditions,
    # clearances: has the record changed since the plan?)
    with django_assert_num_queries(9):
        assert client.get(f"/plans/{ready_plan.pk}/record/").status_code == 200


def test_record_print_shows_the_record(login, therapist, ready_plan):
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, sign="1"))
    record = SessionRecord.objects.get()
    page = login(therapist).get(f"/records/{record.pk}/print/").content.decode()
    assert "6 → 3" in page and "Signed" in page and 'class="navbar' not in page


@pytest.mark.parametrize("version", ["abc", "-1"])
def test_a_record_saved_with_an_altered_version_says_so_once(login, therapist, ready_plan, version):
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, version=version))
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("This page did not say which version of the record it edits") == 1
    assert not SessionRecord.objects.exists()


def test_free_text_longer_than_a_record_holds_is_refused_and_nothing_saved(login, therapist, ready_plan):
    from clients.validators import LONG_TEXT, SHORT_TEXT
    from tests.planner.test_plans import save_data

    browser = login(therapist)
    long_goal = browser.post(f"/plans/{ready_plan.pk}/save/", save_data(ready_plan, goals="g" * (SHORT_TEXT + 1)))
    assert long_goal.status_code == 400
    assert "Ensure this value has at most 2000 characters (it has 2001)." in long_goal.content.decode()
    goals, version = ready_plan.goals, ready_plan.version
    ready_plan.refresh_from_db()
    assert (ready_plan.goals, ready_plan.version) == (goals, version)

    too_long = record_data(ready_plan, subjective="x" * (LONG_TEXT + 1))
    response = browser.post(f"/plans/{ready_plan.pk}/record/", too_long)
    assert response.status_code == 400
    assert response.context["form"].errors["subjective"] == [
        "Ensure this value has at most 10000 characters (it has 10001)."
    ]
    assert f'maxlength="{LONG_TEXT}"' in response.content.decode()
    assert not SessionRecord.objects.exists()
    # At the limit with line breaks: the browser counts each as one character and sends CR LF.
    at_limit = ("x" * 99 + "\r\n") * (LONG_TEXT // 100)
    ok = browser.post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, subjective=at_limit))
    assert ok.status_code == 302


def test_session_minutes_fewer_than_the_regions_worked_are_refused_naming_the_field(login, therapist, ready_plan):
    worked = sum(item.minutes for item in ready_plan.items.all() if item.is_worked)
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, minutes=10))
    assert response.status_code == 400
    assert f"Session minutes: 10 is fewer than the {worked} minutes of the regions worked." in response.content.decode()
    assert not SessionRecord.objects.exists()
    accepted = login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, minutes=worked))
    assert accepted.status_code == 302 and SessionRecord.objects.get().minutes == worked


def test_a_draft_saved_twice_is_saved_without_a_refusal(login, therapist, ready_plan):
    browser = login(therapist)
    url = f"/plans/{ready_plan.pk}/record/"
    data = record_data(ready_plan, minutes=40)
    assert browser.post(url, data).status_code == 302
    again = browser.post(url, data)  # the same page sent again: it still carries version 0
    assert again.status_code == 302 and again["Location"] == url
    page = browser.get(url).content.decode()
    assert "Someone saved this record" not in page and "Draft saved." in page
    assert SessionRecord.objects.get().version == 1
    # A different draft from a page built on an older version is still refused, keeping the input.
    changed = browser.post(url, record_data(ready_plan, minutes=40, subjective="Something else."))
    assert changed.status_code == 400 and "Someone saved this record" in changed.content.decode()


def test_a_record_signed_twice_is_signed_once_without_a_refusal(login, therapist, ready_plan):
    browser = login(therapist)
    url = f"/plans/{ready_plan.pk}/record/"
    data = record_data(ready_plan, minutes=40, sign="1")
    assert browser.post(url, data).status_code == 302
    record = SessionRecord.objects.get()
    again = browser.post(url, data)
    assert again.status_code == 302 and again["Location"] == f"/records/{record.pk}/"
    page = browser.get(again["Location"]).content.decode()
    assert "cannot be edited" not in page and "Record signed." in page
    # A signed record sent with a change is refused and stays as signed.
    edited = browser.post(url, record_data(ready_plan, minutes=40, sign="1", pain_before=9), follow=True)
    assert "This record is signed and cannot be edited. Add an addendum instead." in edited.content.decode()
    record.refresh_from_db()
    assert record.pain_before == 6 and record.version == 1


def test_the_printed_record_names_the_client_by_birth_date_and_external_id(login, therapist, ready_plan):
    ready_plan.client.external_id = "C-1001"
    ready_plan.client.save(update_fields=["external_id"])
    login(therapist).post(f"/plans/{ready_plan.pk}/record/", record_data(ready_plan, sign="1"))
    record = SessionRecord.objects.get()
    page = login(therapist).get(f"/records/{record.pk}/print/").content.decode()
    assert "born 1 Mar 1955 · C-1001 · session record" in page


def test_a_long_deviation_reason_wraps_inside_the_record_table(login, therapist, ready_plan):
    hand = ready_plan.items.get(region="hands", side="left")
    reason = "R" * 300  # one unbroken word, e.g. a pasted link
    data = record_data(
        ready_plan,
        sign="1",
        **{f"area-{hand.pk}-pressure_used": hand.pressure + 1, f"area-{hand.pk}-deviation_reason": reason},
    )
    assert login(therapist).post(f"/plans/{ready_plan.pk}/record/", data).status_code == 302
    record = SessionRecord.objects.get()
    for url in (f"/records/{record.pk}/", f"/records/{record.pk}/print/"):
        page = login(therapist).get(url).content.decode()
        assert f'<td class="text-break"><span class="badge text-bg-warning">Deviation</span> {reason}</td>' in page


def test_a_finding_added_with_the_record_form_keeps_what_was_typed(login, therapist, ready_plan):
    """The finding's button sends the record form too: the page comes back with the typed notes, unsaved."""
    finding = {"code": "open_wound", "location": "hands", "side": "right", "detail": "blister on the thumb"}
    typed = record_data(ready_plan, subjective="Burning eased after the first week.", pain_before=7)
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/finding/", {**typed, **finding})
    page = response.content.decode()
    assert response.status_code == 200
    assert Condition.objects.filter(code="open_wound", location="hands", detail="blister on the thumb").exists()
    assert "Burning eased after the first week." in page
    assert re.search(r'<input[^>]*name="pain_before"[^>]*value="7"', page)
    assert "What you typed in the record is below, not saved yet" in page
    assert not SessionRecord.objects.exists()  # the record is saved by its own buttons only
    # A refused finding keeps both: the record's input and the finding as it was sent.
    refused = login(therapist).post(f"/plans/{ready_plan.pk}/record/finding/", {**typed, "code": "open_wound"})
    page = refused.content.decode()
    assert refused.status_code == 400 and "The finding was not added." in page
    assert "Burning eased after the first week." in page and '<option value="open_wound" selected>' in page


def test_a_finding_left_filled_in_is_not_dropped_when_the_record_is_saved(login, therapist, ready_plan):
    """Enter in the finding's field sends the record form: the record is not saved without the finding."""
    typed = record_data(ready_plan, subjective="Burning eased after the first week.")
    finding = {"code": "open_wound", "location": "feet", "side": "left", "detail": "heel"}
    response = login(therapist).post(f"/plans/{ready_plan.pk}/record/", {**typed, **finding, "save": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "Not saved: a new finding is filled in below." in page
    assert not SessionRecord.objects.exists() and not Condition.objects.filter(detail="heel").exists()
    assert "Burning eased after the first week." in page and '<option value="open_wound" selected>' in page
    # Without a finding the same form saves.
    assert login(therapist).post(f"/plans/{ready_plan.pk}/record/", {**typed, "save": ""}).status_code == 302
    assert SessionRecord.objects.count() == 1


def test_a_plan_turned_back_to_a_draft_takes_no_first_record(therapist, ready_plan):
    from planner import recording

    ready_plan.status = PlanStatus.DRAFT
    ready_plan.save()
    with pytest.raises(recording.PlanChanged, match="turned back to a draft meanwhile"):
        recording.save_record(ready_plan, {"version": 0}, [], therapist)
    assert not SessionRecord.objects.exists()


def test_a_record_is_signed_only_once_its_session_has_begun(login, therapist, monkeypatch):
    """The form opens 30 minutes early, for the scores before the session; signed then, the record's
    signature would come before the session it records, in the record and in every export."""
    from datetime import datetime, time

    from planner import recording
    from tests.planner.test_plans import TOMORROW

    plan = create_plan(login, therapist, make_dpn_client(therapist), day=TOMORROW, time="10:00")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    starts = timezone.make_aware(datetime.combine(TOMORROW, time(10)))
    monkeypatch.setattr(recording, "now", lambda: starts - timedelta(minutes=20))  # the form is open
    refused = login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, sign="1"))
    assert refused.status_code == 400
    assert "This session starts at 10:00: sign its record once the session has begun." in refused.content.decode()
    assert not SessionRecord.objects.exists()
    assert login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan)).status_code == 302
    draft = SessionRecord.objects.get()
    assert not draft.is_signed

    monkeypatch.setattr(recording, "now", lambda: starts + timedelta(minutes=1))
    signed = login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, version=draft.version, sign="1"))
    assert signed.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed
