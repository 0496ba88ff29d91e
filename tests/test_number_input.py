"""Numbers a request sends as text: digits of other scripts and ids beyond 64 bits are bad input, never a 500."""

from urllib.parse import quote

import pytest

from clients.models import Client
from protocols.models import ProtocolTemplate
from tests.clients.test_intake import intake
from tests.planner.test_plans import make_dpn_client, plan_data
from tests.protocols.test_template_edit import _post_data

pytestmark = pytest.mark.django_db

# "²" counts as a digit to str.isdigit() but not to int(); "٣" (Arabic-Indic three) counts to both.
NOT_ASCII_DIGITS = ["%C2%B2", "%D9%A3", "1%C2%B2"]
BEYOND_64_BITS = "99999999999999999999999"


def arabic_indic(number):
    """A number written in Arabic-Indic digits, URL-encoded: int() reads it, an ASCII check does not."""
    return quote(str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))


@pytest.mark.parametrize("digits", [*NOT_ASCII_DIGITS, "arabic-indic pk"])
def test_the_client_list_filters_no_therapist_by_digits_of_another_script(login, clinic_admin, therapist, digits):
    make_dpn_client(therapist)
    if digits == "arabic-indic pk":
        digits = arabic_indic(therapist.pk)  # the therapist's own id, in digits that are not ASCII
    response = login(clinic_admin).get(f"/clients/?therapist={digits}&status=all")
    assert response.status_code == 200
    assert response.context["count"] == 0  # read as no therapist, not as the therapist's id


@pytest.mark.parametrize("path", ["/plans/new/", "/plans/late/"])
@pytest.mark.parametrize("digits", [*NOT_ASCII_DIGITS, "arabic-indic pk"])
def test_the_builders_take_digits_of_another_script_for_no_client(login, therapist, path, digits):
    client = make_dpn_client(therapist)
    if digits == "arabic-indic pk":
        digits = arabic_indic(client.pk)  # the client's own id, in digits that are not ASCII
    response = login(therapist).get(f"{path}?client={digits}")
    assert response.status_code == 302 and response["Location"] == "/clients/"


def test_the_builder_refuses_a_repeat_day_in_digits_of_another_script(login, therapist):
    client = make_dpn_client(therapist)
    data = {**plan_data(), "repeat_weeks": "2", "repeat_days": ["²"]}
    response = login(therapist).post(f"/plans/new/?client={client.pk}", data)
    assert response.status_code == 400
    assert "repeat_days" in response.context["form"].errors
    assert not client.plans.exists()


def test_a_care_team_id_beyond_64_bits_is_not_a_valid_choice(login, clinic_admin, therapist):
    response = login(clinic_admin).post("/clients/new/", intake(therapist, care_team=[BEYOND_64_BITS]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["care_team"][0]
    assert not Client.objects.exists()


def test_a_source_id_beyond_64_bits_is_not_a_valid_choice(login, clinic_admin):
    before = ProtocolTemplate.objects.count()
    response = login(clinic_admin).post("/protocols/templates/new/", _post_data(sources=[BEYOND_64_BITS]))
    assert response.status_code in (200, 400)
    assert "Select a valid choice" in str(response.context["form"].errors["sources"])
    assert ProtocolTemplate.objects.count() == before
