"""FHIR resources for the client's health record: conditions, lab results, infusions, clearances and
the outcome measures (the 10 g monofilament test and the MNSI questionnaire)."""

from clients.assessments import (
    FOOT_LABELS,
    MNSI_MAX_SCORE,
    MNSI_QUESTIONS,
    MONOFILAMENT_SITES,
    FootResult,
    Performer,
    SiteResult,
)
from protocols.vocabulary import (
    CONDITIONS,
    CONTRIBUTING_CAUSES,
    NEUROPATHY_TYPES,
    REGIONS,
    SIDES,
    SYMPTOMS,
)

from .base import (
    CHEMOTHERAPY_SNOMED,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_SNOMED,
    CONDITION_VERIFICATION,
    DATA_ABSENT_REASON,
    DUE_TO_EXTENSION,
    HALLUX_SNOMED,
    LAB_LOINC,
    LATERALITY,
    LATERALITY_EXTENSION,
    LOINC,
    MONOFILAMENT_SNOMED,
    NEUROPATHY_CODES,
    OBSERVATION_CATEGORY,
    PER_MICROLITRE,
    PROVISIONAL_CONDITIONS,
    SNOMED,
    SYMPTOM_SNOMED,
    base_url,
    body_site,
    body_site_extension,
    coding,
    concept,
    day,
    instant,
    ours,
    patient_ref,
    practitioner_ref,
    ref,
    text_attachment,
)


def neuropathy_condition(client):
    """The neuropathy itself, with every region/side that has symptoms and the symptoms there."""
    system, code, display = NEUROPATHY_CODES[client.neuropathy_type]
    places = sorted(
        client.symptoms_by_place().items(), key=lambda entry: (REGIONS.index(entry[0][0]), SIDES.index(entry[0][1]))
    )
    resource = {
        "resourceType": "Condition",
        "id": f"neuropathy-{client.pk}",
        "clinicalStatus": concept(coding(CONDITION_CLINICAL, "active")),
        "verificationStatus": concept(coding(CONDITION_VERIFICATION, "confirmed")),
        "category": [concept(coding(CONDITION_CATEGORY, "problem-list-item", "Problem List Item"))],
        "code": concept(
            coding(system, code, display),
            ours("neuropathy-type", client.neuropathy_type, NEUROPATHY_TYPES[client.neuropathy_type]),
            text=NEUROPATHY_TYPES[client.neuropathy_type],
        ),
        "subject": patient_ref(client),
    }
    if places:
        resource["bodySite"] = [body_site(region, side) for (region, side), _ in places]
        resource["evidence"] = [
            {
                "extension": [body_site_extension(region, side)],
                "code": [symptom_concept(symptom) for symptom in SYMPTOMS if symptom in symptoms],
            }
            for (region, side), symptoms in places
        ]
    if client.diagnosed_on:
        resource["onsetDateTime"] = day(client.diagnosed_on)
    causes = [cause for cause in client.contributing_causes if cause in CONTRIBUTING_CAUSES]
    if causes:
        resource["extension"] = [
            {
                "url": DUE_TO_EXTENSION,
                "valueCodeableConcept": concept(
                    ours("contributing-cause", cause, CONTRIBUTING_CAUSES[cause]), text=CONTRIBUTING_CAUSES[cause]
                ),
            }
            for cause in causes
        ]
    return resource


def symptom_concept(symptom):
    standard = SYMPTOM_SNOMED.get(symptom)
    return concept(
        coding(SNOMED, *standard) if standard else None,
        ours("symptom", symptom, SYMPTOMS[symptom]),
        text=SYMPTOMS[symptom],
    )


def condition(client, record, tests=()):
    """One client condition (not a lab result or an infusion), with its place, onset and abatement.

    `tests`: the (monofilament test, foot) pairs that found it, cited as evidence.
    """
    kind = CONDITIONS[record.code]
    standard = CONDITION_SNOMED.get(record.code)
    resource = {
        "resourceType": "Condition",
        "id": f"condition-{record.pk}",
        "clinicalStatus": concept(coding(CONDITION_CLINICAL, "resolved" if record.resolved_on else "active")),
        "verificationStatus": concept(
            coding(CONDITION_VERIFICATION, "provisional" if record.code in PROVISIONAL_CONDITIONS else "confirmed")
        ),
        "category": [concept(coding(CONDITION_CATEGORY, "problem-list-item", "Problem List Item"))],
        "code": concept(
            coding(SNOMED, *standard) if standard else None,
            ours("condition", record.code, kind.label),
            text=kind.label,
        ),
        "subject": patient_ref(client),
        "onsetDateTime": day(record.noted_on),
        "recordedDate": instant(record.created_at),
    }
    if record.location:
        resource["bodySite"] = [body_site(record.location, record.side or None)]
    if record.resolved_on:
        resource["abatementDateTime"] = day(record.resolved_on)
    if record.detail:
        resource["note"] = [{"text": record.detail}]
    if tests:
        resource["evidence"] = [
            {"detail": [ref("Observation", f"monofilament-{test.pk}-{foot}") for test, foot in tests]}
        ]
    return resource


def lab_observation(client, record):
    loinc, display = LAB_LOINC[record.code]
    kind = CONDITIONS[record.code]
    resource = {
        "resourceType": "Observation",
        "id": f"lab-{record.pk}",
        "status": "final",
        "category": [concept(coding(OBSERVATION_CATEGORY, "laboratory", "Laboratory"))],
        "code": concept(coding(LOINC, loinc, display), ours("condition", record.code, kind.label), text=kind.label),
        "subject": patient_ref(client),
        "effectiveDateTime": day(record.noted_on),
        "valueQuantity": {"value": record.value, **PER_MICROLITRE},
    }
    if record.detail:
        resource["note"] = [{"text": record.detail}]
    return resource


def infusion_procedure(client, record):
    resource = {
        "resourceType": "Procedure",
        "id": f"infusion-{record.pk}",
        "status": "completed",
        "code": concept(
            coding(SNOMED, *CHEMOTHERAPY_SNOMED),
            ours("condition", record.code, CONDITIONS[record.code].label),
            text="Chemotherapy infusion",
        ),
        "subject": patient_ref(client),
        "performedDateTime": day(record.noted_on),
    }
    if record.detail:
        resource["note"] = [{"text": record.detail}]
    return resource


def clearance_document(client, clearance):
    """A physician's clearance for massage, as a document reference holding its text."""
    text = f"{clearance.physician} cleared the client for massage on {clearance.cleared_on:%d %b %Y}."
    if clearance.restrictions:
        text += f"\nRestrictions: {clearance.restrictions}"
    resource = {
        "resourceType": "DocumentReference",
        "id": f"clearance-{clearance.pk}",
        "status": "current",
        "type": concept(ours("document", "physician-clearance", "Physician clearance for massage")),
        "subject": patient_ref(client),
        "date": instant(clearance.created_at),
        "author": [{"display": clearance.physician}],
        "description": clearance.restrictions or "No restrictions given.",
        "content": [{"attachment": text_attachment(text, "Physician clearance", day(clearance.cleared_on))}],
        "context": {"period": {"start": day(clearance.cleared_on)}},
    }
    return resource


# Outcome measures: the 10 g monofilament test and the MNSI history questionnaire.


def assessment_performer(test):
    if test.performed_by == Performer.CLINICIAN or test.therapist is None:
        return {"display": f"{test.clinician} (supplied result)"}
    return practitioner_ref(test.therapist)


def monofilament_resources(client, test):
    """Per foot, an Observation of the foot's result with one member Observation per plantar site."""
    performer = assessment_performer(test)
    resources = []
    for foot in FOOT_LABELS:
        site_observations = [monofilament_site(client, test, site, performer) for site in test.sites_of(foot)]
        result = test.result_of(foot)
        foot_observation = {
            "resourceType": "Observation",
            "id": f"monofilament-{test.pk}-{foot}",
            "status": "final",
            "category": [concept(coding(OBSERVATION_CATEGORY, "exam", "Exam"))],
            "code": concept(
                coding(SNOMED, *MONOFILAMENT_SNOMED),
                ours("observation", "monofilament-foot", "10 g monofilament test of one foot"),
                text="10 g monofilament test",
            ),
            "subject": patient_ref(client),
            "effectiveDateTime": day(test.tested_on),
            "performer": [performer],
            "bodySite": body_site("feet", foot),
            "valueCodeableConcept": concept(
                ours("monofilament-foot-result", result, FootResult(result).label), text=FootResult(result).label
            ),
            "hasMember": [ref("Observation", o["id"]) for o in site_observations],
        }
        notes = [
            {"text": f"Protective sensation felt at {test.felt_count(foot)} of {test.tested_count(foot)} sites tested."}
        ]
        if test.is_unreliable(foot):
            notes.append({"text": 'Unreliable: the sham touch was answered "yes" at every site; repeat the test.'})
        if test.notes:
            notes.append({"text": test.notes})
        foot_observation["note"] = notes
        resources.append(foot_observation)
        resources.extend(site_observations)
    return resources


def monofilament_site(client, test, site, performer):
    place = f"{FOOT_LABELS[site.foot]}, {MONOFILAMENT_SITES[site.site].lower()}"
    site_concept = concept(
        coding(SNOMED, *HALLUX_SNOMED) if site.site == "hallux" else None,
        ours("monofilament-site", site.site, MONOFILAMENT_SITES[site.site]),
        text=place,
    )
    lat_code, lat_display = LATERALITY[site.foot]
    site_concept["extension"] = [
        {"url": LATERALITY_EXTENSION, "valueCodeableConcept": concept(coding(SNOMED, lat_code, lat_display))}
    ]
    observation = {
        "resourceType": "Observation",
        "id": f"monofilament-{test.pk}-{site.foot}-{site.site}",
        "status": "final",
        "category": [concept(coding(OBSERVATION_CATEGORY, "exam", "Exam"))],
        "code": concept(
            coding(SNOMED, *MONOFILAMENT_SNOMED),
            ours("observation", "monofilament-site", "10 g monofilament test at one plantar site"),
            text="10 g monofilament test",
        ),
        "subject": patient_ref(client),
        "effectiveDateTime": day(test.tested_on),
        "performer": [performer],
        "bodySite": site_concept,
    }
    if site.result == SiteResult.NOT_TESTED:
        observation["dataAbsentReason"] = concept(coding(DATA_ABSENT_REASON, "not-performed", "Not Performed"))
        observation["note"] = [{"text": "Not tested: ulcer, callus or scar at the site."}]
        return observation
    observation["valueCodeableConcept"] = concept(
        ours("monofilament-site-result", site.result, SiteResult(site.result).label), text=SiteResult(site.result).label
    )
    observation["component"] = [
        {
            "code": concept(ours("observation", "real-touch-1-felt", "First real touch felt")),
            "valueBoolean": site.real_1,
        },
        {
            "code": concept(ours("observation", "real-touch-2-felt", "Second real touch felt")),
            "valueBoolean": site.real_2,
        },
        {"code": concept(ours("observation", "sham-touch-yes", '"Yes" to the sham touch')), "valueBoolean": site.sham},
    ]
    return observation


def mnsi_resources(client, questionnaire):
    """The answers as a QuestionnaireResponse and the score as an Observation derived from it."""
    author = practitioner_ref(questionnaire.entered_by)
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": f"mnsi-{questionnaire.pk}",
        "questionnaire": f"{base_url()}/Questionnaire/mnsi-history",
        "status": "completed",
        "subject": patient_ref(client),
        "authored": day(questionnaire.answered_on),
        "author": author,
        "source": patient_ref(client),
        "item": [
            {"linkId": str(number), "text": question, "answer": [{"valueBoolean": bool(answer)}]}
            for number, (question, answer) in enumerate(zip(MNSI_QUESTIONS, questionnaire.answers, strict=True), 1)
        ],
    }
    score = {
        "resourceType": "Observation",
        "id": f"mnsi-score-{questionnaire.pk}",
        "status": "final",
        "category": [concept(coding(OBSERVATION_CATEGORY, "survey", "Survey"))],
        "code": concept(
            ours("observation", "mnsi-history-score", "MNSI history score (0 to 13)"),
            text="Michigan Neuropathy Screening Instrument, history: score",
        ),
        "subject": patient_ref(client),
        "effectiveDateTime": day(questionnaire.answered_on),
        "performer": [author],
        "valueInteger": questionnaire.score,
        "derivedFrom": [ref("QuestionnaireResponse", response["id"])],
        "referenceRange": [{"low": {"value": 0}, "high": {"value": MNSI_MAX_SCORE}}],
        "note": [{"text": f"MNSI history: {questionnaire.wording}. A symptom-burden record, not a diagnosis."}],
    }
    return [response, score]
