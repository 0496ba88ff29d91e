"""The care-team listing (clients.models.CareTeamListing), kept by database triggers on PostgreSQL,
and the client list filtered by therapist that reads it there (and joins the care team on SQLite)."""

import importlib
import random

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from clients.models import CareTeamListing, Client
from tests.clients.test_list import plan_without_seqscan
from tests.factories import make_client

Membership = Client.care_team.through


def listing():
    return set(CareTeamListing.objects.values_list("client_id", "user_id", "last_name", "first_name", "archived"))


def from_the_tables():
    rows = Membership.objects.select_related("client")
    return {
        (row.client_id, row.user_id, row.client.last_name, row.client.first_name, row.client.archived_at is not None)
        for row in rows
    }


@pytest.mark.postgresql  # the triggers are PostgreSQL's; on SQLite the listing stays empty and unused
def test_the_listing_follows_every_write_to_the_care_team_and_the_clients(therapist, second_therapist):
    okafor = make_client(first_name="Mary", last_name="Okafor", care_team=[therapist])
    lee = make_client(first_name="Sam", last_name="Lee", care_team=[therapist, second_therapist])
    assert (
        listing()
        == from_the_tables()
        == {
            (okafor.pk, therapist.pk, "Okafor", "Mary", False),
            (lee.pk, therapist.pk, "Lee", "Sam", False),
            (lee.pk, second_therapist.pk, "Lee", "Sam", False),
        }
    )
    steps = [
        lambda: okafor.care_team.add(second_therapist),
        lambda: lee.care_team.remove(therapist),
        lambda: Membership.objects.filter(client=okafor, user=second_therapist).delete(),
        lambda: lee.care_team.set([therapist]),
        lambda: Membership.objects.bulk_create([Membership(client=okafor, user=second_therapist)]),  # the import
        lambda: Client.objects.filter(pk=okafor.pk).update(last_name="Okafor-Ade"),
        lambda: Client.objects.filter(pk=lee.pk).update(archived_at=timezone.now()),
        lambda: Client.objects.filter(pk=lee.pk).update(archived_at=timezone.now()),  # archived again: no change
        lambda: Client.objects.filter(pk=lee.pk).update(archived_at=None),  # restored
        lambda: Membership.objects.filter(client=okafor, user=second_therapist).update(client=lee),  # moved
        lambda: okafor.care_team.clear(),
        lambda: okafor.care_team.add(therapist),
    ]
    for step in steps:
        step()
        assert listing() == from_the_tables()
    lee.first_name = "Samuel"
    lee.save()
    assert (
        listing()
        == from_the_tables()
        == {
            (okafor.pk, therapist.pk, "Okafor-Ade", "Mary", False),
            (lee.pk, therapist.pk, "Lee", "Samuel", False),
            (lee.pk, second_therapist.pk, "Lee", "Samuel", False),
        }
    )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a table with foreign-key checks pending is not truncated
        cursor.execute("TRUNCATE clients_client_care_team")  # fires no row trigger
    assert listing() == from_the_tables() == set()


MIGRATION = importlib.import_module("clients.migrations.0021_care_team_listing")


@pytest.mark.postgresql
def test_the_migration_fills_the_listing_from_the_care_team(therapist, second_therapist):
    archived = make_client(last_name="Ng", care_team=[therapist, second_therapist], archived_at=timezone.now())
    make_client(last_name="Ode", care_team=[therapist])
    make_client(last_name="Pym")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM clients_careteamlisting")
        cursor.execute(MIGRATION.FILL)
    assert listing() == from_the_tables()
    assert len(listing()) == 3 and (archived.pk, second_therapist.pk, "Ng", archived.first_name, True) in listing()


@pytest.fixture
def big_team(therapist, second_therapist):
    """60 clients of the therapist's (a third archived, some shared with the second therapist, names
    repeated so that first names and ids break ties), and 10 of the second therapist's alone."""
    rnd = random.Random(7)
    mine = []
    for number in range(60):
        team = [therapist, second_therapist] if number % 4 == 0 else [therapist]
        archived_at = timezone.now() if number % 3 == 0 else None
        last, first = f"Name{rnd.randrange(20):02d}", rnd.choice(["Ann", "Bo", "Cy"])
        mine.append(make_client(last_name=last, first_name=first, care_team=team, archived_at=archived_at))
    for _ in range(10):
        make_client(care_team=[second_therapist])
    return mine


def in_list_order(clients):
    return [c.pk for c in sorted(clients, key=lambda c: (c.last_name, c.first_name, c.pk))]


def listed(client, url):
    """Every client id the list shows at `url`, page after page."""
    ids, page = [], 1
    while True:
        response = client.get(f"{url}&page={page}")
        assert response.status_code == 200
        ids += [row.pk for row in response.context["clients"]]
        if not response.context["page"].has_next():
            return ids
        page += 1


@pytest.mark.parametrize("status", ["active", "archived", "all"])
def test_a_therapist_s_clients_are_listed_in_name_order_on_every_page(login, clinic_admin, therapist, big_team, status):
    kept = {
        "active": [c for c in big_team if c.archived_at is None],
        "archived": [c for c in big_team if c.archived_at is not None],
        "all": big_team,
    }[status]
    admin = login(clinic_admin)
    assert listed(admin, f"/clients/?therapist={therapist.pk}&status={status}") == in_list_order(kept)
    assert listed(admin, f"/clients/?therapist={therapist.username}&status={status}") == in_list_order(kept)


def test_a_therapist_filtering_by_another_sees_only_the_clients_they_share(
    login, therapist, second_therapist, big_team
):
    shared = [c for c in big_team if c.archived_at is None and second_therapist in c.care_team.all()]
    tara = login(therapist)
    assert listed(tara, f"/clients/?therapist={second_therapist.pk}") == in_list_order(shared)
    assert listed(tara, f"/clients/?therapist={therapist.pk}") == in_list_order(
        [c for c in big_team if c.archived_at is None]
    )


def test_an_account_without_a_role_lists_no_one_of_a_team(login, therapist, big_team):
    nobody = get_user_model().objects.create_user("nobody", password="x-Very-long-pass-1")
    response = login(nobody).get(f"/clients/?therapist={therapist.pk}")
    assert list(response.context["clients"]) == []
    assert login(nobody).get(f"/clients/?therapist={nobody.pk}").context["clients"] == []


@pytest.mark.postgresql
def test_a_listing_out_of_step_never_shows_a_therapist_a_client_off_their_team(login, therapist, second_therapist):
    mine = make_client(last_name="Mine", care_team=[therapist])
    theirs = make_client(last_name="Theirs", care_team=[second_therapist])
    with connection.cursor() as cursor:  # a listing row the care team does not hold (triggers bypassed)
        cursor.execute(
            "INSERT INTO clients_careteamlisting (client_id, user_id, last_name, first_name, archived) "
            "VALUES (%s, %s, 'Theirs', 'X', false)",
            [theirs.pk, therapist.pk],
        )
    response = login(therapist).get(f"/clients/?therapist={therapist.pk}")
    assert [client.pk for client in response.context["clients"]] == [mine.pk]


@pytest.mark.parametrize("account", ["9223372036854775808", "9" * 30, "1" * 5000])
def test_an_account_id_no_database_holds_lists_no_one(login, clinic_admin, therapist, big_team, account):
    response = login(clinic_admin).get(f"/clients/?therapist={account}")
    assert response.status_code == 200
    assert list(response.context["clients"]) == []


def test_the_filtered_list_runs_a_fixed_number_of_queries(
    login, clinic_admin, therapist, big_team, django_assert_num_queries
):
    admin = login(clinic_admin)
    # As the unfiltered list (test_list.test_list_runs_a_fixed_number_of_queries).
    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 7):
        response = admin.get(f"/clients/?therapist={therapist.pk}&page=2")
    assert len(response.context["clients"]) == 15


@pytest.mark.postgresql  # EXPLAIN output is PostgreSQL's
def test_a_deep_page_of_one_therapist_reads_the_listing_index_on_postgresql(therapist, big_team):
    """Without it, a deep page joined the therapist's clients to every active client's name."""
    active = CareTeamListing.objects.filter(user=therapist, archived=False)
    plan = plan_without_seqscan(active.order_by("last_name", "first_name", "client_id").values("client_id")[25:50])
    assert "care_team_listing_order" in plan, plan
    assert "clients_client " not in plan, plan
