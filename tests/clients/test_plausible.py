"""Implausible values are refused with the field named, on the forms and in the import alike (RULES.md)."""

import datetime

import pytest
from django.utils import timezone

from clients.documents import SCHEMA
from clients.importing import ImportFileError, import_documents, parse_json
from clients.models import Client, Condition
from tests.clients.test_intake import intake
from tests.factories import make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def document(therapist, **fields):
    return {
        "schema": SCHEMA,
        "first_name": "Ann",
        "last_name": "Lee",
        "date_of_birth": "1950-03-01",
        "neuropathy": {"type": "DPN"},
        "care_team": [therapist.username],
        **fields,
    }


def refused(report):
    """The error messages of a one-document import that must have saved nothing."""
    assert not report.saved
    return report.error_messages()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("first_name", "-1", "A name needs at least one letter."),
        ("last_name", "{{7*7}}", "A name needs at least one letter."),
        ("phone", "<script>alert(1)</script>", "Enter a phone number"),
        ("phone", "NaN", "Enter a phone number"),
        ("phone", "555", "Enter a phone number of 6 to 20 digits, e.g. +1 555 0100; this one has 3."),
        ("consented_on", "1950-01-01", "before the client's date of birth"),
        ("diagnosed_on", "1957-12-31", "The diagnosis date is before the date of birth."),
    ],
)
def test_intake_form_refuses_implausible_identity(login, clinic_admin, therapist, field, value, message):
    response = login(clinic_admin).post("/clients/new/", intake(therapist, **{field: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors.get(field, []) + _profile_errors(response, field))
    assert not Client.objects.exists()


def _profile_errors(response, field):
    profile = response.context.get("profile")
    return profile.errors.get(field, []) if profile is not None else []


@pytest.mark.parametrize("name", ["Zoë", "李", "Ó Súilleabháin", "Nguyễn", "D'Arcy-2"])
def test_names_of_any_script_are_accepted(therapist, name):
    report = import_documents([document(therapist, first_name=name)])
    assert report.saved, report.error_messages()


@pytest.mark.parametrize("phone", ["+44 20 7946 0958", "(555) 010-0199", "555.0100 ext. 12", "+1-555-0100"])
def test_real_phone_numbers_are_accepted(therapist, phone):
    assert import_documents([document(therapist, phone=phone)]).saved


@pytest.mark.parametrize(
    "code, value, ok",
    [
        ("platelet_count", 2_147_483_647, False),
        ("platelet_count", 2_000_001, False),
        ("platelet_count", 2_000_000, True),
        ("platelet_count", 0, True),
        ("anc", 999_999_999, False),
        ("anc", 100_000, True),
    ],
)
def test_lab_values_outside_the_plausible_range_are_refused(login, therapist, code, value, ok):
    client = make_client(care_team=[therapist])
    response = login(therapist).post(
        f"/clients/{client.pk}/conditions/new/", {"code": code, "value": str(value), "noted_on": TODAY.isoformat()}
    )
    assert Condition.objects.filter(client=client).exists() is ok
    if not ok:
        assert "not a plausible result" in " ".join(response.context["form"].errors["value"])

    entry = {"code": code, "value": value, "noted_on": TODAY.isoformat()}
    report = import_documents([document(therapist, external_id=f"X-{code}-{value}", conditions=[entry])])
    assert report.saved is ok
    if not ok:
        assert any("conditions[0].value" in message for message in report.error_messages())


def test_condition_and_clearance_before_birth_are_refused(login, therapist):
    client = make_client(care_team=[therapist], date_of_birth=datetime.date(1960, 5, 5))
    response = login(therapist).post(
        f"/clients/{client.pk}/conditions/new/", {"code": "vte_history", "noted_on": "1960-05-04"}
    )
    assert "before the client's date of birth" in " ".join(response.context["form"].errors["noted_on"])
    response = login(therapist).post(
        f"/clients/{client.pk}/clearances/new/", {"physician": "Dr. Shah", "cleared_on": "1901-01-01"}
    )
    assert "before the client's date of birth" in " ".join(response.context["form"].errors["cleared_on"])
    assert not client.conditions.exists() and not client.clearances.exists()

    messages = refused(
        import_documents(
            [
                document(
                    therapist,
                    conditions=[{"code": "vte_history", "noted_on": "1949-01-01"}],
                    clearance={"physician": "Dr. Shah", "date": "0001-01-01"},
                    consented_on="1949-12-31",
                )
            ]
        )
    )
    assert any("conditions[0].noted_on: This date is before" in message for message in messages)
    assert any("clearance.date: This date is before" in message for message in messages)
    assert any("consented_on" in message for message in messages)


# The import crashed on each of these; now each is refused with the record and field named.
HOSTILE = [
    ({"care_team": [["tara"]]}, "care_team[0]"),
    ({"neuropathy": {"type": "DPN", "contributing_causes": [{}]}}, "neuropathy.contributing_causes[0]"),
    ({"conditions": [{"code": [], "noted_on": "2026-01-01"}]}, "conditions[0].code"),
    ({"conditions": [{"code": "port", "location": {}, "side": [1], "noted_on": "2026-01-01"}]}, "conditions[0]"),
    (
        {"neuropathy": {"type": "DPN", "regions": [{"region": "feet", "side": "left", "symptoms": [["x"]]}]}},
        "neuropathy.regions[0].symptoms[0]",
    ),
    ({"neuropathy": {"type": "DPN", "regions": [{"region": [], "side": "left"}]}}, "neuropathy.regions[0].region"),
    ({"first_name": "A\x00b"}, "first_name: contains a NUL character"),
    ({"last_name": "\ud800"}, "last_name: contains a broken character"),
    ({"clearance": {"physician": "Dr\x00", "date": "2026-01-01"}}, "clearance.physician"),
    # Looked up in the database before the check (the id of a client to update, the care team's users).
    ({"external_id": "\ud800"}, "external_id: contains a broken character"),
    ({"external_id": "C-\x00"}, "external_id: contains a NUL character"),
    ({"care_team": ["\ud800"]}, "care_team[0]: contains a broken character"),
    ({"care_team": ["ta\x00ra"]}, "care_team[0]: contains a NUL character"),
    ({"neuropathy": {"type": []}}, "neuropathy.type"),
    ({"schema": []}, "schema"),
    ({"assessments": {"x": 1}}, "assessments"),
]


@pytest.mark.parametrize("fields, where", HOSTILE)
def test_hostile_documents_are_refused_naming_the_field(therapist, fields, where):
    messages = refused(import_documents([document(therapist, **fields)]))
    assert any(message.startswith(f"document 1, {where}") for message in messages), messages
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('[{"x": ' + "9" * 5000 + "}]", "5000 digits"),
        ('[{"x": NaN}]', "NaN is not a number"),
    ],
)
def test_unreadable_json_is_refused_as_a_whole(text, message):
    with pytest.raises(ImportFileError, match=message):
        parse_json(text)


def test_codes_are_read_in_any_case(therapist):
    report = import_documents(
        [
            document(
                therapist,
                neuropathy={"type": "cipn", "regions": [{"region": "Feet", "side": "LEFT", "symptoms": ["Numbness"]}]},
                conditions=[{"code": "Open_Wound", "location": "feet", "side": "Left", "noted_on": TODAY.isoformat()}],
            )
        ]
    )
    assert report.saved, report.error_messages()
    client = Client.objects.get()
    assert client.neuropathy_type == "CIPN"
    assert client.symptoms == {"feet:left": ["numbness"]}
    assert client.conditions.get().code == "open_wound"


def test_a_non_text_external_id_is_named_not_crashed_on(therapist):
    messages = refused(import_documents([document(therapist, external_id=["C-1"])]))
    assert messages == ["document 1, external_id: must be text"]


def test_the_intake_reports_every_error_at_once(login, clinic_admin, therapist):
    """A date error does not wait until an unrelated field is fixed."""
    data = intake(therapist, first_name="", phone="NaN", diagnosed_on="1950-01-01", consented_on="1900-01-01")
    response = login(clinic_admin).post("/clients/new/", data)
    form, profile = response.context["form"], response.context["profile"]
    assert {"first_name", "phone", "consented_on"} <= set(form.errors)
    assert "diagnosed_on" in profile.errors
