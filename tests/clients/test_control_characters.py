"""Control characters and invisible formatting in a name, an id or a note: refused by the forms and the
import, naming the field (and the row), since "AB" and "A\x1fB" look the same and are not."""

import pytest
from django.utils import timezone

from clients.assessments import MonofilamentTest
from clients.importing import import_documents, read_upload
from clients.models import Client, Condition, PhysicianClearance
from tests.factories import client_document as document
from tests.factories import make_clearance, make_client, make_condition

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


# A trailing line break or tab (a spreadsheet cell often ends with one) is stripped, as the forms strip it:
# what is stored is what is checked.
TRAILING = [
    ({"clearance": {"physician": "Dr Shah\n", "date": "2024-01-01", "restrictions": "none\r\n"}}, "Dr Shah"),
    (
        {
            "conditions": [
                {
                    "code": "open_wound",
                    "location": "feet",
                    "side": "left",
                    "detail": "heel\r\n",
                    "noted_on": "2024-01-01",
                }
            ]
        },
        "heel",
    ),
    ({"first_name": "Ann\t", "last_name": "\tLee\r\n", "external_id": "H-1\n"}, "Ann"),
    ({"emergency_contact": "Bob 555 0100\t", "referring_physician": "Dr Shah\r\n"}, "Dr Shah"),
]


@pytest.mark.parametrize("fields, kept", TRAILING)
def test_an_imported_value_ending_in_a_line_break_or_tab_is_kept_stripped(therapist, fields, kept):
    report = import_documents(document(**fields))
    assert report.saved, report.error_messages()
    client = Client.objects.get()
    stored = [
        client.first_name,
        client.referring_physician,
        *(clearance.physician for clearance in client.clearances.all()),
        *(condition.detail for condition in client.conditions.all()),
    ]
    assert kept in stored
    assert client.external_id == "H-1" and client.last_name == "Lee"


def test_an_imported_clinician_ending_in_a_line_break_is_kept_stripped(therapist):
    from tests.clients.test_import_checks import monofilament

    entry = monofilament(performed_by="clinician", therapist=None, clinician="Dr Shah\r\n", notes="Callus.\n")
    report = import_documents(document(assessments=[entry]))
    assert report.saved, report.error_messages()
    assert MonofilamentTest.objects.get().clinician == "Dr Shah"


def test_a_line_break_inside_an_imported_physician_is_still_refused(therapist):
    clearance = {"physician": "Dr\nShah\n", "date": "2024-01-01", "restrictions": ""}
    report = import_documents(document(clearance=clearance))
    assert [message.split(": ")[0] for message in report.error_messages()] == ["document 1, clearance.physician"]


# Rows saved before the check may hold a tab or an escape: an edit that leaves that text as it is
# is not refused for it; text typed anew still is.
OLD = {"referring_physician": "Dr\tShah", "emergency_contact": "Bob\x1b 555 0100"}


def client_data(client, therapist, **changes):
    data = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "phone": client.phone,
        "email": client.email,
        "emergency_contact": client.emergency_contact,
        "referring_physician": client.referring_physician,
        "external_id": client.external_id,
        "care_team": [therapist.pk],
        "version": client.version,
    }
    data.update(changes)
    return data


def test_editing_the_phone_keeps_a_contact_saved_before_the_check(login, clinic_admin, therapist):
    client = make_client(care_team=[therapist], **OLD)
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", client_data(client, therapist, phone="555 0199"))
    assert response.status_code == 302, response.context["form"].errors
    client.refresh_from_db()
    assert (client.phone, client.referring_physician, client.emergency_contact) == ("555 0199", *OLD.values())


def test_a_changed_contact_with_a_control_character_is_still_refused(login, clinic_admin, therapist):
    client = make_client(care_team=[therapist], **OLD)
    data = client_data(client, therapist, referring_physician="Dr\tJones")
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", data)
    assert set(response.context["form"].errors) == {"referring_physician"}
    client.refresh_from_db()
    assert client.referring_physician == "Dr\tShah"


def test_resolving_a_condition_keeps_a_detail_saved_before_the_check(login, therapist):
    client = make_client(care_team=[therapist])
    noted = timezone.localdate()
    condition = make_condition(client, detail="heel\tleft", noted_on=noted)
    data = {
        "code": "open_wound",
        "location": "feet",
        "side": "left",
        "detail": "heel\tleft",
        "noted_on": noted.isoformat(),
        "resolved_on": noted.isoformat(),
        "version": condition.version,
    }
    response = login(therapist).post(f"/clients/{client.pk}/conditions/{condition.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    condition.refresh_from_db()
    assert condition.resolved_on == noted and condition.detail == "heel\tleft"
    response = login(therapist).post(
        f"/clients/{client.pk}/conditions/{condition.pk}/edit/",
        {**data, "detail": "toe\tright", "version": condition.version},
    )
    assert set(response.context["form"].errors) == {"detail"}


def test_editing_a_clearance_keeps_a_physician_saved_before_the_check(login, therapist):
    client = make_client(care_team=[therapist])
    clearance = make_clearance(client, physician="Dr\tShah")
    data = {
        "physician": "Dr\tShah",
        "cleared_on": clearance.cleared_on.isoformat(),
        "restrictions": "Light pressure only.",
        "version": clearance.version,
    }
    response = login(therapist).post(f"/clients/{client.pk}/clearances/{clearance.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    clearance.refresh_from_db()
    assert clearance.restrictions == "Light pressure only."


def test_a_csv_update_keeps_a_contact_saved_before_the_check(therapist):
    client = make_client(care_team=[therapist], external_id="H-1", first_name="Ann", last_name="Lee", **OLD)
    text = (
        "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team\n"
        f"H-1,Ann,Lee,{client.date_of_birth.isoformat()},555 0199,,DPN,tara\n"
    )
    docs, labels = read_upload("clients.csv", text.encode())
    report = import_documents(docs, labels=labels, csv=True)
    assert report.saved, report.error_messages()
    client.refresh_from_db()
    assert (client.phone, client.referring_physician, client.emergency_contact) == ("555 0199", *OLD.values())


def test_an_import_that_repeats_a_stored_value_keeps_it_and_refuses_a_new_one(therapist):
    client = make_client(care_team=[therapist], external_id="H-1", first_name="Ann", last_name="Lee", **OLD)
    born = client.date_of_birth.isoformat()
    report = import_documents(document(date_of_birth=born, phone="555 0199", **OLD))
    assert report.saved, report.error_messages()
    report = import_documents(document(date_of_birth=born, referring_physician="Dr\tJones"))
    assert [message.split(": ")[0] for message in report.error_messages()] == ["document 1, referring_physician"]
    client.refresh_from_db()
    assert client.referring_physician == "Dr\tShah"


def test_a_stored_value_with_spaces_around_it_is_unchanged_when_sent_back_stripped(login, clinic_admin, therapist):
    client = make_client(care_team=[therapist], referring_physician=" Dr\tShah\n")
    response = login(clinic_admin).post(f"/clients/{client.pk}/edit/", client_data(client, therapist, phone="555 0199"))
    assert response.status_code == 302, response.context["form"].errors
    client.refresh_from_db()
    assert client.referring_physician == "Dr\tShah"


def test_the_import_check_shows_a_refused_name_with_its_hidden_characters_written_out(login, clinic_admin):
    """A right-to-left override in a refused name would turn the rest of the row around on the check page."""
    import io

    text = (
        "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team\n"
        "C-1,Ctl\u202eevil,Lee,1960-01-02,,,DPN,\n"
    )
    upload = io.BytesIO(text.encode())
    upload.name = "clients.csv"
    page = login(clinic_admin).post("/clients/import/", {"file": upload}).content.decode()
    assert "Ctl⟨U+202E⟩evil" in page and "\u202e" not in page
    assert not Client.objects.exists()
