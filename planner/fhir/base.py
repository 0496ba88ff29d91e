"""FHIR building blocks: the code systems and codes we use, references, codings and other small pieces."""

import base64

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

from protocols.labels import place_title

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
