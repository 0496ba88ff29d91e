"""A client's record as FHIR R4 resources, built as plain dictionaries.

The same builder serves the per-client Bundle (`/clients/<id>/fhir.json`) and the bulk NDJSON
export (`manage.py export_fhir`): `client_resources` yields every resource of one client from
the lists `clients_for_export` loads, so it runs no query of its own.

Resource ids are stable and readable ("client-12", "condition-40", "record-7"), and a resource's
full URL is FHIR_BASE_URL/<type>/<id>; references inside a Bundle are relative ("Patient/client-12")
and resolve against that base. Codes without a standard equivalent use code systems of our own,
named FHIR_BASE_URL/CodeSystem/<name>; where a standard code exists (SNOMED CT, LOINC,
ICD-10-CM) it comes first and our code follows it in the same CodeableConcept.

Dictionaries, not model classes: validating millions of resources with pydantic models would take
hours. The tests validate every kind of resource produced here with fhir.resources (R4B models);
`export_fhir --validate-sample N` validates a random sample of a real export.

Here: the Patient, the Practitioners and a whole client; `clinical` builds the health record's
resources, `sessions` the plans' and records', both from the pieces in `base`.
"""

from django.db.models import Prefetch
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from clients.assessments import FOOT_LABELS, MnsiQuestionnaire, MonofilamentTest
from clients.models import Client, Condition
from planner.corrections import with_corrected_pressure, with_corrected_scores
from planner.models import Addendum, PlanItem, RecordItem, SessionPlan, SessionRecord

from .base import (
    EMERGENCY_CONTACT,
    INFUSION_CODE,
    LAB_CODES,
    base_url,
    coding,
    concept,
    day,
    full_url,
    instant,
    practitioner_id,
)
from .clinical import (
    clearance_document,
    condition,
    infusion_procedure,
    lab_observation,
    mnsi_resources,
    monofilament_resources,
    neuropathy_condition,
)
from .sessions import care_plan, record_resources


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


# A whole client.


def client_resources(client, plans, records, users):
    """Every resource of one client, Patient first; adds the users it refers to into `users` (id -> user).

    `client` comes from clients_for_export, with its recorded conditions, clearances, monofilament
    tests (with sites and therapist) and MNSI questionnaires (with who entered them) loaded as lists;
    `plans` from plans_for_export, `records` from records_for_export, with their items (and the
    records' addenda) as lists. Only signed records are exported: a draft may still change.
    """
    yield patient(client)
    yield neuropathy_condition(client)
    tests = client.export_monofilament_tests
    found_by = {}  # condition id -> [(test, foot)] of the tests that found the loss of protective sensation
    for test in tests:
        for foot in FOOT_LABELS:
            if condition_id := getattr(test, f"{foot}_condition_id"):
                found_by.setdefault(condition_id, []).append((test, foot))
    for record in sorted(client.export_conditions, key=lambda c: (c.noted_on, c.pk)):
        if record.code in LAB_CODES:
            yield lab_observation(client, record)
        elif record.code == INFUSION_CODE:
            yield infusion_procedure(client, record)
        else:
            yield condition(client, record, found_by.get(record.pk, ()))
    for clearance in sorted(client.export_clearances, key=lambda c: (c.cleared_on, c.pk)):
        yield clearance_document(client, clearance)
    for test in tests:
        if test.therapist_id:
            users[test.therapist_id] = test.therapist
        yield from monofilament_resources(client, test)
    for questionnaire in client.export_mnsi_questionnaires:
        users[questionnaire.entered_by_id] = questionnaire.entered_by
        yield from mnsi_resources(client, questionnaire)
    not_worked = {
        item.plan_item_id for record in records if record.is_signed for item in record.export_items if not item.done
    }
    for plan in plans:
        users[plan.therapist_id] = plan.therapist
        yield care_plan(client, plan, plan.export_items, not_worked)
    for record in records:
        if not record.is_signed:
            continue
        addenda = record.export_addenda
        users[record.therapist_id] = record.therapist
        users[record.signed_by_id] = record.signed_by
        for addendum in addenda:
            users[addendum.author_id] = addendum.author
        yield from record_resources(client, record, record.export_items, addenda)


# The lists below are loaded into attributes of their own (Prefetch's to_attr), not the related
# managers' caches: filling a manager's cache builds a filtered queryset per plan, record and
# client, which took a quarter of a bulk export's time.


def plans_for_export():
    # Of the proposal only its session part is read; the facts a plan was built from and the steps
    # of each region are not exported. Not loading them halves the time of a bulk export.
    return (
        SessionPlan.objects.defer("facts", "proposal")
        .annotate(session_for_export=KeyTransform("session", "proposal"))
        .select_related("therapist")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.defer("steps"), to_attr="export_items"))
        .order_by("scheduled_for", "pk")
    )


def records_for_export():
    # Scores and pressures come with the value the latest correction by addendum gave them.
    return (
        with_corrected_scores(SessionRecord.objects.signed())
        .select_related("therapist", "signed_by")
        .prefetch_related(
            Prefetch("items", queryset=with_corrected_pressure(RecordItem.objects.all()), to_attr="export_items"),
            Prefetch(
                "addenda", queryset=Addendum.objects.select_related("author", "correction"), to_attr="export_addenda"
            ),
        )
        .order_by("started_at", "pk")
    )


def clients_for_export(user=None):
    """Clients with everything client_resources reads, prefetched (per chunk when iterated); with a user,
    only the plans and records that user may read (for_user: a therapist reads their own plans, and the
    signed records of the care team's clients, a clinic admin every one)."""
    plans, records = plans_for_export(), records_for_export()
    if user is not None:
        plans, records = plans.for_user(user), records.for_user(user)
    return Client.objects.order_by("pk").prefetch_related(
        Prefetch("conditions", queryset=Condition.objects.recorded(), to_attr="export_conditions"),
        Prefetch("clearances", to_attr="export_clearances"),
        Prefetch(
            "monofilament_tests",
            queryset=MonofilamentTest.objects.select_related("therapist")
            .prefetch_related("sites")
            .order_by("tested_on", "pk"),
            to_attr="export_monofilament_tests",
        ),
        Prefetch(
            "mnsi_questionnaires",
            queryset=MnsiQuestionnaire.objects.select_related("entered_by").order_by("answered_on", "pk"),
            to_attr="export_mnsi_questionnaires",
        ),
        Prefetch("plans", queryset=plans, to_attr="export_plans"),
        Prefetch("session_records", queryset=records, to_attr="export_records"),
    )


def client_bundle(client):
    """The Bundle of one client, loaded by clients_for_export."""
    return bundle(client, client.export_plans, client.export_records)


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
