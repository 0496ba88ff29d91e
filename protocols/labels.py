"""Words the pages and the engine share: places, dates, lab values, severities, statuses.

Pure (no Django), so the engine writes its notes with the same words the pages use.
"""

from protocols.vocabulary import BOTH, LOCATION_LABELS, NEUROPATHY_TYPES, REGION_SINGULAR, REGIONS, SIDES

# Severities as a plan reads them, most severe first; the library names its rule outcomes.
SEVERITY_LABELS = {"defer": "Defer", "avoid": "Do not work", "modify": "Work with changes", "caution": "Caution"}
LIBRARY_SEVERITY_LABELS = {"defer": "Defer", "avoid": "Avoid", "modify": "Modify", "caution": "Caution"}
# A region/side's status on a plan.
STATUS_LABELS = {"ok": "Work", "modify": "Work with changes", "avoid": "Do not work"}

LAB_NAMES = {"platelet_count": "platelets", "anc": "ANC"}

# A neuropathy type as pages name it: DPN and CIPN are the clinic's abbreviations; "IDIOPATHIC" is only a code.
TYPE_SHORT = {"DPN": "DPN", "CIPN": "CIPN", "IDIOPATHIC": "Idiopathic"}


def type_short(code):
    """ "DPN", "CIPN", "Idiopathic"."""
    return TYPE_SHORT.get(code, code)


def type_name(code):
    """ "DPN: Diabetic peripheral neuropathy", "Idiopathic peripheral neuropathy"."""
    short, name = type_short(code), NEUROPATHY_TYPES.get(code, code)
    return name if name.lower().startswith(short.lower()) else f"{short}: {name}"


def format_date(day):
    """ "26 Nov 2026", as every page writes a date."""
    return f"{day.day} {day:%b %Y}"


def place(location, side):
    """ "left foot", "both feet", "chest (left)", "whole body"."""
    if location in REGIONS and side is not None:
        return f"both {location}" if side == BOTH else f"{side} {REGION_SINGULAR[location]}"
    name = LOCATION_LABELS[location].lower()
    if side is None:
        return name
    return f"{name} (both sides)" if side == BOTH else f"{name} ({side})"


def place_title(region, side):
    """ "Left foot", for headings and form labels."""
    return place(region, side).capitalize()


def places(targets):
    """ "both hands and left foot": a region named on both sides is named once."""
    names = []
    for region in REGIONS:
        sides = [side for side in SIDES if (region, side) in targets]
        if sides:
            names.append(place(region, BOTH if len(sides) == 2 else sides[0]))
    return and_list(names)


def and_list(words, conjunction="and"):
    """ "arms, hands and feet"; with conjunction="or", "arms or legs"."""
    words = list(words)
    if not words:
        return ""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def sentence_case(label):
    """Lower the first letter unless the label starts with an acronym (PICC line, TENS unit)."""
    if label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def count(value):
    """A lab value the way clinicians write it: 45,000."""
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,}"


SIZE_UNITS = ((1024 * 1024, "MB"), (1024, "KB"))


def exact_size(size):
    """'10 MB', '300 KB' or '1,000 bytes': a limit, said exactly."""
    for factor, unit in SIZE_UNITS:
        if size >= factor and size % factor == 0:
            return f"{size // factor:,} {unit}"
    return f"{size:,} bytes"


def sizes_over_limit(size, limit):
    """A file's size and the limit it is over, in words that keep it over however little it is.

    ('12.0 MB', '10 MB'), but ('10,485,765 bytes', '10 MB (10,485,760 bytes)') where rounding
    would make 10 MB and 5 bytes read '10.0 MB'.
    """
    said_limit = exact_size(limit)
    factor, unit = next(((f, u) for f, u in SIZE_UNITS if size >= f), (1, "bytes"))
    shown = round(size / factor, 1)
    if factor > 1 and shown * factor > limit:
        return f"{shown:,.1f} {unit}", said_limit
    if not said_limit.endswith("bytes"):
        said_limit = f"{said_limit} ({limit:,} bytes)"
    return f"{size:,} bytes", said_limit
