import pytest
from django.contrib.auth import get_user_model

from clients.models import AccessEvent
from planner.models import StaffProfile
from tests.factories import make_clinic_admin, make_therapist

pytestmark = pytest.mark.django_db
User = get_user_model()

NEW_THERAPIST = {
    "first_name": "Nia",
    "last_name": "Holm",
    "username": "nia",
    "email": "nia@clinic.example",
    "role": "therapist",
    "temporary_password": "welcome-to-the-clinic",
}


def _team_urls(pk):
    return {
        "get": ["/team/", "/team/new/", f"/team/{pk}/edit/"],
        "post": [f"/team/{pk}/deactivate/", f"/team/{pk}/reactivate/", f"/team/{pk}/password/"],
    }


def test_anonymous_is_sent_to_login_from_team_pages(anonymous, second_therapist):
    urls = _team_urls(second_therapist.pk)
    for path in urls["get"]:
        assert anonymous.get(path)["Location"].startswith("/accounts/login/")
    for path in urls["post"]:
        assert anonymous.post(path)["Location"].startswith("/accounts/login/")


def test_therapist_cannot_reach_team_pages(login, therapist, second_therapist):
    client = login(therapist)
    urls = _team_urls(second_therapist.pk)
    for path in urls["get"]:
        assert client.get(path).status_code == 403
    for path in urls["post"]:
        assert client.post(path).status_code == 403
    second_therapist.refresh_from_db()
    assert second_therapist.is_active


def test_post_only_team_urls_refuse_get(login, clinic_admin, therapist):
    client = login(clinic_admin)
    for path in _team_urls(therapist.pk)["post"]:
        assert client.get(path).status_code == 405


def test_team_list_shows_staff_with_roles(login, clinic_admin, therapist, django_assert_num_queries):
    make_therapist(username="extra1")
    make_therapist(username="extra2")
    client = login(clinic_admin)
    # session, user, the user's roles and permissions (one query: the team permission check and
    # the navbar), the staff list, the staff's groups (prefetch)
    with django_assert_num_queries(5):
        response = client.get("/team/")
    page = response.content.decode()
    assert "tara" in page and "extra2" in page
    assert "Therapist" in page and "Clinic admin" in page


def test_admin_creates_a_therapist_with_a_temporary_password(login, clinic_admin, anonymous):
    response = login(clinic_admin).post("/team/new/", NEW_THERAPIST)
    assert response.status_code == 302
    user = User.objects.get(username="nia")
    assert user.check_password("welcome-to-the-clinic")
    assert list(user.groups.values_list("name", flat=True)) == ["Therapist"]
    assert StaffProfile.objects.get(user=user).must_change_password
    # The account creation is audited with who made it.
    assert user.history.first().history_user == clinic_admin

    anonymous.post("/accounts/login/", {"username": "nia", "password": "welcome-to-the-clinic"})
    assert anonymous.get("/")["Location"] == "/accounts/password/"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"username": "tara"}, "username", "already taken"),
        ({"username": "TARA"}, "username", "already taken"),
        ({"username": "bad name!"}, "username", "Enter a valid username"),
        ({"temporary_password": "short"}, "temporary_password", "too short"),
        ({"temporary_password": "password123"}, "temporary_password", "too common"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": "tara@clinic.example"}, "email", "already uses"),
        ({"first_name": ""}, "first_name", "required"),
    ],
)
def test_team_form_errors_appear_beside_the_field_and_nothing_is_saved(
    login, clinic_admin, therapist, change, field, message
):
    before = User.objects.count()
    response = login(clinic_admin).post("/team/new/", {**NEW_THERAPIST, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert User.objects.count() == before
    assert f'id="error_1_id_{field}"' in response.content.decode()


def test_admin_changes_a_role(login, clinic_admin, therapist):
    data = {
        "first_name": "Tara",
        "last_name": "Lindqvist",
        "email": "tara@clinic.example",
        "role": "both",
        "version": 1,
    }
    response = login(clinic_admin).post(f"/team/{therapist.pk}/edit/", data)
    assert response.status_code == 302
    assert set(therapist.groups.values_list("name", flat=True)) == {"Therapist", "Clinic admin"}


def test_admin_cannot_remove_own_admin_role(login, clinic_admin):
    data = {
        "first_name": "Morgan",
        "last_name": "Reyes",
        "email": "morgan@clinic.example",
        "role": "therapist",
        "version": 1,
    }
    response = login(clinic_admin).post(f"/team/{clinic_admin.pk}/edit/", data)
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert clinic_admin.groups.filter(name="Clinic admin").exists()


def test_a_stale_account_form_cannot_undo_another_admins_rename(login, clinic_admin, therapist):
    data = {"first_name": "Tara", "last_name": "Lindqvist", "email": "tara@clinic.example", "role": "therapist"}
    first, second = login(clinic_admin), login(make_clinic_admin(username="olga"))
    assert first.post(f"/team/{therapist.pk}/edit/", {**data, "first_name": "Tarja", "version": 1}).status_code == 302
    response = second.post(f"/team/{therapist.pk}/edit/", {**data, "version": 1})
    assert response.status_code == 200
    assert "your changes were not saved" in " ".join(response.context["form"].non_field_errors())
    therapist.refresh_from_db()
    assert therapist.first_name == "Tarja"
    assert 'name="version" value="2"' in response.content.decode()  # saving again, knowingly, goes through
    assert second.post(f"/team/{therapist.pk}/edit/", {**data, "version": 2}).status_code == 302
    therapist.refresh_from_db()
    assert therapist.first_name == "Tara"


def test_admin_deactivates_and_reactivates_an_account(login, clinic_admin, therapist):
    client = login(clinic_admin)
    client.post(f"/team/{therapist.pk}/deactivate/")
    therapist.refresh_from_db()
    assert not therapist.is_active
    assert User.objects.filter(pk=therapist.pk).exists()
    client.post(f"/team/{therapist.pk}/reactivate/")
    therapist.refresh_from_db()
    assert therapist.is_active


def test_admin_cannot_deactivate_self(login, clinic_admin):
    login(clinic_admin).post(f"/team/{clinic_admin.pk}/deactivate/")
    clinic_admin.refresh_from_db()
    assert clinic_admin.is_active


def test_admin_sets_a_temporary_password(login, clinic_admin, therapist):
    response = login(clinic_admin).post(f"/team/{therapist.pk}/password/", {"temporary_password": "fresh-start-2026"})
    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.check_password("fresh-start-2026")
    assert StaffProfile.objects.get(user=therapist).must_change_password


def test_admin_cannot_set_a_temporary_password_on_own_account(login, clinic_admin):
    admin = login(clinic_admin)
    page = admin.get(f"/team/{clinic_admin.pk}/edit/").content.decode()
    assert "Set temporary password" not in page and 'href="/accounts/password/"' in page
    response = admin.post(f"/team/{clinic_admin.pk}/password/", {"temporary_password": "fresh-start-2026"}, follow=True)
    # Still signed in, told where to change it; the password and the session are as they were.
    assert response.redirect_chain == [(f"/team/{clinic_admin.pk}/edit/", 302)]
    assert "Change your own password on the Change password page" in response.content.decode()
    clinic_admin.refresh_from_db()
    assert not clinic_admin.check_password("fresh-start-2026")
    assert not StaffProfile.objects.filter(user=clinic_admin, must_change_password=True).exists()
    assert not AccessEvent.objects.exists()


def test_weak_temporary_password_is_refused(login, clinic_admin, therapist):
    response = login(clinic_admin).post(f"/team/{therapist.pk}/password/", {"temporary_password": "123"})
    assert response.status_code == 400
    assert "temporary_password" in response.context["password_form"].errors
    therapist.refresh_from_db()
    assert not StaffProfile.objects.get(user=therapist).must_change_password


def test_inactive_filter_lists_only_deactivated_accounts(login, clinic_admin, therapist, second_therapist):
    second_therapist.is_active = False
    second_therapist.save()
    page = login(clinic_admin).get("/team/?show=inactive").content.decode()
    assert "<code>sam</code>" in page and "<code>tara</code>" not in page


def test_deactivating_a_therapist_says_what_they_leave_to_others(login, clinic_admin, therapist, second_therapist):
    from django.contrib.messages import get_messages

    from tests.factories import make_client
    from tests.planner.test_plans import create_plan, make_dpn_client

    create_plan(login, therapist, make_dpn_client(therapist))  # a draft tomorrow, Dora alone with Tara
    make_client(last_name="Shared", care_team=[therapist, second_therapist])
    response = login(clinic_admin).post(f"/team/{therapist.pk}/deactivate/")
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said[1] == (
        "Tara Lindqvist still has 1 session coming up: cancel it and book it with another therapist; "
        "was the only active therapist of 1 client: add another therapist to their care team."
    )
    # Sam is now Shared's only active therapist; with Tara back, Sam leaves nothing behind and nothing is said.
    login(clinic_admin).post(f"/team/{therapist.pk}/reactivate/")
    response = login(clinic_admin).post(f"/team/{second_therapist.pk}/deactivate/")
    assert len(list(get_messages(response.wsgi_request))) == 1


def test_deactivating_a_therapist_with_unsigned_records_says_only_they_can_sign_them(login, clinic_admin, therapist):
    from django.contrib.messages import get_messages

    from planner.models import SessionRecord
    from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
    from tests.planner.test_records import record_data

    client = make_dpn_client(therapist)
    client.care_team.add(make_therapist(username="other"))
    plan = create_plan(login, therapist, client, day=TODAY)
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan))
    assert not SessionRecord.objects.get().is_signed
    response = login(clinic_admin).post(f"/team/{therapist.pk}/deactivate/")
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said[1] == (
        "Tara Lindqvist left 1 session record unsigned: only they can sign it, once the account is reactivated."
    )
