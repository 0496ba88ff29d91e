"""Control characters and invisible formatting in a name, an id or a note: refused by the forms and the
import, naming the field (and the row), since "AB" and "A\x1fB" look the same and are not."""

import pytest
from django.utils import timezone

from clients.importing import import_documents, read_upload
from clients.models import Client, Condition, PhysicianClearance
from tests.factories import client_document as document
from tests.factories import make_client

pytestmark = pytest.mark.django_db


CONTROLS = ["Ann\x1b[2J", "An\x07n", "Ann\u202e", "An\tn", "Ann\nSmith", "\ufeffAnn"]


@pytest.mark.parametrize("name", CONTROLS)
def test_an_imported_name_with_a_control_character_is_refused(therapist, name):
    report = import_documents(document(last_name=name))
    assert not report.saved
    [message] = report.error_messages()
    assert message.startswith("document 1, last_name: ") and "character" in message
    assert not Client.objects.exists()


@pytest.mark.parametrize(
    "fields, where",
    [
        ({"external_id": "H\x1f1"}, "external_id"),
        ({"emergency_contact": "Bob\x01 555 0100"}, "emergency_contact"),
        ({"referring_physician": "Dr\x00\x08 X"}, "referring_physician"),
        ({"clearance": {"physician": "Dr\x07 X", "date": "2024-01-01", "restrictions": ""}}, "clearance.physician"),
        (
            {
                "conditions": [
                    {
                        "code": "open_wound",
                        "location": "feet",
                        "side": "left",
                        "detail": "heel\x1b",
                        "noted_on": "2024-01-01",
                    }
                ]
            },
            "conditions[0].detail",
        ),
    ],
)
def test_a_control_character_elsewhere_is_refused_naming_the_field(therapist, fields, where):
    report = import_documents(document(**fields))
    assert not report.saved
    assert any(message.startswith(f"document 1, {where}: ") for message in report.error_messages())
    assert not Client.objects.exists() and not Condition.objects.exists()


def test_a_csv_cell_with_a_control_character_is_refused_naming_row_and_column(therapist):
    text = (
        "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team\n"
        "H-1,Ann,Lee,1960-01-02,,,DPN,tara\n"
        "H-2,Bo\x1b,Lee,1960-01-02,,,DPN,tara\n"
    )
    docs, labels = read_upload("clients.csv", text.encode())
    report = import_documents(docs, labels=labels, csv=True)
    [message] = report.error_messages()
    assert message.startswith("row 3, first_name: ")
    assert not Client.objects.exists()


def test_a_name_in_a_right_to_left_script_is_kept(therapist):
    # Joiners belong to some scripts: only controls and invisible formatting are refused.
    report = import_documents(document(first_name="نرگس", last_name="می\u200cخواهم"))
    assert report.saved, report.error_messages()


def test_the_client_form_refuses_a_control_character_naming_the_field(login, clinic_admin, therapist):
    client = make_client(care_team=[therapist], external_id="H-1")
    data = {
        "first_name": "Ann\x07",
        "last_name": "Lee",
        "date_of_birth": "1960-01-02",
        "external_id": "H\x1f1",
        "care_team": [therapist.pk],
        "version": client.version,
    }
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", data)
    assert response.status_code in (200, 400)
    errors = response.context["form"].errors
    assert set(errors) == {"first_name", "external_id"}
    assert "control character" in errors["first_name"][0]
    client.refresh_from_db()
    assert client.first_name != "Ann\x07"


def test_the_condition_and_clearance_forms_refuse_a_control_character(login, therapist):
    client = make_client(care_team=[therapist])
    today = timezone.localdate().isoformat()
    condition = {"code": "open_wound", "location": "feet", "side": "left", "detail": "heel\x1b[31m", "noted_on": today}
    response = login(therapist).post(f"/clients/{client.pk}/conditions/new/", condition)
    assert "detail" in response.context["form"].errors
    clearance = {"physician": "Dr\x07 Shah", "cleared_on": today, "restrictions": "none"}
    response = login(therapist).post(f"/clients/{client.pk}/clearances/new/", clearance)
    assert "physician" in response.context["form"].errors
    assert not Condition.objects.exists() and not PhysicianClearance.objects.exists()


def test_line_breaks_stay_welcome_in_clearance_restrictions(login, therapist):
    client = make_client(care_team=[therapist])
    today = timezone.localdate().isoformat()
    clearance = {"physician": "Dr Shah", "cleared_on": today, "restrictions": "No deep work.\r\n\tFeet: light only."}
    response = login(therapist).post(f"/clients/{client.pk}/clearances/new/", clearance)
    assert response.status_code == 302
    assert PhysicianClearance.objects.get().restrictions.startswith("No deep work.")


def test_imported_monofilament_notes_keep_line_breaks_and_refuse_other_controls(therapist):
    from tests.clients.test_import_checks import monofilament

    report = import_documents(document(assessments=[monofilament(notes="Callus, left heel.\x1b[0m")]))
    assert [message.split(": ")[0] for message in report.error_messages()] == ["document 1, assessments[0].notes"]
    assert not Client.objects.exists()
    report = import_documents(document(assessments=[monofilament(notes="Callus.\r\n\tLeft heel.")]))
    assert report.saved, report.error_messages()


def test_the_monofilament_form_refuses_a_control_character_in_its_notes(login, therapist):
    from tests.clients.test_assessments import monofilament_data

    client = make_client(care_team=[therapist])
    response = login(therapist).post(f"/clients/{client.pk}/monofilament/new/", monofilament_data(notes="ok\x07"))
    assert list(response.context["form"].errors) == ["notes"]
    response = login(therapist).post(f"/clients/{client.pk}/monofilament/new/", monofilament_data(notes="a\r\nb"))
    assert response.status_code == 302
