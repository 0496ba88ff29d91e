"""A clinic's whole day, end to end, through the browser only.

The clinic admin is the one account made in Python; everything after that happens on the pages a
user sees: staff accounts, an import of clients, their conditions, plans for the next day, the
refused and accepted "ready" gate, records with their scores, a new finding, the progress chart,
an archive and an export. The database is read only at the very end, to double-check.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client
from planner.models import PlanStatus, SessionPlan, SessionRecord
from tests.factories import PASSWORD, make_clinic_admin

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SHOTS = Path("/tmp/shots-e2e")
NIA_TEMPORARY, NIA_OWN = "welcome-to-the-clinic", "nia-own-secret-42"
OMAR_TEMPORARY = "omar-first-day-77"
PLACES = ("left hand", "right hand", "left foot", "right foot")

CSV_HEADER = "external_id,first_name,last_name,date_of_birth,phone,email,neuropathy_type,care_team\n"
# Clara (CIPN) is Nia's from the file; Dora (DPN) is Omar's until the admin adds Nia on the edit page;
# Ivo stays Omar's alone, so Nia must not be able to open him.
GOOD_CSV = CSV_HEADER + (
    "C-3001,Clara,Vance,1961-02-14,555-0101,clara@example.org,CIPN,nia\n"
    "C-3002,Dora,Pine,1955-03-01,555-0102,dora@example.org,DPN,omar\n"
    "C-3003,Ivo,Berg,1950-01-09,,,IDIOPATHIC,omar\n"
)
BAD_CSV = CSV_HEADER + (
    "C-3001,Clara,Vance,1961-02-14,555-0101,clara@example.org,CIPN,nia\n"
    "C-3002,Dora,Pine,1955-03-01,555-0102,dora@example.org,DPN,ghost\n"
)
HUGO_DOCUMENT = {
    "schema": "planner.client.v1",
    "external_id": "C-3004",
    "first_name": "Hugo",
    "last_name": "Sato",
    "date_of_birth": "1949-07-30",
    "phone": "555-0104",
    "email": "hugo@example.org",
    "neuropathy": {
        "type": "IDIOPATHIC",
        "diagnosed_on": "2021-05-01",
        "contributing_causes": [],
        "regions": [{"region": "hands", "side": "both", "symptoms": ["tingling"]}],
    },
    "conditions": [],
    "clearance": None,
    "care_team": ["nia"],
}


# Small helpers.


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_out(page, name):
    page.get_by_role("button", name=name).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def nav(page, name):
    """Follow a link of the main navigation bar."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def alert(page, text):
    """A flash message (or any alert) with this text."""
    return page.get_by_role("alert").filter(has_text=text)


def region_card(page, place):
    return page.locator("article.region-card", has=page.get_by_role("heading", name=place, exact=True))


def open_client(page, live_server, name):
    """Find a client on the list by name and open the client page; return its id."""
    page.goto(f"{live_server.url}/clients/")
    page.get_by_label("Name or external id").fill(name.split()[-1])
    page.get_by_role("button", name="Search").click()
    last, first = name.split()[-1], name.split()[0]
    page.get_by_role("link", name=f"{last}, {first}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    return int(re.search(r"/clients/(\d+)/$", page.url).group(1))


def upload(page, path):
    page.get_by_label("Client file", exact=False).set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()


def add_condition(page, condition, *, location=None, side=None, value=None, detail=None, noted_on=None):
    page.get_by_role("link", name="Add condition").first.click()
    page.get_by_label("Condition", exact=False).select_option(label=condition)
    if location:
        page.get_by_label("Location").select_option(label=location)
    if side:
        page.get_by_label("Side").select_option(label=side)
    if value is not None:
        page.get_by_label("Value (lab results)").fill(str(value))
    if detail:
        page.get_by_label("Detail").fill(detail)
    if noted_on:
        page.get_by_label("Noted on", exact=False).fill(noted_on.isoformat())
    page.get_by_role("button", name="Add condition").click()


# Step 1: staff accounts and the client import.


def create_therapist(page, first, last, username, password):
    nav(page, "Team")
    page.get_by_role("link", name="New staff account").click()
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("Username").fill(username)
    page.get_by_label("E-mail").fill(f"{username}@clinic.example")
    page.get_by_label("Role").select_option("therapist")
    page.get_by_label("Temporary password").fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(alert(page, f"Account {username} created")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(f"{first} {last}"))).to_contain_text("Therapist")


def admin_sets_up_the_team_and_imports_clients(page, live_server, sign_in, tmp_path):
    sign_in("morgan", PASSWORD)
    expect(page.get_by_role("heading", name="Good day, Morgan")).to_be_visible()
    create_therapist(page, "Nia", "Holm", "nia", NIA_TEMPORARY)
    create_therapist(page, "Omar", "Haddad", "omar", OMAR_TEMPORARY)

    # A file with one bad row is refused as a whole, and the report names the row and the field.
    bad = tmp_path / "bad-clients.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    nav(page, "Clients")
    page.get_by_role("link", name="Import").click()
    upload(page, bad)
    expect(page.get_by_role("heading", name="bad-clients.csv cannot be imported")).to_be_visible()
    expect(alert(page, "Nothing was imported")).to_contain_text(
        "row 3, care_team: no active therapist with the username 'ghost'"
    )
    expect(page.get_by_role("row", name=re.compile("Pine, Dora"))).to_contain_text("Error")
    expect(page.get_by_role("button", name=re.compile(r"^Import \d"))).to_have_count(0)
    nav(page, "Clients")
    expect(page.get_by_text("No clients yet.")).to_be_visible()

    # The good file: a dry-run report first, then the import itself.
    good = tmp_path / "clients.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    page.get_by_role("link", name="Import").click()
    upload(page, good)
    expect(page.get_by_role("heading", name="Check before importing: clients.csv")).to_be_visible()
    expect(page.get_by_text("3 to create · 0 to update")).to_be_visible()
    expect(page.get_by_text("Nothing has been saved yet.")).to_be_visible()
    for name in ("Vance, Clara", "Pine, Dora", "Berg, Ivo"):
        expect(page.get_by_role("row", name=re.compile(name))).to_contain_text("Create")
    shot(page, "01-import-dry-run")
    page.get_by_role("button", name="Import 3 clients").click()
    expect(alert(page, "Imported clients.csv: 3 created, 0 updated.")).to_be_visible()
    expect(page.get_by_text("3 clients")).to_be_visible()

    # One more client from a client document, same flow.
    document = tmp_path / "hugo.json"
    document.write_text(json.dumps(HUGO_DOCUMENT), encoding="utf-8")
    page.get_by_role("link", name="Import").click()
    upload(page, document)
    expect(page.get_by_role("heading", name="Check before importing: hugo.json")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Sato, Hugo"))).to_contain_text("Create")
    page.get_by_role("button", name="Import 1 client").click()
    expect(alert(page, "Imported hugo.json: 1 created, 0 updated.")).to_be_visible()
    expect(page.get_by_text("4 clients")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Vance, Clara"))).to_contain_text("Nia Holm")
    expect(page.get_by_role("row", name=re.compile("Sato, Hugo"))).to_contain_text("Nia Holm")

    # Nia joins Dora's care team on the client's edit page.
    open_client(page, live_server, "Dora Pine")
    page.get_by_role("link", name="Edit details").first.click()
    page.get_by_label("Nia Holm (nia)").check()
    page.get_by_role("button", name="Save details").click()
    expect(alert(page, "Details of Dora Pine saved.")).to_be_visible()
    expect(page.locator("dd", has_text="Omar Haddad")).to_have_text("Nia Holm, Omar Haddad")


# Step 2: the conditions the planner must take into account.


def admin_records_conditions(page, live_server):
    today = timezone.localdate()
    clara = open_client(page, live_server, "Clara Vance")
    add_condition(page, "Platelet count", value=45000, noted_on=today - timedelta(days=1))
    expect(alert(page, "added to Clara Vance's conditions")).to_be_visible()
    add_condition(page, "Implanted port", location="Chest", side="Right", detail="right upper chest")
    expect(alert(page, "added to Clara Vance's conditions")).to_be_visible()
    conditions = page.get_by_role("region", name="Active conditions", exact=True)
    expect(conditions).to_contain_text("45,000")
    expect(conditions).to_contain_text("Implanted port")

    dora = open_client(page, live_server, "Dora Pine")
    page.get_by_role("link", name="Edit profile").first.click()
    page.get_by_label("Numbness, left foot").check()
    page.get_by_label("Numbness, right foot").check()
    page.get_by_role("button", name="Save profile").click()
    expect(alert(page, "Neuropathy profile of Dora Pine saved.")).to_be_visible()
    profile = page.get_by_role("region", name="Neuropathy profile", exact=True)
    expect(profile.get_by_role("row", name=re.compile("^Feet"))).to_contain_text("Numbness")
    add_condition(page, "Open wound", location="Feet", side="Left", detail="heel blister")
    expect(alert(page, "Open wound, left foot added to Dora Pine's conditions.")).to_be_visible()
    add_condition(page, "Insulin user")
    expect(alert(page, "Insulin user added to Dora Pine's conditions.")).to_be_visible()
    body_map = page.get_by_role("img", name=re.compile("Body map of Dora Pine"))
    expect(body_map.locator('g.bm-marker[data-code="open_wound"]')).to_have_count(1)
    shot(page, "02-dpn-client-page")
    return clara, dora


# Step 3: the therapist's first sign-in and the two plans.


def therapist_signs_in_for_the_first_time(page, sign_in):
    sign_in("nia", NIA_TEMPORARY)
    expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
    page.get_by_label("Temporary password").fill(NIA_TEMPORARY)
    page.locator("#id_new_password1").fill(NIA_OWN)
    page.locator("#id_new_password2").fill(NIA_OWN)
    page.get_by_role("button", name="Save password").click()
    expect(alert(page, "Your password has been changed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Good day, Nia")).to_be_visible()
    nav(page, "Schedule")
    expect(page.get_by_role("heading", name="Schedule", exact=True)).to_be_visible()
    expect(page.locator("table.calendar thead th[scope=col]")).to_have_count(8)  # the times, then 7 days
    expect(page.locator("a.cal-session")).to_have_count(0)


def therapist_cannot_open_someone_elses_client(page, live_server, ivo):
    nav(page, "Clients")
    expect(page.get_by_role("link", name="Berg, Ivo")).to_have_count(0)
    expect(page.get_by_role("link", name="Vance, Clara")).to_be_visible()
    response = page.goto(f"{live_server.url}/clients/{ivo}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not Found")).to_be_visible()


def plan_hands_and_feet(page, live_server, client_id, day, time):
    page.goto(f"{live_server.url}/clients/{client_id}/")
    page.get_by_role("link", name="Plan a session").click()
    expect(page.get_by_role("heading", name=re.compile("^Plan a session for"))).to_be_visible()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").fill(time)
    for place in ("Left hand", "Right hand", "Left foot", "Right foot"):
        page.get_by_label(place, exact=True).check()
    expect(page.locator("#proposal article")).to_have_count(4)
    expect(page.get_by_role("heading", name=f"Proposal for {day:%A %-d %B %Y}")).to_be_visible()
    expect(region_card(page, "right foot")).to_be_visible()


def save_draft(page):
    page.get_by_role("button", name="Save as draft").click()
    expect(alert(page, "Plan saved as a draft")).to_be_visible()
    expect(page.locator(".page-header .badge")).to_have_text("Draft")
    return int(re.search(r"/plans/(\d+)/$", page.url).group(1))


def mark_ready(page):
    page.get_by_label("I have read every note of this plan").check()
    page.get_by_role("button", name="Save and mark ready").click()


def therapist_plans_the_cipn_client(page, live_server, clara, day):
    plan_hands_and_feet(page, live_server, clara, day, "13:00")
    for place in PLACES:
        expect(region_card(page, place)).to_contain_text(re.compile(r"Pressure cap\s*1"))
    expect(page.locator(".session-facts")).to_contain_text("Required · not on file")
    notes = page.locator("#proposal").get_by_role("region", name="Session notes")
    expect(notes).to_contain_text("Platelets 45,000")
    expect(notes.get_by_role("link", name="rule platelets_very_low")).to_be_visible()
    expect(notes.get_by_role("link", name="rule port")).to_be_visible()
    expect(page.get_by_text("36 of at most 60 min")).to_be_visible()
    plan = save_draft(page)

    # Without a clearance on file the ready gate refuses, and says why.
    mark_ready(page)
    refusal = alert(page, "It cannot be marked ready yet")
    expect(refusal).to_contain_text(
        "Physician clearance is required and none dated within the 365 days before the session"
    )
    expect(page.locator(".page-header .badge")).to_have_text("Draft")
    expect(page.get_by_role("link", name="Record the session")).to_have_count(0)
    shot(page, "03-cipn-plan-refused")
    return plan


def therapist_plans_the_dpn_client(page, live_server, dora, day):
    plan_hands_and_feet(page, live_server, dora, day, "14:00")
    left_foot = region_card(page, "left foot")
    expect(left_foot).to_contain_text("Do not work")
    expect(left_foot).to_contain_text("Open wound")
    for place in ("left hand", "right hand", "right foot"):
        expect(region_card(page, place)).to_contain_text(re.compile(r"Pressure cap\s*2"))
    notes = page.locator("#proposal").get_by_role("region", name="Session notes")
    expect(notes.get_by_role("link", name="rule insulin_user")).to_be_visible()
    expect(notes).to_contain_text("mid-way between doses")
    expect(page.locator(".session-facts")).to_contain_text("Not required")
    plan = save_draft(page)
    mark_ready(page)
    expect(alert(page, "The plan is ready.")).to_be_visible()
    expect(page.locator(".page-header .badge")).to_have_text("Ready")
    return plan


def therapist_records_the_clearance_and_readies_the_cipn_plan(page, live_server, clara, plan):
    page.goto(f"{live_server.url}/clients/{clara}/")
    page.get_by_role("link", name="Record clearance").click()
    page.get_by_label("Physician", exact=False).fill("Dr. Anika Shah")
    page.get_by_label("Restrictions").fill("Pressure 1 only while platelets stay below 50,000.")
    page.get_by_role("button", name="Record clearance").click()
    expect(alert(page, "Physician clearance recorded for Clara Vance.")).to_be_visible()
    clearance = page.get_by_role("region", name="Physician clearance", exact=True)
    expect(clearance).to_contain_text("Current")
    expect(clearance).to_contain_text("Dr. Anika Shah")

    page.get_by_role("link", name=re.compile(r", 13:00$")).click()
    expect(page).to_have_url(f"{live_server.url}/plans/{plan}/")
    banner = alert(page, "The client's record changed after this plan was built.")
    expect(banner).to_be_visible()
    banner.get_by_role("button", name="Rebuild with today's facts").click()
    expect(alert(page, "The plan was rebuilt with the client's current record.")).to_be_visible()
    expect(page.get_by_text("The client's record changed after this plan was built.")).to_have_count(0)
    expect(page.locator(".session-facts")).to_contain_text("Required · on file")
    for place in PLACES:
        expect(region_card(page, place)).to_contain_text(re.compile(r"Pressure cap\s*1"))
    mark_ready(page)
    expect(alert(page, "The plan is ready.")).to_be_visible()
    expect(page.locator(".page-header .badge")).to_have_text("Ready")


def therapist_checks_the_schedule_and_prints(page, live_server, plan, day):
    nav(page, "Schedule")
    expect(page.get_by_role("columnheader", name=f"{day:%a %-d %b}")).to_be_visible()
    sessions = page.locator("a.cal-session")
    expect(sessions).to_have_count(2)
    for at, name in (("13:00", "Clara Vance"), ("14:00", "Dora Pine")):
        expect(sessions.filter(has_text=name)).to_contain_text(at)
        expect(sessions.filter(has_text=name)).to_contain_text("Ready")

    page.goto(f"{live_server.url}/plans/{plan}/")
    page.get_by_role("link", name="Print sheet").click()
    expect(page).to_have_url(f"{live_server.url}/plans/{plan}/print/")
    expect(page.get_by_role("heading", name="Clara Vance")).to_be_visible()
    expect(page.get_by_text("Therapist: Nia Holm")).to_be_visible()
    expect(page.get_by_text(f"Plan {plan} · Ready")).to_be_visible()
    expect(page.locator("main")).to_contain_text("36 of at most 60 minutes")
    expect(page.locator("main")).to_contain_text("required, on file")
    expect(page.locator("main")).to_contain_text("[platelets_very_low]")
    # One row per region, the client's right in the first column.
    rows = page.locator("table.steps-table tbody tr")
    expect(rows).to_have_count(2)
    for index in range(2):
        expect(rows.nth(index).locator("td")).to_have_count(2)
        for cell in range(2):
            expect(rows.nth(index).locator("td").nth(cell)).to_contain_text("cap 1 (Light lotioning)")
    expect(page.get_by_text("Pain before")).to_be_visible()
    page.emulate_media(media="print")
    shot(page, "04-cipn-print-sheet")
    page.emulate_media(media="screen")


# Step 4: the sessions, recorded and signed.


def fill_scores(page, pain, numbness):
    page.get_by_label("Pain before (0-10)").fill(str(pain[0]))
    page.get_by_label("Pain after (0-10)").fill(str(pain[1]))
    page.get_by_label("Numbness/tingling before (0-10)").fill(str(numbness[0]))
    page.get_by_label("Numbness/tingling after (0-10)").fill(str(numbness[1]))
    page.get_by_label("None", exact=True).check()


def therapist_records_the_cipn_session(page, live_server, plan):
    page.goto(f"{live_server.url}/plans/{plan}/")
    page.get_by_role("link", name="Record the session").click()
    expect(page.get_by_role("heading", name="Record the session with Clara Vance")).to_be_visible()
    fill_scores(page, pain=(6, 3), numbness=(5, 4))
    page.get_by_label("Subjective").fill("Burning in the feet eased by the end.")
    page.get_by_role("button", name="Sign the record").click()
    expect(alert(page, "Record signed.")).to_be_visible()
    expect(page.get_by_text("6 → 3")).to_be_visible()
    expect(page.get_by_text("Signed by Nia Holm")).to_be_visible()


def therapist_records_the_dpn_session(page, live_server, plan):
    page.goto(f"{live_server.url}/plans/{plan}/")
    page.get_by_role("link", name="Record the session").click()
    expect(page.get_by_role("heading", name="Record the session with Dora Pine")).to_be_visible()
    expect(page.get_by_text("Left foot: not worked")).to_be_visible()

    # The foot check finds a new wound: it becomes a condition before the record is filled in.
    finding = page.get_by_role("region", name="New finding from the skin or foot check", exact=True)
    kinds = finding.get_by_label("Condition", exact=False)
    expect(kinds.locator("option", has_text="Open wound"), "the finding list offers Open wound").to_have_count(1)
    kinds.select_option(label="Open wound")
    finding.get_by_label("Location").select_option(label="Feet")
    finding.get_by_label("Side").select_option(label="Right")
    finding.get_by_label("Detail").fill("small fissure under the big toe")
    finding.get_by_role("button", name="Add as a condition").click()
    expect(alert(page, "Open wound, right foot added to Dora Pine's conditions")).to_contain_text(
        "the next plan will take it into account"
    )

    # A pressure above the plan's cap without a reason is refused, with the message beside the field.
    fill_scores(page, pain=(5, 4), numbness=(6, 5))
    skin_check = page.get_by_role("textbox", name="Skin and foot check")
    skin_check.fill("New fissure under the right big toe; left heel dressed.")
    page.get_by_label("Pressure used, right foot").select_option("3")
    page.get_by_role("button", name="Sign the record").click()
    reason = page.get_by_label("Reason for a pressure above the plan, right foot")
    expect(reason).to_have_class(re.compile("is-invalid"))
    expect(page.locator("fieldset", has=reason).locator(".invalid-feedback")).to_have_text(
        "Pressure 3 is above the plan's 2 for this region: say why."
    )
    expect(page.get_by_label("Pain before (0-10)")).to_have_value("5")
    shot(page, "05-record-pressure-refused")

    page.get_by_label("Pressure used, right foot").select_option("2")
    page.get_by_role("button", name="Sign the record").click()
    expect(alert(page, "Record signed.")).to_be_visible()
    expect(page.get_by_text("5 → 4")).to_be_visible()
    return int(re.search(r"/records/(\d+)/$", page.url).group(1))


def signed_record_cannot_be_edited(page, live_server, plan, record):
    page.goto(f"{live_server.url}/plans/{plan}/record/")
    expect(page).to_have_url(f"{live_server.url}/records/{record}/")
    expect(page.get_by_role("button", name="Sign the record")).to_have_count(0)
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(page.get_by_role("button", name="Add addendum")).to_be_visible()

    # A hand-made POST is refused too, and the record keeps its scores.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{live_server.url}/plans/{plan}/record/",
        form={"csrfmiddlewaretoken": token, "sign": "1", "pain_before": "0", "pain_after": "0"},
        headers={"Referer": f"{live_server.url}/plans/{plan}/record/"},
    )
    assert response.url == f"{live_server.url}/records/{record}/"
    assert "This record is signed and cannot be edited." in response.text()
    page.reload()
    expect(page.get_by_text("5 → 4")).to_be_visible()


def therapist_sees_progress_and_the_next_preview(page, live_server, dora):
    page.goto(f"{live_server.url}/clients/{dora}/")
    progress = page.locator("#progress")
    expect(progress).to_contain_text("1 signed session")
    expect(progress.locator("svg").first).to_be_visible()
    expect(progress.locator("svg").first.locator("circle.before")).to_have_count(1)
    records = page.get_by_role("region", name="Sessions", exact=True)
    expect(records.get_by_role("link", name=re.compile(r"pain 5 → 4"))).to_be_visible()
    conditions = page.get_by_role("region", name="Active conditions", exact=True)
    expect(conditions).to_contain_text("Open wound, right foot")
    shot(page, "06-dpn-progress")

    page.goto(f"{live_server.url}/clients/{dora}/plan-preview.json?regions=feet")
    preview = json.loads(page.locator("body").inner_text())
    statuses = {(r["region"], r["side"]): r["status"] for r in preview["regions"]}
    assert statuses == {("feet", "left"): "avoid", ("feet", "right"): "avoid"}
    page.go_back()


# Step 5: archive and export.


def admin_archives_and_exports(page, live_server, sign_in, hugo, dora, dpn_plan):
    sign_in("morgan", PASSWORD)
    page.goto(f"{live_server.url}/clients/{hugo}/")
    page.get_by_role("button", name="More").click()
    page.get_by_role("link", name="Archive client").click()
    expect(page.get_by_role("heading", name="Archive Hugo Sato?")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Archive")).click()
    expect(alert(page, "Hugo Sato archived.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Hugo Sato"))).to_contain_text("Archived")
    expect(page.get_by_text("The record is read-only and the client cannot be planned for.")).to_be_visible()
    expect(page.get_by_role("link", name="Add condition")).to_have_count(0)
    nav(page, "Clients")
    expect(page.get_by_text("3 clients")).to_be_visible()
    expect(page.get_by_role("link", name="Sato, Hugo")).to_have_count(0)

    page.goto(f"{live_server.url}/clients/{dora}/")
    page.get_by_role("button", name="More").click()
    expect(page.get_by_role("link", name="Download client document (JSON)")).to_be_visible()
    response = page.request.get(f"{live_server.url}/clients/{dora}/export.json")
    assert response.ok
    assert 'filename="C-3002.json"' in response.headers["content-disposition"]
    document = response.json()
    assert document["schema"] == "planner.client.v1"
    assert document["external_id"] == "C-3002"
    assert document["care_team"] == ["nia", "omar"]
    assert {(c["code"], c["location"], c["side"]) for c in document["conditions"]} == {
        ("open_wound", "feet", "left"),
        ("open_wound", "feet", "right"),
        ("insulin_user", "whole_body", None),
    }
    [plan] = document["plans"]
    assert (plan["id"], plan["status"], plan["therapist"]) == (dpn_plan, "done", "nia")
    assert [(r["region"], r["side"], r["status"]) for r in plan["regions"]][3] == ("feet", "left", "avoid")
    [record] = document["records"]
    assert record["plan"] == dpn_plan
    assert record["signed_by"] == "nia" and record["signed_at"]
    assert (record["pain_before"], record["pain_after"]) == (5, 4)
    assert record["adverse_events"] == ["none"]


def test_a_clinic_day_from_the_first_account_to_the_export(page, live_server, sign_in, tmp_path):
    make_clinic_admin(username="morgan", first_name="Morgan", last_name="Reyes")
    # Sessions are planned for this afternoon, still to come on the suite's clock (it starts at noon),
    # so they can be recorded in the same run (tests read the recording gate's clock at 23:59).
    session_day = timezone.localdate()

    admin_sets_up_the_team_and_imports_clients(page, live_server, sign_in, tmp_path)
    clara, dora = admin_records_conditions(page, live_server)
    ivo = open_client(page, live_server, "Ivo Berg")
    hugo = open_client(page, live_server, "Hugo Sato")
    sign_out(page, "Morgan Reyes")

    therapist_signs_in_for_the_first_time(page, sign_in)
    therapist_cannot_open_someone_elses_client(page, live_server, ivo)
    cipn_plan = therapist_plans_the_cipn_client(page, live_server, clara, session_day)
    dpn_plan = therapist_plans_the_dpn_client(page, live_server, dora, session_day)
    therapist_records_the_clearance_and_readies_the_cipn_plan(page, live_server, clara, cipn_plan)
    therapist_checks_the_schedule_and_prints(page, live_server, cipn_plan, session_day)

    therapist_records_the_cipn_session(page, live_server, cipn_plan)
    dpn_record = therapist_records_the_dpn_session(page, live_server, dpn_plan)
    signed_record_cannot_be_edited(page, live_server, dpn_plan, dpn_record)
    therapist_sees_progress_and_the_next_preview(page, live_server, dora)
    sign_out(page, "Nia Holm")

    admin_archives_and_exports(page, live_server, sign_in, hugo, dora, dpn_plan)

    # A last look at the database agrees with what the pages said.
    assert SessionPlan.objects.filter(therapist__username="nia", status=PlanStatus.DONE).count() == 2
    assert SessionRecord.objects.filter(signed_by__username="nia").count() == 2
    assert Client.objects.get(pk=hugo).is_archived
    assert Client.objects.active().count() == 3
