"""The idle timeout: a session ends after SESSION_IDLE_MINUTES without activity, slides with every
request and "stay signed in", and ends at SESSION_COOKIE_AGE after sign-in however active."""

import pytest

from planner.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
MINUTE = 60


def shift(browser, key, seconds):
    """Move a session clock into the past, as if that much time had gone by."""
    session = browser.session
    session[key] -= seconds
    session.save()


def signed_in(browser):
    return browser.get("/").status_code == 200


def test_sign_in_starts_both_clocks(anonymous, therapist):
    anonymous.post("/accounts/login/", {"username": "tara", "password": PASSWORD})
    session = anonymous.session
    assert session[LAST_SEEN_KEY] == pytest.approx(session[SIGNED_IN_AT_KEY], abs=1)


def test_a_session_left_idle_for_fifteen_minutes_ends(login, therapist):
    browser = login(therapist)
    shift(browser, LAST_SEEN_KEY, 15 * MINUTE + 1)
    response = browser.get("/clients/?q=pine")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fclients%2F%3Fq%3Dpine&idle=1"
    assert "_auth_user_id" not in browser.session
    assert browser.get("/").status_code == 302  # signed out for good, not just this once
    page = browser.get(response["Location"]).content.decode()
    assert "You were signed out after 15 minutes without activity" in page


def test_activity_keeps_the_session(login, therapist):
    browser = login(therapist)
    for _ in range(3):  # 42 minutes in all, never 15 without a request
        shift(browser, LAST_SEEN_KEY, 14 * MINUTE)
        shift(browser, SIGNED_IN_AT_KEY, 14 * MINUTE)
        assert signed_in(browser)


def test_an_idle_json_request_gets_401_not_a_sign_in_page(login, therapist):
    browser = login(therapist)
    shift(browser, LAST_SEEN_KEY, 16 * MINUTE)
    response = browser.get("/clients/1/plan-preview.json?regions=feet")
    assert response.status_code == 401 and "sign in again" in response.json()["error"]


def test_the_absolute_limit_holds_however_active(login, therapist, settings):
    browser = login(therapist)
    shift(browser, SIGNED_IN_AT_KEY, settings.SESSION_COOKIE_AGE + 1)
    assert not signed_in(browser)


def test_the_idle_time_is_a_setting(login, therapist, settings):
    settings.SESSION_IDLE_MINUTES = 30
    browser = login(therapist)
    shift(browser, LAST_SEEN_KEY, 20 * MINUTE)
    assert signed_in(browser)
    shift(browser, LAST_SEEN_KEY, 31 * MINUTE)
    assert not signed_in(browser)


def test_stay_signed_in_starts_the_idle_clock_again(login, therapist):
    browser = login(therapist)
    shift(browser, LAST_SEEN_KEY, 14 * MINUTE)
    response = browser.post("/accounts/keep-alive/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["seconds_left"] == pytest.approx(15 * MINUTE, abs=2)
    shift(browser, LAST_SEEN_KEY, 14 * MINUTE)
    assert signed_in(browser)


def test_keep_alive_is_for_signed_in_users(login, anonymous, therapist):
    assert login(therapist).put("/accounts/keep-alive/").status_code == 405
    response = anonymous.post("/accounts/keep-alive/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_pages_timer_asks_how_long_is_left_without_moving_the_clock(login, therapist):
    """Work in another tab kept the session alive: the page's timer finds out by GET, which is no activity."""
    browser = login(therapist)
    shift(browser, LAST_SEEN_KEY, 14 * MINUTE)
    response = browser.get("/accounts/keep-alive/", HTTP_ACCEPT="application/json")
    assert response.json()["seconds_left"] == pytest.approx(1 * MINUTE, abs=2)
    assert browser.get("/accounts/keep-alive/").json()["seconds_left"] == pytest.approx(1 * MINUTE, abs=2)
    shift(browser, LAST_SEEN_KEY, 2 * MINUTE)  # 16 minutes without activity: the check did not keep it
    response = browser.get("/accounts/keep-alive/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert not signed_in(browser)


def test_pages_carry_the_seconds_left_for_the_warning(login, anonymous, therapist):
    browser = login(therapist)
    # Within a minute of the last request the session is not written again, so the clock shows it.
    shift(browser, LAST_SEEN_KEY, 50)
    page = browser.get("/").content.decode()
    assert 'src="/static/js/idle-timeout.js"' in page
    left = int(page.split('data-seconds-left="')[1].split('"')[0])
    assert 15 * MINUTE - 52 <= left <= 15 * MINUTE - 50
    # Later requests move the clock on.
    shift(browser, LAST_SEEN_KEY, 5 * MINUTE)
    page = browser.get("/").content.decode()
    assert int(page.split('data-seconds-left="')[1].split('"')[0]) >= 15 * MINUTE - 2
    assert "idle-timeout.js" not in anonymous.get("/accounts/login/").content.decode()


def test_a_form_from_before_the_last_sign_in_says_so_in_the_layout(therapist):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(therapist)
    response = browser.post("/accounts/password/", {"old_password": "x", "csrfmiddlewaretoken": "stale"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "This form was not sent" in page and "Nothing was saved." in page
    assert "Session planner" in page  # the app's navigation, not Django's bare page


def test_a_form_sent_after_the_idle_time_comes_back_to_its_page_after_signing_in(login, therapist):
    browser = login(therapist)
    shift(browser, LAST_SEEN_KEY, 15 * MINUTE + 1)
    sent = browser.post("/records/12/addenda/", {"text": "late"}, HTTP_REFERER="http://testserver/records/12/?tab=2")
    assert sent["Location"] == "/accounts/login/?next=%2Frecords%2F12%2F%3Ftab%3D2&idle=1"
    # A form from elsewhere (or none) does not choose where the sign-in leads.
    browser = login(therapist)
    shift(browser, LAST_SEEN_KEY, 15 * MINUTE + 1)
    sent = browser.post("/records/12/addenda/", {"text": "late"}, HTTP_REFERER="https://elsewhere.example/records/12/")
    assert sent["Location"] == "/accounts/login/?next=%2F&idle=1"


def test_a_form_sent_after_signing_out_elsewhere_comes_back_to_its_page_after_signing_in(anonymous):
    sent = anonymous.post("/records/12/addenda/", {"text": "late"}, HTTP_REFERER="http://testserver/records/12/")
    assert sent["Location"] == "/accounts/login/?next=/records/12/"
    sent = anonymous.post("/records/12/addenda/", {"text": "late"})
    assert sent["Location"] == "/accounts/login/?next=/"
    # A page asked for by its address still comes back to it.
    assert anonymous.get("/clients/?q=pine")["Location"] == "/accounts/login/?next=/clients/%3Fq%3Dpine"


def test_a_pages_timer_signed_out_in_another_tab_gets_a_401_it_can_read(anonymous):
    for method in (anonymous.get, anonymous.post):
        response = method("/accounts/keep-alive/", HTTP_ACCEPT="application/json")
        assert response.status_code == 401
        assert response.json() == {"error": "Signed out: sign in again."}
