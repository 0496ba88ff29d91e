"""Every client URL walked up the ladder: anonymous, wrong user or role, wrong method, right user."""

import pytest

from clients.models import Client
from tests.factories import make_clearance, make_client, make_condition, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of_tara(therapist):
    client = make_client(care_team=[therapist], external_id="C-1")
    client.wound = make_condition(client, "open_wound")
    client.clearance = make_clearance(client)
    return client


def _urls(client):
    pk, condition, clearance = client.pk, client.wound.pk, client.clearance.pk
    return {
        # Any care-team member (and admins) may GET these.
        "team_get": [
            f"/clients/{pk}/",
            f"/clients/{pk}/history/",
            f"/clients/{pk}/export.json",
            f"/clients/{pk}/profile/",
            f"/clients/{pk}/conditions/new/",
            f"/clients/{pk}/conditions/{condition}/edit/",
            f"/clients/{pk}/conditions/{condition}/resolve/",
            f"/clients/{pk}/clearances/new/",
            f"/clients/{pk}/clearances/{clearance}/edit/",
        ],
        "team_post_only": [f"/clients/{pk}/conditions/{condition}/entered-in-error/"],
        "admin_get": ["/clients/new/", "/clients/import/", "/clients/export.csv", f"/clients/{pk}/edit/"],
        "admin_post_only": [f"/clients/{pk}/archive/", f"/clients/{pk}/restore/"],
    }


def _all_paths(urls):
    return [path for paths in urls.values() for path in paths] + ["/clients/"]


def test_anonymous_is_sent_to_login_from_every_client_page(anonymous, client_of_tara):
    for path in _all_paths(_urls(client_of_tara)):
        response = anonymous.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/?next="), path
    for path in _urls(client_of_tara)["admin_post_only"]:
        assert anonymous.post(path)["Location"].startswith("/accounts/login/")


def test_therapist_not_on_the_care_team_gets_404_for_the_client(login, client_of_tara, second_therapist):
    sam = login(second_therapist)
    urls = _urls(client_of_tara)
    for path in urls["team_get"]:
        assert sam.get(path).status_code == 404, path
    for path in urls["team_post_only"]:
        assert sam.post(path).status_code == 404, path
    # Writes are refused just the same, and nothing changes.
    response = sam.post(f"/clients/{client_of_tara.pk}/conditions/new/", {"code": "fever", "noted_on": "2024-01-01"})
    assert response.status_code == 404
    assert client_of_tara.conditions.count() == 1


def test_therapist_gets_403_on_admin_pages_even_for_own_client(login, client_of_tara, therapist):
    tara = login(therapist)
    urls = _urls(client_of_tara)
    for path in urls["admin_get"]:
        assert tara.get(path).status_code == 403, path
    for path in urls["admin_post_only"]:
        assert tara.post(path).status_code == 403, path
    assert tara.post("/clients/new/", {"first_name": "X"}).status_code == 403
    client_of_tara.refresh_from_db()
    assert not client_of_tara.is_archived


def test_therapist_on_the_care_team_reaches_every_clinical_page(login, client_of_tara, therapist):
    tara = login(therapist)
    for path in _urls(client_of_tara)["team_get"]:
        assert tara.get(path).status_code == 200, path


def test_admin_reaches_every_page_of_any_client(login, client_of_tara, clinic_admin):
    admin = login(clinic_admin)
    urls = _urls(client_of_tara)
    for path in urls["team_get"] + urls["admin_get"] + ["/clients/"]:
        assert admin.get(path).status_code == 200, path


def test_post_only_urls_refuse_get(login, client_of_tara, clinic_admin, therapist):
    urls = _urls(client_of_tara)
    for path in urls["admin_post_only"]:
        assert login(clinic_admin).get(path).status_code == 405, path
    for path in urls["team_post_only"]:
        assert login(therapist).get(path).status_code == 405, path


def test_user_without_a_role_sees_no_clients(login, client_of_tara):
    nobody = login(make_user())
    assert nobody.get(f"/clients/{client_of_tara.pk}/").status_code == 404
    assert "Client" not in nobody.get("/clients/").content.decode().split("<tbody>")[1].split("</tbody>")[0]


def test_for_user_scopes_therapists_to_their_care_team(therapist, second_therapist, clinic_admin):
    mine = make_client(care_team=[therapist])
    shared = make_client(care_team=[therapist, second_therapist])
    theirs = make_client(care_team=[second_therapist])
    assert set(Client.objects.for_user(therapist)) == {mine, shared}
    assert set(Client.objects.for_user(second_therapist)) == {shared, theirs}
    assert set(Client.objects.for_user(clinic_admin)) == {mine, shared, theirs}
    # Chainable both ways.
    mine.archived_at = shared.created_at
    mine.save()
    assert set(Client.objects.for_user(therapist).active()) == {shared}
    assert set(Client.objects.active().for_user(therapist)) == {shared}
