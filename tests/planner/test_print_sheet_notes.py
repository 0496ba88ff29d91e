"""The print sheet's list of notes, read at the treatment table: each sentence once, at its places."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from planner import plans
from planner.proposals import notes_by_severity
from tests.factories import make_client, make_condition
from tests.planner.test_plan_point_of_care import sheet_notes

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + timedelta(days=1)


def test_a_limb_note_on_the_arm_and_the_hand_is_printed_once_naming_both():
    note = {
        "severity": "avoid",
        "rule": "lymphedema",
        "text": "Lymphedema on left arm, noted 21 Nov 2025. Do not massage this limb.",
    }
    regions = [
        {"region": region, "side": "left", "status": "avoid", "notes": [dict(note)]} for region in ("arms", "hands")
    ]
    groups = {group["severity"]: group["notes"] for group in notes_by_severity({"notes": []}, regions)}
    assert [(n["where"], n["text"]) for n in groups["avoid"]] == [("left arm and left hand", note["text"])]


def test_lymphedema_on_both_arms_is_printed_once_for_each_arm_naming_its_hand():
    def lymphedema(side):
        return {
            "severity": "avoid",
            "rule": "lymphedema",
            "text": f"Lymphedema on {side} arm, noted 21 Nov 2025. Do not massage this limb.",
        }

    regions = [
        {"region": region, "side": side, "status": "avoid", "notes": [lymphedema(side)]}
        for region in ("arms", "hands")
        for side in ("right", "left")
    ]
    groups = {group["severity"]: group["notes"] for group in notes_by_severity({"notes": []}, regions)}
    # "This limb" does not read for two arms: each arm's sentence once, on its arm and its hand.
    assert [(n["where"], n["text"]) for n in groups["avoid"]] == [
        ("right arm and right hand", lymphedema("right")["text"]),
        ("left arm and left hand", lymphedema("left")["text"]),
    ]


def test_a_limb_note_on_both_arms_and_both_hands_names_both_arms_once():
    def swelling(side):
        return {"severity": "modify", "rule": "lymphedema", "text": f"Lymphedema on {side} arm. Light touch."}

    regions = [
        {"region": region, "side": side, "status": "modify", "notes": [swelling(side)]}
        for region in ("arms", "hands")
        for side in ("right", "left")
    ]
    groups = {group["severity"]: group["notes"] for group in notes_by_severity({"notes": []}, regions)}
    assert [(n["where"], n["text"]) for n in groups["modify"]] == [
        ("both arms and both hands", "Lymphedema on both arms. Light touch.")
    ]


def test_the_sheet_of_a_client_with_lymphedema_on_both_arms_says_each_sentence_once(login, therapist):
    client = make_client(care_team=[therapist], neuropathy_type="CIPN")
    for side in ("right", "left"):
        make_condition(client, "lymphedema", location="arms", side=side)
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(12, 0)),
        regions="arms,hands",
        created_by=therapist,
    )
    notes = sheet_notes(login(therapist).get(f"/plans/{plan.pk}/print/").content.decode())
    lymphedema = [(where, text[:26]) for where, text in notes if text.startswith("Lymphedema")]
    assert lymphedema == [
        ("Right arm and right hand", "Lymphedema on right arm, n"),
        ("Left arm and left hand", "Lymphedema on left arm, no"),
    ], notes
    texts = [text for _where, text in notes]
    assert len(texts) == len(set(texts)), texts


def test_the_sheet_of_a_client_with_lymphedema_says_do_not_work_the_limb_once(login, therapist):
    client = make_client(care_team=[therapist], neuropathy_type="CIPN")
    make_condition(client, "lymphedema", location="arms", side="left", detail="wears a sleeve")
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(10, 0)),
        regions="arms,hands",
        created_by=therapist,
    )
    notes = sheet_notes(login(therapist).get(f"/plans/{plan.pk}/print/").content.decode())
    lymphedema = [(where, text) for where, text in notes if text.startswith("Lymphedema")]
    assert [where for where, _text in lymphedema] == ["Left arm and left hand"], notes
    texts = [text for _where, text in notes]
    assert len(texts) == len(set(texts)), texts


def test_a_sentence_on_a_foot_worked_and_a_foot_not_worked_is_printed_once_naming_which(login, therapist):
    client = make_client(
        care_team=[therapist], symptoms={"feet:left": ["cold_sensitivity"], "feet:right": ["cold_sensitivity"]}
    )
    make_condition(client, "open_wound", location="feet", side="left")
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, time(11, 0)),
        regions="feet",
        created_by=therapist,
    )
    notes = sheet_notes(login(therapist).get(f"/plans/{plan.pk}/print/").content.decode())
    cold = [where for where, text in notes if text.startswith("Cold sensitivity in both feet.")]
    assert cold == ["Right foot; left foot (not worked)"], notes
    texts = [text for _where, text in notes]
    assert len(texts) == len(set(texts)), texts


def test_the_places_of_a_shared_sentence_keep_the_clients_right_first():
    cold = {"severity": "modify", "rule": "cold_sensitivity", "text": "Cold sensitivity in both feet. Keep warm."}
    wound = {"severity": "avoid", "rule": "open_wound", "text": "Open wound on right foot. Do not massage this foot."}
    regions = [
        {"region": "feet", "side": "right", "status": "avoid", "notes": [wound, dict(cold)]},
        {"region": "feet", "side": "left", "status": "modify", "notes": [dict(cold)]},
    ]
    groups = {group["severity"]: group["notes"] for group in notes_by_severity({"notes": []}, regions)}
    assert [(n["where"], n["resting"], n["text"]) for n in groups["modify"]] == [
        ("right foot (not worked); left foot", False, cold["text"])
    ]


def tomorrows_plan(therapist, *conditions, at=time(10, 0), regions="hands"):
    """A plan of the therapist's for a new client of theirs tomorrow, with these conditions noted today."""
    client = make_client(care_team=[therapist])
    for code in conditions:
        make_condition(client, code)
    return plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TOMORROW, at),
        regions=regions,
        created_by=therapist,
    )


def test_the_body_map_of_a_deferred_session_says_not_today_not_dropped(login, therapist):
    plan = tomorrows_plan(therapist, "fever", at=time(14, 0))
    assert plan.is_deferred and not plan.items.filter(dropped=True).exists()
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    body_map = sheet[sheet.index("<svg") : sheet.index("</svg>")]
    assert "– not today" in body_map and "dropped" not in body_map


def test_a_place_the_therapist_dropped_says_so_in_its_cell_not_as_if_never_planned(login, therapist):
    plan = tomorrows_plan(therapist, at=time(15, 0), regions="feet")
    plan.items.filter(side="left").update(dropped=True)
    sheet = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    row = sheet[sheet.index('<th scope="row"') : sheet.index("</tr>", sheet.index('<th scope="row"'))]
    cells = row.split('<td class="place-cell">')[1:]
    assert "Work" in cells[0]
    assert "Not worked by choice." in cells[1] and "—" not in cells[1], cells[1]
    assert sheet.count("Not worked by choice") == 1


def test_the_sheet_prints_the_therapist_s_own_notes_beside_the_goals(login, therapist):
    plan = tomorrows_plan(therapist)
    plan.goals, plan.notes = "Ease the tingling", "Client prefers a warm room; bolster under the knees."
    plan.save()
    page = login(therapist).get(f"/plans/{plan.pk}/print/").content.decode()
    assert "<strong>Goals:</strong> Ease the tingling" in page
    assert "<strong>Therapist's notes:</strong> Client prefers a warm room; bolster under the knees." in page


def test_a_deferred_plan_says_its_minutes_are_for_when_the_session_can_go_ahead(login, therapist):
    plan = tomorrows_plan(therapist, "fever")
    browser = login(therapist)
    assert (
        "Planned for when the session can go ahead: none on this day."
        in browser.get(f"/plans/{plan.pk}/").content.decode()
    )
    assert "minutes, when the session can go ahead" in browser.get(f"/plans/{plan.pk}/print/").content.decode()
