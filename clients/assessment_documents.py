"""The "assessments" section of the client document: monofilament tests and MNSI questionnaires.

Exported with their answers and scores; imported like conditions (an assessment already on
record, same kind, date and answers, is left as it is; nothing is removed). Results and scores
are derived from the answers, so an imported score that does not match its answers is refused.
"""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import assessments
from .assessments import FEET, MNSI_QUESTIONS, MONOFILAMENT_SITES, HowAnswered, MnsiQuestionnaire, Performer
from .roles import THERAPIST
from .validators import (
    SHORT_TEXT,
    TextLengthValidator,
    not_before_birth,
    one_line_of_text,
    parse_iso_date,
    plain_text,
    quoted,
)

User = get_user_model()


def _username(user):
    return user.username if user else None


def export_monofilament(test):
    return {
        "kind": "monofilament",
        "date": test.tested_on.isoformat(),
        "performed_by": test.performed_by,
        "therapist": _username(test.therapist),
        "clinician": test.clinician or None,
        "notes": test.notes,
        "recorded_by": _username(test.recorded_by),
        "feet": {
            summary["foot"]: {
                "result": summary["result"],
                "unreliable": summary["unreliable"],
                "sites": {
                    site.site: {
                        "tested": site.tested,
                        "real": [site.real_1, site.real_2] if site.tested else None,
                        "sham": site.sham,
                        "result": site.result,
                    }
                    for site in summary["sites"]
                },
            }
            for summary in test.feet()
        },
    }


def export_mnsi(questionnaire):
    return {
        "kind": "mnsi",
        "date": questionnaire.answered_on.isoformat(),
        "how": questionnaire.how,
        "answers": list(questionnaire.answers),
        "score": questionnaire.score,
        "entered_by": _username(questionnaire.entered_by),
    }


def export_assessments(client):
    """Both kinds in date order (a test before a questionnaire of the same day). Three queries."""
    tests = client.monofilament_tests.select_related("therapist", "recorded_by").prefetch_related("sites")
    questionnaires = client.mnsi_questionnaires.select_related("entered_by")
    entries = [export_monofilament(test) for test in tests] + [export_mnsi(q) for q in questionnaires]
    return sorted(entries, key=lambda entry: (entry["date"], entry["kind"] != "monofilament"))


# Import.


def parse_assessments(entries, record, born=None):
    """Check the section; report errors on `record` (an import RecordReport) and return the cleaned entries.

    As on the forms, no measure comes before the client's birth (`born`), and a measure is recorded
    by a therapist (active or not: one who has left still recorded it). The care team is not asked:
    who was on it when a measure was taken is not in the file, so an export would not import again.
    """
    if not isinstance(entries, list):
        record.error("assessments", "expected a list")
        return None
    people = _users(entries)
    cleaned = []
    for index, entry in enumerate(entries):
        where = f"assessments[{index}]"
        if not isinstance(entry, dict):
            record.error(where, "expected an object")
            continue
        before = len(record.errors)
        day = _date(entry.get("date"), f"{where}.date", record, born)
        kind = entry.get("kind")
        if kind == "monofilament":
            parsed = _monofilament(entry, where, record, people)
        elif kind == "mnsi":
            parsed = _mnsi(entry, where, record, people)
        else:
            record.error(f"{where}.kind", f"expected 'monofilament' or 'mnsi', not {quoted(kind)}")
            continue
        if len(record.errors) == before:
            cleaned.append({**parsed, "kind": kind, "date": day})
    return cleaned


def _users(entries):
    names = []  # a list: a username given as a list or an object cannot go in a set
    for entry in entries:
        if isinstance(entry, dict):
            names.extend(entry.get(key) for key in ("therapist", "recorded_by", "entered_by"))
    names = {name for name in names if isinstance(name, str)}
    therapist = User.groups.through.objects.filter(user=OuterRef("pk"), group__name=THERAPIST)
    found = User.objects.filter(username__in=names).annotate(is_therapist=Exists(therapist))
    return {user.username: user for user in found}


def _date(value, where, record, born):
    try:
        day = parse_iso_date(value)
    except ValueError as error:
        record.error(where, str(error))
        return None
    if day is None:
        record.error(where, "a date is required")
    elif day > timezone.localdate():
        record.error(where, "this date is in the future")
    else:
        try:
            not_before_birth(day, born)
        except ValidationError as error:
            record.error(where, error.messages[0])
    return day


def _user(entry, key, where, record, users, required=True):
    name = entry.get(key)
    if name is None and not required:
        return None
    if name is None:
        record.error(f"{where}.{key}", "a username is required")
    elif not isinstance(name, str):
        record.error(f"{where}.{key}", "expected a username (text)")
    elif name not in users:
        record.error(f"{where}.{key}", f"no account with the username {quoted(name)}")
    elif not users[name].is_therapist:
        record.error(f"{where}.{key}", f"{quoted(name)} is not a therapist (only a therapist records a measure)")
    else:
        return users[name]
    return None


def within_limit(text, limit, where, record):
    """Report text longer than a form of the same field takes (a line break counted once, as there)."""
    try:
        TextLengthValidator(limit)(text)
    except ValidationError as error:
        record.error(where, error.messages[0])


def checked_text(validator, text, where, record):
    """Report text the form of the same field refuses for what it holds (a control character, say)."""
    try:
        validator(text)
    except ValidationError as error:
        record.error(where, error.messages[0])


def _monofilament(entry, where, record, people):
    performed_by = entry.get("performed_by")
    if performed_by not in Performer.values:
        record.error(f"{where}.performed_by", "expected 'therapist' or 'clinician'")
    therapist = _user(entry, "therapist", where, record, people, required=performed_by == Performer.THERAPIST)
    # What is stored is what is checked: the text stripped, as the form strips it, of the line
    # break or tab a spreadsheet cell may end with.
    clinician = entry.get("clinician") or ""
    clinician = clinician.strip() if isinstance(clinician, str) else clinician
    if not isinstance(clinician, str) or len(clinician) > 200:
        record.error(f"{where}.clinician", "expected text of at most 200 characters")
        clinician = ""
    elif performed_by == Performer.CLINICIAN and not clinician:
        record.error(f"{where}.clinician", "name the clinician who performed a supplied test")
    checked_text(one_line_of_text, clinician, f"{where}.clinician", record)
    notes = entry.get("notes") or ""
    if not isinstance(notes, str):
        record.error(f"{where}.notes", "must be text")
        notes = ""
    notes = notes.strip()
    within_limit(notes, SHORT_TEXT, f"{where}.notes", record)  # as the form
    checked_text(plain_text, notes, f"{where}.notes", record)
    recorded_by = _user(entry, "recorded_by", where, record, people)
    feet = entry.get("feet")
    answers = {}
    if not isinstance(feet, dict):
        record.error(f"{where}.feet", "expected an object with right and left")
        feet = {}
    for foot in FEET:
        sites = (feet.get(foot) or {}).get("sites") if isinstance(feet.get(foot), dict) else None
        if not isinstance(sites, dict):
            record.error(f"{where}.feet.{foot}.sites", "expected an object with hallux, met1 and met5")
            continue
        for site in MONOFILAMENT_SITES:
            answers[(foot, site)] = _site(sites.get(site), f"{where}.feet.{foot}.sites.{site}", record)
        _check_foot(feet[foot], [answers[(foot, site)] for site in MONOFILAMENT_SITES], f"{where}.feet.{foot}", record)
    if answers and not any(given["tested"] for given in answers.values() if given):
        record.error(f"{where}.feet", "at least one site must be tested")
    return {
        "performed_by": performed_by,
        "therapist": therapist,
        "clinician": clinician,
        "notes": notes,
        "recorded_by": recorded_by,
        "answers": answers,
    }


def _check_foot(foot, sites, where, record):
    """A foot's result and "unreliable", when the file gives them, must be what its sites' answers give."""
    if None in sites:
        return  # a site is reported already
    results = [assessments.site_result(s["tested"], s["real_1"], s["real_2"], s["sham"]) for s in sites]
    result = assessments.foot_result(results)
    if "result" in foot and foot["result"] != result:
        record.error(
            f"{where}.result", f"{quoted(foot['result'])} does not match the answers, which give {quoted(str(result))}"
        )
    tested = [site for site in sites if site["tested"]]
    unreliable = bool(tested) and all(site["sham"] for site in tested)
    if "unreliable" in foot and foot["unreliable"] is not unreliable:
        said = json.dumps(foot["unreliable"]) if isinstance(foot["unreliable"], bool) else quoted(foot["unreliable"])
        record.error(f"{where}.unreliable", f"{said} does not match the answers, which give {json.dumps(unreliable)}")


def _site(value, where, record):
    if not isinstance(value, dict) or not isinstance(value.get("tested"), bool):
        record.error(where, "expected an object with tested, real and sham")
        return None
    if not value["tested"]:
        if value.get("real") is not None or value.get("sham") is not None:
            record.error(where, "a site that was not tested has no answers: real and sham are null")
            return None
        parsed = {"tested": False, "real_1": None, "real_2": None, "sham": None}
    else:
        real, sham = value.get("real"), value.get("sham")
        if not (isinstance(real, list) and len(real) == 2 and all(isinstance(answer, bool) for answer in real)):
            record.error(f"{where}.real", "expected the two real touches as [true/false, true/false]")
            return None
        if not isinstance(sham, bool):
            record.error(f"{where}.sham", "expected true (said yes) or false")
            return None
        parsed = {"tested": True, "real_1": real[0], "real_2": real[1], "sham": sham}
    result = assessments.site_result(parsed["tested"], parsed["real_1"], parsed["real_2"], parsed["sham"])
    if "result" in value and value["result"] != result:
        record.error(
            f"{where}.result", f"{quoted(value['result'])} does not match the answers, which give {quoted(str(result))}"
        )
        return None
    return parsed


def _mnsi(entry, where, record, people):
    how = entry.get("how")
    if how not in HowAnswered.values:
        record.error(f"{where}.how", f"expected one of {', '.join(HowAnswered.values)}")
    answers = entry.get("answers")
    score = None
    if not (isinstance(answers, list) and len(answers) == len(MNSI_QUESTIONS)) or not all(
        isinstance(answer, bool) for answer in answers
    ):
        record.error(f"{where}.answers", f"expected {len(MNSI_QUESTIONS)} answers, each true (yes) or false (no)")
    else:
        score = assessments.mnsi_score(answers)
        if entry.get("score", score) != score:
            record.error(
                f"{where}.score", f"{quoted(entry.get('score'))} does not match the answers, which score {score}"
            )
    entered_by = _user(entry, "entered_by", where, record, people)
    return {"how": how, "answers": answers, "score": score, "entered_by": entered_by}


def save_assessments(client, entries):
    """Add the assessments not yet on record; returns how many were added."""
    tests = {(test.tested_on, _answers_key(test)) for test in client.monofilament_tests.prefetch_related("sites")}
    questionnaires = {(q.answered_on, tuple(q.answers)) for q in client.mnsi_questionnaires.all()}
    added = 0
    for entry in entries:
        if entry["kind"] == "mnsi":
            key = (entry["date"], tuple(entry["answers"]))
            if key in questionnaires:
                continue
            questionnaires.add(key)
            MnsiQuestionnaire.objects.create(
                client=client,
                answered_on=entry["date"],
                how=entry["how"],
                answers=entry["answers"],
                score=entry["score"],
                entered_by=entry["entered_by"],
            )
        else:
            key = (entry["date"], _entry_key(entry["answers"]))
            if key in tests:
                continue
            tests.add(key)
            assessments.record_monofilament(
                client,
                tested_on=entry["date"],
                performed_by=entry["performed_by"],
                therapist=entry["therapist"],
                clinician=entry["clinician"],
                notes=entry["notes"],
                answers=entry["answers"],
                recorded_by=entry["recorded_by"],
            )
        added += 1
    return added


def _answers_key(test):
    return tuple((s.foot, s.site, s.tested, s.real_1, s.real_2, s.sham) for s in sorted(test.sites.all(), key=_order))


def _order(site):
    return (FEET.index(site.foot), list(MONOFILAMENT_SITES).index(site.site))


def _entry_key(answers):
    return tuple(
        (foot, site, given["tested"], given["real_1"], given["real_2"], given["sham"])
        for foot in FEET
        for site, given in ((site, answers[(foot, site)]) for site in MONOFILAMENT_SITES)
    )
