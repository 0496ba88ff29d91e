"""The FHIR export: every resource valid against fhir.resources' R4B models, exact mappings, permissions,
and the bulk NDJSON command."""

import datetime
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from clients.assessments import MONOFILAMENT_SITES, MnsiQuestionnaire, mnsi_score, record_monofilament
from clients.models import Client
from planner import plans
from planner.corrections import ScoreCorrection
from planner.models import Addendum, PlanStatus, RecordItem, SessionPlan, SessionRecord
from tests import factories

pytestmark = pytest.mark.django_db

BASE = "https://planner.clinic.example/fhir"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
LATERALITY = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
TODAY = timezone.localdate()
RESOURCE_TYPES = {
    "Patient",
    "Condition",
    "Observation",
    "Procedure",
    "Encounter",
    "CarePlan",
    "Provenance",
    "DocumentReference",
    "Practitioner",
    "QuestionnaireResponse",
}
RECORD_DAY = TODAY - timedelta(days=3)


def resources(bundle, kind=None):
    found = [entry["resource"] for entry in bundle["entry"]]
    return [r for r in found if kind is None or r["resourceType"] == kind]


def by_id(bundle, kind, resource_id):
    (match,) = [r for r in resources(bundle, kind) if r["id"] == resource_id]
    return match


def codes(concept):
    return {(c["system"], c["code"]) for c in concept["coding"]}


def laterality(site):
    (extension,) = [e for e in site.get("extension", []) if e["url"] == LATERALITY]
    return codes(extension["valueCodeableConcept"])


def signed_session(client, therapist, *, day=RECORD_DAY, at=datetime.time(10, 0), deviation=True, addendum=True):
    """A plan for hands and feet on `day`, recorded and signed (one region above the planned pressure)."""
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(day, at),
        regions="hands,feet",
        created_by=therapist,
        goals="Ease the burning in the feet.",
    )
    worked = [item for item in plan.items.all() if item.is_worked]
    record = SessionRecord.objects.create(
        plan=plan,
        client=client,
        therapist=therapist,
        started_at=plan.scheduled_for,
        minutes=sum(item.minutes for item in worked),
        pain_before=6,
        pain_after=3,
        numbness_before=5,
        numbness_after=4,
        subjective="Burning at night.",
        adverse_events=["none"],
        signed_at=plan.scheduled_for + timedelta(hours=1),
        signed_by=therapist,
    )
    for n, item in enumerate(worked):
        used = item.pressure + 1 if deviation and n == 0 and item.pressure < 5 else item.pressure
        RecordItem.objects.create(
            record=record,
            plan_item=item,
            region=item.region,
            side=item.side,
            minutes=item.minutes,
            pressure_used=used,
            pressure_planned=item.pressure,
            deviation_reason="Client asked for firmer strokes." if used != item.pressure else "",
        )
    SessionPlan.objects.filter(pk=plan.pk).update(status=PlanStatus.DONE)
    if addendum:
        addendum = Addendum.objects.create(record=record, text="Pain after was 2, not 3.", author=therapist)
        ScoreCorrection.objects.create(addendum=addendum, record=record, field="pain_after", original=3, corrected=2)
    return record


def monofilament(client, therapist):
    """Right foot all felt; left foot: the hallux not felt (loss of protective sensation), met5 not tested."""
    felt = {"tested": True, "real_1": True, "real_2": True, "sham": False}
    answers = {(foot, site): dict(felt) for foot in ("right", "left") for site in MONOFILAMENT_SITES}
    answers[("left", "hallux")] = {"tested": True, "real_1": False, "real_2": False, "sham": False}
    answers[("left", "met5")] = {"tested": False, "real_1": None, "real_2": None, "sham": None}
    return record_monofilament(
        client,
        tested_on=RECORD_DAY,
        performed_by="therapist",
        therapist=therapist,
        clinician="",
        notes="",
        answers=answers,
        recorded_by=therapist,
    )


@pytest.fixture
def full_client(therapist):
    """A CIPN client with something of every kind the export maps."""
    client = factories.make_client(
        care_team=[therapist],
        neuropathy_type="CIPN",
        external_id="C-1001",
        phone="555-0100",
        email="ann@example.com",
        emergency_contact="Bob, 555-0101",
        referring_physician="Dr. Shah",
        diagnosed_on=datetime.date(2025, 3, 1),
        contributing_causes=["b12_deficiency"],
        symptoms={"feet:left": ["numbness", "burning"], "feet:right": ["numbness"], "hands:left": ["cold_sensitivity"]},
    )
    factories.make_condition(client, "open_wound", location="feet", side="left", detail="heel", noted_on=RECORD_DAY)
    factories.make_condition(
        client,
        "dvt_suspected",
        location="legs",
        side="right",
        noted_on=TODAY - timedelta(days=60),
        resolved_on=TODAY - timedelta(days=40),
    )
    factories.make_condition(client, "active_chemo", noted_on=TODAY - timedelta(days=90))
    factories.make_condition(client, "platelet_count", value=142_000, noted_on=TODAY - timedelta(days=5))
    factories.make_condition(client, "anc", value=1_800, noted_on=TODAY - timedelta(days=5))
    factories.make_condition(client, "chemo_infusion", noted_on=TODAY - timedelta(days=20))
    factories.make_condition(client, "fever", noted_on=TODAY - timedelta(days=30), entered_in_error=True)
    factories.make_clearance(client, cleared_on=TODAY - timedelta(days=30), restrictions="No deep work on the legs.")
    monofilament(client, therapist)
    answers = [True, True, False, False, True, False, True, False, False, False, False, True, True, False, False]
    MnsiQuestionnaire.objects.create(
        client=client,
        answered_on=RECORD_DAY,
        how="read_aloud",
        answers=answers,
        score=mnsi_score(answers),
        entered_by=therapist,
    )
    signed_session(client, therapist)
    # A plan still to come, and one whose record is only a draft: neither has an Encounter.
    plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TODAY + timedelta(days=2), datetime.time(9, 0)),
        regions="feet",
        created_by=therapist,
    )
    draft = signed_session(client, therapist, day=RECORD_DAY - timedelta(days=7), addendum=False)
    SessionRecord.objects.filter(pk=draft.pk).update(signed_at=None, signed_by=None)
    return client


def get_bundle(login, user, client):
    response = login(user).get(f"/clients/{client.pk}/fhir.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(response.content)


@override_settings(FHIR_BASE_URL=BASE)
def test_every_resource_of_the_bundle_is_valid_fhir(login, therapist, full_client):
    bundle = get_bundle(login, therapist, full_client)
    get_fhir_model_class("Bundle").model_validate(bundle)
    assert bundle["type"] == "collection"
    kinds = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"{BASE}/{resource['resourceType']}/{resource['id']}"
        kinds.add(resource["resourceType"])
    assert kinds == RESOURCE_TYPES
    ids = [(r["resourceType"], r["id"]) for r in resources(bundle)]
    assert len(ids) == len(set(ids))
    # Every reference inside the bundle points at a resource in it (ours are all relative).
    text = json.dumps(bundle)
    for kind, resource_id in ids:
        assert f"{kind}/{resource_id}" in text
    references = {value for resource in resources(bundle) for value in _references(resource)}
    assert references <= {f"{kind}/{resource_id}" for kind, resource_id in ids}


def _references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference":
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


@override_settings(FHIR_BASE_URL=BASE)
def test_patient_carries_identity(login, therapist, full_client):
    (patient,) = resources(get_bundle(login, therapist, full_client), "Patient")
    assert patient["id"] == f"client-{full_client.pk}"
    assert {"system": f"{BASE}/identifier/external-id", "value": "C-1001"}.items() <= patient["identifier"][0].items()
    assert patient["name"][0]["family"] == full_client.last_name
    assert patient["birthDate"] == "1958-04-02"
    assert {"system": "phone", "value": "555-0100"} in patient["telecom"]
    assert {"system": "email", "value": "ann@example.com"} in patient["telecom"]


@override_settings(FHIR_BASE_URL=BASE)
def test_left_foot_wound_is_a_condition_on_the_left_foot(login, therapist, full_client):
    wound = full_client.conditions.get(code="open_wound")
    condition = by_id(get_bundle(login, therapist, full_client), "Condition", f"condition-{wound.pk}")
    assert (f"{BASE}/CodeSystem/condition", "open_wound") in codes(condition["code"])
    assert (SNOMED, "125643001") in codes(condition["code"])
    (site,) = condition["bodySite"]
    assert (SNOMED, "56459004") in codes(site)  # foot structure
    assert laterality(site) == {(SNOMED, "7771000")}  # left
    assert condition["onsetDateTime"] == RECORD_DAY.isoformat()
    assert "abatementDateTime" not in condition
    assert codes(condition["clinicalStatus"]) == {
        ("http://terminology.hl7.org/CodeSystem/condition-clinical", "active")
    }
    assert condition["note"] == [{"text": "heel"}]


@override_settings(FHIR_BASE_URL=BASE)
def test_resolved_condition_has_its_abatement_and_suspicions_are_provisional(login, therapist, full_client):
    dvt = full_client.conditions.get(code="dvt_suspected")
    condition = by_id(get_bundle(login, therapist, full_client), "Condition", f"condition-{dvt.pk}")
    assert condition["abatementDateTime"] == (TODAY - timedelta(days=40)).isoformat()
    assert condition["clinicalStatus"]["coding"][0]["code"] == "resolved"
    assert condition["verificationStatus"]["coding"][0]["code"] == "provisional"
    assert laterality(condition["bodySite"][0]) == {(SNOMED, "24028007")}  # right


@override_settings(FHIR_BASE_URL=BASE)
def test_conditions_entered_in_error_are_left_out(login, therapist, full_client):
    bundle = get_bundle(login, therapist, full_client)
    assert not [
        r for r in resources(bundle, "Condition") if (f"{BASE}/CodeSystem/condition", "fever") in codes(r["code"])
    ]


@override_settings(FHIR_BASE_URL=BASE)
def test_platelet_count_is_a_loinc_observation_with_its_date(login, therapist, full_client):
    platelets = full_client.conditions.get(code="platelet_count")
    bundle = get_bundle(login, therapist, full_client)
    observation = by_id(bundle, "Observation", f"lab-{platelets.pk}")
    assert (LOINC, "777-3") in codes(observation["code"])
    assert observation["effectiveDateTime"] == (TODAY - timedelta(days=5)).isoformat()
    assert observation["valueQuantity"] == {
        "value": 142_000,
        "unit": "/uL",
        "system": "http://unitsofmeasure.org",
        "code": "/uL",
    }
    anc = by_id(bundle, "Observation", f"lab-{full_client.conditions.get(code='anc').pk}")
    assert (LOINC, "751-8") in codes(anc["code"]) and anc["valueQuantity"]["value"] == 1_800
    # Lab results are Observations only, never Conditions.
    assert not [r for r in resources(bundle, "Condition") if r["id"] == f"condition-{platelets.pk}"]


@pytest.mark.parametrize(
    "kind, system, code",
    [
        ("DPN", SNOMED, "424736006"),
        ("IDIOPATHIC", SNOMED, "302226006"),
        ("CIPN", "http://hl7.org/fhir/sid/icd-10-cm", "G62.0"),
    ],
)
@override_settings(FHIR_BASE_URL=BASE)
def test_neuropathy_condition_code_and_places(login, therapist, full_client, kind, system, code):
    Client.objects.filter(pk=full_client.pk).update(neuropathy_type=kind)
    neuropathy = by_id(get_bundle(login, therapist, full_client), "Condition", f"neuropathy-{full_client.pk}")
    assert codes(neuropathy["code"]) == {(system, code), (f"{BASE}/CodeSystem/neuropathy-type", kind)}
    assert neuropathy["onsetDateTime"] == "2025-03-01"
    sites = [(site["text"], laterality(site)) for site in neuropathy["bodySite"]]
    assert sites == [
        ("Left hand", {(SNOMED, "7771000")}),
        ("Left foot", {(SNOMED, "7771000")}),
        ("Right foot", {(SNOMED, "24028007")}),
    ]
    left_foot = neuropathy["evidence"][1]
    assert [c["text"] for c in left_foot["code"]] == ["Burning", "Numbness"]
    assert (SNOMED, "44077006") in codes(left_foot["code"][1])  # numbness


@override_settings(FHIR_BASE_URL=BASE)
def test_signed_session_is_an_encounter_with_procedures_scores_and_a_signature(login, therapist, full_client):
    record = SessionRecord.objects.signed().get(client=full_client)
    bundle = get_bundle(login, therapist, full_client)
    (encounter,) = resources(bundle, "Encounter")  # the draft record has none
    assert encounter["id"] == f"record-{record.pk}"
    assert encounter["period"]["start"] == record.started_at.isoformat()

    procedures = [r for r in resources(bundle, "Procedure") if r["id"].startswith("record-item-")]
    assert len(procedures) == record.items.count()
    deviated = record.items.get(deviation_reason__gt="")
    procedure = by_id(bundle, "Procedure", f"record-item-{deviated.pk}")
    extensions = {e["url"].rsplit("/", 1)[1]: e for e in procedure["extension"]}
    assert extensions["walton-pressure-used"]["valueInteger"] == deviated.pressure_used
    assert extensions["walton-pressure-planned"]["valueInteger"] == deviated.pressure_planned
    assert extensions["minutes"]["valueDuration"]["value"] == deviated.minutes
    assert extensions["deviation-reason"]["valueString"] == "Client asked for firmer strokes."
    assert procedure["encounter"] == {"reference": encounter_ref(record)}
    assert procedure["basedOn"] == [{"reference": f"CarePlan/plan-{record.plan_id}"}]
    assert laterality(procedure["bodySite"][0]) == {(SNOMED, LATERALITY_CODES[deviated.side])}

    pain_before = by_id(bundle, "Observation", f"pain-before-{record.pk}")
    assert (LOINC, "72514-3") in codes(pain_before["code"]) and pain_before["valueInteger"] == 6
    # The addendum corrected it: the corrected value, marked amended, with the signed one in a note.
    pain_after = by_id(bundle, "Observation", f"pain-after-{record.pk}")
    assert pain_after["valueInteger"] == 2 and pain_after["status"] == "amended"
    assert pain_after["note"] == [{"text": "Signed as 3; corrected to 2 by an addendum."}]
    assert pain_before["status"] == "final"
    numbness = by_id(bundle, "Observation", f"numbness-after-{record.pk}")
    assert codes(numbness["code"]) == {(f"{BASE}/CodeSystem/observation", "numbness-after")}
    assert numbness["valueInteger"] == 4

    signature = by_id(bundle, "Provenance", f"signature-{record.pk}")
    who = {"reference": f"Practitioner/user-{therapist.pk}", "display": "Tara Lindqvist"}
    assert signature["agent"][0]["who"] == who
    assert signature["signature"][0]["who"] == who
    assert signature["recorded"] == record.signed_at.isoformat()
    assert {"reference": encounter_ref(record)} in signature["target"]
    practitioner = by_id(bundle, "Practitioner", f"user-{therapist.pk}")
    assert practitioner["identifier"][0]["value"] == "tara"


LATERALITY_CODES = {"left": "7771000", "right": "24028007"}


def encounter_ref(record):
    return f"Encounter/record-{record.pk}"


@override_settings(FHIR_BASE_URL=BASE)
def test_addendum_appends_to_the_session_note_with_its_provenance(login, therapist, full_client):
    addendum = Addendum.objects.get()
    bundle = get_bundle(login, therapist, full_client)
    document = by_id(bundle, "DocumentReference", f"addendum-{addendum.pk}")
    assert document["relatesTo"] == [
        {"code": "appends", "target": {"reference": f"DocumentReference/note-{addendum.record_id}"}}
    ]
    provenance = by_id(bundle, "Provenance", f"addendum-{addendum.pk}")
    assert provenance["target"] == [
        {"reference": f"DocumentReference/addendum-{addendum.pk}"},
        {"reference": f"Observation/pain-after-{addendum.record_id}"},
    ]
    assert provenance["agent"][0]["who"]["reference"] == f"Practitioner/user-{therapist.pk}"
    assert by_id(bundle, "DocumentReference", f"note-{addendum.record_id}")["docStatus"] == "amended"


@override_settings(FHIR_BASE_URL=BASE)
def test_care_plan_lists_regions_caps_and_notes(login, therapist, full_client):
    plan = SessionPlan.objects.filter(client=full_client, status=PlanStatus.DRAFT).get()
    care_plan = by_id(get_bundle(login, therapist, full_client), "CarePlan", f"plan-{plan.pk}")
    assert care_plan["status"] == "draft" and care_plan["intent"] == "plan"
    region_activities = [
        a["detail"]
        for a in care_plan["activity"]
        if (f"{BASE}/CodeSystem/procedure", "massage") in codes(a["detail"]["code"])
    ]
    assert len(region_activities) == plan.items.count() == 2
    # The wound on the left foot: that side is not worked.
    left = next(d for d in region_activities if "left foot" in d["code"]["text"])
    assert left["doNotPerform"] is True
    right = next(d for d in region_activities if "right foot" in d["code"]["text"])
    caps = [e["valueInteger"] for e in right["extension"] if e["url"].endswith("/walton-pressure-cap")]
    assert caps == [plan.items.get(side="right").pressure_max]
    rules = {
        a["detail"]["code"]["coding"][0]["code"]
        for a in care_plan["activity"]
        if a["detail"]["code"]["coding"][0]["system"] == f"{BASE}/CodeSystem/rule"
    }
    assert {"open_wound", "numbness"} <= rules


@override_settings(FHIR_BASE_URL=BASE)
def test_clearance_and_infusion(login, therapist, full_client):
    bundle = get_bundle(login, therapist, full_client)
    clearance = full_client.clearances.get()
    document = by_id(bundle, "DocumentReference", f"clearance-{clearance.pk}")
    assert document["author"] == [{"display": "Dr. Anika Shah"}]
    assert document["context"]["period"]["start"] == clearance.cleared_on.isoformat()
    assert document["description"] == "No deep work on the legs."
    infusion = full_client.conditions.get(code="chemo_infusion")
    procedure = by_id(bundle, "Procedure", f"infusion-{infusion.pk}")
    assert procedure["performedDateTime"] == infusion.noted_on.isoformat()


def test_permissions_follow_the_client_document(anonymous, login, therapist, second_therapist, clinic_admin):
    client = factories.make_client(care_team=[therapist])
    url = f"/clients/{client.pk}/fhir.json"
    assert anonymous.get(url)["Location"].startswith("/accounts/login/")
    assert login(second_therapist).get(url).status_code == 404
    assert login(therapist).get(url).status_code == 200
    assert login(clinic_admin).get(url).status_code == 200


def test_bundle_query_count_does_not_grow_with_the_record(login, therapist, django_assert_max_num_queries):
    client = factories.make_client(care_team=[therapist], symptoms={"feet:left": ["numbness"]})
    signed_session(client, therapist)
    browser = login(therapist)
    with django_assert_max_num_queries(20) as small:
        browser.get(f"/clients/{client.pk}/fhir.json")
    for weeks in range(1, 4):
        signed_session(client, therapist, day=RECORD_DAY - timedelta(days=7 * weeks))
    with django_assert_max_num_queries(20) as large:
        browser.get(f"/clients/{client.pk}/fhir.json")
    assert len(large.captured_queries) == len(small.captured_queries)


# The bulk export.


def read_ndjson(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@override_settings(FHIR_BASE_URL=BASE)
def test_export_fhir_writes_one_ndjson_file_per_type(tmp_path, therapist, full_client, capsys):
    other = factories.make_client(care_team=[therapist], neuropathy_type="DPN")
    out = tmp_path / "export"
    call_command("export_fhir", str(out), "--validate-sample", "1000", "--seed", "7")
    written = {path.stem: read_ndjson(path) for path in out.glob("*.ndjson")}
    assert set(written) == RESOURCE_TYPES
    assert {p["id"] for p in written["Patient"]} == {f"client-{full_client.pk}", f"client-{other.pk}"}
    assert [p["id"] for p in written["Practitioner"]] == [f"user-{therapist.pk}"]
    # The same resources as the client's Bundle.
    bundle = fhir_bundle(full_client)
    for resource in resources(bundle):
        if resource["resourceType"] != "Practitioner":
            assert resource in written[resource["resourceType"]]
    for kind, lines in written.items():
        for resource in lines:
            assert resource["resourceType"] == kind
            get_fhir_model_class(kind).model_validate(resource)
    captured = capsys.readouterr()
    assert "Validated" in captured.out and "all valid" in captured.out
    assert captured.err.count("2/2 clients 100%") == 1  # drawn once, when done


def fhir_bundle(client):
    from planner import fhir

    return fhir.client_bundle(fhir.clients_for_export().get(pk=client.pk))


def test_export_fhir_refuses_a_directory_with_files(tmp_path):
    (tmp_path / "old.ndjson").write_text("{}\n")
    with pytest.raises(CommandError, match="must be an empty directory"):
        call_command("export_fhir", str(tmp_path))
    assert (tmp_path / "old.ndjson").read_text() == "{}\n"


def test_export_fhir_reads_in_chunks_not_per_client(tmp_path, therapist, django_assert_max_num_queries):
    for n in range(3):
        signed_session(factories.make_client(care_team=[therapist]), therapist, day=RECORD_DAY - timedelta(days=n))
    with django_assert_max_num_queries(30) as few:
        call_command("export_fhir", str(tmp_path / "a"), "--quiet")
    for n in range(6):  # in the afternoon: the therapist's mornings are taken by the first three
        client = factories.make_client(care_team=[therapist])
        signed_session(client, therapist, day=RECORD_DAY - timedelta(days=n), at=datetime.time(14, 0))
    with django_assert_max_num_queries(30) as more:
        call_command("export_fhir", str(tmp_path / "b"), "--quiet")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_export_fhir_reports_invalid_resources(tmp_path, therapist, monkeypatch):
    from planner import fhir

    factories.make_client(care_team=[therapist])
    real = fhir.patient
    monkeypatch.setattr(fhir, "patient", lambda client: {**real(client), "birthDate": "not a date"})
    with pytest.raises(CommandError, match="1 of .* sampled resources are not valid FHIR"):
        call_command("export_fhir", str(tmp_path / "out"), "--validate-sample", "50", "--quiet")


@override_settings(FHIR_BASE_URL=BASE)
def test_monofilament_results_per_foot_and_site(login, therapist, full_client):
    test = full_client.monofilament_tests.get()
    bundle = get_bundle(login, therapist, full_client)
    left = by_id(bundle, "Observation", f"monofilament-{test.pk}-left")
    assert (SNOMED, "134388005") in codes(left["code"])
    assert (SNOMED, "56459004") in codes(left["bodySite"]) and laterality(left["bodySite"]) == {(SNOMED, "7771000")}
    assert left["valueCodeableConcept"]["coding"][0]["code"] == "absent"
    assert left["effectiveDateTime"] == RECORD_DAY.isoformat()
    assert left["performer"] == [{"reference": f"Practitioner/user-{therapist.pk}", "display": "Tara Lindqvist"}]
    assert len(left["hasMember"]) == 3
    hallux = by_id(bundle, "Observation", f"monofilament-{test.pk}-left-hallux")
    assert (SNOMED, "134388005") in codes(hallux["code"])
    assert (f"{BASE}/CodeSystem/monofilament-site", "hallux") in codes(hallux["bodySite"])
    assert laterality(hallux["bodySite"]) == {(SNOMED, "7771000")}
    assert hallux["valueCodeableConcept"]["coding"][0]["code"] == "absent"
    assert [c["valueBoolean"] for c in hallux["component"]] == [False, False, False]
    met5 = by_id(bundle, "Observation", f"monofilament-{test.pk}-left-met5")
    assert "valueCodeableConcept" not in met5 and met5["dataAbsentReason"]["coding"][0]["code"] == "not-performed"
    right = by_id(bundle, "Observation", f"monofilament-{test.pk}-right")
    assert right["valueCodeableConcept"]["coding"][0]["code"] == "present"
    # The loss of protective sensation the test created cites it.
    lops = by_id(bundle, "Condition", f"condition-{test.left_condition_id}")
    assert lops["evidence"] == [{"detail": [{"reference": f"Observation/monofilament-{test.pk}-left"}]}]
    assert laterality(lops["bodySite"][0]) == {(SNOMED, "7771000")}


@override_settings(FHIR_BASE_URL=BASE)
def test_mnsi_answers_and_score(login, therapist, full_client):
    questionnaire = MnsiQuestionnaire.objects.get()
    bundle = get_bundle(login, therapist, full_client)
    (response,) = resources(bundle, "QuestionnaireResponse")
    assert response["id"] == f"mnsi-{questionnaire.pk}"
    assert response["questionnaire"] == f"{BASE}/Questionnaire/mnsi-history"
    assert response["authored"] == RECORD_DAY.isoformat()
    assert [item["linkId"] for item in response["item"]] == [str(n) for n in range(1, 16)]
    assert [item["answer"][0]["valueBoolean"] for item in response["item"]] == questionnaire.answers
    assert response["item"][0]["text"] == "Are your legs and/or feet numb?"
    score = by_id(bundle, "Observation", f"mnsi-score-{questionnaire.pk}")
    assert (
        score["valueInteger"] == questionnaire.score == 4
    )  # yes to 1, 2, 5 and 12; 7 and 13 answered "yes" score nothing
    assert score["derivedFrom"] == [{"reference": f"QuestionnaireResponse/mnsi-{questionnaire.pk}"}]


@override_settings(FHIR_BASE_URL=BASE)
def test_pressure_corrected_by_addendum(login, therapist):
    client = factories.make_client(care_team=[therapist], symptoms={"feet:left": ["numbness"]})
    record = signed_session(client, therapist, deviation=False, addendum=False)
    item = record.items.first()
    corrected = 1 if item.pressure_used != 1 else 0
    addendum = Addendum.objects.create(record=record, text="Pressure was lighter on this side.", author=therapist)
    ScoreCorrection.objects.create(
        addendum=addendum,
        record=record,
        item=item,
        field="pressure_used",
        original=item.pressure_used,
        corrected=corrected,
    )
    bundle = get_bundle(login, therapist, client)
    procedure = by_id(bundle, "Procedure", f"record-item-{item.pk}")
    used = [e["valueInteger"] for e in procedure["extension"] if e["url"].endswith("/walton-pressure-used")]
    assert used == [1]
    assert {"text": f"Pressure used signed as {item.pressure_used}; corrected to 1 by an addendum."} in procedure[
        "note"
    ]
    provenance = by_id(bundle, "Provenance", f"addendum-{addendum.pk}")
    assert {"reference": f"Procedure/record-item-{item.pk}"} in provenance["target"]


@override_settings(FHIR_BASE_URL=BASE)
def test_a_planned_region_not_worked_is_a_procedure_not_done_and_not_a_completed_activity(login, therapist):
    client = factories.make_client(care_team=[therapist], symptoms={"feet:left": ["numbness"]})
    record = signed_session(client, therapist, deviation=False, addendum=False)
    skipped = record.items.first()
    RecordItem.objects.filter(pk=skipped.pk).update(done=False, minutes=None, pressure_used=None)
    bundle = get_bundle(login, therapist, client)
    for resource in resources(bundle):
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    procedure = by_id(bundle, "Procedure", f"record-item-{skipped.pk}")
    assert procedure["status"] == "not-done" and "performedPeriod" not in procedure
    assert procedure["statusReason"]["text"] == "Planned but not worked in the session."
    assert {"reference": f"Procedure/record-item-{skipped.pk}"} in by_id(
        bundle, "Provenance", f"signature-{record.pk}"
    )["target"]
    plan = by_id(bundle, "CarePlan", f"plan-{record.plan_id}")
    place = f"Massage of the {skipped.side} {'hand' if skipped.region == 'hands' else 'foot'}"
    (activity,) = [a["detail"] for a in plan["activity"] if a["detail"]["code"].get("text") == place]
    assert activity["status"] == "cancelled"
    worked = [
        a["detail"]["status"] for a in plan["activity"] if a["detail"]["code"].get("text", "").startswith("Massage")
    ]
    assert worked.count("completed") == len(worked) - 1
