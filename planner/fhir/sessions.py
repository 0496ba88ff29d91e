"""FHIR resources for the sessions: care plans, signed records (encounter, procedures, scores, note)
and their addenda."""

from datetime import timedelta

from django.utils import timezone

from protocols.labels import SEVERITY_LABELS

from .base import (
    ACT_CODE,
    ACTIVITY_STATUS,
    DATA_OPERATION,
    DOCUMENT_COMPLETION,
    LOINC,
    OBSERVATION_CATEGORY,
    PAIN_LOINC,
    PARTICIPATION_TYPE,
    PLAN_STATUS,
    PROGRESS_NOTE_LOINC,
    PROVENANCE_PARTICIPANT,
    SIGNATURE_TYPE,
    body_site,
    body_site_extension,
    coding,
    concept,
    extension_url,
    instant,
    minutes_quantity,
    ours,
    patient_ref,
    place_label,
    practitioner_ref,
    ref,
    text_attachment,
)


def care_plan(client, plan, items, not_worked=frozenset()):
    """A plan: each region/side an activity with its cap, pressure and minutes; each note an activity.

    `not_worked`: the ids of plan items the signed record says were not worked."""
    status = plan.status
    activities = []
    for item in items:
        activities.append(region_activity(item, status, item.pk in not_worked))
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


def region_activity(item, status, not_worked=False):
    """One region/side of the plan as an activity: its cap, planned pressure and minutes, or why it is left out."""
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
    elif not_worked:
        detail["status"] = "cancelled"
        detail["statusReason"] = {"text": "Not worked in the session, as its signed record says."}
    return {"detail": detail}


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
    resources = [encounter(client, record, encounter_id, period, therapist)]
    plan_ref = ref("CarePlan", f"plan-{record.plan_id}")
    for item in items:
        if item.done:
            resources.append(region_procedure(client, record, item, period, encounter_ref, plan_ref, therapist))
        else:
            resources.append(region_not_worked(client, item, encounter_ref, plan_ref))
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
    resources.append(signature(record, resources))
    exported = {(r["resourceType"], r["id"]) for r in resources}
    for addendum in addenda:
        resources.extend(addendum_resources(client, addendum, note, exported))
    return resources


def encounter(client, record, encounter_id, period, therapist):
    """The session as an ambulatory Encounter with its therapist as primary performer."""
    return {
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


def signature(record, resources):
    """The Provenance of the therapist's signature over the session's resources."""
    signer = practitioner_ref(record.signed_by)
    return {
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
    if item.reason_in_use:
        extensions.append({"url": extension_url("deviation-reason"), "valueString": item.reason_in_use})
    if item.is_deviation:
        reason = f": {item.reason_in_use}" if item.reason_in_use else "."
        notes.append({"text": f"Pressure {used} used where {item.pressure_planned} was planned{reason}"})
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


def region_not_worked(client, item, encounter_ref, plan_ref):
    """A planned region/side the record says was not worked: a Procedure not done."""
    place = place_label(item.region, item.side)
    extensions = []
    if item.pressure_planned is not None:
        extensions.append({"url": extension_url("walton-pressure-planned"), "valueInteger": item.pressure_planned})
    resource = {
        "resourceType": "Procedure",
        "id": f"record-item-{item.pk}",
        "basedOn": [plan_ref],
        "status": "not-done",
        "statusReason": {"text": "Planned but not worked in the session."},
        "category": concept(ours("procedure", "massage", "Massage")),
        "code": concept(ours("procedure", "massage", "Massage"), text=f"Massage of the {place.lower()}"),
        "subject": patient_ref(client),
        "encounter": encounter_ref,
        "bodySite": [body_site(item.region, item.side)],
        "note": [{"text": f"{place}: planned, not worked."}],
    }
    if extensions:
        resource["extension"] = extensions
    return resource


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
