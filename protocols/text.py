"""Text that looks like what it is: control characters and invisible formatting refused in what people type.

"AB" and "A\x1fB" look the same on every page and are not the same to a search, an import or a
signature; a right-to-left override shows "Tester Bell" as "lleB retseT". The clients' and the
planner's forms, the import and the template editor all refuse them with these validators.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

# Zero-width joiners and non-joiners belong to the spelling of some scripts (Persian, the Indic ones).
JOINERS = "\u200c\u200d"
LINE_BREAKS = "\n\r\t"
# The code of the refusal, by which a form lets text already on the record keep what it held before.
CONTROL_CHARACTER = "control_character"


def _is_hidden(char):
    """A control or invisible formatting character: an escape, a right-to-left override, a byte order mark."""
    return char not in JOINERS and unicodedata.category(char) in ("Cc", "Cf")


def _hidden_character(value, allowed=""):
    """The first hidden character of the text (see _is_hidden) not in `allowed`, or "" when it has none."""
    return next((char for char in value or "" if char not in allowed and _is_hidden(char)), "")


def _hidden_character_error(char, one_line):
    if one_line and char in LINE_BREAKS:
        what = "tab" if char == "\t" else "line break"
        message = f"Remove the {what} (a control character, U+{ord(char):04X}): this field holds one line."
    else:
        message = (
            f"Remove the control character U+{ord(char):04X}: it does not show, yet makes this text "
            "differ from the same text typed."
        )
    return ValidationError(message, code=CONTROL_CHARACTER)


def hidden_shown(value):
    """The text with each control or invisible formatting character written out as ⟨U+202E⟩, so that a
    refused value can be shown as it is (a right-to-left override would turn the rest of the line around)."""
    return "".join(f"⟨U+{ord(char):04X}⟩" if _is_hidden(char) else char for char in str(value))


def without_hidden(value):
    """The text with its control and invisible formatting characters left out."""
    return "".join(char for char in str(value) if not _is_hidden(char))


def one_line_of_text(value):
    """A name, an id, a place: no control character (a line break or tab included) and no invisible formatting.
    "AB" and "A\x1fB" look the same on every page and are not the same to a search or an import."""
    char = _hidden_character(value)
    if char:
        raise _hidden_character_error(char, one_line=True)


def plain_text(value):
    """A note: line breaks and tabs are welcome, other control and invisible formatting characters are not."""
    char = _hidden_character(value, allowed=LINE_BREAKS)
    if char:
        raise _hidden_character_error(char, one_line=False)


def refuse_hidden_characters(form, *names):
    """Refuse control and invisible formatting characters in these fields of a form (model fields that
    carry no validator of their own): a note (a Textarea) keeps its line breaks and tabs, a one-line
    field does not."""
    for name in names:
        field = form.fields[name]
        field.validators.append(plain_text if isinstance(field.widget, forms.Textarea) else one_line_of_text)
