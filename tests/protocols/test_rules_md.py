"""protocols/rules.py against RULES.md's rules table, row by row, through a copy kept beside this test.

The copy (rules_md_table.md) lets a clone without shared/ check the table; a second test checks
the copy against ../shared/clinical/RULES.md whenever that file is there, so the two cannot drift.
"""

import re
from pathlib import Path

import pytest

from protocols.rules import ELSEWHERE, LAB_RANGE, REGION, RULES, RULES_BY_CODE, SESSION

HERE = Path(__file__).parent
COPY = HERE / "rules_md_table.md"
REPO = HERE.parents[1]
SHARED_RULES_MD = REPO.parent / "shared" / "clinical" / "RULES.md"
COLUMNS = ["rule", "fires when", "scope", "severity", "cap", "other effect", "sources"]


def table_lines(text):
    """The lines of the rules table: from its header row to the last row."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| rule | fires when"))
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    return lines[start:end]


def rows(text):
    """Each row as a dict by column name; the header and separator rows left out."""
    found = []
    for line in table_lines(text)[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == len(COLUMNS), line
        found.append(dict(zip(COLUMNS, cells, strict=True)))
    return found


ROWS = rows(COPY.read_text())


def _codes(text):
    return re.findall(r"`([a-z_]+)`", text)


def expected_sources(cell):
    if cell == "seed article":
        return ("seed",)
    return tuple(int(number) for number in re.findall(r"\[(\d+)\]", cell))


def expected_minutes(row):
    found = re.search(r"max (\d+) minutes", row["other effect"])
    return int(found.group(1)) if found else None


def expected_drops(row):
    found = re.search(r"drops ((?:`[a-z_]+`(?: and )?)+) steps", row["other effect"])
    return tuple(_codes(found.group(1))) if found else ()


def test_the_copy_has_every_rule_once_in_the_table_order():
    assert [_codes(row["rule"])[0] for row in ROWS] == [rule.code for rule in RULES]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: _codes(row["rule"])[0])
def test_rule_matches_its_rules_md_row(row):
    rule = RULES_BY_CODE[_codes(row["rule"])[0]]
    # Severity: "avoid / modify" is the rule and its second outcome (the PICC line's hand).
    severities = [word.strip() for word in row["severity"].split("/")]
    assert rule.severity == severities[0]
    assert [variant.severity for variant in rule.variants if variant.severity in severities[1:]] or len(
        severities
    ) == 1
    # Cap: the rule's own, or (PICC line) its second outcome's.
    cap = int(row["cap"]) if row["cap"] else None
    assert cap in {rule.pressure_cap, *(variant.pressure_cap for variant in rule.variants)}
    if len(severities) == 1:
        assert rule.pressure_cap == cap
    assert rule.minutes_cap == expected_minutes(row)
    assert rule.requires_clearance == row["other effect"].startswith("requires clearance")
    assert rule.sources == expected_sources(row["sources"])
    assert rule.drops == expected_drops(row)
    # Scope: R or S, or the regions named (which the trigger's regions must be).
    if row["scope"] == "S":
        assert rule.scope == SESSION
    elif row["scope"].startswith("R"):
        assert rule.scope == REGION
    else:
        assert rule.scope not in (REGION, SESSION)
        for region in re.findall(r"arms|hands|legs|feet", rule.scope):
            assert region in row["scope"]
    # An "elsewhere" outcome in the row is a variant of the rule, and only then.
    row_text = " ".join(row.values())
    assert rule.has_variant(ELSEWHERE) == ("elsewhere" in row_text or "without a region" in row_text)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: _codes(row["rule"])[0])
def test_lab_thresholds_come_from_the_row(row):
    """Platelet and ANC bounds written in the row are the trigger's bounds."""
    rule = RULES_BY_CODE[_codes(row["rule"])[0]]
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\b\d{1,3}(?:,\d{3})+\b|\b\d{3,}\b", row["fires when"])]
    if rule.trigger.kind != LAB_RANGE:
        assert not numbers or rule.trigger.lab is None
        return
    if "below" in row["fires when"]:
        assert (rule.trigger.low, rule.trigger.high) == (0, numbers[0])
    else:
        assert (rule.trigger.low, rule.trigger.high - 1) == (numbers[0], numbers[1])


def differences(copy_text, rules_md_text):
    """Lines of the rules table that differ between the copy and RULES.md."""
    ours, theirs = table_lines(copy_text), table_lines(rules_md_text)
    return [(a, b) for a, b in zip(ours, theirs, strict=False) if a != b] + (
        [("rows", f"{len(ours)} here, {len(theirs)} in RULES.md")] if len(ours) != len(theirs) else []
    )


def test_the_copy_is_the_table_of_shared_rules_md_when_it_is_there():
    if not SHARED_RULES_MD.exists():
        return  # a clone without shared/ still checks rules.py against the copy above
    assert differences(COPY.read_text(), SHARED_RULES_MD.read_text()) == []


def test_a_changed_row_in_rules_md_is_reported(tmp_path):
    text = COPY.read_text()
    assert differences(text, "# Rules\n\n" + text) == []
    changed = text.replace("| `fever` | `fever` | S | defer |", "| `fever` | `fever` | S | modify |")
    assert changed != text
    assert differences(text, changed) != []
    assert differences(text, "\n".join(text.splitlines()[:-1])) != []
