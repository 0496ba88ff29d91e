"""The client document's "assessments": export, import into an empty database, export again."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from clients import assessments
from clients.assessments import MnsiQuestionnaire, MonofilamentSite, MonofilamentTest
from clients.documents import export_client
from clients.importing import import_documents
from clients.models import Client, Condition, PhysicianClearance
from tests.factories import make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SITES = ("hallux", "met1", "met5")


def answers(absent=(), not_tested=(), sham_yes=()):
    result = {}
    for foot in ("right", "left"):
        for site in SITES:
            if (foot, site) in not_tested:
                result[(foot, site)] = {"tested": False, "real_1": None, "real_2": None, "sham": None}
            else:
                felt = (foot, site) not in absent
                result[(foot, site)] = {
                    "tested": True,
                    "real_1": felt,
                    "real_2": felt,
                    "sham": (foot, site) in sham_yes,
                }
    return result


def client_with_assessments(therapist):
    client = make_client(external_id="C-7", care_team=[therapist])
    for days, kwargs in ((90, {}), (45, {"absent": [("left", "met1")], "not_tested": [("right", "met5")]}), (5, {})):
        assessments.record_monofilament(
            client,
            tested_on=TODAY - timedelta(days=days),
            performed_by="therapist",
            therapist=therapist,
            clinician="",
            notes="",
            answers=answers(**kwargs),
            recorded_by=therapist,
        )
    assessments.record_monofilament(
        client,
        tested_on=TODAY - timedelta(days=5),
        performed_by="clinician",
        therapist=None,
        clinician="Dr. Anika Shah",
        notes="podiatry clinic",
        answers=answers(sham_yes=[("left", site) for site in SITES]),
        recorded_by=therapist,
    )
    for days, yes in ((90, [1, 2, 5]), (40, [1, 2, 3, 5, 6, 11, 12])):
        flags = [n in yes for n in range(1, 16)]
        MnsiQuestionnaire.objects.create(
            client=client,
            answered_on=TODAY - timedelta(days=days),
            how="read_aloud",
            answers=flags,
            score=assessments.mnsi_score(flags),
            entered_by=therapist,
        )
    return client


def empty_database():
    MonofilamentSite.objects.all().delete()
    MonofilamentTest.objects.all().delete()
    MnsiQuestionnaire.objects.all().delete()
    Condition.objects.all().delete()
    PhysicianClearance.objects.all().delete()
    Client.objects.all().delete()


def test_assessments_are_exported_with_answers_and_scores(therapist):
    document = export_client(client_with_assessments(therapist))
    kinds = [entry["kind"] for entry in document["assessments"]]
    assert kinds == ["monofilament", "mnsi", "monofilament", "mnsi", "monofilament", "monofilament"]
    second = document["assessments"][2]
    assert second["feet"]["left"]["result"] == "absent"
    assert second["feet"]["left"]["sites"]["met1"] == {
        "tested": True,
        "real": [False, False],
        "sham": False,
        "result": "absent",
    }
    assert second["feet"]["right"]["sites"]["met5"] == {
        "tested": False,
        "real": None,
        "sham": None,
        "result": "not_tested",
    }
    assert second["therapist"] == "tara" and second["performed_by"] == "therapist"
    supplied = document["assessments"][-1]
    assert supplied["clinician"] == "Dr. Anika Shah" and supplied["feet"]["left"]["unreliable"] is True
    mnsi = document["assessments"][3]
    assert (
        mnsi["score"] == 9
    )  # seven scored "yes", and "no" to 7 and 13 and mnsi["answers"][0] is True and mnsi["entered_by"] == "tara"


def test_export_import_into_an_empty_database_export_gives_the_same_assessments(therapist):
    exported = json.loads(json.dumps(export_client(client_with_assessments(therapist))))
    empty_database()
    report = import_documents(exported)
    assert report.saved, report.error_messages()
    client = Client.objects.get()
    again = export_client(client)
    assert again["assessments"] == exported["assessments"]
    assert again["conditions"] == exported["conditions"]
    # The test's loss of protective sensation is linked to the imported condition, not duplicated.
    assert Condition.objects.filter(code="loss_of_protective_sensation").count() == 1
    lost = MonofilamentTest.objects.get(tested_on=TODAY - timedelta(days=45))
    assert lost.left_condition.code == "loss_of_protective_sensation"
    # Importing the same document again adds nothing.
    report = import_documents(exported)
    assert report.saved and MonofilamentTest.objects.count() == 4 and MnsiQuestionnaire.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (lambda a: a[1].update(score=12), "assessments[1].score", "does not match the answers"),
        (lambda a: a[1].update(answers=[True] * 14), "assessments[1].answers", "expected 15 answers"),
        (lambda a: a[0].update(kind="balance"), "assessments[0].kind", "expected 'monofilament' or 'mnsi'"),
        (lambda a: a[0].update(date="2026-13-01"), "assessments[0].date", "'2026-13-01' is not a date on the calendar"),
        (lambda a: a[0].update(therapist="nobody"), "assessments[0].therapist", "no account"),
        (
            lambda a: a[0]["feet"]["left"]["sites"]["met1"].update(real=[True]),
            "assessments[0].feet.left.sites.met1.real",
            "two real touches",
        ),
        (lambda a: a[5].update(clinician=""), "assessments[5].clinician", "name the clinician"),
    ],
)
def test_bad_assessments_are_reported_by_field_and_nothing_is_saved(therapist, change, where, message):
    exported = json.loads(json.dumps(export_client(client_with_assessments(therapist))))
    empty_database()
    change(exported["assessments"])
    report = import_documents(exported)
    assert not report.saved
    assert any(w == where and message in m for w, m in report.records[0].errors), report.error_messages()
    assert not Client.objects.exists() and not MonofilamentTest.objects.exists()


def _flip(entry, *path):
    """Set the result at path (in a monofilament entry's feet) to the other one of present/absent."""
    *parents, last = path
    node = entry["feet"]
    for key in parents:
        node = node[key]
    node[last] = "present" if node[last] == "absent" else "absent"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda a: _flip(a[0], "left", "sites", "met1", "result"), "assessments[0].feet.left.sites.met1.result"),
        (lambda a: _flip(a[0], "right", "result"), "assessments[0].feet.right.result"),
        (
            lambda a: a[0]["feet"]["right"].update(unreliable=not a[0]["feet"]["right"]["unreliable"]),
            "assessments[0].feet.right.unreliable",
        ),
        (
            lambda a: a[0]["feet"]["left"]["sites"]["met5"].update(tested=False),
            "assessments[0].feet.left.sites.met5",
        ),
    ],
)
def test_a_monofilament_result_that_contradicts_its_answers_is_refused(therapist, change, where):
    exported = json.loads(json.dumps(export_client(client_with_assessments(therapist))))
    empty_database()
    change(exported["assessments"])
    report = import_documents(exported)
    assert not report.saved
    assert any(
        w == where and ("does not match" in m or "not tested has no answers" in m) for w, m in report.records[0].errors
    ), report.error_messages()
    assert not Client.objects.exists() and not MonofilamentTest.objects.exists()
