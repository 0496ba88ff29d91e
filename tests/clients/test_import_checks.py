"""What an imported client document may say of people and free text: a username is text, a measure
is recorded by the client's care team (as the forms allow), and texts keep the forms' limits."""

import pytest

from clients.assessments import MnsiQuestionnaire, MonofilamentTest
from clients.importing import import_documents
from clients.models import Client, PhysicianClearance
from clients.validators import SHORT_TEXT
from tests.clients.test_documents import minimal
from tests.factories import make_client, make_therapist

pytestmark = pytest.mark.django_db
SITE_FELT = {"tested": True, "real": [True, True], "sham": False}


def monofilament(**overrides):
    entry = {
        "kind": "monofilament",
        "date": "2024-05-01",
        "performed_by": "therapist",
        "therapist": "tara",
        "clinician": None,
        "notes": "",
        "recorded_by": "tara",
        "feet": {
            foot: {"sites": {site: SITE_FELT for site in ("hallux", "met1", "met5")}} for foot in ("right", "left")
        },
    }
    entry.update(overrides)
    return entry


def mnsi(**overrides):
    entry = {"kind": "mnsi", "date": "2024-05-01", "how": "read_aloud", "answers": [False] * 15, "entered_by": "tara"}
    entry.update(overrides)
    return entry


def errors_of(report):
    return [error for record in report.records for error in record.errors]


def assert_refused(report, where, message):
    assert not report.saved
    assert any(w == where and message in m for w, m in errors_of(report)), report.error_messages()
    assert any(line.startswith(f"document 1, {where}: ") for line in report.error_messages())
    assert not MonofilamentTest.objects.exists() and not MnsiQuestionnaire.objects.exists()


@pytest.mark.parametrize("username", [["tara"], {"u": "tara"}, 7, True])
@pytest.mark.parametrize(
    ("entry", "key"),
    [(mnsi, "entered_by"), (monofilament, "recorded_by"), (monofilament, "therapist")],
)
def test_a_username_that_is_not_text_is_named_not_a_server_error(therapist, username, entry, key):
    report = import_documents(minimal(assessments=[entry(**{key: username})]))
    assert_refused(report, f"assessments[0].{key}", "expected a username (text)")
    assert not Client.objects.exists()


def test_a_missing_username_is_named(therapist):
    report = import_documents(minimal(assessments=[mnsi(entered_by=None)]))
    assert_refused(report, "assessments[0].entered_by", "a username is required")


@pytest.mark.parametrize(
    ("entry", "key"),
    [(mnsi, "entered_by"), (monofilament, "recorded_by"), (monofilament, "therapist")],
)
def test_only_a_therapist_records_a_measure_as_on_the_forms(therapist, clinic_admin, entry, key):
    report = import_documents(minimal(assessments=[entry(**{key: clinic_admin.username})]))
    assert_refused(report, f"assessments[0].{key}", f"{clinic_admin.username!r} is not a therapist")
    assert not Client.objects.exists()


def test_a_measure_by_someone_on_the_care_team_before_still_imports(therapist, second_therapist):
    """The client's own export imports back after the care team changed: sam recorded, then left the team."""
    import_documents(minimal(care_team=["tara", "sam"]))
    client = Client.objects.get()
    client.care_team.set([therapist])
    client.save()  # a history row without sam, as the edit form writes
    report = import_documents(minimal(care_team=["tara"], assessments=[mnsi(entered_by="sam")]))
    assert report.saved, report.error_messages()
    assert MnsiQuestionnaire.objects.get().entered_by == second_therapist


def test_a_measure_by_the_care_team_on_record_imports_without_a_care_team_in_the_file(therapist):
    make_client(external_id="C-2000", care_team=[therapist])
    document = minimal(assessments=[mnsi(), monofilament()])
    del document["care_team"]
    report = import_documents(document)
    assert report.saved, report.error_messages()
    assert MnsiQuestionnaire.objects.count() == 1 and MonofilamentTest.objects.count() == 1


def test_a_clients_export_imports_into_an_empty_clinic_after_its_team_changed(therapist, second_therapist):
    """sam recorded a measure, then left the care team: the export names tara only, and an empty
    clinic has no history of the team, yet the document imports there as it is."""
    document = minimal(care_team=["tara"], assessments=[monofilament(therapist="sam", recorded_by="sam")])
    report = import_documents(document)
    assert report.saved, report.error_messages()
    assert MonofilamentTest.objects.get().therapist == second_therapist


def test_a_measure_by_someone_holding_both_roles_imports(therapist, clinic_admin):
    from django.contrib.auth.models import Group

    from clients.roles import THERAPIST

    clinic_admin.groups.add(Group.objects.get(name=THERAPIST))
    report = import_documents(minimal(assessments=[mnsi(entered_by=clinic_admin.username)]))
    assert report.saved, report.error_messages()


def test_clearance_restrictions_keep_the_forms_limit(therapist):
    def clearance(restrictions):
        return {"physician": "Dr. Shah", "date": "2024-02-01", "restrictions": restrictions}

    report = import_documents(minimal(clearance=clearance("x" * (SHORT_TEXT + 1))))
    assert not report.saved
    assert ("clearance.restrictions", "Ensure this value has at most 2000 characters (it has 2001).") in errors_of(
        report
    )
    assert not Client.objects.exists() and not PhysicianClearance.objects.exists()
    # A line break counts once, as in the form: 1,000 lines of "x" are 1,999 characters there.
    report = import_documents(minimal(clearance=clearance("\r\n".join(["x"] * 1_000))))
    assert report.saved, report.error_messages()


def test_monofilament_notes_keep_the_forms_limit(therapist):
    report = import_documents(minimal(assessments=[monofilament(notes="x" * (SHORT_TEXT + 1))]))
    assert_refused(report, "assessments[0].notes", "at most 2000 characters")
    assert not Client.objects.exists()
    report = import_documents(minimal(assessments=[monofilament(notes="x" * SHORT_TEXT)]))
    assert report.saved, report.error_messages()


def test_a_therapist_who_left_the_clinic_keeps_the_measures_they_recorded(therapist):
    leaver = make_therapist(username="lee")
    import_documents(minimal(care_team=["tara", "lee"]))
    leaver.is_active = False
    leaver.save()
    document = minimal(assessments=[mnsi(entered_by="lee")])
    del document["care_team"]
    report = import_documents(document)
    assert report.saved, report.error_messages()


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"conditions": [{"code": "x" * 1_000_000, "noted_on": "2024-03-01"}]}, "conditions[0].code"),
        ({"care_team": ["t" * 1_000_000]}, "care_team[0]"),
        (
            {"conditions": [{"code": "platelet_count", "value": 10**300, "noted_on": "2024-03-01"}]},
            "conditions[0].value",
        ),
        ({"neuropathy": {"type": "DPN", "contributing_causes": ["c" * 100_000]}}, "neuropathy.contributing_causes[0]"),
    ],
)
def test_a_huge_bad_value_is_quoted_by_its_start_not_whole(therapist, overrides, where):
    report = import_documents(minimal(**overrides))
    assert not report.saved
    messages = [m for w, m in errors_of(report) if w == where]
    assert messages, report.error_messages()
    # Quoted by its first characters: a line of the report, not a page of megabytes.
    assert all(len(message) < 160 for _w, message in errors_of(report)), [m[:200] for m in messages]
