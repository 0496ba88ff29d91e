"""What a client's conditions mean for massage, read with all of the client's facts and the clinic's templates."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from clients.services import condition_meanings
from tests.factories import make_client, make_condition

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REPO = Path(__file__).resolve().parents[2]


def _effects(meanings):
    return {item.condition.code: (group.severity, item.effects) for group in meanings for item in group.items}


def test_active_chemotherapy_beside_a_platelet_count_does_not_read_as_counts_unknown():
    client = make_client(neuropathy_type="CIPN")
    make_condition(client, "active_chemo")
    make_condition(client, "platelet_count", value=45_000, noted_on=TODAY - datetime.timedelta(days=1))
    effects = _effects(condition_meanings(client, TODAY))
    chemo_severity, chemo = effects["active_chemo"]
    assert chemo_severity == "caution"
    assert not any("unknown" in effect.lower() for effect in chemo), chemo
    assert "At most 45 minutes" in chemo and "Needs physician clearance" in chemo
    platelets_severity, platelets = effects["platelet_count"]
    assert platelets_severity == "modify"
    assert "Whole session at pressure 1 at most: very low platelets" in platelets


def test_active_chemotherapy_beside_a_neutrophil_count_alone_names_the_platelet_count_missing():
    """RULES.md, how a plan reads: no "blood counts unknown" when a valid count is on file. A valid
    ANC is a known blood count; what is missing is the platelet count."""
    client = make_client(neuropathy_type="CIPN")
    make_condition(client, "active_chemo")
    make_condition(client, "anc", value=3_000, noted_on=TODAY - datetime.timedelta(days=1))
    _severity, chemo = _effects(condition_meanings(client, TODAY))["active_chemo"]
    assert not any("blood counts unknown" in effect.lower() for effect in chemo), chemo
    assert "Whole session at pressure 2 at most: no recent platelet count" in chemo


def test_active_chemotherapy_alone_asks_for_the_counts():
    client = make_client(neuropathy_type="CIPN")
    make_condition(client, "active_chemo")
    severity, chemo = _effects(condition_meanings(client, TODAY))["active_chemo"]
    assert severity == "modify"
    assert "Whole session at pressure 2 at most: no recent platelet count" in chemo


def test_a_picc_line_means_its_arm_avoided_and_its_hand_lighter():
    client = make_client(neuropathy_type="CIPN")
    make_condition(client, "picc_line", location="arms", side="right")
    severity, picc = _effects(condition_meanings(client, TODAY))["picc_line"]
    assert severity == "avoid"
    assert picc == ["Do not work: right arm", "Pressure 1 at most: right hand"]


def test_no_page_plans_with_the_built_in_templates():
    """The engine runs with the clinic's edited templates everywhere; the built-in ones only seed and benchmark."""
    users = []
    for app in ("clients", "planner", "protocols"):
        for path in (REPO / app).rglob("*.py"):
            if "migrations" in path.parts or path.name in ("default_templates.py", "benchmark.py"):
                continue
            if re.search(r"\bDEFAULT_TEMPLATES\b", path.read_text()):
                users.append(str(path.relative_to(REPO)))
    assert users == []


def test_a_session_caution_says_what_to_do_not_only_its_name():
    """ "Session note: active chemotherapy" beside "Active chemotherapy" tells the therapist nothing."""
    client = make_client(neuropathy_type="CIPN")
    make_condition(client, "active_chemo")
    make_condition(client, "platelet_count", value=150_000, noted_on=TODAY - datetime.timedelta(days=1))
    make_condition(client, "port", location="chest", side="right")
    effects = _effects(condition_meanings(client, TODAY))
    assert effects["port"] == (
        "caution",
        ["Session note: put no pressure over the port and do not lie the client prone without bolsters"],
    )
    chemo = effects["active_chemo"][1]
    assert chemo[0] == (
        "Session note: keep the session short, get physician clearance and work more gently as the course goes on"
    )
    page_effects = [effect for _severity, effects_ in effects.values() for effect in effects_]
    assert not any(
        effect.lower() in ("session note: implanted port", "session note: active chemotherapy")
        for effect in page_effects
    )


def test_a_condition_entered_twice_keeps_its_meaning():
    """Removing one copy leaves its twin: each copy must still read as what the condition does."""
    client = make_client()
    for _ in range(2):
        make_condition(client, "open_wound", location="feet", side="left", detail="heel")
    meanings = condition_meanings(client, TODAY)
    twins = [(group.severity, item.effects) for group in meanings for item in group.items]
    assert len(twins) == 2
    assert twins[0] == twins[1]
    assert twins[0][0] == "avoid" and "Do not work: left foot" in twins[0][1]


def test_the_page_says_what_wants_the_clearance_that_is_not_on_file(login, clinic_admin):
    client = make_client(neuropathy_type="CIPN")
    make_condition(client, "active_chemo")
    make_condition(client, "edema", location="feet", side="left")
    admin = login(clinic_admin)
    page = admin.get(f"/clients/{client.pk}/").content.decode()
    assert "Active chemotherapy and edema need a physician&#x27;s clearance before massage." in page
    # A contributing cause asks for one too, with no condition on file.
    liver = make_client(contributing_causes=["liver_disease"])
    page = admin.get(f"/clients/{liver.pk}/").content.decode()
    assert "Liver disease needs a physician&#x27;s clearance before massage." in page
    plain = make_client()
    page = admin.get(f"/clients/{plain.pk}/").content.decode()
    assert "A session today needs none." in page
    assert "Some conditions need" not in page


def test_resolving_a_condition_that_shapes_plans_asks_first(login, clinic_admin):
    client = make_client(neuropathy_type="CIPN")
    make_condition(client, "picc_line", location="arms", side="right")
    page = login(clinic_admin).get(f"/clients/{client.pk}/").content.decode()
    assert (
        'data-confirm="Resolve PICC line, right arm as of today? From today it no longer shapes session plans."' in page
    )


def test_the_engines_reading_is_reused_while_the_facts_and_templates_stay_the_same(monkeypatch):
    """The client page asks the engine once per set of facts and templates: opened again unchanged,
    no plan is made; a new condition, or a changed template, is read anew."""
    from clients import services
    from protocols.models import ProtocolTemplate

    services._reading.cache_clear()
    calls = []
    propose = services.propose
    monkeypatch.setattr(services, "propose", lambda *args: calls.append(1) or propose(*args))
    client = make_client(neuropathy_type="DPN", last_name="Reused")
    make_condition(client, "open_wound", location="feet", side="left")

    first = _effects(condition_meanings(client, TODAY))
    assert len(calls) == 2  # every place, then without the wound
    assert _effects(condition_meanings(client, TODAY)) == first
    assert len(calls) == 2

    make_condition(client, "fever")
    client.refresh_from_db()
    assert set(_effects(condition_meanings(client, TODAY))) == {"open_wound", "fever"}
    assert len(calls) == 5  # every place, then without each of the two

    template = ProtocolTemplate.objects.active().for_type("DPN").filter(region="feet").first()
    template.steps.update(minutes=1)
    condition_meanings(client, TODAY)
    assert len(calls) == 8
