"""The client list's ?q= search: accents and case ignored, words inside names, ids, best match first."""

import re

import pytest
from django.db import connection

from clients.models import Client, search_text
from tests.factories import make_client

pytestmark = pytest.mark.django_db


def names(response):
    return [f"{client.last_name}, {client.first_name}" for client in response.context["clients"]]


@pytest.fixture
def clients():
    make_client(first_name="María José", last_name="Martínez", external_id="C-1001")
    make_client(first_name="Ana", last_name="Smith")
    make_client(first_name="Zoë", last_name="Goldsmith")
    make_client(first_name="Agnès", last_name="Smithson")
    make_client(first_name="Smith", last_name="Adams")
    make_client(first_name="Søren", last_name="Øvergård", external_id="X-7")


def test_search_text_drops_accents_and_case():
    assert search_text("MARTÍNEZ") == search_text("martinez") == "martinez"
    assert search_text("Øvergård Zoë") == "overgard zoe"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("martinez", ["Martínez, María José"]),
        ("MARTÍNEZ maria", ["Martínez, María José"]),
        ("jose", ["Martínez, María José"]),
        ("overgard", ["Øvergård, Søren"]),
        ("zoe", ["Goldsmith, Zoë"]),
        ("c-10", ["Martínez, María José"]),
        ("x-7", ["Øvergård, Søren"]),
        ("nobody", []),
        # As the list writes a name: last name, a comma, first names.
        ("Martinez, Maria Jose", ["Martínez, María José"]),
        ("smith,ana", ["Smith, Ana"]),
        # Last names starting with the word, then first names starting with it, then words inside names.
        ("smith", ["Smith, Ana", "Smithson, Agnès", "Adams, Smith", "Goldsmith, Zoë"]),
    ],
)
def test_search_finds_names_regardless_of_accents_best_match_first(login, clinic_admin, clients, query, expected):
    assert names(login(clinic_admin).get("/clients/", {"q": query})) == expected


def test_renaming_a_client_updates_what_search_finds(clients):
    client = Client.objects.get(last_name="Smith")
    client.last_name = "Núñez"
    client.save(update_fields=["last_name"])
    assert list(Client.objects.search("nunez")) == [client]
    assert not Client.objects.search("smith ana").exists()


@pytest.mark.postgresql  # EXPLAIN output and pg_trgm are PostgreSQL's
def test_search_uses_the_trigram_index_on_postgresql():
    for number in range(50):
        make_client(last_name=f"Name{number}", external_id=f"C-{number}")
    queryset = Client.objects.search("ame4")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET enable_seqscan = on")
    assert re.search(r"client_search_name_trgm", plan), plan
    assert [client.last_name for client in queryset] == ["Name4", *[f"Name4{n}" for n in range(10)]]
