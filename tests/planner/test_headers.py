"""Headers on every page type: a Content-Security-Policy without unsafe-inline, and no-store on
everything that may carry client data; no inline script, style or handler in any page."""

import re
from pathlib import Path

import pytest

from planner.models import SessionRecord
from protocols.models import ProtocolTemplate
from tests.factories import make_clearance
from tests.planner.test_plans import TODAY, create_plan, make_dpn_client, save_data
from tests.planner.test_records import record_data

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


@pytest.fixture
def pages(login, therapist, clinic_admin):
    client = make_dpn_client(therapist, external_id="C-9")
    make_clearance(client)
    plan = create_plan(login, therapist, client, day=TODAY)
    login(therapist).post(f"/plans/{plan.pk}/save/", save_data(plan, mark_ready=True))
    login(therapist).post(f"/plans/{plan.pk}/record/", record_data(plan, sign="1"))
    record = SessionRecord.objects.get()
    draft = create_plan(login, therapist, client, day=TODAY, time="15:00")
    login(therapist).post(f"/plans/{draft.pk}/save/", save_data(draft, mark_ready=True))
    condition, clearance = client.conditions.first(), client.clearances.first()
    template = ProtocolTemplate.objects.first()
    c = client.pk
    therapist_pages = [
        "/",
        "/clients/",
        f"/clients/{c}/",
        f"/clients/{c}/history/",
        f"/clients/{c}/profile/",
        f"/clients/{c}/conditions/new/",
        f"/clients/{c}/conditions/{condition.pk}/edit/",
        f"/clients/{c}/conditions/{condition.pk}/resolve/",
        f"/clients/{c}/clearances/new/",
        f"/clients/{c}/clearances/{clearance.pk}/edit/",
        f"/clients/{c}/export.json",
        f"/clients/{c}/plan-preview.json?regions=feet",
        f"/plans/new/?client={c}",
        f"/plans/{draft.pk}/",
        f"/plans/{plan.pk}/",
        f"/plans/{plan.pk}/print/",
        f"/plans/{plan.pk}.json",
        f"/plans/{draft.pk}/record/",
        f"/records/{record.pk}/",
        f"/records/{record.pk}/print/",
        "/plans/",
        "/protocols/",
        f"/protocols/templates/{template.key}/",
        "/accounts/password/",
        "/accounts/mfa/",
        "/no-such-page/",
    ]
    admin_pages = [
        "/team/",
        "/team/new/",
        f"/team/{therapist.pk}/edit/",
        f"/team/{therapist.pk}/access/",
        "/team/locks/",
        f"/clients/{c}/access/",
        "/clients/new/",
        f"/clients/{c}/edit/",
        "/clients/import/",
        "/clients/export.csv",
        "/protocols/templates/new/",
        f"/protocols/templates/{template.key}/edit/",
    ]
    return [(therapist, url) for url in therapist_pages] + [(clinic_admin, url) for url in admin_pages]


def test_every_page_type_has_the_policy_and_no_store(login, anonymous, pages):
    missing = []
    responses = [(url, login(user).get(url)) for user, url in pages]
    responses.append(("/accounts/login/", anonymous.get("/accounts/login/")))
    for url, response in responses:
        assert response.status_code in (200, 404), (url, response.status_code)
        policy = response.get("Content-Security-Policy", "")
        if "script-src 'self'" not in policy or "style-src 'self'" not in policy or "unsafe-inline" in policy:
            missing.append((url, "policy", policy))
        if "no-store" not in response.get("Cache-Control", ""):
            missing.append((url, "cache", response.get("Cache-Control")))
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            for pattern in (INLINE_SCRIPT, INLINE_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT):
                if found := pattern.search(html):
                    missing.append((url, "inline", found.group(0)[:80]))
    assert missing == []
    assert len(responses) == 39


def test_static_files_stay_cacheable(anonymous):
    response = anonymous.get("/static/js/actions.js")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


def test_no_template_has_inline_script_style_or_handler():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT):
            for match in pattern.finditer(text):
                found.append((str(path.relative_to(TEMPLATES)), match.group(0)[:60]))
    assert found == []


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_and_come_back(login, clinic_admin, therapist):
    from clients.importing import import_documents, read_upload
    from clients.models import Client
    from tests.factories import make_client

    make_client(
        external_id="C-5",
        first_name='=HYPERLINK("http://evil.example";"x")',
        last_name="@SUM(1+1)",
        phone="+44 20 7946 0000",
        email="",
        care_team=[therapist],
    )
    text = b"".join(login(clinic_admin).get("/clients/export.csv").streaming_content).decode()
    row = text.splitlines()[1]
    assert row.startswith('C-5,"\'=HYPERLINK(""http://evil.example"";""x"")",\'@SUM(1+1)')
    assert ",'+44 20 7946 0000," in row
    docs, labels = read_upload("clients.csv", text.encode())
    assert docs[0]["phone"] == "+44 20 7946 0000" and docs[0]["first_name"].startswith("=HYPERLINK")
    Client.objects.filter(external_id="C-5").update(phone="")
    report = import_documents(docs, labels=labels)
    assert report.saved
    assert Client.objects.get(external_id="C-5").phone == "+44 20 7946 0000"


def test_every_page_names_its_icon_which_is_served(login, therapist):
    from django.contrib.staticfiles import finders

    page = login(therapist).get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("img/favicon.svg")
    assert "<svg" in open(finders.find("img/favicon.svg")).read()
