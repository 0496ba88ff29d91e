"""The pages read at the treatment table, for the demo CIPN client: every sentence once, each cap once."""

import re
from datetime import time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from clients.models import Client
from planner import plans
from tests.factories import make_client, make_condition
from tests.planner.test_plan_engine_reads import cipn_client

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + timedelta(days=1)


def all_eight(client, therapist, at=time(10, 0)):
    return plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, at),
        regions="arms,hands,legs,feet",
        created_by=therapist,
    )


def sheet_notes(html):
    """(where, text) of every note the print sheet lists, in order."""
    notes = re.findall(
        r'<li>(?:<strong>NEW</strong> )?<span class="fw-semibold"><span class="note-where">([^<]+)</span>'
        r"((?: \(not worked\))?):</span> (.*?) <span",
        html,
    )
    return [(where + resting, text.strip()) for where, resting, text in notes]


def test_the_print_sheet_prints_a_note_shared_by_both_sides_once(login, therapist):
    plan = all_eight(cipn_client(therapist), therapist)
    html = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    notes = sheet_notes(html)
    texts = [text for _where, text in notes]
    assert len(texts) == len(set(texts)), texts

    def where(start):
        return [place for place, text in notes if text.startswith(start)]

    assert where("Cold sensitivity in both hands. Use no cold packs") == ["Both hands"]
    assert where("Cold sensitivity in both hands. Keep the feet warm") == ["Both feet"]
    assert where("PICC line on right arm") == ["Right arm", "Right hand"]
    # The same advice for each foot, naming its own foot, is one sentence about both feet.
    assert where("Numbness in both feet. Keep the pressure light and use no tools") == ["Both feet"]
    assert where("Numbness in right foot") == where("Numbness in left foot") == []
    # 13 notes in the plan (5 of the session, 8 on the places); the sheet lists 10 sentences.
    proposal = plan.proposal
    assert len(proposal["session"]["notes"]) + sum(len(r["notes"]) for r in proposal["regions"]) == 13
    assert len(notes) == 10


def test_a_shared_note_is_new_on_the_sheet_when_new_on_any_of_its_places():
    from planner.proposals import notes_by_severity

    note = {"severity": "modify", "rule": "cold_sensitivity", "text": "Cold sensitivity in both hands. Warm room."}
    regions = [
        {"region": "hands", "side": "left", "status": "modify", "notes": [{**note, "new": False}]},
        {"region": "hands", "side": "right", "status": "modify", "notes": [{**note, "new": True}]},
    ]
    groups = {group["severity"]: group["notes"] for group in notes_by_severity({"notes": []}, regions)}
    assert [(n["where"], n["new"]) for n in groups["modify"]] == [("both hands", True)]


def test_seed_demo_has_the_cipn_client_of_the_plan_that_must_read_right(login):
    call_command("seed_demo")
    client = Client.objects.get(first_name="Nora", last_name="Vance")
    today = timezone.localdate()
    conditions = {c.code: c for c in client.current_conditions(today)}
    assert set(conditions) == {"active_chemo", "chemo_infusion", "platelet_count", "port", "picc_line"}
    assert (today - conditions["chemo_infusion"].noted_on).days == 8
    assert conditions["platelet_count"].value == 45_000 and (today - conditions["platelet_count"].noted_on).days == 1
    assert (conditions["port"].location, conditions["port"].side) == ("chest", "right")
    assert (conditions["picc_line"].location, conditions["picc_line"].side) == ("arms", "right")
    assert client.symptoms == {
        "hands:left": ["cold_sensitivity"],
        "hands:right": ["cold_sensitivity"],
        "feet:left": ["numbness"],
        "feet:right": ["numbness"],
    }
    tara = get_user_model().objects.get(username="tara")
    assert list(client.care_team.all()) == [tara]
    plan = all_eight(client, tara, at=time(7, 0))  # the demo's own sessions start later
    by_place = {(r["region"], r["side"]): r for r in plan.proposal["regions"]}
    assert by_place[("arms", "right")]["status"] == "avoid"
    assert by_place[("hands", "right")]["pressure_set_by"] == ["nadir_window", "platelets_very_low", "picc_line"]
    page = login(tara).get(f"/plans/{plan.pk}/").content.decode()
    assert page.count("Steps dropped:</strong> traction, platelets below 50,000") == 4


def test_the_builder_never_says_go_ahead_at_a_time_that_clashes(login, therapist):
    other = cipn_client(therapist)
    plans.create_plan(
        client=other,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(10, 0)),
        regions="hands:right",
        created_by=therapist,
    )
    client = make_client(care_team=[therapist])
    query = {
        "client": client.pk,
        "date": TOMORROW.isoformat(),
        "time": "10:00",
        "regions": ["hands:right"],
        "notes_acknowledged": "on",
    }
    page = login(therapist).get("/plans/new/", query).content.decode()
    verdict = page[page.index("session-verdict") :]
    assert "Can go ahead" not in page
    assert "The time clashes with another of your sessions" in verdict
    free = login(therapist).get("/plans/new/", {**query, "time": "14:00"}).content.decode()
    assert "Can go ahead" in free and "clashes" not in free


def test_a_sheet_printed_from_a_plan_that_is_not_ready_says_why(login, therapist):
    client = cipn_client(therapist)
    plan = all_eight(client, therapist)
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    box = sheet[sheet.index("NOT READY:") :].split("</div>")[0]
    minutes = sum(r["minutes"] for r in plan.proposal["regions"])
    assert f"The plan totals {minutes} minutes; this session allows 45 at most." in box
    assert "Physician clearance is required" in box
    assert "The notes are not marked as read" in box
    ready = plans.create_plan(
        client=make_client(care_team=[therapist]),
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(14, 0)),
        regions="feet",
        created_by=therapist,
        ready=True,
    )
    assert ready.status == "ready"
    assert "NOT READY" not in login(therapist).get(f"/plans/{ready.pk}/print/").content.decode()


def test_a_place_not_worked_keeps_its_other_notes_apart_from_why_it_is_not_worked(login, therapist):
    """A numb foot with a new finding: "do not work" first, the numbness note set apart, on card and sheet."""
    client = make_client(care_team=[therapist], symptoms={"feet:left": ["numbness"], "feet:right": ["numbness"]})
    make_condition(client, "new_foot_finding", location="feet", side="left")
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(10, 0)),
        regions="feet",
        created_by=therapist,
    )
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    left = page[page.index(">left foot<") :].split("</article>")[0]
    assert left.index("rule new_foot_finding") < left.index("Also noted here, for when it is worked again:")
    assert left.index("Also noted here") < left.index("rule numbness")
    right = page[page.index(">right foot<") :].split("</article>")[0]
    assert "Also noted here" not in right and "rule numbness" in right
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    numb = [where for where, text in sheet_notes(sheet) if text.startswith(("Numbness in left", "Numbness in right"))]
    assert numb == ["Right foot", "Left foot (not worked)"]


def test_a_cap_no_rule_lowers_says_it_comes_from_the_template(login, therapist):
    plan = plans.create_plan(
        client=make_client(care_team=[therapist], symptoms={"feet:left": ["numbness"]}),
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(10, 0)),
        regions="hands:right,feet:left",
        created_by=therapist,
    )
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    hand = page[page.index(">right hand<") :].split("</article>")[0]
    assert re.search(r"Pressure cap</span> <strong>2</strong> \(Heavy lotioning\), from the template</p>", hand)
    foot = page[page.index(">left foot<") :].split("</article>")[0]
    assert "from the template" not in foot and "set by" in foot
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    assert sheet.count("from the template") == 1


def test_the_deferral_banner_names_the_rule_and_leaves_the_note_to_the_session_notes(login, therapist):
    client = make_client(care_team=[therapist])
    make_condition(client, "fever", detail="38.4 °C", noted_on=TOMORROW)
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(10, 0)),
        regions="feet",
        created_by=therapist,
    )
    page = login(therapist).get(f"/plans/{plan.pk}/").content.decode()
    fever = plan.session["notes"][0]["text"]
    assert page.count(fever) == 1
    banner = page[page.index("alert-danger") :].split("</div>\\n</div>")[0]
    assert f"No hands-on session on {TOMORROW.day} {TOMORROW:%b %Y}: Fever." in banner
    assert "the session notes below" in banner


def test_a_note_that_says_this_foot_is_not_merged_for_two_feet():
    from planner.proposals import notes_by_severity

    def wound(side):
        return {
            "severity": "avoid",
            "rule": "open_wound",
            "text": f"Open wound on {side} foot, noted 1 Nov 2026. Do not massage this foot.",
        }

    regions = [
        {"region": "feet", "side": side, "status": "avoid", "notes": [wound(side)]} for side in ("right", "left")
    ]
    groups = {group["severity"]: group["notes"] for group in notes_by_severity({"notes": []}, regions)}
    assert [(n["where"], n["text"][:26]) for n in groups["avoid"]] == [
        ("right foot", "Open wound on right foot, "),
        ("left foot", "Open wound on left foot, n"),
    ]


def test_the_sheet_of_a_deferred_session_does_not_read_as_one_to_run(login, therapist):
    client = make_client(care_team=[therapist])
    make_condition(client, "fever", noted_on=timezone.localdate())
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(timezone.localdate() + timedelta(days=1), time(14, 0)),
        regions="hands",
        created_by=therapist,
    )
    assert plan.is_deferred
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    assert "DEFERRED:" in sheet
    assert sheet.count("Not today: the session is deferred.") == 2  # both hands
    assert "Pain before" not in sheet and "Nothing to record today:" in sheet
    assert 'fill="#cfe8d5"' not in sheet  # no region drawn as worked on the body map


def _card(page, place):
    return page[page.index(f">{place}<") :].split("</article>")[0]


def test_the_places_of_a_deferred_session_are_not_badged_as_worked(login, therapist):
    client = make_client(care_team=[therapist])
    make_condition(client, "fever", noted_on=timezone.localdate())
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(14, 0)),
        regions="hands",
        created_by=therapist,
    )
    assert plan.is_deferred and {r["status"] for r in plan.proposal["regions"]} == {"ok"}
    for page in (
        login(therapist).get(f"/plans/{plan.pk}/").content.decode(),
        login(therapist)
        .get(f"/plans/new/?client={client.pk}&date={TOMORROW}&time=14:00&regions=hands:left")
        .content.decode(),
    ):
        card = _card(page, "left hand")
        assert "Not today" in card and "&#10003; Work" not in card, card
    # A place the rules avoid keeps saying so: "Not today" would read as "fine another day".
    make_condition(client, "open_wound", location="hands", side="right")
    wounded = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(16, 0)),
        regions="hands",
        created_by=therapist,
    )
    card = _card(login(therapist).get(f"/plans/{wounded.pk}/").content.decode(), "right hand")
    assert "Do not work" in card and "Not today" not in card, card


def test_a_dropped_place_is_badged_dropped_not_with_the_rules_status(login, therapist):
    client = make_client(care_team=[therapist])
    make_condition(client, "loss_of_protective_sensation", location="feet", side="left")
    plan = all_eight(client, therapist)
    foot = plan.items.get(region="feet", side="left")
    assert foot.status == "modify"
    foot.dropped = True
    foot.save()
    card = _card(login(therapist).get(f"/plans/{plan.pk}/").content.decode(), "left foot")
    assert "Dropped" in card and "Work with changes" not in card and "Minutes" not in card, card
    assert "Steps (" not in card, card
