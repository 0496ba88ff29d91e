"""The client list: search, filters, order, pagination and a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from tests.factories import make_client, make_condition, make_therapist

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def names(response):
    return [f"{client.last_name}, {client.first_name}" for client in response.context["clients"]]


@pytest.fixture
def clients(therapist, second_therapist):
    return {
        "okafor": make_client(first_name="Mary", last_name="Okafor", external_id="C-1001", care_team=[therapist]),
        "lee": make_client(
            first_name="Sam", last_name="Lee", neuropathy_type="CIPN", care_team=[therapist, second_therapist]
        ),
        "adams": make_client(first_name="John", last_name="Adams", external_id="X-7", care_team=[second_therapist]),
    }


def test_list_is_sorted_by_last_name_and_scoped_to_the_care_team(login, therapist, clinic_admin, clients):
    assert names(login(clinic_admin).get("/clients/")) == ["Adams, John", "Lee, Sam", "Okafor, Mary"]
    assert names(login(therapist).get("/clients/")) == ["Lee, Sam", "Okafor, Mary"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?q=oka", ["Okafor, Mary"]),
        ("?q=MARY", ["Okafor, Mary"]),
        ("?q=mary okafor", ["Okafor, Mary"]),
        ("?q=c-10", ["Okafor, Mary"]),
        ("?q=x-7", ["Adams, John"]),
        ("?q=nobody", []),
        ("?type=CIPN", ["Lee, Sam"]),
        ("?therapist=sam", ["Adams, John", "Lee, Sam"]),
        ("?type=CIPN&therapist=sam", ["Lee, Sam"]),
        ("?type=NOT-A-TYPE", ["Adams, John", "Lee, Sam", "Okafor, Mary"]),
    ],
)
def test_search_and_filters(login, clinic_admin, clients, query, expected):
    assert names(login(clinic_admin).get(f"/clients/{query}")) == expected


def test_therapist_filter_takes_an_id_too(login, clinic_admin, clients, second_therapist):
    assert names(login(clinic_admin).get(f"/clients/?therapist={second_therapist.pk}")) == ["Adams, John", "Lee, Sam"]


def test_archived_clients_leave_the_default_list(login, clinic_admin, clients):
    clients["lee"].archived_at = timezone.now()
    clients["lee"].save()
    admin = login(clinic_admin)
    assert names(admin.get("/clients/")) == ["Adams, John", "Okafor, Mary"]
    assert names(admin.get("/clients/?status=archived")) == ["Lee, Sam"]
    assert names(admin.get("/clients/?status=all")) == ["Adams, John", "Lee, Sam", "Okafor, Mary"]


def test_rows_show_type_regions_active_conditions_and_care_team(login, clinic_admin, therapist):
    client = make_client(
        last_name="Okafor", care_team=[therapist], symptoms={"feet:left": ["numbness"], "feet:right": ["numbness"]}
    )
    make_condition(client, "open_wound")
    make_condition(client, "fever", resolved_on=TODAY)  # resolved today: no longer active
    make_condition(client, "platelet_count", value=80_000, noted_on=TODAY - datetime.timedelta(days=2))
    make_condition(client, "platelet_count", value=70_000, noted_on=TODAY - datetime.timedelta(days=5))
    make_condition(client, "anc", value=900, noted_on=TODAY - datetime.timedelta(days=30))  # too old to count
    response = login(clinic_admin).get("/clients/")
    row = response.context["clients"][0]
    # The open wound, and the platelet counts once.
    assert row.active_conditions == 2
    page = response.content.decode()
    assert "Feet (both)" in page and "tara" in page and ">DPN<" in page


def row_of(page, client):
    """The list's table row of this client, as HTML."""
    return next(row for row in page.split("<tr>") if f"{client.last_name}, {client.first_name}" in row)


def test_rows_link_to_the_client_and_show_birth_date_id_and_care_team_by_name(
    login, clinic_admin, therapist, second_therapist
):
    # An account with no name is named by its username.
    locum = make_therapist(username="locum", first_name="", last_name="")
    tara_and_sam = make_client(
        last_name="Okafor",
        external_id="C-1001",
        date_of_birth=datetime.date(1958, 4, 2),
        care_team=[therapist, locum, second_therapist],
    )
    nobodys = make_client(last_name="Lee", date_of_birth=datetime.date(1949, 12, 31), neuropathy_type="CIPN")
    page = login(clinic_admin).get("/clients/").content.decode()

    row = row_of(page, tara_and_sam)
    assert f'<a class="fw-semibold" href="{reverse("clients:detail", args=[tara_and_sam.pk])}">Okafor, ' in row
    assert "Born 2 Apr 1958 · C-1001</div>" in row
    # Named as on the client page, alphabetical whoever was added first.
    assert '<td class="small">locum, Sam Okafor, Tara Lindqvist</td>' in row
    assert 'title="DPN: Diabetic peripheral neuropathy">DPN</span>' in row

    row = row_of(page, nobodys)
    assert f'href="{reverse("clients:detail", args=[nobodys.pk])}"' in row
    assert "Born 31 Dec 1949</div>" in row  # no external id, no separator
    assert '<td class="small"><span class="text-body-secondary">Nobody</span></td>' in row
    assert (
        '<span class="badge type-badge type-cipn" title="CIPN: Chemotherapy-induced peripheral neuropathy">CIPN</span>'
        in row
    )


def test_list_paginates(login, clinic_admin):
    for number in range(30):
        make_client(last_name=f"Name{number:02d}")
    admin = login(clinic_admin)
    first = admin.get("/clients/?q=name")
    assert len(first.context["clients"]) == 25
    second = admin.get("/clients/?q=name&page=2")
    assert names(second)[0] == "Name25, " + second.context["clients"][0].first_name
    assert 'href="?q=name&amp;page=2"' in first.content.decode()
    assert len(admin.get("/clients/?page=99").context["clients"]) == 5  # past the end: the last page


@pytest.mark.parametrize("count", [1, 12])
def test_list_runs_a_fixed_number_of_queries(login, clinic_admin, therapist, django_assert_num_queries, count):
    for _ in range(count):
        client = make_client(care_team=[therapist])
        make_condition(client, "open_wound")
    admin = login(clinic_admin)
    # 1 session, 2 user, 3 the user's roles and permissions (for_user, the page's buttons and the
    # navbar), 4 the number of matching clients (paginator), 5 the therapists for the filter,
    # 6 one page of clients with their active-condition counts (subqueries), 7 their care teams'
    # usernames; on PostgreSQL one more: the planner's row estimate, taken before an exact count
    # of a small clinic
    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 7):
        response = admin.get("/clients/")
    assert len(response.context["clients"]) == count


def test_therapist_list_runs_a_fixed_number_of_queries(login, therapist, django_assert_num_queries):
    for _ in range(5):
        make_client(care_team=[therapist])
    tara = login(therapist)
    # As for an admin: the care-team filter is part of the clients query.
    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 7):
        response = tara.get("/clients/?q=client&type=DPN")
    assert len(response.context["clients"]) == 5


def plan_without_seqscan(queryset):
    """PostgreSQL's plan for a queryset, a sequential scan ruled out (a test's table is small enough for one)."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("SET enable_seqscan = on")


@pytest.mark.postgresql  # EXPLAIN output is PostgreSQL's
def test_a_deep_page_reads_the_active_name_index_on_postgresql():
    for number in range(60):
        make_client(last_name=f"Name{number:02d}")
    plan = plan_without_seqscan(Client.objects.active().order_by("last_name", "first_name", "pk").values("pk")[50:75])
    assert "client_active_name_order" in plan, plan


@pytest.mark.postgresql  # EXPLAIN output is PostgreSQL's
def test_a_deep_page_of_one_neuropathy_type_reads_the_type_name_index_on_postgresql():
    """Without it, a page of ?type=CIPN walked the active name index and skipped the other types."""
    for number in range(60):
        make_client(last_name=f"Name{number:02d}", neuropathy_type=("CIPN", "DPN")[number % 2])
    cipn = Client.objects.active().filter(neuropathy_type="CIPN")
    plan = plan_without_seqscan(cipn.order_by("last_name", "first_name", "pk").values("pk")[25:50])
    assert "client_active_type_name_order" in plan, plan


@pytest.mark.postgresql  # EXPLAIN output is PostgreSQL's
def test_a_deep_page_of_archived_clients_reads_the_archived_name_index_on_postgresql():
    """Without it, a page of the archived list walked the name index of every client."""
    for number in range(60):
        make_client(last_name=f"Name{number:02d}", archived_at=timezone.now())
    plan = plan_without_seqscan(Client.objects.archived().order_by("last_name", "first_name", "pk").values("pk")[50:75])
    assert "client_archived_name_order" in plan, plan


def test_large_lists_show_an_estimated_count_on_postgresql(login, clinic_admin, monkeypatch):
    from clients import views

    for number in range(4):
        make_client(last_name=f"Name{number}")
    monkeypatch.setattr(views.ClientPaginator, "EXACT_BELOW", 0 if connection.vendor == "postgresql" else 10**9)
    response = login(clinic_admin).get("/clients/")
    page = response.content.decode()
    assert len(response.context["clients"]) == 4
    if connection.vendor == "postgresql":
        assert response.context["count_is_estimate"] and "About " in page
    else:
        assert not response.context["count_is_estimate"] and "4 clients" in page


def test_an_estimated_count_never_hides_a_page_nor_offers_an_empty_one(login, clinic_admin, monkeypatch):
    """PostgreSQL's estimate of a broad search can be off either way: the pages follow the rows."""
    from clients import views

    def estimate(paginator, value):
        paginator.count_is_estimate = True
        return value

    for number in range(7):
        make_client(last_name=f"Name{number}")
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    browser = login(clinic_admin)

    # Too low: one client estimated, seven there; every page is reachable and the last has no Next.
    monkeypatch.setattr(views.ClientPaginator, "count", property(lambda self: estimate(self, 1)))
    names = []
    for number in (1, 2, 3):
        response = browser.get(f"/clients/?page={number}")
        names += [client.last_name for client in response.context["clients"]]
        page = response.content.decode()
        assert f'<span class="page-link">Page {number}</span>' in page  # no "of N" from an estimate
        assert response.context["page"].has_next() == (number < 3)
    assert names == [f"Name{number}" for number in range(7)]

    # Too high: a thousand estimated; past the last row there is no Next, and a page past the end is empty.
    monkeypatch.setattr(views.ClientPaginator, "count", property(lambda self: estimate(self, 1000)))
    assert not browser.get("/clients/?page=3").context["page"].has_next()
    beyond = browser.get("/clients/?page=40")
    assert beyond.status_code == 200 and beyond.context["clients"] == []
    assert browser.get("/clients/?page=0").context["page"].number == 1
    assert browser.get(f"/clients/?page={10**30}").status_code == 200  # past what a database can skip
    assert browser.get("/clients/?page=x").context["page"].number == 1


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("q=" + "a" * 101, "Search: at most 100 characters (it has 101)."),
        ("q=an%00n", "Search: it holds a null character."),
        ("type=BOGUS", "Type: “BOGUS” is not a neuropathy type."),
        ("status=bogus", "Status: “bogus” is not one of active, archived or all."),
    ],
)
def test_a_filter_the_list_cannot_apply_is_said_not_silently_dropped(login, clinic_admin, query, said):
    make_client(last_name="Okafor")
    page = login(clinic_admin).get(f"/clients/?{query}").content.decode()
    assert "Not applied to the list: " + said in page.replace("&quot;", '"')
    assert "Okafor" in page


def test_a_list_with_valid_filters_says_nothing_was_ignored(login, clinic_admin):
    page = login(clinic_admin).get("/clients/?q=oka&type=DPN&status=all").content.decode()
    assert "Not applied" not in page


def test_a_therapist_on_no_care_team_is_told_why_the_list_is_empty(login, therapist, second_therapist):
    make_client(care_team=[second_therapist])
    make_client(care_team=[therapist], archived_at=timezone.now())  # only archived clients: none active
    page = login(therapist).get("/clients/").content.decode()
    assert "No active client has you on their care team: a clinic admin adds you to a client's care team." in page
    assert "No clients yet" not in page
