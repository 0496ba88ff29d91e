"""The access log: a row for every read of a client's clinical data, readable by clinic admins only,
never changed or removed."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from clients.access import client_ip
from clients.importing import import_documents
from clients.models import AccessEvent, AccessKind, AccessLogIsAppendOnly, Client
from planner.letters import sign_letter
from planner.models import SessionRecord
from tests.factories import document_of, make_client, make_therapist
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def care(login, therapist):
    client = make_dpn_client(therapist, external_id="C-7")
    plan = create_plan(login, therapist, client, day=TODAY)
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, sign="1"))
    record = SessionRecord.objects.get()
    letter = sign_letter(client, TODAY, TODAY, "Dr. Anika Shah", therapist)
    AccessEvent.objects.all()._raw_delete(AccessEvent.objects.db)  # start each test from an empty log
    return {"client": client, "plan": plan, "record": record, "letter": letter}


def read_paths(care):
    c, p, r = care["client"].pk, care["plan"].pk, care["record"].pk
    return [
        (f"/clients/{c}/", AccessKind.CLIENT_PAGE, ""),
        (f"/clients/{c}/history/", AccessKind.HISTORY, ""),
        (f"/plans/{p}/", AccessKind.PLAN, f"session plan {p}"),
        (f"/plans/{p}.json", AccessKind.PLAN_JSON, f"session plan {p}"),
        (f"/plans/{p}/print/", AccessKind.PLAN_PRINT, f"session plan {p}"),
        (f"/records/{r}/", AccessKind.RECORD, f"session record {r}"),
        (f"/records/{r}/print/", AccessKind.RECORD_PRINT, f"session record {r}"),
        (f"/letters/{care['letter'].pk}/", AccessKind.LETTER, f"progress letter {care['letter'].pk}"),
        (f"/clients/{c}/export.json", AccessKind.EXPORT_JSON, ""),
        (f"/clients/{c}/fhir.json", AccessKind.FHIR_JSON, ""),
        (f"/plans/new/?client={c}", AccessKind.PLAN_BUILDER, ""),
        (f"/plans/late/?client={c}", AccessKind.PLAN_BUILDER, "late entry"),
        (
            f"/clients/{c}/plan-preview.json?regions=feet,hands&date={TODAY}",
            AccessKind.PLAN_PREVIEW,
            f"{TODAY} feet,hands",
        ),
        (f"/clients/{c}/mnsi/form/", AccessKind.ASSESSMENT, "printable MNSI form"),
        (f"/clients/{c}/profile/", AccessKind.PROFILE, ""),
        (
            f"/clients/{c}/letters/new/?start={TODAY}&end={TODAY}&recipient=Dr.+Shah",
            AccessKind.LETTER,
            f"preview {TODAY} to {TODAY}",
        ),
    ]


def test_every_read_path_writes_one_row(login, therapist, care):
    missing = []
    for url, kind, ref in read_paths(care):
        before = AccessEvent.objects.count()
        response = login(therapist).get(url, REMOTE_ADDR="198.51.100.7")
        assert response.status_code == 200, url
        rows = list(AccessEvent.objects.order_by("pk")[before:])
        expected = [(therapist.pk, kind, care["client"].pk, ref, "198.51.100.7")]
        if [(e.actor_id, e.kind, e.client_id, e.object_ref, e.ip_address) for e in rows] != expected:
            missing.append(url)
    assert missing == []
    assert AccessEvent.objects.count() == len(read_paths(care))


def test_the_letter_preview_is_logged_but_a_refused_period_is_not(login, therapist, care):
    client = care["client"].pk
    period = f"start={TODAY}&end={TODAY}&recipient=Dr.+Shah"
    page = login(therapist).get(f"/clients/{client}/letters/new/?{period}").content.decode()
    assert "Sign and save as sent" in page
    event = AccessEvent.objects.get()
    expected = (therapist, AccessKind.LETTER, client, f"preview {TODAY} to {TODAY}")
    assert (event.actor, event.kind, event.client_id, event.object_ref) == expected
    # A period that ends in the future shows the form with the reason, and no letter.
    future = "start=2020-01-01&end=2999-01-01&recipient=Dr.+Shah"
    assert login(therapist).get(f"/clients/{client}/letters/new/?{future}").status_code == 400
    assert AccessEvent.objects.count() == 1


def test_the_record_form_is_logged_as_a_record_read(login, therapist, care):
    draft = create_plan(login, therapist, care["client"], day=TODAY, time="15:00")
    login(therapist).post(f"/plans/{draft.pk}/save/", save_data(draft, mark_ready=True))
    AccessEvent.objects.all()._raw_delete(AccessEvent.objects.db)
    assert login(therapist).get(f"/plans/{draft.pk}/record/").status_code == 200
    event = AccessEvent.objects.get()
    expected = (AccessKind.RECORD, care["client"].pk, f"session plan {draft.pk}")
    assert (event.kind, event.client_id, event.object_ref) == expected


def test_csv_export_is_logged_as_all_clients(login, clinic_admin, care):
    response = login(clinic_admin).get("/clients/export.csv")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = AccessEvent.objects.get()
    assert (event.kind, event.client_id, event.object_ref, event.actor) == (
        AccessKind.CSV_EXPORT,
        None,
        "all clients",
        clinic_admin,
    )


def test_assessment_pages_are_logged(login, therapist, care):
    from clients.assessments import MnsiQuestionnaire

    client = care["client"]
    mnsi = MnsiQuestionnaire.objects.create(
        client=client, answered_on=TODAY, how="read_aloud", answers=[False] * 15, score=1, entered_by=therapist
    )
    assert login(therapist).get(f"/clients/{client.pk}/mnsi/{mnsi.pk}/").status_code == 200
    event = AccessEvent.objects.get()
    assert (event.kind, event.client_id) == (AccessKind.ASSESSMENT, client.pk)


def test_a_head_request_sends_nothing_of_the_client_and_writes_nothing(login, therapist, care):
    """Django answers HEAD with the page's headers alone: no read of the record is logged for it."""
    for url, _kind, _ref in read_paths(care):
        assert login(therapist).head(url).status_code == 200, url
    assert AccessEvent.objects.count() == 0


def test_a_refused_read_writes_nothing(login, second_therapist, care):
    for url, _kind, _ref in read_paths(care):
        assert login(second_therapist).get(url).status_code == 404, url
    assert AccessEvent.objects.count() == 0


def test_the_address_is_the_connections_unless_a_trusted_proxy_forwards_it(login, therapist, care, settings, rf):
    url = f"/clients/{care['client'].pk}/"
    login(therapist).get(url, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert AccessEvent.objects.latest("pk").ip_address == "198.51.100.7"  # no trusted proxy: header ignored

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    login(therapist).get(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert AccessEvent.objects.latest("pk").ip_address == "203.0.113.9"  # the address our proxy saw

    spoofed = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(spoofed) == "198.51.100.7"  # not from a trusted proxy: header ignored
    chained = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.5")
    assert client_ip(chained) == "203.0.113.9"  # two of our proxies in a row
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-address")) == "10.0.0.2"
    assert client_ip(rf.get("/", REMOTE_ADDR="")) is None


def test_admin_reads_the_log_per_client_and_per_user(login, therapist, clinic_admin, care):
    client = care["client"]
    login(therapist).get(f"/clients/{client.pk}/")
    login(therapist).get(f"/plans/{care['plan'].pk}/print/")

    page = login(clinic_admin).get(f"/clients/{client.pk}/access/")
    assert page.status_code == 200
    assert [e.kind for e in page.context["page"]] == [AccessKind.PLAN_PRINT, AccessKind.CLIENT_PAGE]
    assert "Plan print sheet" in page.content.decode() and "tara" in page.content.decode()

    page = login(clinic_admin).get(f"/team/{therapist.pk}/access/")
    assert page.status_code == 200
    assert [e.kind for e in page.context["page"]] == [AccessKind.PLAN_PRINT, AccessKind.CLIENT_PAGE]


def test_the_access_pages_are_linked_for_admins_only(login, therapist, clinic_admin, care):
    url = f"/clients/{care['client'].pk}/access/"
    assert url in login(clinic_admin).get(f"/clients/{care['client'].pk}/").content.decode()
    assert url not in login(therapist).get(f"/clients/{care['client'].pk}/").content.decode()
    assert f"/team/{therapist.pk}/access/" in login(clinic_admin).get("/team/").content.decode()


def test_the_access_log_pages_up(login, therapist, clinic_admin, care):
    client = care["client"]
    AccessEvent.objects.bulk_create(
        AccessEvent(actor=therapist, kind=AccessKind.CLIENT_PAGE, client=client) for _ in range(60)
    )
    first = login(clinic_admin).get(f"/clients/{client.pk}/access/")
    second = login(clinic_admin).get(f"/clients/{client.pk}/access/?page=2")
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 10


def test_therapists_cannot_read_the_log(login, anonymous, therapist, care):
    client = care["client"]
    assert login(therapist).get(f"/clients/{client.pk}/access/").status_code == 403
    assert login(therapist).get(f"/team/{therapist.pk}/access/").status_code == 403
    response = anonymous.get(f"/clients/{client.pk}/access/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    outsider = make_therapist()
    assert login(outsider).get(f"/clients/{client.pk}/access/").status_code == 403


def test_the_log_is_append_only(therapist, care):
    event = AccessEvent.objects.create(actor=therapist, kind=AccessKind.CLIENT_PAGE, client=care["client"])
    event.kind = AccessKind.PLAN
    with pytest.raises(AccessLogIsAppendOnly):
        event.save()
    with pytest.raises(AccessLogIsAppendOnly):
        event.delete()
    with pytest.raises(AccessLogIsAppendOnly):
        AccessEvent.objects.filter(pk=event.pk).update(kind=AccessKind.PLAN)
    with pytest.raises(AccessLogIsAppendOnly):
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.get().kind == AccessKind.CLIENT_PAGE


def test_no_deletion_cascades_to_the_log(therapist):
    client = make_client(care_team=[therapist])
    AccessEvent.objects.create(actor=therapist, kind=AccessKind.CLIENT_PAGE, client=client)
    Client.objects.filter(pk=client.pk).delete()
    assert AccessEvent.objects.get().client_id == client.pk


def test_the_exported_log_names_each_row_whatever_its_actor(login, clinic_admin, care, django_assert_num_queries):
    """Each row in time order with its user, kind, object and address; a row whose account is gone
    (the log keeps plain ids) has no user. One query however long the log."""
    client = care["client"]
    at = timezone.now() - timezone.timedelta(days=2)
    AccessEvent.objects.create(at=at, actor_id=987654, kind=AccessKind.PLAN, client=client, object_ref="session plan 3")
    for minutes in range(40):
        AccessEvent.objects.create(
            at=at + timezone.timedelta(minutes=minutes + 1), actor=clinic_admin, kind=AccessKind.HISTORY, client=client
        )
    with django_assert_num_queries(1):
        log = list(AccessEvent.objects.filter(client=client).documents())
    assert log[0] == {
        "at": at.isoformat(),
        "user": None,
        "kind": "plan",
        "object": "session plan 3",
        "ip_address": None,
    }
    assert [row["user"] for row in log[1:]] == [clinic_admin.username] * 40
    assert [row["at"] for row in log] == sorted(row["at"] for row in log)
    exported = document_of(login(clinic_admin).get(f"/clients/{client.pk}/export.json"))["access_log"]
    assert exported[:41] == log and exported[41]["kind"] == "export_json"


def test_the_export_carries_the_log_for_admins_and_import_ignores_it(login, therapist, clinic_admin, care):
    client = care["client"]
    login(therapist).get(f"/clients/{client.pk}/", REMOTE_ADDR="198.51.100.7")
    document = document_of(login(clinic_admin).get(f"/clients/{client.pk}/export.json"))
    assert [(e["user"], e["kind"], e["ip_address"]) for e in document["access_log"]] == [
        ("tara", "client_page", "198.51.100.7"),
        ("morgan", "export_json", "127.0.0.1"),
    ]
    assert "access_log" not in document_of(login(therapist).get(f"/clients/{client.pk}/export.json"))

    document = json.loads(json.dumps(document))
    document["external_id"] = "C-8"
    rows = AccessEvent.objects.count()
    report = import_documents(document)
    assert report.saved and report.created == 1, report.error_messages()
    assert AccessEvent.objects.count() == rows


def test_password_reset_and_role_change_are_logged(login, therapist, clinic_admin):
    admin = login(clinic_admin)
    admin.post(f"/team/{therapist.pk}/password/", {"temporary_password": "A-much-longer-secret-9"})
    admin.post(
        f"/team/{therapist.pk}/edit/",
        {
            "first_name": therapist.first_name,
            "last_name": therapist.last_name,
            "username": therapist.username,
            "version": 1,
            "email": therapist.email,
            "role": "both",
        },
    )
    events = AccessEvent.objects.order_by("pk")
    assert [(e.actor, e.kind, e.subject, e.object_ref) for e in events] == [
        (clinic_admin, AccessKind.PASSWORD_RESET, therapist, ""),
        (clinic_admin, AccessKind.ROLE_CHANGE, therapist, "Therapist to Therapist and clinic admin"),
    ]
    assert events[0].at <= timezone.now()


def test_account_creation_deactivation_and_reactivation_are_logged(login, therapist, clinic_admin):
    from tests.planner.test_team import NEW_THERAPIST

    admin = login(clinic_admin)
    admin.post("/team/new/", NEW_THERAPIST)
    created = User.objects.get(username="nia")
    admin.post(f"/team/{therapist.pk}/deactivate/")
    admin.post(f"/team/{therapist.pk}/deactivate/")  # already inactive: nothing happens, nothing logged
    admin.post(f"/team/{therapist.pk}/reactivate/")
    events = AccessEvent.objects.order_by("pk")
    assert [(e.actor, e.kind, e.subject, e.object_ref) for e in events] == [
        (clinic_admin, AccessKind.ACCOUNT_CREATED, created, "Therapist"),
        (clinic_admin, AccessKind.ACCOUNT_DEACTIVATED, therapist, ""),
        (clinic_admin, AccessKind.ACCOUNT_REACTIVATED, therapist, ""),
    ]
    page = admin.get(f"/team/{therapist.pk}/access/").content.decode()
    assert "Account deactivated" in page and "Account reactivated" in page


def test_the_condition_and_clearance_forms_are_logged(login, therapist, second_therapist, care):
    from tests.factories import make_clearance, make_condition

    client = care["client"]
    condition = make_condition(client, detail="heel")
    clearance = make_clearance(client, restrictions="No deep pressure.")
    paths = [
        (f"/clients/{client.pk}/conditions/{condition.pk}/edit/", AccessKind.CONDITION, f"condition {condition.pk}"),
        (f"/clients/{client.pk}/conditions/{condition.pk}/resolve/", AccessKind.CONDITION, f"condition {condition.pk}"),
        (
            f"/clients/{client.pk}/clearances/{clearance.pk}/edit/",
            AccessKind.CLEARANCE,
            f"physician clearance {clearance.pk}",
        ),
    ]
    for url, _kind, _ref in paths:
        assert login(second_therapist).get(url).status_code == 404, url
    assert not AccessEvent.objects.exists()
    for url, kind, ref in paths:
        assert login(therapist).get(url).status_code == 200, url
        event = AccessEvent.objects.latest("pk")
        assert (event.actor, event.kind, event.client_id, event.object_ref) == (therapist, kind, client.pk, ref)
    assert AccessEvent.objects.count() == len(paths)


def test_the_client_details_form_is_logged(login, clinic_admin, second_therapist, care):
    client = care["client"]
    assert login(second_therapist).get(f"/clients/{client.pk}/edit/").status_code == 403
    assert not AccessEvent.objects.exists()
    assert login(clinic_admin).get(f"/clients/{client.pk}/edit/").status_code == 200
    event = AccessEvent.objects.get()
    assert (event.actor, event.kind, event.client_id) == (clinic_admin, AccessKind.CLIENT_DETAILS, client.pk)
    assert event.get_kind_display() == "Client details form"
