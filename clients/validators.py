"""Checks shared by the forms, the model fields and the import of client documents."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from protocols.labels import and_list, format_date
from protocols.text import CONTROL_CHARACTER, one_line_of_text, plain_text, refuse_hidden_characters  # noqa: F401 (used from here)
from protocols.vocabulary import (
    CONDITION_SIDES,
    CONTRIBUTING_CAUSES,
    LOCATION_LABELS,
    LOCATIONS,
    REGIONS,
    SIDES,
    SYMPTOMS,
    UnknownCode,
    condition,
    validate_condition,
)

EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
DIAGNOSED_BEFORE_BIRTH = "The diagnosis date is before the date of birth."


def not_in_future(value):
    """A date that has already happened (a birth, a lab result, a clearance)."""
    if value is not None and value > timezone.localdate():
        raise ValidationError("This date is in the future.", code="future_date")


def not_before_1900(value):
    if value is not None and value < EARLIEST_BIRTH_DATE:
        raise ValidationError("Enter a date from 1900 onwards.", code="too_early")


# RULES.md, "Values and dates must be plausible": the lab values a plan reads, per µL.
PLAUSIBLE_VALUES = {"platelet_count": (0, 2_000_000), "anc": (0, 100_000)}
PHONE_PATTERN = re.compile(r"^\+?[\d\s().\-/]+((\s*(x|ext\.?)\s*)\d{1,6})?$", re.IGNORECASE)


def has_letter(value):
    """A name holds at least one letter, of any script: "-1" and "{{7*7}}" are not names."""
    if value and not any(char.isalpha() for char in value):
        raise ValidationError("A name needs at least one letter.", code="no_letter")


def looks_like_phone(value):
    """Digits with the usual separators, an optional leading + and extension: 6 to 20 digits."""
    if not value:
        return
    digits = sum(char.isdigit() for char in value)
    if not PHONE_PATTERN.match(value):
        raise ValidationError(
            "Enter a phone number: digits, spaces, ( ) - . and an optional leading +, e.g. +1 555 0100.",
            code="phone",
        )
    if not 6 <= digits <= 20:
        raise ValidationError(
            f"Enter a phone number of 6 to 20 digits, e.g. +1 555 0100; this one has {digits}.", code="phone"
        )


def not_before_birth(day, born):
    """Nothing about a client (a condition, a lab, a clearance, consent) happens before their birth."""
    if day is not None and born is not None and day < born:
        raise ValidationError("This date is before the client's date of birth.", code="before_birth")


# What a date of birth may not come after, as the refusal names it: "{}" is the record's date.
DIAGNOSED_ON = "The neuropathy was diagnosed on {}"


def born_before_records(born, records):
    """Refuse a date of birth after anything on the client's record; `records` holds (date, what),
    `what` a sentence such as DIAGNOSED_ON. The message names the earliest record."""
    before = sorted((day, what) for day, what in records if day is not None and born is not None and day < born)
    if before:
        day, what = before[0]
        raise ValidationError(f"{what.format(format_date(day))}, before this date of birth.", code="born_after_record")


# A value a message quotes back is cut to this many characters: a 1 MB code reads as its start.
QUOTED_CHARACTERS = 60


def quoted(value):
    """A value as a message quotes it (Python's repr, as before), cut to QUOTED_CHARACTERS."""
    text = repr(value)
    return text if len(text) <= QUOTED_CHARACTERS else text[: QUOTED_CHARACTERS - 1] + "…"


def number_said(value):
    """A number as a message says it: with thousands separators, or its size when it is absurdly long."""
    text = f"{value:,}"
    return text if len(text) <= 20 else f"a number of {len(str(abs(int(value))))} digits"


def plausible_value(code, value):
    """The message for a lab value outside RULES.md's plausible range, or "" when it is in range."""
    low, high = PLAUSIBLE_VALUES.get(code, (None, None))
    if value is None or low is None or low <= value <= high:
        return ""
    return f"Enter a value from {low:,} to {high:,}; {number_said(value)} is not a plausible result."


def parse_iso_date(text):
    """A YYYY-MM-DD date of an imported file, or None for an empty value; ValueError names the format."""
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise ValueError(f"expected a date as YYYY-MM-DD, not {quoted(text)}")
    # fromisoformat also takes 20240102 and week dates; a file should say exactly YYYY-MM-DD.
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, flags=re.ASCII):
        raise ValueError(f"expected a date as YYYY-MM-DD, not {quoted(text)}")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        # Written as asked, but no such day: "2020-02-31" is to be checked, not reformatted.
        raise ValueError(f"{quoted(text)} is not a date on the calendar") from None


def is_database_id(text):
    """Whether a request's text names a row by id: ASCII digits only (isdigit() alone also takes "²",
    which int() refuses, and "٣", which it reads as 3), fewer than 19 of them (no database's
    integer is longer, and int() refuses 4,300)."""
    return text.isascii() and text.isdigit() and len(text) < 19


def place_key(region, side):
    """The key of one region/side in Client.symptoms: "feet:left"."""
    return f"{region}:{side}"


def clean_symptoms(places):
    """Turn {(region, side): codes} into the stored form, or raise ValidationError naming the bad code.

    The stored form lists region/sides in plan order and symptoms in the vocabulary's order,
    leaving out places without symptoms, so equal profiles are equal JSON.
    """
    cleaned = {}
    for (region, side), codes in places.items():
        if region not in REGIONS:
            raise ValidationError(f"Unknown region {quoted(region)}.", code="unknown_region")
        if side not in SIDES:
            raise ValidationError(f"Unknown side {quoted(side)} for {region}.", code="unknown_side")
        unknown = sorted(set(codes) - SYMPTOMS.keys())
        if unknown:
            raise ValidationError(f"Unknown symptom {quoted(unknown[0])}.", code="unknown_symptom")
    for region in REGIONS:
        for side in SIDES:
            codes = places.get((region, side), ())
            ordered = [code for code in SYMPTOMS if code in codes]
            if ordered:
                cleaned[place_key(region, side)] = ordered
    return cleaned


def clean_causes(codes):
    unknown = sorted(set(codes) - CONTRIBUTING_CAUSES.keys())
    if unknown:
        raise ValidationError(f"Unknown contributing cause {quoted(unknown[0])}.", code="unknown_cause")
    return [code for code in CONTRIBUTING_CAUSES if code in codes]


def _checked_location(kind, location):
    """The location to store (an only place filled in) and what is wrong with it ("" when nothing)."""
    if location and location not in LOCATIONS:
        return location, f"Unknown location {quoted(location)}."
    if location and location not in kind.locations:
        allowed = and_list((LOCATION_LABELS[place].lower() for place in kind.locations), "or")
        return location, f"{kind.label} cannot be on the {LOCATION_LABELS[location].lower()}; choose {allowed}."
    if not location and len(kind.locations) == 1:
        return kind.locations[0], ""
    if not location and not kind.location_optional:
        return location, f"Choose where the {kind.label.lower()} is."
    return location, ""


def _side_error(kind, location, side, location_error):
    if side and side not in CONDITION_SIDES:
        return f"Unknown side {quoted(side)}."
    if kind.whole_body and side:
        return f"{kind.label} concerns the whole body: leave the side empty."
    if kind.needs_side and location and not side and not location_error:
        return f"Choose the side of the {kind.label.lower()}."
    return ""


def _value_error(kind, code, value):
    if kind.value is not None and value is None:
        return f"Enter the {kind.label.lower()} ({kind.value})."
    if kind.value is None and value is not None:
        return f"{kind.label} takes no value: leave it empty."
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        return "Enter a whole number, zero or more."
    return plausible_value(code, value) or ""


def check_condition(code, location, side, value):
    """Check a recorded condition field by field.

    Returns (location, side, errors): the location and side to store (an implied location filled
    in, "" for none) and a dict of field name -> message, empty when the condition is valid.
    """
    location = location or ""
    side = side or ""
    wrong_type = {
        name: f"Expected a code (text), not {quoted(given)}."
        for name, given in (("code", code), ("location", location), ("side", side))
        if not isinstance(given, str)
    }
    if wrong_type:
        return "", "", wrong_type
    try:
        kind = condition(code)
    except UnknownCode:
        return location, side, {"code": f"Unknown condition {quoted(code)}."}

    location, location_error = _checked_location(kind, location)
    errors = {
        "location": location_error,
        "side": _side_error(kind, location, side, location_error),
        "value": _value_error(kind, code, value),
    }
    errors = {name: message for name, message in errors.items() if message}
    if not errors:
        # The vocabulary has the last word; a disagreement here is a bug worth hearing about.
        try:
            location, side = validate_condition(code, location or None, side or None, value)
        except (KeyError, ValueError) as error:
            errors["code"] = str(error)
            return location, side, errors
        location, side = location or "", side or ""
    return location, side, errors


# Free text of a clinical record: a short note, and a long one (a SOAP section). Longer is a paste gone wrong.
SHORT_TEXT, LONG_TEXT = 2_000, 10_000


class TextLengthValidator(MaxLengthValidator):
    """At most `limit` characters, a line break counted once as the browser's maxlength counts it
    (a text area sends each one as CR LF)."""

    def clean(self, x):
        return len(x.replace("\r\n", "\n"))


def limit_length(form, limit, *names):
    """Refuse text longer than `limit` in these fields of the form (and tell the browser so)."""
    for name in names:
        field = form.fields[name]
        field.validators.append(TextLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)
