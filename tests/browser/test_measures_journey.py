from datetime import date

import pytest
from playwright.sync_api import expect

from clients.assessments import MonofilamentTest
from clients.models import Client, Condition
from tests.factories import PASSWORD, make_therapist

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_therapist_records_a_monofilament_test_with_a_site_lost_and_an_mnsi(page, live_server, sign_in):
    tara = make_therapist(username="tara", first_name="Tara")
    client = Client.objects.create(
        first_name="Ida", last_name="Moss", date_of_birth=date(1951, 2, 3), neuropathy_type="DPN"
    )
    client.care_team.add(tara)

    sign_in("tara", PASSWORD)
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    expect(page.locator("#measures")).to_contain_text("offer it at intake")
    page.get_by_role("link", name="Record monofilament test").click()
    for foot in ("Right foot", "Left foot"):
        for site in ("hallux (big toe)", "first metatarsal head", "fifth metatarsal head"):
            lost = foot == "Left foot" and site == "first metatarsal head"
            for touch in ("first real touch", "second real touch"):
                page.get_by_label(f"{foot}, {site}, {touch}").select_option("no" if lost else "yes")
            page.get_by_label(f"{foot}, {site}, sham touch").select_option("no")
    page.get_by_role("button", name="Save test").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Loss of protective sensation is on record for the left foot"
    )
    expect(page.locator('[data-site="left-M1"]')).to_have_attribute("data-result", "absent")
    assert MonofilamentTest.objects.get().left_condition == Condition.objects.get(code="loss_of_protective_sensation")

    page.goto(f"{live_server.url}/clients/{client.pk}/mnsi/new/")
    for number in range(1, 16):
        page.locator(f"#id_q{number}_{0 if number in (1, 2, 3) else 1}").check()
    page.get_by_label("Read aloud to the client").check()
    page.get_by_role("button", name="Save answers").click()
    # "yes" to 1-3 (3 points) and "no" to everything else, which scores 7 and 13 (2 points).
    expect(page.locator(".lead")).to_contain_text("score 5 of 13; 7 or more is the screening cut-off used in diabetes")
