"""Reading an uploaded client file (JSON or CSV) into documents, or saying why it cannot be read."""

import codecs
import csv
import io
import json
import math
import re

from protocols.text import hidden_shown, without_hidden

from .documents import CSV_COLUMNS, restore_cell
from .validators import quoted

# Reading files.


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing in it was imported."""


def is_csv(name):
    return name.lower().endswith(".csv")


def read_upload(name, data):
    """Parse an uploaded file's bytes into (documents, labels); ImportFileError says what is wrong."""
    lower = name.lower()
    if not lower.endswith((".json", ".csv")):
        raise ImportFileError(f"{name}: not a CSV or JSON file (the name must end in .csv or .json).")
    text, _encoding = decode_upload(name, data)
    if lower.endswith(".json"):
        return parse_json(text)
    return parse_csv(text)


# Excel on Windows saves "CSV (Comma delimited)" in its own code page, Windows-1252, and "Unicode
# Text" as UTF-16; other programs save UTF-8.
WINDOWS_1252 = "Windows-1252"


# A character of two to four bytes as UTF-8 writes it. Windows-1252 text almost never holds one
# ("Ã©" is how "é" in UTF-8 reads in Windows-1252), so a file that does is UTF-8 with a broken byte.
UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode_upload(name, data):
    """The text of an uploaded file and the encoding it was read in: UTF-8, or for a CSV file UTF-16
    (with its byte order mark) or else Windows-1252. JSON is UTF-8 only (RFC 8259). A file of UTF-8
    with a byte that is not is refused, not read as Windows-1252: its accented names would turn to
    "JosÃ©" and overwrite the right ones on record."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as error:
        broken = error.start
    if is_csv(name) and not data.startswith(codecs.BOM_UTF8):
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            try:
                return data.decode("utf-16"), "UTF-16"
            except UnicodeDecodeError:
                pass
        elif not UTF8_SEQUENCE.search(data):
            try:
                return data.decode("cp1252"), WINDOWS_1252
            except UnicodeDecodeError:
                pass  # one of the five bytes Windows-1252 leaves undefined: some other encoding
    raise ImportFileError(f"{name}: not UTF-8 text (byte {broken + 1:,} is not UTF-8); save it as UTF-8 and try again.")


MAX_INT_DIGITS = 18


def _bounded_int(text):
    """A whole number of a file; no value a client document holds needs more than 18 digits."""
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number of {len(text)} digits is longer than any value a client document holds")
    return int(text)


def _finite_float(text):
    """A number with a fraction or exponent; 1e400 overflows to infinity, which no value can be."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text} is beyond the size of any value a client document holds")
    return value


def _no_constant(name):
    raise ValueError(f"{name} is not a number a client document can hold")


class _KeyTwice(ValueError):
    pass


def _one_value_per_key(pairs):
    """An object of the file; a key given twice is refused, as a CSV column twice: the later would silently win."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise _KeyTwice(f"The key {quoted(twice)} appears twice in one object; keep one.")
    return data


def parse_json(text):
    try:
        data = json.loads(
            text,
            parse_int=_bounded_int,
            parse_float=_finite_float,
            parse_constant=_no_constant,
            object_pairs_hook=_one_value_per_key,
        )
    except _KeyTwice as error:
        raise ImportFileError(str(error)) from None
    except json.JSONDecodeError as error:
        raise ImportFileError(f"Not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.") from None
    except RecursionError:
        raise ImportFileError("Not a client file: its lists and objects are nested too deeply.") from None
    except ValueError as error:
        raise ImportFileError(f"Not valid JSON: {error}.") from None
    docs = [data] if isinstance(data, dict) else data
    if not isinstance(docs, list):
        raise ImportFileError("The JSON file must hold one client document or a list of them.")
    if not docs:
        raise ImportFileError("The file holds no clients.")
    return docs, [f"document {number}" for number in range(1, len(docs) + 1)]


# What the csv module's errors mean, in the words of someone who saved the file from a spreadsheet.
CSV_PROBLEMS = (("field larger than field limit", "a value is longer than any field of a client record"),)


def _csv_problem(error):
    text = str(error).lower()
    return next((meaning for known, meaning in CSV_PROBLEMS if known in text), f"not valid CSV ({error})")


def _header(reader):
    """The column names of the first row that holds any, in lower case ("External_ID" is external_id), or None.
    Blank lines before it are skipped, and so is the line "sep=," a spreadsheet writes to name its delimiter."""
    for row in reader:
        if row and row[0].strip().lower().startswith("sep=") and not any(cell.strip() for cell in row[1:]):
            continue  # "sep=," is read as two cells: "sep=" and an empty one
        if any(cell.strip() for cell in row):
            return [column.strip().lower() for column in row]
    return None


def csv_delimiter(text):
    """The column separator: the one a spreadsheet's "sep=" line names; else whichever of comma,
    semicolon and tab splits the first line with any text into the most of the columns the import
    reads (Excel saves semicolons where a comma is the decimal mark, and tabs as "Unicode Text"),
    a comma when none does."""
    for line in text.splitlines():
        if not line.strip():
            continue
        named = line.strip(" ")  # not a tab: "sep=\t" names one
        if named.lower().startswith("sep=") and len(named) == 5:
            return named[4]
        return max((",", ";", "\t"), key=lambda mark, line=line: _known_columns(line, mark))  # a tie: the comma
    return ","


def _known_columns(line, delimiter):
    """How many of the columns the import reads a header line names, split at `delimiter`."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return 0  # parse_csv says what is wrong with the line
    return sum(cell.strip().lower() in CSV_COLUMNS for cell in cells)


def _reader(text):
    # newline="": line ends are left to the csv module, which reads \n, \r\n and an old Mac's \r alike.
    return csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))


def ignored_csv_columns(text):
    """The named columns of a CSV file's header that the import does not read: their values are left out."""
    try:
        header = _header(_reader(text)) or []
    except csv.Error:
        return []  # parse_csv says what is wrong with the file
    return [column for column in dict.fromkeys(header) if column and column not in CSV_COLUMNS]


def parse_csv(text):
    reader = _reader(text)
    try:
        header = _header(reader)
    except csv.Error as error:
        raise ImportFileError(f"row {reader.line_num or 1}: {_csv_problem(error)}.") from None
    if header is None:
        raise ImportFileError("The file is empty.")
    at = f"row {reader.line_num} (header)"
    missing = [column for column in CSV_COLUMNS if column not in header]
    delimiter = next((mark for mark in (";", "\t", "|") if len(header) == 1 and mark in header[0]), None)
    if missing and delimiter:
        shown = "tab" if delimiter == "\t" else f"'{delimiter}'"
        raise ImportFileError(
            f"{at}: the columns are separated by {shown}, not by commas; "
            "save the file as CSV with commas between columns."
        )
    if missing:
        # "external_id" behind a second byte order mark, or with a null character: said as such.
        hidden = next((cell for cell in header if cell not in CSV_COLUMNS and without_hidden(cell) in missing), None)
        if hidden is not None:
            raise ImportFileError(
                f"{at}: the column name {hidden_shown(hidden)} holds a hidden character; "
                f"remove it so that the name reads {without_hidden(hidden)}."
            )
        raise ImportFileError(f"{at}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}.")
    twice = sorted({column for column in header if column and header.count(column) > 1})
    if twice:
        # Which of the two is meant cannot be known: the later one would silently win.
        raise ImportFileError(f"{at}: the column {', '.join(twice)} appears twice; keep one.")
    docs, labels = [], []
    try:
        starts = reader.line_num + 1  # the line a row starts on: a quoted value may span lines
        for row in reader:
            number, opened, starts = reader.line_num, starts, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                if any("\n" in cell or "\r" in cell for cell in row):
                    raise ImportFileError(
                        f'row {opened}: a value opens with a quote mark (") that is not closed where it should be, '
                        "so the lines after it were read into it."
                    )
                raise ImportFileError(f"row {number}: has {len(row)} values, the header has {len(header)} columns.")
            values = {column: restore_cell(cell).strip() for column, cell in zip(header, row, strict=True)}
            docs.append(
                {
                    # A blank phone or e-mail cell leaves what the record has: re-importing a
                    # list that lacks them must not erase contact details.
                    **{
                        column: values[column]
                        for column in CSV_COLUMNS[:6]
                        if values[column] or column not in ("phone", "email")
                    },
                    "neuropathy": {"type": values["neuropathy_type"]},
                    "care_team": [name.strip() for name in values["care_team"].split(";") if name.strip()],
                }
            )
            labels.append(f"row {number}")
    except csv.Error as error:
        raise ImportFileError(f"row {reader.line_num}: {_csv_problem(error)}.") from None
    if not docs:
        raise ImportFileError("The file holds no clients.")
    return docs, labels
