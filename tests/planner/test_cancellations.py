"""Cancelling with a reason, no-shows, the counts on the client page, and archiving with its sessions."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages

from planner.models import PlanStatus, SessionPlan, SessionRecord
from tests.factories import make_client, page_and_panels
from tests.planner.test_plans import TODAY, TOMORROW, create_plan, make_dpn_client, save_data

pytestmark = pytest.mark.django_db


def said(response):
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_cancelling_needs_one_of_the_reasons(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))
    response = login(therapist).post(f"/plans/{plan.pk}/cancel/", {"reason": "no idea"})
    assert "Reason: choose why the session did not take place." in said(response)
    response = login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "client_archived"})
    assert "Reason:" in said(response)  # kept for archiving, not offered by hand
    response = login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "weather", "reason": "s" * 201})
    assert "Note: at most 200 characters (it has 201)." in said(response)
    response = login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "weather", "reason": "a\x00"})
    assert "Note: it holds a null character" in said(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "weather", "reason": "Snow storm"})
    plan.refresh_from_db()
    assert (plan.status, plan.cancel_category, plan.cancel_reason) == ("cancelled", "weather", "Snow storm")
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    assert "Weather (Snow storm)" in page


def test_a_no_show_is_recorded_once_the_start_has_passed(login, therapist):
    plan = create_plan(login, therapist, make_dpn_client(therapist))  # tomorrow
    response = login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "no_show"})
    assert "a no-show can be recorded once the session's start has passed" in said(response)
    SessionPlan.objects.filter(pk=plan.pk).update(
        scheduled_for=plan.scheduled_for - timedelta(days=2),
        ends_at=plan.ends_at - timedelta(days=2),
        busy_until=plan.busy_until - timedelta(days=2),
    )
    response = login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "no_show"})
    assert "Recorded as a no-show." in said(response)
    assert "No-show, recorded" in login(therapist).get(f"/plans/{plan.pk}/").content.decode()


def test_the_client_page_counts_sessions_that_did_not_take_place(login, therapist):
    client = make_dpn_client(therapist)
    for at, category in [("08:00", "client_cancelled"), ("09:00", "client_cancelled"), ("11:00", "health")]:
        plan = create_plan(login, therapist, client, time=at)
        login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": category})
    create_plan(login, therapist, client, time="13:00")
    page = page_and_panels(login(therapist), client)
    assert "Sessions that did not take place: Client cancelled 2 · Client&#x27;s health 1" in page


def test_archiving_asks_first_and_cancels_the_sessions_to_come(login, therapist, second_therapist, clinic_admin):
    client = make_dpn_client(therapist)
    client.care_team.add(second_therapist)
    mine = create_plan(login, therapist, client, time="09:00")
    theirs = create_plan(login, second_therapist, client, day=TOMORROW + timedelta(days=3), time="14:00")
    ready = create_plan(login, therapist, client, day=TOMORROW + timedelta(days=7))
    login(therapist).post(f"/plans/{ready.pk}/save/", save_data(ready, mark_ready=True))
    done_before = create_plan(login, therapist, client, day=TODAY, time="07:00")
    SessionPlan.objects.filter(pk=done_before.pk).update(status=PlanStatus.DONE)

    assert login(therapist).get(f"/clients/{client.pk}/archive/confirm/").status_code == 403
    admin = login(clinic_admin)
    detail = page_and_panels(admin, client)
    assert f'href="/clients/{client.pk}/archive/confirm/"' in detail
    page = admin.get(f"/clients/{client.pk}/archive/confirm/").content.decode()
    assert "3 sessions still to come will be cancelled" in page
    for plan in (mine, theirs, ready):
        assert f'href="/plans/{plan.pk}/"' in page
    assert f'href="/plans/{done_before.pk}/"' not in page
    client.refresh_from_db()
    assert not client.is_archived  # looking at the page changes nothing

    assert admin.post(f"/clients/{client.pk}/archive/").status_code == 302
    for plan in (mine, theirs, ready):
        plan.refresh_from_db()
        assert (plan.status, plan.cancel_category) == ("cancelled", "client_archived")
    done_before.refresh_from_db()
    assert done_before.status == PlanStatus.DONE
    page = page_and_panels(admin, client)
    assert "Client archived 3" in page
    assert "Dora Pine" not in admin.get(f"/plans/?from={TOMORROW}&therapist=tara").content.decode()
    # Restored, the record says its cancelled sessions stay so.
    response = admin.post(f"/clients/{client.pk}/restore/")
    assert (
        f"The archiving cancelled 3 sessions still to come with {client}. They stay cancelled: plan them again."
        in said(response)
    )
    mine.refresh_from_db()
    assert mine.status == "cancelled"


def test_restoring_a_client_whose_archiving_cancelled_nothing_says_only_that(login, clinic_admin):
    client = make_client(first_name="Lucía", last_name="Ortiz")
    admin = login(clinic_admin)
    admin.post(f"/clients/{client.pk}/archive/")
    response = admin.post(f"/clients/{client.pk}/restore/")
    assert said(response).endswith(f"can be restored at any time. {client} restored.")  # the archive, then this


def test_a_session_whose_record_is_started_cannot_be_cancelled(login, therapist):
    from tests.planner.test_records import record_data

    plan = create_plan(login, therapist, make_dpn_client(therapist), day=TODAY, time="08:00")
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, subjective="Draft so far"))
    assert SessionRecord.objects.filter(plan=plan, signed_at__isnull=True).exists()
    assert "Cancel this session" not in login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    response = login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "client_cancelled"})
    assert "Not cancelled: this session's record is started. Finish and sign the record." in said(response)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY and plan.cancel_category == ""
    # The draft can still be finished.
    assert login(therapist).get(f"/plans/{plan.pk}/record/").status_code == 200


def test_a_clinic_admin_cancels_the_sessions_of_a_therapist_who_has_left(login, therapist, clinic_admin):
    client = make_dpn_client(therapist)
    kept, deactivated, off_the_team = (
        create_plan(login, therapist, client, time=at) for at in ("08:00", "10:00", "13:00")
    )
    admin = login(clinic_admin)
    # While the therapist gives the session, it is theirs to cancel.
    assert "Cancel this session" not in admin.get(f"/plans/{kept.pk}/").content.decode()
    assert admin.post(f"/plans/{kept.pk}/cancel/", {"category": "clinic_cancelled"}).status_code == 403
    therapist.is_active = False
    therapist.save()
    assert "Cancel this session" in admin.get(f"/plans/{deactivated.pk}/").content.decode()
    response = admin.post(f"/plans/{deactivated.pk}/cancel/", {"category": "clinic_cancelled", "reason": "Left"})
    assert "The plan is cancelled." in said(response)
    # The plan says who cancelled it: here the clinic admin, not the therapist it was booked with.
    page = admin.get(f"/plans/{deactivated.pk}/").content.decode()
    by = clinic_admin.get_full_name() or clinic_admin.username
    assert f" by {by}: Clinic cancelled (Left)" in page, page.split('alert-secondary">')[1][:200]
    deactivated.refresh_from_db()
    assert (deactivated.status, deactivated.cancel_category) == ("cancelled", "clinic_cancelled")
    therapist.is_active = True
    therapist.save()
    client.care_team.remove(therapist)
    admin.post(f"/plans/{off_the_team.pk}/cancel/", {"category": "clinic_cancelled"})
    off_the_team.refresh_from_db()
    assert off_the_team.status == "cancelled"


def test_an_archived_clients_leftover_session_can_still_be_cancelled(login, therapist, clinic_admin):
    client = make_dpn_client(therapist)
    plan = create_plan(login, therapist, client, day=TODAY, time="08:00")
    # It started before the archiving, so the archiving left it open.
    SessionPlan.objects.filter(pk=plan.pk).update(
        scheduled_for=plan.scheduled_for - timedelta(days=1),
        ends_at=plan.ends_at - timedelta(days=1),
        busy_until=plan.busy_until - timedelta(days=1),
    )
    login(clinic_admin).post(f"/clients/{client.pk}/archive/")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert "Cancel this session or record a no-show" in login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "no_show"})
    plan.refresh_from_db()
    assert (plan.status, plan.cancel_category) == ("cancelled", "no_show")


def test_a_cancel_does_not_write_over_a_save_made_meanwhile(monkeypatch, login, therapist):
    """The plan saved by someone else after the cancel read it (a reschedule, say): the cancel is refused
    and the other save kept, not written over with what the cancel read."""
    from django.db.models import F

    from planner.views import plans as plan_views

    plan = create_plan(login, therapist, make_dpn_client(therapist))
    real = plan_views._plan_to_cancel

    def read_then_saved_meanwhile(request, pk):
        read = real(request, pk)
        SessionPlan.objects.filter(pk=pk).update(version=F("version") + 1, goals="Changed meanwhile.")
        return read

    monkeypatch.setattr(plan_views, "_plan_to_cancel", read_then_saved_meanwhile)
    response = login(therapist).post(f"/plans/{plan.pk}/cancel/", {"category": "weather"})
    assert "your changes were not saved" in said(response)
    plan.refresh_from_db()
    assert (plan.status, plan.goals) == (PlanStatus.DRAFT, "Changed meanwhile.")


def test_cancelling_a_plan_whose_record_is_started_is_refused_and_archiving_keeps_it(login, therapist):
    from planner import plans

    plan = create_plan(login, therapist, make_dpn_client(therapist), day=TODAY)
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    plan.refresh_from_db()
    SessionRecord.objects.create(plan=plan, client=plan.client, therapist=therapist, started_at=plan.scheduled_for)
    with pytest.raises(plans.RecordStarted):
        plans.cancel_plan(plan, "", "client_cancelled")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY
