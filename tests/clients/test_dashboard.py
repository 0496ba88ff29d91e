"""The dashboard's panel of clients needing attention."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.services import attention_panel, needing_attention
from protocols.labels import format_date
from tests.factories import make_clearance, make_client, make_condition

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days_ago(days):
    return TODAY - datetime.timedelta(days=days)


def test_clients_needing_attention(therapist, second_therapist, django_assert_num_queries):
    expired = make_client(last_name="Expired", care_team=[therapist])
    make_clearance(expired, cleared_on=days_ago(400))
    renewed = make_client(last_name="Renewed", care_team=[therapist])
    make_clearance(renewed, cleared_on=days_ago(400))
    make_clearance(renewed, cleared_on=days_ago(10))
    low = make_client(last_name="Low", care_team=[therapist])
    make_condition(low, "platelet_count", value=150_000, noted_on=days_ago(1))
    make_condition(low, "platelet_count", value=30_000, noted_on=days_ago(3))  # superseded
    make_condition(low, "anc", value=400, noted_on=days_ago(2))
    wounded = make_client(last_name="Wounded", care_team=[therapist])
    make_condition(wounded, "open_wound", location="feet", side="right", noted_on=days_ago(3))
    healed = make_client(last_name="Healed", care_team=[therapist])
    make_condition(healed, "open_wound", noted_on=days_ago(5), resolved_on=days_ago(1))
    other_team = make_client(last_name="Other", care_team=[second_therapist])
    make_condition(other_team, "fever")
    make_condition(other_team, "open_wound")
    archived = make_client(last_name="Archived", care_team=[therapist])
    make_condition(archived, "open_wound")
    archived.archived_at = timezone.now()
    archived.save()

    therapist.has_perm("clients.view_client")  # permissions are loaded once per request anyway
    # The care team's entries in the window chosen and read with their clients (one query), the
    # expired clearances.
    with django_assert_num_queries(2):
        entries = needing_attention(therapist, TODAY)
    assert [(entry.client.last_name, entry.reasons) for entry in entries] == [
        ("Expired", [f"Clearance from {days_ago(400):%-d %b %Y} has expired"]),
        ("Low", [f"Neutrophil count (ANC) 400/µL on {format_date(days_ago(2))}, the value in use"]),
        ("Wounded", ["New: Open wound, right foot"]),
    ]


def test_dashboard_shows_the_panel(login, therapist):
    client = make_client(last_name="Wounded", care_team=[therapist])
    make_condition(client, "new_foot_finding", location="feet", side="left", noted_on=days_ago(1))
    browser = login(therapist)
    page = browser.get("/").content.decode()
    assert "Clients needing attention" in page and 'data-fragment="/clients/attention/?panel=1"' in page
    assert "New: New foot finding, left foot" not in page  # the panel loads it after the page
    panel = browser.get("/clients/attention/?panel=1").content.decode()
    assert "Wounded, " in panel and "New: New foot finding, left foot" in panel


def test_the_lab_thresholds_come_from_the_engine():
    from clients.services import lab_values_that_change_a_session

    # RULES.md: platelets below 100,000 and ANC below 1,000 change the session.
    assert lab_values_that_change_a_session() == {"platelet_count": 100_000, "anc": 1_000}


def test_an_admin_sees_the_whole_clinic_in_two_queries(
    clinic_admin, therapist, second_therapist, django_assert_num_queries
):
    mine = make_client(last_name="Mine", care_team=[therapist])
    make_condition(mine, "anc", value=999, noted_on=days_ago(1))
    theirs = make_client(last_name="Theirs", care_team=[second_therapist])
    make_condition(theirs, "open_wound", noted_on=days_ago(2))
    normal = make_client(last_name="Normal", care_team=[therapist])
    make_condition(normal, "anc", value=1_000, noted_on=days_ago(1))
    late = make_client(last_name="Late", care_team=[therapist])
    make_condition(late, "platelet_count", value=20_000, noted_on=days_ago(15))  # older than the 14 days
    for n in range(12):
        many = make_client(last_name=f"Zed{n:02d}", care_team=[therapist])
        make_clearance(many, cleared_on=days_ago(366 + n))

    clinic_admin.has_perm("clients.view_client")
    with django_assert_num_queries(2):
        entries = needing_attention(clinic_admin, TODAY, limit=4)
    # The most recent first, up to the limit, shown in name order.
    assert [entry.client.last_name for entry in entries] == ["Mine", "Theirs", "Zed00", "Zed01"]
    assert entries[0].reasons == [f"Neutrophil count (ANC) 999/µL on {format_date(days_ago(1))}, the value in use"]


@pytest.mark.postgresql
def test_a_therapists_care_team_is_read_from_its_index(therapist, monkeypatch):
    """The team's walk reads the clinic's newest entries from the covering index condition_attention_noted
    and probes the care team through care_team_user_client; after a walk cut short, the team's own query
    starts from the care team through that index, and reads its entries from the covering index alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'care_team_user_client'")
        assert "(user_id, client_id)" in cursor.fetchone()[0]
    therapist.has_perm("clients.view_client")
    monkeypatch.setattr(services, "TEAM_WALK", 0)  # nothing walked: the team's own query follows
    with CaptureQueriesContext(connection) as queries:
        needing_attention(therapist, TODAY)
    walk, team = (query["sql"] for query in queries.captured_queries[:2])
    assert "SELECT walked.n" in walk and "MAX(noted_on) OVER" in team
    for sql in (walk, team):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of test rows would be read whole
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "care_team_user_client" in plan, plan
        # The entries in the window come from the covering index alone, no table rows.
        assert "Index Only Scan using condition_attention_noted" in plan, plan


@pytest.mark.postgresql
def test_the_clinic_panel_reads_indexes_in_its_own_order(clinic_admin):
    """Many lab results and clearances share a date: the admin's two attention queries order by date,
    then id, and their indexes hold that order, so a walk stops at the panel's rows instead of sorting
    a whole day's rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = make_client(last_name="Same")
    make_condition(client, "platelet_count", value=20_000, noted_on=days_ago(1))
    make_clearance(client, cleared_on=days_ago(400))
    clinic_admin.has_perm("clients.view_client")
    with CaptureQueriesContext(connection) as queries:
        needing_attention(clinic_admin, TODAY, limit=4)
    conditions, clearances = (query["sql"] for query in queries.captured_queries)
    assert "FROM clients_condition\n" in conditions
    assert "ORDER BY noted_on DESC, id DESC" in conditions
    assert "FROM clients_physicianclearance pc" in clearances
    assert "ORDER BY pc.cleared_on DESC, pc.id DESC" in clearances
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes"
            " WHERE indexname IN ('condition_attention_noted', 'clearance_date')"
        )
        definitions = dict(cursor.fetchall())
    assert "(noted_on DESC, id DESC)" in definitions["condition_attention_noted"]
    assert "(cleared_on DESC, id DESC)" in definitions["clearance_date"]


def test_a_care_team_gets_what_the_clinic_query_would_give_it(clinic_admin, therapist):
    """A therapist's choice is made by its own query (each lab's latest day by a window function): it
    must pick exactly what the clinic's query picks when the team holds every client, on the cases the
    rules make tricky."""
    team = [therapist]
    cases = {
        # latest day below the bound: counts
        "Low": [("platelet_count", 40_000, 2)],
        # a later normal result hides an earlier low one
        "Recovered": [("platelet_count", 30_000, 4), ("platelet_count", 160_000, 1)],
        # a later result entered in error hides nothing
        "Erroneous": [("anc", 500, 3), ("anc", 2_000, 1, "error")],
        # two results on the latest day, one low: counts (the lowest is in use)
        "Same day": [("anc", 3_000, 2), ("anc", 800, 2)],
        # two low results on one day
        "Both low": [("platelet_count", 90_000, 5), ("platelet_count", 45_000, 5)],
        # at the bound is not below it
        "At bound": [("anc", 1_000, 1)],
        # too old to count
        "Old": [("platelet_count", 10_000, 15)],
        # findings: open, resolved today or earlier, resolved later, too old
        "Wound": [("open_wound", None, 13)],
        "Healed": [("open_wound", None, 6, "resolved", 0)],
        "Healing": [("charcot_suspected", None, 3, "resolved", -2)],
        "Old wound": [("new_foot_finding", None, 15)],
    }
    for name, conditions in cases.items():
        client = make_client(last_name=name, care_team=team)
        for code, value, ago, *extra in conditions:
            fields = {"noted_on": days_ago(ago)}
            if value is not None:
                fields["value"] = value
            if extra and extra[0] == "error":
                fields["entered_in_error"] = True
            if extra and extra[0] == "resolved":
                fields["resolved_on"] = days_ago(extra[1])
            if code in ("open_wound", "new_foot_finding", "charcot_suspected"):
                fields.update(location="feet", side="left")
            make_condition(client, code, **fields)
    archived = make_client(last_name="Archived", care_team=team)
    make_condition(archived, "open_wound", location="feet", side="left", noted_on=days_ago(1))
    archived.archived_at = timezone.now()
    archived.save()

    for limit in (1, 3, 8, 20):
        mine = [(e.client.last_name, e.reasons) for e in needing_attention(therapist, TODAY, limit=limit)]
        clinic = [(e.client.last_name, e.reasons) for e in needing_attention(clinic_admin, TODAY, limit=limit)]
        assert mine == clinic, limit
    names = [name for name, _ in mine]
    assert names == sorted(["Low", "Erroneous", "Same day", "Both low", "Wound", "Healing"]), names


def test_a_cut_list_says_so_and_shows_every_client_on_request(login, clinic_admin, therapist):
    from clients.services import attention_panel

    for n in range(10):
        many = make_client(last_name=f"Zed{n:02d}", care_team=[therapist])
        make_clearance(many, cleared_on=days_ago(366 + n))
    entries, more = attention_panel(clinic_admin, TODAY, limit=8)
    assert (len(entries), more) == (8, True)
    assert attention_panel(clinic_admin, TODAY, limit=10)[1] is False
    assert attention_panel(clinic_admin, TODAY, limit=11) == (attention_panel(clinic_admin, TODAY, limit=12)[0], False)

    browser = login(clinic_admin)
    page = browser.get("/clients/attention/?panel=1").content.decode()  # the dashboard's panel
    assert page.count('href="/clients/') - page.count('href="/clients/attention/"') == 8
    first = entries[0].client
    assert f'<a href="{reverse("clients:detail", args=[first.pk])}">{first.sort_name}</a>' in page
    assert "Only the 8 most recent are shown." in page
    assert f'<a href="{reverse("clients:attention")}">Show every client needing attention</a>' in page
    everyone = browser.get("/clients/attention/").content.decode()
    assert all(f"Zed{n:02d}" in everyone for n in range(10))
    assert "Only the" not in everyone and "Show every client" not in everyone


def test_a_short_list_claims_nothing_more(login, clinic_admin, therapist):
    client = make_client(last_name="Solo", care_team=[therapist])
    make_clearance(client, cleared_on=days_ago(400))
    page = login(clinic_admin).get("/clients/attention/?panel=1").content.decode()
    assert "Solo, " in page and "Only the" not in page and "Show every client" not in page


def test_a_finding_entered_twice_reads_once(clinic_admin, therapist):
    client = make_client(last_name="Twice", care_team=[therapist])
    for _ in range(2):
        make_condition(client, "open_wound", location="feet", side="left", noted_on=days_ago(1))
    for user in (clinic_admin, therapist):
        (entry,) = needing_attention(user, TODAY)
        assert entry.reasons == ["New: Open wound, left foot"]


def test_a_client_with_many_findings_does_not_hide_the_next_one(clinic_admin, therapist):
    """Four new findings of one client fill the first window of conditions: a wider one is read."""
    from clients.services import attention_panel

    busy = make_client(last_name="Busy", care_team=[therapist])
    for detail in ("heel", "toe", "arch", "ankle"):
        make_condition(busy, "open_wound", location="feet", side="left", detail=detail, noted_on=days_ago(1))
    quiet = make_client(last_name="Quiet", care_team=[therapist])
    make_condition(quiet, "open_wound", location="feet", side="right", noted_on=days_ago(5))
    for user in (clinic_admin, therapist):
        entries, more = attention_panel(user, TODAY, limit=2)
        assert [entry.client.last_name for entry in entries] == ["Busy", "Quiet"] and more is False
        entries, more = attention_panel(user, TODAY, limit=1)
        assert [entry.client.last_name for entry in entries] == ["Busy"] and more is True


@pytest.mark.parametrize("walk", [services.TEAM_WALK, 1])
def test_a_care_team_whose_newest_findings_are_archived_clients_still_gets_its_active_ones(
    clinic_admin, therapist, monkeypatch, walk
):
    """Whether a client is archived is read for the newest chosen conditions only: when archived
    clients' findings fill the first choice, the next newest are read until the list is full (by the
    team's walk, and by the team's own query after a walk cut short)."""
    monkeypatch.setattr(services, "TEAM_WALK", walk)
    for n in range(12):
        archived = make_client(last_name=f"Archived {n:02}", care_team=[therapist])
        make_condition(archived, "open_wound", location="feet", side="left", noted_on=days_ago(0))
        archived.archived_at = timezone.now()
        archived.save()
    for name, ago in (("Ames", 3), ("Bell", 4), ("Cole", 5)):
        make_condition(make_client(last_name=name, care_team=[therapist]), "open_wound", noted_on=days_ago(ago))
    for limit in (1, 2, 3, 8):
        mine = [(e.client.last_name, e.reasons) for e in needing_attention(therapist, TODAY, limit=limit)]
        clinic = [(e.client.last_name, e.reasons) for e in needing_attention(clinic_admin, TODAY, limit=limit)]
        assert mine == clinic, limit
    assert [name for name, _ in mine] == ["Ames", "Bell", "Cole"]
    entries, more = attention_panel(therapist, TODAY, limit=2)
    assert [entry.client.last_name for entry in entries] == ["Ames", "Bell"] and more


@pytest.mark.parametrize("walk", [services.TEAM_WALK, 1])
def test_archived_clients_entries_among_the_newest_are_read_past(
    therapist, clinic_admin, django_assert_num_queries, monkeypatch, walk
):
    """The team's walk leaves archived clients out; the team's own query (after a walk that could not
    read the whole window) reads its newest chosen entries whole with whether their client is active,
    and when archived clients' entries take those places, it reads as many more, until enough."""
    monkeypatch.setattr(services, "TEAM_WALK", walk)
    gone = make_client(last_name="Gone", care_team=[therapist])
    for n in range(5):
        make_condition(gone, "open_wound", location="feet", side="left", noted_on=days_ago(n))
    kept = [make_client(last_name=f"Kept {n}", care_team=[therapist]) for n in range(3)]
    for n, client in enumerate(kept):
        make_condition(client, "anc", value=500, noted_on=days_ago(6 + n))
    gone.archived_at = timezone.now()
    gone.save()
    therapist.has_perm("clients.view_client")
    # The walk: it finds Kept 0 when it reads the whole window. Cut at one entry (archived), it is
    # followed by the team's query: 2 read (both archived), 4 (all archived), 8 (the 5 archived and the
    # 3 kept). Then the expired clearances.
    with django_assert_num_queries(2 if walk > 8 else 5):
        entries, more = attention_panel(therapist, TODAY, 1)
    assert [entry.client.last_name for entry in entries] == ["Kept 0"] and more
    for limit in (1, 2, 3, 4):
        mine = [(e.client.last_name, e.reasons) for e in attention_panel(therapist, TODAY, limit)[0]]
        clinic = [(e.client.last_name, e.reasons) for e in attention_panel(clinic_admin, TODAY, limit)[0]]
        assert mine == clinic, limit


def test_a_team_walk_cut_short_is_followed_by_the_teams_own_query(
    therapist, second_therapist, django_assert_num_queries, monkeypatch
):
    """The walk reads the clinic's newest entries; when it stops at TEAM_WALK before finding enough, the
    team's older entries are still found. When it read the whole window, it is not followed."""
    mine = make_client(last_name="Mine", care_team=[therapist])
    make_condition(mine, "platelet_count", value=40_000, noted_on=days_ago(10))
    for n in range(4):
        other = make_client(last_name=f"Other {n}", care_team=[second_therapist])
        make_condition(other, "open_wound", location="feet", side="left", noted_on=days_ago(n))
    therapist.has_perm("clients.view_client")
    monkeypatch.setattr(services, "TEAM_WALK", 3)
    with django_assert_num_queries(3):  # the walk (3 newest, none the team's), the team's query, clearances
        assert [entry.client.last_name for entry in needing_attention(therapist, TODAY)] == ["Mine"]
    monkeypatch.setattr(services, "TEAM_WALK", 10)
    with django_assert_num_queries(2):  # the walk read all 5 entries of the window
        assert [entry.client.last_name for entry in needing_attention(therapist, TODAY)] == ["Mine"]
    with django_assert_num_queries(2):  # a day whose window holds no entry: the walk, found none, is complete
        assert needing_attention(therapist, days_ago(20)) == []


def test_the_dashboards_panel_reads_the_list_in_four_queries_however_long(login, therapist, django_assert_num_queries):
    for n in range(12):
        many = make_client(last_name=f"Zed{n:02d}", care_team=[therapist])
        make_clearance(many, cleared_on=days_ago(366 + n))
        make_condition(many, "open_wound", noted_on=days_ago(1))
    browser = login(therapist)
    browser.get("/clients/attention/?panel=1")
    # Session, user, roles and permissions; the care team's chosen entries with their clients, the
    # expired clearances.
    with django_assert_num_queries(5):
        panel = browser.get("/clients/attention/?panel=1").content.decode()
    assert panel.count('<li class="list-group-item') == 8
    with django_assert_num_queries(5):
        page = browser.get("/clients/attention/").content.decode()
    assert page.count('<li class="list-group-item') == 12 and "<h1" in page
