"""The password policy: at least 12 characters, not a common password, not like the user's names."""

import pytest
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from planner.management.commands.seed_demo import DEMO_STAFF
from tests.factories import PASSWORD

User = get_user_model()

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("planner123", "too short"),
        ("Summer2026!", "too short"),
        ("short-pass1", "too short"),
        ("password1234", "too common"),
        ("lindqvist2026", "too similar"),
        ("tara.lindqvist", "too similar"),
        ("938417265301", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(therapist, password, reason):
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, therapist)
    assert reason in " ".join(refused.value.messages)


def test_a_long_unrelated_passphrase_is_accepted(therapist):
    password_validation.validate_password("quiet-river-lantern-7", therapist)
    password_validation.validate_password(PASSWORD, therapist)  # what the test accounts use


def test_a_therapist_cannot_choose_a_weak_password(login, therapist):
    weak = "Summer2026!"
    response = login(therapist).post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    therapist.refresh_from_db()
    assert therapist.check_password(PASSWORD)


def test_the_demo_passwords_meet_the_policy():
    for spec in DEMO_STAFF:
        user = User(username=spec["username"], first_name=spec["first_name"], last_name=spec["last_name"])
        password_validation.validate_password(spec["password"], user)
