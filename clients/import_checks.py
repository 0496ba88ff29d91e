"""Checking one client document of an import, field by field, with the forms' own validators.

Nothing here writes or queries: what a check needs from the database (clients by external id,
therapists by username) is read once for the whole file by `clients.importing`.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from protocols.labels import and_list
from protocols.vocabulary import CONDITION_SIDES, CONTRIBUTING_CAUSES, NEUROPATHY_TYPES, REGIONS, SIDES, SYMPTOMS

from .assessment_documents import checked_text, parse_assessments, within_limit
from .documents import DATE_FIELDS, IDENTITY_FIELDS, SCHEMA
from .forms import KeepsStoredTextMixin
from .models import EVENT_CODES, Client, search_text
from .validators import (
    DIAGNOSED_BEFORE_BIRTH,
    DIAGNOSED_ON,
    SHORT_TEXT,
    born_before_records,
    check_condition,
    clean_causes,
    clean_symptoms,
    not_before_birth,
    not_in_future,
    one_line_of_text,
    parse_iso_date,
    plain_text,
    quoted,
)


@dataclass
class Checked:
    """One valid document, ready to save: `client` is the one on record, or None for a new one."""

    record: object  # the RecordReport the checks write their errors to
    client: object
    form: object
    causes: list = None
    symptoms: dict = None
    conditions: list = None
    clearance: dict = None
    team: list = None
    measures: list = None


class _IdentityForm(KeepsStoredTextMixin, forms.ModelForm):
    """The identity and profile columns of an imported client, checked as the intake form checks them."""

    class Meta:
        model = Client
        fields = [*IDENTITY_FIELDS, "neuropathy_type", "diagnosed_on"]
        error_messages = {
            "neuropathy_type": {
                "invalid_choice": f"%(value)s is not a neuropathy type: use {and_list(NEUROPATHY_TYPES, 'or')}."
            }
        }

    def _post_clean(self):
        """The model's fields and clean(), as the intake form checks them, without a query per row:
        the table's constraints are the file's business here (external ids are matched for the
        whole file at once), but for the diagnosis date, checked here in Python."""
        try:
            self.instance = forms.models.construct_instance(self, self.instance, self._meta.fields)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self._update_errors(error)
        born, diagnosed = self.cleaned_data.get("date_of_birth"), self.cleaned_data.get("diagnosed_on")
        if born and diagnosed and diagnosed < born:
            if "diagnosed_on" in self.changed_data or "date_of_birth" not in self.changed_data:
                self.add_error("diagnosed_on", DIAGNOSED_BEFORE_BIRTH)
            else:  # the file moves the birth after the diagnosis on record
                try:
                    born_before_records(born, [(diagnosed, DIAGNOSED_ON)])
                except ValidationError as error:
                    self.add_error("date_of_birth", error)


class _SharedFields(dict):
    """Fields that every form of an import shares instead of copying (a copy per row is half the
    time of checking a file): text, date, e-mail and choice fields keep no state between forms."""

    def __deepcopy__(self, memo):
        return self


_IdentityForm.base_fields = _SharedFields(_IdentityForm.base_fields)

FORM_FIELD_PATHS = {"neuropathy_type": "neuropathy.type", "diagnosed_on": "neuropathy.diagnosed_on"}


def check_one(doc, record, seen_ids, lookups):
    if not isinstance(doc, dict):
        record.error("document", "expected a client document (a JSON object)")
        return
    unreadable = list(_unreadable_text(doc))
    for where, message in unreadable:
        record.error(where, message)
    if unreadable:
        return
    if doc.get("schema", SCHEMA) != SCHEMA:
        record.error("schema", f"expected {quoted(SCHEMA)}, not {quoted(doc.get('schema'))}")

    external_id = _external_id(doc, record)
    key = external_id.lower()  # ids are compared without regard to case
    if external_id and key in seen_ids:
        record.error("external_id", f"{quoted(external_id)} appears twice in this file (also {seen_ids[key]})")
        return
    if external_id:
        seen_ids[key] = record.label
    elif (person := _person(doc)) is not None:
        # A row copied twice in a spreadsheet: without an id, each copy would be a new client.
        if person in seen_ids:
            record.error(
                "external_id",
                f"the same client (name and date of birth) is also {seen_ids[person]}, and neither has an "
                "external id, so both would be added: remove one, or give each its external id",
            )
            return
        seen_ids[person] = record.label

    client = lookups.clients.get(key) if external_id else None
    record.action = "update" if client else "create"
    if client is not None and client.is_archived:
        record.error("external_id", f"{quoted(external_id)} belongs to an archived client: restore the client first")
        return
    neuropathy = doc.get("neuropathy", {})
    if not isinstance(neuropathy, dict):
        record.error("neuropathy", "expected an object")
        neuropathy = {}

    form = _identity_form(doc, neuropathy, client, record)
    causes = _causes(neuropathy, record) if "contributing_causes" in neuropathy else None
    symptoms = _symptoms(neuropathy, record) if "regions" in neuropathy else None
    born = form.data.get("date_of_birth") or None
    if client is not None and born and born != client.date_of_birth:
        kept = [] if "diagnosed_on" in neuropathy else [(client.diagnosed_on, DIAGNOSED_ON)]
        try:
            born_before_records(born, kept + lookups.first_records.get(client.pk, []))
        except ValidationError as error:
            record.error("date_of_birth", error.messages[0])
    conditions = _conditions(doc["conditions"], record, born) if "conditions" in doc else None
    clearance = _clearance(doc["clearance"], record, born) if doc.get("clearance") is not None else None
    team = _care_team(doc["care_team"], record, lookups.therapists) if "care_team" in doc else None
    measures = None
    if "assessments" in doc:
        measures = parse_assessments(doc["assessments"], record, born)
    if client is None and team is None and not any(where.startswith("care_team") for where, _ in record.errors):
        record.error("care_team", "a new client needs at least one therapist")
    if not form.is_valid():
        _form_errors(form, record)
    if record.errors:
        return None
    return Checked(record, client, form, causes, symptoms, conditions, clearance, team, measures)


def _person(doc):
    """("person", last name, first name, date of birth) as search compares names, or None when one is not text."""
    names = [doc.get("last_name"), doc.get("first_name"), doc.get("date_of_birth")]
    if not all(isinstance(value, str) and value.strip() for value in names):
        return None
    return ("person", *(search_text(value.strip()) for value in names))


def _external_id(doc, record):
    """The document's external id, stripped ("" when missing or not text), noted on the record with the name."""
    external_id = doc.get("external_id") or ""
    if not isinstance(external_id, str):
        record.error("external_id", "must be text")
        external_id = ""
    external_id = external_id.strip()
    record.external_id = _shown(external_id)
    record.name = ", ".join(filter(None, (_shown(doc.get("last_name")), _shown(doc.get("first_name")))))
    return external_id


# The report names a record with what it says, never more than this, and only text: a name that
# is a list or a number is reported as an error under its field, not printed as Python would.
SHOWN_CHARACTERS = 80


def _shown(value):
    if not isinstance(value, str):
        return ""
    value = value.strip()
    return value if len(value) <= SHOWN_CHARACTERS else value[: SHOWN_CHARACTERS - 1] + "…"


def _form_errors(form, record):
    """The identity form's errors, at the document's paths; a place already named is not named again."""
    reported = {where for where, _ in record.errors}
    for name, errors in form.errors.items():
        where = FORM_FIELD_PATHS.get(name, name if name != "__all__" else "document")
        if where not in reported:  # a bad date is already named; "required" would only repeat it
            for message in errors:
                record.error(where, message)


def unstorable(text):
    """Why no record can hold this text (a NUL, a lone surrogate), or "" when it can."""
    if "\x00" in text:
        return "contains a NUL character, which text cannot hold"
    if any("\ud800" <= char <= "\udfff" for char in text):
        return "contains a broken character (a lone UTF-16 surrogate)"
    return ""


def _unreadable_text(doc):
    """(path, message) for each text in the document that no record can hold: a NUL or a lone surrogate."""
    pending = [("", doc)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{where}.{key}" if where else str(key), item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
        elif isinstance(value, str) and (why := unstorable(value)):
            yield where, why


def _identity_form(doc, neuropathy, client, record):
    instance = client or Client()
    data = {name: getattr(instance, name) or "" for name in [*IDENTITY_FIELDS, "neuropathy_type", "diagnosed_on"]}
    for name in IDENTITY_FIELDS:
        if name not in doc:
            continue
        value = doc[name]
        if value is None:
            value = ""
        if name in DATE_FIELDS:
            try:
                value = parse_iso_date(value) or ""
            except ValueError as error:
                record.error(name, str(error))
                continue
        elif not isinstance(value, str):
            record.error(name, "must be text")
            continue
        data[name] = value.strip() if isinstance(value, str) else value
    if "type" in neuropathy:
        data["neuropathy_type"] = _code(neuropathy["type"], upper=True) or ""
    if "diagnosed_on" in neuropathy:
        try:
            data["diagnosed_on"] = parse_iso_date(neuropathy["diagnosed_on"]) or ""
        except ValueError as error:
            record.error("neuropathy.diagnosed_on", str(error))
    return _IdentityForm(data, instance=instance)


def _causes(neuropathy, record):
    codes = neuropathy["contributing_causes"] or []
    if not isinstance(codes, list):
        record.error("neuropathy.contributing_causes", "expected a list of codes")
        return None
    codes = [_code(code) for code in codes]
    for index, code in enumerate(codes):
        if not _is_code(code, CONTRIBUTING_CAUSES):
            record.error(f"neuropathy.contributing_causes[{index}]", f"unknown contributing cause {quoted(code)}")
    return clean_causes([code for code in codes if _is_code(code, CONTRIBUTING_CAUSES)])


def _symptoms(neuropathy, record):
    regions = neuropathy["regions"] or []
    if not isinstance(regions, list):
        record.error("neuropathy.regions", "expected a list")
        return None
    places = {}
    for index, entry in enumerate(regions):
        where = f"neuropathy.regions[{index}]"
        if not isinstance(entry, dict):
            record.error(where, "expected an object with region, side and symptoms")
            continue
        region, side, codes = _code(entry.get("region")), _code(entry.get("side")), entry.get("symptoms") or []
        if not _is_code(region, REGIONS):
            record.error(f"{where}.region", f"unknown region {quoted(region)}")
            continue
        if not _is_code(side, CONDITION_SIDES):
            record.error(f"{where}.side", f"unknown side {quoted(side)}; use left, right or both")
            continue
        if not isinstance(codes, list):
            record.error(f"{where}.symptoms", "expected a list of codes")
            continue
        codes = [_code(code) for code in codes]
        for number, code in enumerate(codes):
            if not _is_code(code, SYMPTOMS):
                record.error(f"{where}.symptoms[{number}]", f"unknown symptom {quoted(code)}")
        for one_side in SIDES if side == "both" else (side,):
            places.setdefault((region, one_side), set()).update(code for code in codes if _is_code(code, SYMPTOMS))
    try:
        return clean_symptoms(places)
    except ValidationError as error:  # pragma: no cover - every code was checked above
        record.error("neuropathy.regions", error.messages[0])
        return None


def _stripped(value):
    """Text as it is stored, and so checked: without the spaces, tabs and line breaks around it (a
    spreadsheet cell often ends with one), as the forms strip it. Anything else as it is, to be refused."""
    return value.strip() if isinstance(value, str) else value


def _code(value, upper=False):
    """A code as a file may write it (" CIPN", "Open_Wound"), in the vocabulary's case; non-text as is."""
    if not isinstance(value, str):
        return value
    return value.strip().upper() if upper else value.strip().lower()


def _is_code(value, vocabulary):
    """A code of the vocabulary; anything else a file may hold (a list, an object, a number) is not."""
    return isinstance(value, str) and value in vocabulary


def _dated(value, where, record, required, born=None):
    try:
        day = parse_iso_date(value)
    except ValueError as error:
        record.error(where, str(error))
        return None
    if day is None:
        if required:
            record.error(where, "a date is required")
        return None
    try:
        not_in_future(day)
        not_before_birth(day, born)
    except ValidationError as error:
        record.error(where, error.messages[0])
    return day


def _conditions(entries, record, born):
    if not isinstance(entries, list):
        record.error("conditions", "expected a list")
        return None
    cleaned = []
    for index, entry in enumerate(entries):
        where = f"conditions[{index}]"
        if not isinstance(entry, dict):
            record.error(where, "expected an object")
            continue
        before = len(record.errors)
        value = entry.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value_is_number = value is None or (isinstance(value, int) and not isinstance(value, bool))
        if not value_is_number:
            record.error(f"{where}.value", f"expected a whole number, not {quoted(value)}")
            value = None
        code = _code(entry.get("code"))
        location, side, errors = check_condition(code, _code(entry.get("location")), _code(entry.get("side")), value)
        for name, message in errors.items():
            if name != "value" or value_is_number:
                record.error(f"{where}.{name}", message)
        detail = _stripped(entry.get("detail") or "")
        if not isinstance(detail, str) or len(detail) > 200:
            record.error(f"{where}.detail", "expected text of at most 200 characters")
        else:
            checked_text(one_line_of_text, detail, f"{where}.detail", record)
        noted = _dated(entry.get("noted_on"), f"{where}.noted_on", record, required=True, born=born)
        resolved = _dated(entry.get("resolved_on"), f"{where}.resolved_on", record, required=False, born=born)
        if resolved and code in EVENT_CODES:
            record.error(f"{where}.resolved_on", "a lab result or infusion is a dated event and is not resolved")
        elif noted and resolved and resolved < noted:
            record.error(f"{where}.resolved_on", "the condition cannot be resolved before it was noted")
        if len(record.errors) == before:
            cleaned.append(
                {
                    "code": code,
                    "location": location,
                    "side": side,
                    "value": value,
                    "detail": detail,
                    "noted_on": noted,
                    "resolved_on": resolved,
                }
            )
    return cleaned


def _clearance(entry, record, born):
    if not isinstance(entry, dict):
        record.error("clearance", "expected an object with physician, date and restrictions")
        return None
    physician = _stripped(entry.get("physician") or "")
    restrictions = _stripped(entry.get("restrictions") or "")
    if not isinstance(physician, str):
        record.error("clearance.physician", f"expected the physician's name (text), not {quoted(physician)}")
    elif not physician:
        record.error("clearance.physician", "the physician's name is required")
    elif len(physician) > 200:
        record.error("clearance.physician", "at most 200 characters")
    else:
        checked_text(one_line_of_text, physician, "clearance.physician", record)
    if not isinstance(restrictions, str):
        record.error("clearance.restrictions", "must be text")
    else:
        within_limit(restrictions, SHORT_TEXT, "clearance.restrictions", record)  # as the clearance form
        checked_text(plain_text, restrictions, "clearance.restrictions", record)
    day = _dated(entry.get("date"), "clearance.date", record, required=True, born=born)
    if isinstance(physician, str) and isinstance(restrictions, str):
        return {"physician": physician, "cleared_on": day, "restrictions": restrictions}
    return None


def _care_team(usernames, record, therapists):
    if not isinstance(usernames, list):
        record.error("care_team", "expected a list of usernames")
        return None
    if not usernames:
        record.error("care_team", "at least one therapist is required")
        return None
    found = {
        username: therapists[username] for username in usernames if isinstance(username, str) and username in therapists
    }
    for index, username in enumerate(usernames):
        if not isinstance(username, str):
            record.error(f"care_team[{index}]", "expected a username (text)")
        elif username not in found:
            record.error(f"care_team[{index}]", f"no active therapist with the username {quoted(username)}")
    return list(found.values())
