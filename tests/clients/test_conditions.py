"""Health conditions and physician clearances, added, corrected and resolved over time."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Condition, PhysicianClearance
from tests.factories import make_clearance, make_client, make_condition

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def client_of_tara(therapist):
    return make_client(care_team=[therapist])


def post_condition(login, user, client, **data):
    data.setdefault("noted_on", TODAY.isoformat())
    return login(user).post(f"/clients/{client.pk}/conditions/new/", data)


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"code": "open_wound", "location": "feet", "side": "left", "detail": "heel"}, ("feet", "left", None)),
        ({"code": "platelet_count", "value": "45000"}, ("whole_body", "", 45000)),
        ({"code": "insulin_user"}, ("whole_body", "", None)),
        # Nodes are recorded by side; the limb they drain is implied.
        ({"code": "node_removal_axillary", "side": "right"}, ("arms", "right", None)),
        ({"code": "port", "location": "chest", "side": "left"}, ("chest", "left", None)),
        ({"code": "vte_history"}, ("", "", None)),
        ({"code": "insulin_site", "location": "abdomen", "side": "both"}, ("abdomen", "both", None)),
    ],
)
def test_therapist_adds_conditions_of_every_shape(login, therapist, client_of_tara, data, expected):
    response = post_condition(login, therapist, client_of_tara, **data)
    assert response.status_code == 302
    condition = client_of_tara.conditions.get()
    assert (condition.location, condition.side, condition.value) == expected
    assert condition.history.first().history_user == therapist


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"code": "lymphedema", "location": "feet", "side": "left"},
            "location",
            "Lymphedema cannot be on the feet; choose arms or legs.",
        ),
        ({"code": "open_wound", "side": "left"}, "location", "Choose where the open wound is."),
        ({"code": "open_wound", "location": "feet"}, "side", "Choose the side of the open wound."),
        ({"code": "fever", "side": "left"}, "side", "Fever concerns the whole body: leave the side empty."),
        ({"code": "platelet_count"}, "value", "Enter the platelet count (platelets/µL)."),
        ({"code": "open_wound", "location": "feet", "side": "left", "value": "3"}, "value", "takes no value"),
        ({"code": "anc", "value": "-5"}, "value", "greater than or equal to 0"),
        ({"code": "fever", "noted_on": "2999-01-01"}, "noted_on", "This date is in the future."),
        ({"code": "fever", "noted_on": "2024-05-02", "resolved_on": "2024-05-01"}, "resolved_on", "resolved before"),
        ({"code": "anc", "value": "900", "resolved_on": TODAY.isoformat()}, "resolved_on", "dated event"),
        ({"code": "frostbite"}, "code", "Select a valid choice."),
    ],
)
def test_bad_condition_is_refused_beside_the_field(login, therapist, client_of_tara, data, field, message):
    response = post_condition(login, therapist, client_of_tara, **data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Condition.objects.exists()


def test_condition_is_edited_with_history_and_version(login, therapist, client_of_tara):
    wound = make_condition(client_of_tara, "open_wound", detail="heel")
    data = {
        "code": "open_wound",
        "location": "feet",
        "side": "both",
        "detail": "heels",
        "noted_on": wound.noted_on.isoformat(),
        "version": wound.version,
    }
    response = login(therapist).post(f"/clients/{client_of_tara.pk}/conditions/{wound.pk}/edit/", data)
    assert response.status_code == 302
    wound.refresh_from_db()
    assert (wound.side, wound.detail, wound.version) == ("both", "heels", 2)
    assert wound.history.count() == 2

    stale = login(therapist).post(f"/clients/{client_of_tara.pk}/conditions/{wound.pk}/edit/", {**data, "side": "left"})
    assert "your changes were not saved" in stale.content.decode()
    wound.refresh_from_db()
    assert wound.side == "both"


def test_condition_is_resolved_and_stays_visible(login, therapist, client_of_tara):
    wound = make_condition(client_of_tara, "open_wound", noted_on=TODAY - datetime.timedelta(days=10))
    tara = login(therapist)
    response = tara.post(
        f"/clients/{client_of_tara.pk}/conditions/{wound.pk}/resolve/",
        {"resolved_on": TODAY.isoformat(), "version": wound.version},
    )
    assert response.status_code == 302
    wound.refresh_from_db()
    assert wound.resolved_on == TODAY
    assert not wound.is_active_on(TODAY)
    page = tara.get(f"/clients/{client_of_tara.pk}/")
    assert page.context["past_conditions"] == [wound]
    assert page.context["meanings"] == []


def test_resolving_before_the_noted_date_is_refused(login, therapist, client_of_tara):
    wound = make_condition(client_of_tara, "open_wound", noted_on=TODAY)
    response = login(therapist).post(
        f"/clients/{client_of_tara.pk}/conditions/{wound.pk}/resolve/",
        {"resolved_on": (TODAY - datetime.timedelta(days=1)).isoformat(), "version": wound.version},
    )
    assert "cannot be resolved before it was noted" in response.content.decode()
    wound.refresh_from_db()
    assert wound.resolved_on is None


def test_condition_entered_in_error_leaves_the_facts_but_not_the_history(login, therapist, client_of_tara):
    mistake = make_condition(client_of_tara, "fever")
    response = login(therapist).post(f"/clients/{client_of_tara.pk}/conditions/{mistake.pk}/entered-in-error/")
    assert response.status_code == 302
    mistake.refresh_from_db()
    assert mistake.entered_in_error
    assert client_of_tara.facts_on(TODAY).conditions == ()
    assert Condition.objects.filter(pk=mistake.pk).exists()
    assert mistake.history.first().entered_in_error


def test_database_refuses_condition_shapes_the_catalogue_forbids(client_of_tara):
    bad = [
        {"code": "frostbite", "location": "feet", "side": "left"},
        {"code": "fever", "location": "whole_body", "side": "left"},
        {"code": "platelet_count", "location": "whole_body"},  # no value
        {"code": "open_wound", "location": "feet", "side": "", "value": None},
        {"code": "fever", "location": "whole_body", "resolved_on": TODAY - datetime.timedelta(days=5)},
    ]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            Condition.objects.create(client=client_of_tara, noted_on=TODAY, **fields)


def test_clearance_is_recorded_and_edited(login, therapist, client_of_tara):
    tara = login(therapist)
    response = tara.post(
        f"/clients/{client_of_tara.pk}/clearances/new/",
        {"physician": "Dr. Ito", "cleared_on": "2024-02-01", "restrictions": "No deep work."},
    )
    assert response.status_code == 302
    clearance = PhysicianClearance.objects.get()
    assert (clearance.client, clearance.physician) == (client_of_tara, "Dr. Ito")

    response = tara.post(
        f"/clients/{client_of_tara.pk}/clearances/{clearance.pk}/edit/",
        {"physician": "Dr. Ito", "cleared_on": "2024-02-01", "restrictions": "None.", "version": 1},
    )
    assert response.status_code == 302
    clearance.refresh_from_db()
    assert clearance.restrictions == "None." and clearance.version == 2
    assert clearance.history.count() == 2


def test_a_clearance_older_than_a_year_is_recorded_and_said_not_to_count_today(login, therapist, client_of_tara):
    from django.contrib.messages import get_messages

    url = f"/clients/{client_of_tara.pk}/clearances/new/"
    old = (timezone.localdate() - datetime.timedelta(days=366)).isoformat()
    response = login(therapist).post(url, {"physician": "Dr. Ito", "cleared_on": old})
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == [
        f"Physician clearance recorded for {client_of_tara}, but it is older than a year: it does not count for a "
        "session today. A session that needs a clearance needs a newer one."
    ]
    assert PhysicianClearance.objects.count() == 1
    recent = (timezone.localdate() - datetime.timedelta(days=365)).isoformat()
    response = login(therapist).post(url, {"physician": "Dr. Ito", "cleared_on": recent})
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == [f"Physician clearance recorded for {client_of_tara}."]


def test_clearance_in_the_future_is_refused(login, therapist, client_of_tara):
    response = login(therapist).post(
        f"/clients/{client_of_tara.pk}/clearances/new/", {"physician": "Dr. Ito", "cleared_on": "2999-01-01"}
    )
    assert "This date is in the future." in response.context["form"].errors["cleared_on"]
    assert not PhysicianClearance.objects.exists()


def test_client_page_shows_clearance_age_and_status(login, therapist, client_of_tara):
    make_clearance(client_of_tara, cleared_on=TODAY - datetime.timedelta(days=400), physician="Dr. Old")
    page = login(therapist).get(f"/clients/{client_of_tara.pk}/").content.decode()
    assert "Expired: older than a year" in page and "Dr. Old" in page
    make_clearance(client_of_tara, cleared_on=TODAY - datetime.timedelta(days=20), physician="Dr. New")
    page = login(therapist).get(f"/clients/{client_of_tara.pk}/").content.decode()
    assert "Current" in page and "Dr. New" in page and "Earlier clearances (1)" in page


def test_active_conditions_are_grouped_by_what_they_mean_for_massage(login, therapist, client_of_tara):
    make_condition(client_of_tara, "open_wound", location="feet", side="left")
    make_condition(client_of_tara, "fever")
    make_condition(client_of_tara, "anticoagulant")
    make_condition(client_of_tara, "insulin_user")
    make_condition(client_of_tara, "platelet_count", value=250_000)
    response = login(therapist).get(f"/clients/{client_of_tara.pk}/")
    groups = {group.severity: [item.condition.code for item in group.items] for group in response.context["meanings"]}
    assert groups == {
        "defer": ["fever"],
        "avoid": ["open_wound"],
        "modify": ["anticoagulant"],
        "caution": ["insulin_user"],
        None: ["platelet_count"],
    }
    wound = next(g for g in response.context["meanings"] if g.severity == "avoid").items[0]
    assert "Do not work: left foot" in wound.effects


def test_only_the_latest_recent_lab_result_is_listed_as_active(login, therapist, client_of_tara):
    old = make_condition(client_of_tara, "platelet_count", value=40_000, noted_on=TODAY - datetime.timedelta(days=30))
    newer = make_condition(client_of_tara, "platelet_count", value=90_000, noted_on=TODAY - datetime.timedelta(days=3))
    response = login(therapist).get(f"/clients/{client_of_tara.pk}/")
    listed = [item.condition for group in response.context["meanings"] for item in group.items]
    assert listed == [newer]
    assert response.context["past_conditions"] == [old]


def test_a_condition_sent_twice_is_refused_and_a_second_wound_elsewhere_is_not(login, therapist, client_of_tara):
    wound = {"code": "open_wound", "location": "feet", "side": "left", "detail": "heel", "noted_on": "2026-12-01"}
    assert post_condition(login, therapist, client_of_tara, **wound).status_code == 302
    again = post_condition(login, therapist, client_of_tara, **wound)
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [
        "Open wound, left foot (heel) noted on 1 Dec 2026 is already on the record. "
        "If this is another one, say in Detail where it is."
    ]
    assert post_condition(login, therapist, client_of_tara, **{**wound, "detail": "second toe"}).status_code == 302
    # A result entered in error does not count as a twin, and a second count of the day with its own value is kept.
    count = {"code": "platelet_count", "value": "45000", "noted_on": "2026-12-01"}
    assert post_condition(login, therapist, client_of_tara, **count).status_code == 302
    client_of_tara.conditions.filter(code="platelet_count").update(entered_in_error=True)
    assert post_condition(login, therapist, client_of_tara, **count).status_code == 302
    assert post_condition(login, therapist, client_of_tara, **{**count, "value": "52000"}).status_code == 302
    assert client_of_tara.conditions.count() == 5


def edit_wound(login, user, wound, **changes):
    """Post the edit form of a left-foot open wound with these changes."""
    data = {
        "code": "open_wound",
        "location": "feet",
        "side": "left",
        "noted_on": wound.noted_on.isoformat(),
        "version": wound.version,
        **changes,
    }
    return login(user).post(f"/clients/{wound.client_id}/conditions/{wound.pk}/edit/", data)


@pytest.mark.parametrize("copies", [1, 2])
def test_editing_a_condition_does_not_find_itself_a_twin(login, therapist, client_of_tara, copies):
    """Resolving one of two copies entered before twins were refused goes through too."""
    for _ in range(copies):
        condition = make_condition(client_of_tara, "open_wound", location="feet", side="left", detail="heel")
    response = edit_wound(login, therapist, condition, detail="heel", resolved_on=TODAY.isoformat())
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.resolved_on == TODAY


def test_a_clearance_sent_twice_is_refused(login, clinic_admin, client_of_tara):
    data = {"physician": "Dr. Osei", "cleared_on": "2026-11-30", "restrictions": "Semi-reclined only."}
    browser = login(clinic_admin)
    assert browser.post(f"/clients/{client_of_tara.pk}/clearances/new/", data).status_code == 302
    again = browser.post(f"/clients/{client_of_tara.pk}/clearances/new/", data)
    assert again.status_code == 200
    message = again.context["form"].non_field_errors()[0]
    assert message.startswith("The clearance by Dr. Osei on 30 Nov 2026 is already on the record")
    assert client_of_tara.clearances.count() == 1


def test_an_edit_into_a_twin_of_another_condition_is_refused(login, therapist, client_of_tara):
    make_condition(client_of_tara, "open_wound", location="feet", side="left", detail="heel")
    toe = make_condition(client_of_tara, "open_wound", location="feet", side="left", detail="toe")
    response = edit_wound(login, therapist, toe, detail="heel")
    assert response.status_code == 200 and "is already on the record" in response.content.decode()
    toe.refresh_from_db()
    assert toe.detail == "toe"


def test_the_client_page_links_each_condition_to_its_pages(login, therapist, client_of_tara):
    # The rows write plain paths (the page's render time): the same as {% url %}.
    from django.urls import reverse

    today = timezone.localdate()
    wound = make_condition(client_of_tara, code="open_wound", location="feet", side="left")
    platelets = make_condition(client_of_tara, code="platelet_count", value=140_000, noted_on=today)
    healed = make_condition(
        client_of_tara, code="open_wound", location="legs", side="right", noted_on=today - datetime.timedelta(days=9)
    )
    healed.resolved_on = today - datetime.timedelta(days=2)
    healed.save()
    page = login(therapist).get(f"/clients/{client_of_tara.pk}/").content.decode()
    for condition in (wound, platelets, healed):
        assert f'href="{reverse("clients:condition-edit", args=[client_of_tara.pk, condition.pk])}"' in page
    assert f'action="{reverse("clients:condition-resolve", args=[client_of_tara.pk, wound.pk])}"' in page
    edit = reverse("clients:condition-edit", args=[client_of_tara.pk, platelets.pk])
    assert f'href="{edit}#entered-in-error"' in page
