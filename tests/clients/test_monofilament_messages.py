"""The monofilament test page: every message about one foot names that foot."""

from datetime import timedelta

import pytest

from clients.assessments import MonofilamentTest
from tests import factories
from tests.clients.test_assessments import SITES, TODAY, post_test

pytestmark = pytest.mark.django_db

UNRELIABLE = 'the client said "yes" to the sham touch at every site tested: the result is unreliable.'


def test_an_unreliable_foot_is_named_beside_a_normal_one_before_and_after_resolving(login, therapist):
    dpn_client = factories.make_client(care_team=[therapist])
    post_test(login, therapist, dpn_client, day=TODAY - timedelta(days=30), absent=[("right", "met1")])
    post_test(login, therapist, dpn_client, sham_yes=[("left", site) for site in SITES])
    test = MonofilamentTest.objects.latest("pk")
    url = f"/clients/{dpn_client.pk}/monofilament/{test.pk}/"
    page = login(therapist).get(url).content.decode()
    assert "Right foot: protective sensation present at every site tested." in page
    assert f"Left foot: {UNRELIABLE} Repeat the test." in page
    assert "on this foot" not in page
    resolved = login(therapist).post(f"{url}resolve/", {"foot": "right"}, follow=True).content.decode()
    assert "marked resolved from" in resolved
    assert f"Left foot: {UNRELIABLE} Repeat the test." in resolved and "on this foot" not in resolved
