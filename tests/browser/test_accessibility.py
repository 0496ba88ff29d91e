"""Axe audits, horizontal overflow at laptop and tablet widths, and the plan builder by keyboard alone."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client
from planner.models import SessionPlan, SessionRecord

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SERIOUS = {"serious", "critical"}


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    tara_client = Client.objects.filter(care_team__username="tara").order_by("pk").first()
    plan = SessionPlan.objects.filter(therapist__username="tara").order_by("pk").first()
    draft = SessionRecord.objects.filter(therapist__username="tara", signed_at__isnull=True).first()
    return {"client": tara_client, "plan": plan, "record_plan": draft.plan_id}


def therapist_pages(demo):
    today = timezone.localdate().isoformat()
    regions = "&".join(f"regions={r}" for r in ("hands:left", "hands:right", "feet:left", "feet:right"))
    return {
        "dashboard": "/",
        "client list": "/clients/",
        "client page": f"/clients/{demo['client'].pk}/",
        "plan builder": f"/plans/new/?client={demo['client'].pk}&date={today}&time=18:00&{regions}",
        "plan page": f"/plans/{demo['plan'].pk}/",
        "plan print sheet": f"/plans/{demo['plan'].pk}/print/",
        "record form": f"/plans/{demo['record_plan']}/record/",
        "protocol library": "/protocols/",
        "schedule": "/plans/",
    }


def serious_violations(page):
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def test_axe_finds_no_serious_violations(page, live_server, sign_in, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    problems = {"login": serious_violations(page)}
    sign_in("tara", "demo-therapist-pass")
    for name, path in therapist_pages(demo).items():
        page.goto(live_server.url + path)
        problems[name] = serious_violations(page)
    problems = {name: found for name, found in problems.items() if found}
    assert not problems, "\n".join(f"{name}: {found}" for name, found in problems.items())


ADMIN_PAGES = {"team": "/team/", "new staff": "/team/new/", "intake": "/clients/new/", "import": "/clients/import/"}


def test_axe_finds_no_serious_violations_on_the_clinic_admin_s_pages(page, live_server, sign_in, demo):
    """The import page's pink code text was 4.3:1 on its grey panel, under WCAG AA's 4.5:1."""
    sign_in("admin", "demo-admin-pass")
    problems = {}
    for name, path in {**ADMIN_PAGES, "access log": f"/clients/{demo['client'].pk}/access/"}.items():
        page.goto(live_server.url + path)
        problems[name] = serious_violations(page)
    problems = {name: found for name, found in problems.items() if found}
    assert not problems, "\n".join(f"{name}: {found}" for name, found in problems.items())


def overflowing_pages(browser, live_server, width, username, password, pages):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    overflowing = []
    for name, path in pages.items():
        page.goto(live_server.url + path)
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            overflowing.append(name)
    context.close()
    return overflowing


@pytest.mark.parametrize("width", [1280, 768])
def test_no_page_scrolls_sideways(browser, live_server, demo, width):
    assert overflowing_pages(browser, live_server, width, "tara", "demo-therapist-pass", therapist_pages(demo)) == []
    assert overflowing_pages(browser, live_server, width, "admin", "demo-admin-pass", ADMIN_PAGES) == []


def tab_to(page, target, limit=80):
    """Press Tab until the element with this id or text has the focus."""
    script = "[document.activeElement.id, document.activeElement.textContent.trim()]"
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target in page.evaluate(script):
            return
    raise AssertionError(f"Tab never reached {target}")


def test_plan_builder_works_with_the_keyboard_alone(page, live_server, sign_in, demo):
    sign_in("tara", "demo-therapist-pass")
    client = demo["client"]
    page.goto(f"{live_server.url}/plans/new/?client={client.pk}")
    day = timezone.localdate() + timedelta(days=1)
    page.locator("#id_date").focus()
    page.keyboard.type(day.strftime("%m%d%Y"))
    tab_to(page, "id_time")
    page.keyboard.type("0730P")
    expect(page.locator("#id_date")).to_have_value(day.isoformat())
    expect(page.locator("#id_time")).to_have_value("19:30")
    tab_to(page, "r-armsright")  # right before left, as on the body map
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "r-handsright"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("#r-handsleft")).to_be_checked()
    expect(page.locator("#r-handsright")).to_be_checked()
    # The proposal follows the ticks; Enter in a field would refresh it too.
    expect(page.get_by_role("heading", name=re.compile("Proposal for"))).to_be_visible()
    expect(page.locator("#proposal article")).to_have_count(2)
    tab_to(page, "Save as draft")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Plan saved as a draft")).to_be_visible()
