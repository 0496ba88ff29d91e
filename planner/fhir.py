"""A client's record as FHIR R4 resources, built as plain dictionaries.

The same builder serves the per-client Bundle (`/clients/<id>/fhir.json`) and the bulk NDJSON
export (`manage.py export_fhir`): `client_resources` yields every resource of one client from
objects the caller has already loaded (with prefetching), so it runs no query of its own.

Resource ids are stable and readable ("client-12", "condition-40", "record-7"), and a resource's
full URL is FHIR_BASE_URL/<type>/<id>; references inside a Bundle are relative ("Patient/client-12")
and resolve against that base. Codes without a standard equivalent use code systems of our own,
named FHIR_BASE_URL/CodeSystem/<name>; where a standard code exists (SNOMED CT, LOINC,
ICD-10-CM) it comes first and our code follows it in the same CodeableConcept.

Dictionaries, not model classes: validating millions of resources with pydantic models would take
hours. The tests validate every kind of resource produced here with fhir.resources (R4B models);
`export_fhir --validate-sample N` validates a random sample of a real export.
"""

import base64
from datetime import timedelta

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import Prefetch
from django.db.models.fields.json import KeyTransform
from django.dispatch import receiver
from django.utils import timezone

from clients.assessments import (
    FOOT_LABELS,
    MNSI_MAX_SCORE,
    MNSI_QUESTIONS,
    MONOFILAMENT_SITES,
    FootResult,
    MnsiQuestionnaire,
    MonofilamentTest,
    Performer,
    SiteResult,
)
from clients.models import Client
from planner.corrections import with_corrected_pressure, with_corrected_scores
from planner.models import Addendum, PlanItem, RecordItem, SessionPlan, SessionRecord
from protocols.labels import SEVERITY_LABELS, place_title
from protocols.vocabulary import (
    CONDITIONS,
    CONTRIBUTING_CAUSES,
    NEUROPATHY_TYPES,
    REGIONS,
    SIDES,
    SYMPTOMS,
)

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
DOCUMENT_COMPLETION = "http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion"
DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
SIGNATURE_TYPE = "urn:iso-astm:E1762-95:2013"
EMERGENCY_CONTACT = "http://terminology.hl7.org/CodeSystem/v2-0131"
# mCODE's laterality qualifier, placed on a bodySite CodeableConcept.
LATERALITY_EXTENSION = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
DUE_TO_EXTENSION = "http://hl7.org/fhir/StructureDefinition/condition-dueTo"

# The neuropathy types: SNOMED CT for DPN and idiopathic, ICD-10-CM for CIPN.
NEUROPATHY_CODES = {
    "DPN": (SNOMED, "424736006", "Peripheral neuropathy due to diabetes mellitus"),
    "IDIOPATHIC": (SNOMED, "302226006", "Peripheral neuropathy"),
    "CIPN": (ICD10CM, "G62.0", "Drug-induced polyneuropathy"),
}

# SNOMED CT body structures for our locations.
BODY_SITES = {
    "arms": ("53120007", "Upper limb structure"),
    "hands": ("85562004", "Hand structure"),
    "legs": ("61685007", "Lower limb structure"),
    "feet": ("56459004", "Foot structure"),
    "chest": ("51185008", "Thoracic structure"),
    "abdomen": ("113345001", "Abdominal structure"),
    "back": ("77568009", "Back structure, excluding neck"),
    "head_neck": ("774007", "Structure of head and/or neck"),
    "whole_body": ("38266002", "Entire body as a whole"),
}
LATERALITY = {
    "left": ("7771000", "Left"),
    "right": ("24028007", "Right"),
    "both": ("51440002", "Right and left"),
}

# Client conditions with a standard code we are sure of. The others are exported with our code only.
CONDITION_SNOMED = {
    "open_wound": ("125643001", "Open wound"),
    "fungal_infection": ("3218000", "Mycosis"),
    "pad": ("399957001", "Peripheral arterial occlusive disease"),
    "dvt_suspected": ("128053003", "Deep venous thrombosis"),
    "edema": ("267038008", "Edema"),
    "lymphedema": ("234097001", "Lymphedema"),
    "heart_failure": ("84114007", "Heart failure"),
    "bone_metastasis": ("94222008", "Secondary malignant neoplasm of bone"),
    "fever": ("386661006", "Fever"),
    "fall_risk": ("129839007", "At risk for falls"),
}
# Suspicions are exported as provisional diagnoses.
PROVISIONAL_CONDITIONS = {"dvt_suspected", "charcot_suspected"}

SYMPTOM_SNOMED = {
    "tingling": ("91019004", "Paresthesia"),
    "pins_and_needles": ("91019004", "Paresthesia"),
    "burning": ("90673000", "Burning sensation"),
    "itching": ("418290006", "Itching"),
    "numbness": ("44077006", "Numbness"),
    "pain": ("22253000", "Pain"),
    "weakness": ("26544005", "Muscle weakness"),
}

# Lab results: LOINC code, name, UCUM unit for "cells per microlitre".
LAB_LOINC = {
    "platelet_count": ("777-3", "Platelets [#/volume] in Blood by Automated count"),
    "anc": ("751-8", "Neutrophils [#/volume] in Blood by Automated count"),
}
PER_MICROLITRE = {"unit": "/uL", "system": UCUM, "code": "/uL"}
PAIN_LOINC = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
PROGRESS_NOTE_LOINC = ("11506-3", "Progress note")
CHEMOTHERAPY_SNOMED = ("367336001", "Chemotherapy")

MONOFILAMENT_SNOMED = ("134388005", "Monofilament sensory test")
HALLUX_SNOMED = ("78883009", "Structure of hallux")
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

PLAN_STATUS = {"draft": "draft", "ready": "active", "done": "completed", "cancelled": "revoked"}
ACTIVITY_STATUS = {"draft": "not-started", "ready": "not-started", "done": "completed", "cancelled": "cancelled"}

# Conditions that are lab results or dated treatments are exported as Observation and Procedure.
LAB_CODES = set(LAB_LOINC)
INFUSION_CODE = "chemo_infusion"


# Names under FHIR_BASE_URL.


_base_url = None


def base_url():
    """FHIR_BASE_URL, read once (this runs tens of thousands of times a second in a bulk export)."""
    global _base_url
    if _base_url is None:
        _base_url = settings.FHIR_BASE_URL
    return _base_url


@receiver(setting_changed)
def _forget_base_url(setting, **kwargs):
    global _base_url
    if setting == "FHIR_BASE_URL":
        _base_url = None


def code_system(name):
    return f"{base_url()}/CodeSystem/{name}"


def extension_url(name):
    return f"{base_url()}/StructureDefinition/{name}"


def full_url(resource):
    return f"{base_url()}/{resource['resourceType']}/{resource['id']}"


def ref(resource_type, resource_id, display=None):
    reference = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        reference["display"] = display
    return reference


def patient_ref(client):
    return ref("Patient", f"client-{client.pk}", client.full_name)


def practitioner_id(user):
    return f"user-{user.pk}"


def practitioner_ref(user):
    return ref("Practitioner", practitioner_id(user), user.get_full_name() or user.username)


# Small pieces.


def coding(system, code, display=None):
    result = {"system": system, "code": code}
    if display:
        result["display"] = display
    return result


def concept(*codings, text=None):
    result = {"coding": [c for c in codings if c]}
    if text:
        result["text"] = text
    return result


def ours(system_name, code, display=None):
    return coding(code_system(system_name), code, display)


def instant(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds")


def day(value):
    return value.isoformat() if value else None


def minutes_quantity(minutes):
    return {"value": minutes, "unit": "min", "system": UCUM, "code": "min"}


def place_label(location, side):
    """ "Left foot", "Both feet", "Chest (right)", "Whole body"."""
    return place_title(location, side or None)


def body_site(location, side=None):
    """A SNOMED CT body structure, with the mCODE laterality qualifier when there is a side."""
    code, display = BODY_SITES[location]
    site = concept(coding(SNOMED, code, display), ours("location", location), text=place_label(location, side))
    if side:
        lat_code, lat_display = LATERALITY[side]
        site["extension"] = [
            {"url": LATERALITY_EXTENSION, "valueCodeableConcept": concept(coding(SNOMED, lat_code, lat_display))}
        ]
    return site


def body_site_extension(location, side):
    return {"url": extension_url("body-site"), "valueCodeableConcept": body_site(location, side)}


def text_attachment(text, title, created):
    return {
        "contentType": "text/plain; charset=utf-8",
        "language": "en",
        "data": base64.b64encode(text.encode("utf-8")).decode("ascii"),
        "title": title,
        "creation": created,
    }


# Resources.


def practitioner(user):
    resource = {
        "resourceType": "Practitioner",
        "id": practitioner_id(user),
        "identifier": [{"system": f"{base_url()}/identifier/username", "value": user.username}],
        "active": user.is_active,
        "name": [{"text": user.get_full_name() or user.username}],
    }
    if user.last_name:
        resource["name"][0]["family"] = user.last_name
    if user.first_name:
        resource["name"][0]["given"] = [user.first_name]
    if user.email:
        resource["telecom"] = [{"system": "email", "value": user.email, "use": "work"}]
    return resource


def patient(client):
    identifiers = [{"use": "secondary", "system": f"{base_url()}/identifier/client", "value": str(client.pk)}]
    if client.external_id:
        identifiers.insert(
            0,
            {
                "use": "usual",
                "type": {"text": "External id"},
                "system": f"{base_url()}/identifier/external-id",
                "value": client.external_id,
            },
        )
    resource = {
        "resourceType": "Patient",
        "id": f"client-{client.pk}",
        "identifier": identifiers,
        "active": not client.is_archived,
        "name": [
            {"use": "official", "text": client.full_name, "family": client.last_name, "given": [client.first_name]}
        ],
        "birthDate": day(client.date_of_birth),
    }
    telecom = []
    if client.phone:
        telecom.append({"system": "phone", "value": client.phone})
    if client.email:
        telecom.append({"system": "email", "value": client.email})
    if telecom:
        resource["telecom"] = telecom
    if client.emergency_contact:
        resource["contact"] = [
            {
                "relationship": [concept(coding(EMERGENCY_CONTACT, "C", "Emergency Contact"))],
                "name": {"text": client.emergency_contact},
            }
        ]
    if client.referring_physician:
        resource["generalPractitioner"] = [{"display": client.referring_physician}]
    return resource


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


def care_plan(client, plan, items):
    """A plan: each region/side an activity with its cap, pressure and minutes; each note an activity."""
    status = plan.status
    activities = []
    for item in items:
        extensions = [body_site_extension(item.region, item.side)]
        if item.pressure_max is not None:
            extensions.append({"url": extension_url("walton-pressure-cap"), "valueInteger": item.pressure_max})
        if item.pressure is not None:
            extensions.append({"url": extension_url("walton-pressure-planned"), "valueInteger": item.pressure})
        if item.is_worked:
            extensions.append({"url": extension_url("minutes"), "valueDuration": minutes_quantity(item.minutes)})
        place = place_label(item.region, item.side)
        detail = {
            "extension": extensions,
            "code": concept(ours("procedure", "massage", "Massage"), text=f"Massage of the {place.lower()}"),
            "status": "cancelled" if item.dropped else ACTIVITY_STATUS[status],
            "doNotPerform": item.status == "avoid",
            "description": activity_description(item, place),
        }
        if item.dropped:
            detail["statusReason"] = {"text": "Left out of the session by the therapist."}
        activities.append({"detail": detail})
        activities.extend(note_activity(note, status, item.region, item.side) for note in item.notes)
    session = plan.session_for_export if hasattr(plan, "session_for_export") else plan.session
    activities[:0] = [note_activity(note, status) for note in session.get("notes", [])]
    resource = {
        "resourceType": "CarePlan",
        "id": f"plan-{plan.pk}",
        "status": PLAN_STATUS[status],
        "intent": "plan",
        "category": [concept(ours("care-plan", "massage-session", "Massage session plan"))],
        "title": f"Massage session on {timezone.localtime(plan.scheduled_for):%d %b %Y %H:%M}",
        "subject": patient_ref(client),
        "period": {"start": instant(plan.scheduled_for), "end": instant(plan.ends_at)},
        "created": instant(plan.created_at),
        "author": practitioner_ref(plan.therapist),
        "activity": activities,
    }
    if plan.goals:
        resource["description"] = plan.goals
    notes = []
    if session.get("status") == "defer":
        notes.append({"text": "Deferred: a rule advises against a hands-on session on this day."})
    if plan.notes:
        notes.append({"text": plan.notes})
    if plan.cancel_reason:
        notes.append({"text": f"Cancelled: {plan.cancel_reason}"})
    if notes:
        resource["note"] = notes
    return resource


def activity_description(item, place):
    if item.status == "avoid":
        return f"{place}: do not work ({item.template_name})."
    parts = [f"{place}: {item.template_name}", f"{item.minutes} minutes"]
    if item.pressure is not None:
        parts.append(f"pressure {item.pressure} on the Walton scale")
    if item.pressure_max is not None:
        parts.append(f"at most {item.pressure_max}")
    return ", ".join(parts) + "."


def note_activity(note, status, region=None, side=None):
    detail = {
        "code": concept(ours("rule", note["rule"]), text=SEVERITY_LABELS.get(note.get("severity"))),
        "status": ACTIVITY_STATUS[status],
        "doNotPerform": note.get("severity") == "avoid",
        "description": note["text"],
    }
    extensions = []
    if region and side:
        extensions.append(body_site_extension(region, side))
    if note.get("pressure_cap") is not None:
        extensions.append({"url": extension_url("walton-pressure-cap"), "valueInteger": note["pressure_cap"]})
    if extensions:
        detail["extension"] = extensions
    return {"detail": detail}


def record_resources(client, record, items, addenda):
    """A signed session: Encounter, a Procedure per worked region/side, scores, the note, provenance."""
    encounter_id = f"record-{record.pk}"
    start = record.started_at
    end = start + timedelta(minutes=record.minutes) if record.minutes else None
    period = {"start": instant(start)}
    if end:
        period["end"] = instant(end)
    therapist = practitioner_ref(record.therapist)
    encounter_ref = ref("Encounter", encounter_id)
    resources = [
        {
            "resourceType": "Encounter",
            "id": encounter_id,
            "status": "finished",
            "class": coding(ACT_CODE, "AMB", "ambulatory"),
            "type": [concept(ours("encounter", "massage-session", "Massage session"), text="Massage session")],
            "subject": patient_ref(client),
            "participant": [
                {
                    "type": [concept(coding(PARTICIPATION_TYPE, "PPRF", "primary performer"))],
                    "individual": therapist,
                }
            ],
            "period": period,
            **({"length": minutes_quantity(record.minutes)} if record.minutes else {}),
        }
    ]
    plan_ref = ref("CarePlan", f"plan-{record.plan_id}")
    for item in items:
        if item.done:
            resources.append(region_procedure(client, record, item, period, encounter_ref, plan_ref, therapist))
    scores = [
        ("pain_before", start),
        ("pain_after", end or start),
        ("numbness_before", start),
        ("numbness_after", end or start),
    ]
    for name, moment in scores:
        # The value a correction by addendum set, where there is one (records_for_export annotates it).
        value = getattr(record, f"corrected_{name}", getattr(record, name))
        if value is not None:
            resources.append(
                score_observation(client, record, name, value, moment, encounter_ref, therapist, getattr(record, name))
            )
    note = session_note(client, record, period, encounter_ref, therapist, amended=bool(addenda))
    resources.append(note)
    signer = practitioner_ref(record.signed_by)
    resources.append(
        {
            "resourceType": "Provenance",
            "id": f"signature-{record.pk}",
            "target": [ref(r["resourceType"], r["id"]) for r in resources],
            "recorded": instant(record.signed_at),
            "activity": concept(coding(DOCUMENT_COMPLETION, "LA", "legally authenticated")),
            "agent": [{"type": concept(coding(PROVENANCE_PARTICIPANT, "author", "Author")), "who": signer}],
            "signature": [
                {
                    "type": [coding(SIGNATURE_TYPE, "1.2.840.10065.1.12.1.1", "Author's Signature")],
                    "when": instant(record.signed_at),
                    "who": signer,
                }
            ],
        }
    )
    exported = {(r["resourceType"], r["id"]) for r in resources}
    for addendum in addenda:
        resources.extend(addendum_resources(client, addendum, note, exported))
    return resources


def region_procedure(client, record, item, period, encounter_ref, plan_ref, therapist):
    place = place_label(item.region, item.side)
    used = getattr(item, "corrected_pressure_used", item.pressure_used)
    extensions = [{"url": extension_url("walton-pressure-used"), "valueInteger": used}]
    if item.pressure_planned is not None:
        extensions.append({"url": extension_url("walton-pressure-planned"), "valueInteger": item.pressure_planned})
    extensions.append({"url": extension_url("minutes"), "valueDuration": minutes_quantity(item.minutes)})
    text = f"{place}: {item.minutes} minutes at pressure {used} on the Walton scale."
    notes = [{"text": text}]
    if used != item.pressure_used:
        notes.append({"text": f"Pressure used signed as {item.pressure_used}; corrected to {used} by an addendum."})
    if item.deviation_reason:
        extensions.append({"url": extension_url("deviation-reason"), "valueString": item.deviation_reason})
    if item.is_deviation:
        reason = f": {item.deviation_reason}" if item.deviation_reason else "."
        notes.append({"text": f"Pressure {item.pressure_used} used where {item.pressure_planned} was planned{reason}"})
    return {
        "resourceType": "Procedure",
        "id": f"record-item-{item.pk}",
        "extension": extensions,
        "basedOn": [plan_ref],
        "status": "completed",
        "category": concept(ours("procedure", "massage", "Massage")),
        "code": concept(ours("procedure", "massage", "Massage"), text=f"Massage of the {place.lower()}"),
        "subject": patient_ref(client),
        "encounter": encounter_ref,
        "performedPeriod": period,
        "performer": [{"actor": therapist}],
        "bodySite": [body_site(item.region, item.side)],
        "note": notes,
    }


SCORE_TEXTS = {
    "pain_before": "Pain before the session (0 to 10)",
    "pain_after": "Pain after the session (0 to 10)",
    "numbness_before": "Numbness/tingling before the session (0 to 10)",
    "numbness_after": "Numbness/tingling after the session (0 to 10)",
}


def score_observation(client, record, name, value, moment, encounter_ref, therapist, signed_value):
    code = name.replace("_", "-")
    codings = [ours("observation", code, SCORE_TEXTS[name])]
    if name.startswith("pain"):
        codings.insert(0, coding(LOINC, *PAIN_LOINC))
    corrected = value != signed_value
    observation = {
        "resourceType": "Observation",
        "id": f"{code}-{record.pk}",
        "status": "amended" if corrected else "final",
        "category": [concept(coding(OBSERVATION_CATEGORY, "survey", "Survey"))],
        "code": concept(*codings, text=SCORE_TEXTS[name]),
        "subject": patient_ref(client),
        "encounter": encounter_ref,
        "effectiveDateTime": instant(moment),
        "performer": [therapist],
        "valueInteger": value,
    }
    if corrected:
        observation["note"] = [{"text": f"Signed as {signed_value}; corrected to {value} by an addendum."}]
    return observation


def session_note_text(record):
    lines = [f"Massage session on {timezone.localtime(record.started_at):%d %b %Y %H:%M}."]
    for label, value in [
        ("Subjective", record.subjective),
        ("Objective", record.objective),
        ("Assessment", record.assessment),
        ("Plan", record.soap_plan),
        ("Skin and foot check", record.skin_check),
        ("Next time", record.next_time),
    ]:
        if value:
            lines.append(f"{label}: {value}")
    lines.append("Adverse events: " + (", ".join(record.adverse_event_labels()) or "none recorded"))
    return "\n".join(lines)


def session_note(client, record, period, encounter_ref, therapist, amended):
    return {
        "resourceType": "DocumentReference",
        "id": f"note-{record.pk}",
        "status": "current",
        "docStatus": "amended" if amended else "final",
        "type": concept(coding(LOINC, *PROGRESS_NOTE_LOINC), text="Session record (SOAP)"),
        "subject": patient_ref(client),
        "date": instant(record.signed_at),
        "author": [therapist],
        "authenticator": practitioner_ref(record.signed_by),
        "content": [
            {"attachment": text_attachment(session_note_text(record), "Session record", instant(record.signed_at))}
        ],
        "context": {"encounter": [encounter_ref], "period": period},
    }


def corrected_targets(addendum, exported):
    """The score Observation or region Procedure an addendum corrected, when it is in the export."""
    correction = getattr(addendum, "correction", None)
    if correction is None:
        return []
    if correction.item_id is not None:
        target = ("Procedure", f"record-item-{correction.item_id}")
    else:
        target = ("Observation", f"{correction.field.replace('_', '-')}-{addendum.record_id}")
    return [ref(*target)] if target in exported else []


def addendum_resources(client, addendum, note, exported):
    author = practitioner_ref(addendum.author)
    document = {
        "resourceType": "DocumentReference",
        "id": f"addendum-{addendum.pk}",
        "status": "current",
        "docStatus": "final",
        "type": concept(coding(LOINC, *PROGRESS_NOTE_LOINC), text="Addendum to a session record"),
        "subject": patient_ref(client),
        "date": instant(addendum.created_at),
        "author": [author],
        "relatesTo": [{"code": "appends", "target": ref("DocumentReference", note["id"])}],
        "content": [{"attachment": text_attachment(addendum.text, "Addendum", instant(addendum.created_at))}],
        "context": note["context"],
    }
    provenance = {
        "resourceType": "Provenance",
        "id": f"addendum-{addendum.pk}",
        "target": [ref("DocumentReference", document["id"])] + corrected_targets(addendum, exported),
        "recorded": instant(addendum.created_at),
        "activity": concept(coding(DATA_OPERATION, "APPEND", "append")),
        "agent": [{"type": concept(coding(PROVENANCE_PARTICIPANT, "author", "Author")), "who": author}],
    }
    return [document, provenance]


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


# A whole client.


def client_resources(client, plans, records, users):
    """Every resource of one client, Patient first; adds the users it refers to into `users` (id -> user).

    `client` needs its conditions, clearances, monofilament tests (with sites and therapist) and
    MNSI questionnaires (with who entered them) loaded (prefetched, or they are queried);
    `plans` their items and therapist; `records` their items, addenda with authors, therapist
    and signer. Only signed records are exported: a draft may still change.
    """
    yield patient(client)
    yield neuropathy_condition(client)
    tests = list(client.monofilament_tests.all())
    found_by = {}  # condition id -> [(test, foot)] of the tests that found the loss of protective sensation
    for test in tests:
        for foot in FOOT_LABELS:
            if condition_id := getattr(test, f"{foot}_condition_id"):
                found_by.setdefault(condition_id, []).append((test, foot))
    for record in sorted(client.recorded_conditions(), key=lambda c: (c.noted_on, c.pk)):
        if record.code in LAB_CODES:
            yield lab_observation(client, record)
        elif record.code == INFUSION_CODE:
            yield infusion_procedure(client, record)
        else:
            yield condition(client, record, found_by.get(record.pk, ()))
    for clearance in sorted(client.clearances.all(), key=lambda c: (c.cleared_on, c.pk)):
        yield clearance_document(client, clearance)
    for test in tests:
        if test.therapist_id:
            users[test.therapist_id] = test.therapist
        yield from monofilament_resources(client, test)
    for questionnaire in client.mnsi_questionnaires.all():
        users[questionnaire.entered_by_id] = questionnaire.entered_by
        yield from mnsi_resources(client, questionnaire)
    for plan in plans:
        users[plan.therapist_id] = plan.therapist
        yield care_plan(client, plan, list(plan.items.all()))
    for record in records:
        if not record.is_signed:
            continue
        addenda = list(record.addenda.all())
        users[record.therapist_id] = record.therapist
        users[record.signed_by_id] = record.signed_by
        for addendum in addenda:
            users[addendum.author_id] = addendum.author
        yield from record_resources(client, record, list(record.items.all()), addenda)


def plans_for_export():
    # Of the proposal only its session part is read; the facts a plan was built from and the steps
    # of each region are not exported. Not loading them halves the time of a bulk export.
    return (
        SessionPlan.objects.defer("facts", "proposal")
        .annotate(session_for_export=KeyTransform("session", "proposal"))
        .select_related("therapist")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.defer("steps")))
        .order_by("scheduled_for", "pk")
    )


def records_for_export():
    # Scores and pressures come with the value the latest correction by addendum gave them.
    return (
        with_corrected_scores(SessionRecord.objects.signed())
        .select_related("therapist", "signed_by")
        .prefetch_related(
            Prefetch("items", queryset=with_corrected_pressure(RecordItem.objects.all())),
            Prefetch("addenda", queryset=Addendum.objects.select_related("author", "correction")),
        )
        .order_by("started_at", "pk")
    )


def clients_for_export():
    """Clients with everything client_resources reads, prefetched (per chunk when iterated)."""
    return Client.objects.order_by("pk").prefetch_related(
        "conditions",
        "clearances",
        Prefetch(
            "monofilament_tests",
            queryset=MonofilamentTest.objects.select_related("therapist")
            .prefetch_related("sites")
            .order_by("tested_on", "pk"),
        ),
        Prefetch(
            "mnsi_questionnaires",
            queryset=MnsiQuestionnaire.objects.select_related("entered_by").order_by("answered_on", "pk"),
        ),
        Prefetch("plans", queryset=plans_for_export()),
        Prefetch("session_records", queryset=records_for_export()),
    )


def client_bundle(client):
    """The Bundle of one client (loaded with clients_for_export's prefetches or not)."""
    return bundle(client, list(client.plans.all()), list(client.session_records.all()))


def bundle(client, plans, records):
    """The client's record as a FHIR Bundle of type collection, with the practitioners it refers to."""
    users = {}
    resources = list(client_resources(client, plans, records, users))
    resources.extend(practitioner(user) for _, user in sorted(users.items()))
    return {
        "resourceType": "Bundle",
        "id": f"client-{client.pk}-record",
        "meta": {"lastUpdated": instant(timezone.now())},
        "type": "collection",
        "timestamp": instant(timezone.now()),
        "entry": [{"fullUrl": full_url(resource), "resource": resource} for resource in resources],
    }
