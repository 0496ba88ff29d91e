import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from planner.models import StaffProfile
from tests.factories import PASSWORD, make_therapist

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/team/", "/team/new/", "/accounts/password/"])
def test_anonymous_is_sent_to_login_from_every_page(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_login_page_is_open_and_renders_the_form(anonymous):
    response = anonymous.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="username"' in response.content and b'name="password"' in response.content


def test_static_bootstrap_is_served_without_login(anonymous):
    response = anonymous.get("/static/bootstrap/css/bootstrap.min.css")
    assert response.status_code == 200


def test_wrong_password_does_not_say_which_part_was_wrong(anonymous, therapist):
    wrong_password = anonymous.post("/accounts/login/", {"username": "tara", "password": "nope-nope-nope"})
    wrong_username = anonymous.post("/accounts/login/", {"username": "nobody", "password": PASSWORD})
    for response in (wrong_password, wrong_username):
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in anonymous.session


def test_therapist_logs_in_and_sees_dashboard(anonymous, therapist):
    response = anonymous.post("/accounts/login/", {"username": "tara", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Good day, Tara" in response.content.decode()
    # A therapist's navbar has no Team link.
    assert 'href="/team/"' not in response.content.decode()


def test_clinic_admin_sees_team_link(login, clinic_admin):
    response = login(clinic_admin).get("/")
    assert 'href="/team/"' in response.content.decode()


def test_deactivated_user_cannot_log_in(anonymous, therapist):
    therapist.is_active = False
    therapist.save()
    anonymous.post("/accounts/login/", {"username": "tara", "password": PASSWORD})
    assert "_auth_user_id" not in anonymous.session


def test_deactivation_ends_an_open_session(login, therapist):
    client = login(therapist)
    therapist.is_active = False
    therapist.save()
    assert client.get("/").status_code == 302


def test_logout_is_post_only(login, therapist):
    client = login(therapist)
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_user_changes_own_password(login, therapist):
    client = login(therapist)
    assert client.get("/accounts/password/").context["form"].fields["old_password"].label == "Current password"
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a-brand-new-secret", "new_password2": "a-brand-new-secret"},
    )
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.check_password("a-brand-new-secret")


def test_password_change_rejects_a_weak_password_beside_the_field(login, therapist):
    client = login(therapist)
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"}
    )
    assert response.status_code == 200
    # Beside "New password", where it was typed; the confirmation matched.
    errors = response.context["form"].errors
    assert "new_password2" not in errors
    assert "This password is too short. It must contain at least 12 characters." in errors["new_password1"]
    assert "This password is entirely numeric." in errors["new_password1"]
    therapist.refresh_from_db()
    assert therapist.check_password(PASSWORD)


def test_temporary_password_must_be_changed_before_anything_else(anonymous):
    make_therapist(username="newbie", must_change_password=True)
    response = anonymous.post("/accounts/login/", {"username": "newbie", "password": PASSWORD})
    assert response.status_code == 302
    for path in ("/", "/team/"):
        response = anonymous.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = anonymous.get("/accounts/password/")
    assert "Choose your own password" in page.content.decode()
    assert page.context["form"].fields["old_password"].label == "Temporary password"

    response = anonymous.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "my-own-secret-99", "new_password2": "my-own-secret-99"},
    )
    assert response.status_code == 302
    assert anonymous.get("/").status_code == 200
    assert not StaffProfile.objects.get(user__username="newbie").must_change_password


def test_roles_exist_with_their_permissions():
    admin = Group.objects.get(name="Clinic admin")
    assert Group.objects.filter(name="Therapist").exists()
    codenames = set(admin.permissions.values_list("codename", flat=True))
    assert {"add_user", "change_user", "view_user"} <= codenames


def test_new_password_must_differ_from_the_temporary_one(anonymous):
    make_therapist(username="newbie", must_change_password=True)
    anonymous.post("/accounts/login/", {"username": "newbie", "password": PASSWORD})
    response = anonymous.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert response.status_code == 200
    assert "different from the current one" in " ".join(response.context["form"].errors["new_password1"])
    assert StaffProfile.objects.get(user__username="newbie").must_change_password
