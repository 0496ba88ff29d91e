"""Regenerate the README's screenshots from the demo clinic: `make screenshots`.

Expects the app on SCREENSHOT_URL (default http://127.0.0.1:8765) with `seed_demo` loaded;
the Makefile target starts one on a scratch database.
"""

import os
import re
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

BASE = os.environ.get("SCREENSHOT_URL", "http://127.0.0.1:8765")
OUT = Path(__file__).resolve().parent / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sign_in(page, username, password):
    page.goto(f"{BASE}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def first_link(page, pattern):
    """The first href on the page matching a pattern, e.g. the first client or plan."""
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        if re.fullmatch(pattern, href or ""):
            return href
    raise SystemExit(f"No link matching {pattern} on {page.url}")


def settled(page):
    """Wait until the panels a page loads after it (data-fragment, static/js/actions.js) are filled."""
    expect(page.locator("[data-fragment][aria-busy]")).to_have_count(0)  # no eval: the pages' CSP forbids it


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"{BASE}/accounts/login/")
        page.screenshot(path=OUT / "login.png")

        sign_in(page, "tara", "demo-therapist-pass")
        settled(page)
        page.screenshot(path=OUT / "dashboard.png", full_page=True)
        page.goto(f"{BASE}/clients/")
        page.screenshot(path=OUT / "client-list.png", full_page=True)
        page.goto(f"{BASE}/plans/")
        plan_url = first_link(page, r"/plans/\d+/")
        page.screenshot(path=OUT / "schedule.png", full_page=True)
        page.goto(BASE + plan_url)
        page.screenshot(path=OUT / "plan.png", full_page=True)
        page.goto(BASE + plan_url + "print/")
        page.screenshot(path=OUT / "plan-print.png", full_page=True)
        page.goto(f"{BASE}/")
        record_url = first_link(page, r"/plans/\d+/record/")
        page.goto(BASE + record_url)
        page.screenshot(path=OUT / "record-form.png", full_page=True)
        # The client of that record has weeks of signed sessions: the progress chart tells a story.
        client_url = first_link(page, r"/clients/\d+/")
        page.goto(BASE + client_url)
        settled(page)
        page.screenshot(path=OUT / "client.png", full_page=True)
        client_id = re.search(r"\d+", client_url).group()
        regions = "&".join(f"regions={r}" for r in ("hands:left", "hands:right", "feet:left", "feet:right"))
        today = page.evaluate("new Date().toISOString().slice(0, 10)")
        page.goto(f"{BASE}/plans/new/?client={client_id}&date={today}&time=17:00&{regions}")
        page.screenshot(path=OUT / "plan-builder.png", full_page=True)
        page.goto(f"{BASE}/protocols/")
        page.screenshot(path=OUT / "protocol-library.png")

        context = browser.new_context(viewport={"width": 1280, "height": 860})
        admin = context.new_page()
        sign_in(admin, "admin", "demo-admin-pass")
        admin.goto(f"{BASE}/team/")
        admin.screenshot(path=OUT / "team.png", full_page=True)
        browser.close()
    print(f"Screenshots written to {OUT}")


if __name__ == "__main__":
    sys.exit(main())
