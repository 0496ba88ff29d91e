"""Measures sent at the same instant: a form sent twice is saved once, and a foot gets one loss of
protective sensation however many tests find it at once."""

import threading

import pytest
from django.utils import timezone

from clients import assessment_forms
from clients.assessments import LOPS, MnsiQuestionnaire, MonofilamentTest
from clients.models import Condition
from tests import factories
from tests.clients.test_assessments import mnsi_data, monofilament_data
from tests.threads import post_together

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def checked_together(monkeypatch, form_class, senders=2):
    """Each request waits, its form checked, until every other one is checked too: none saved yet."""
    all_checked = threading.Barrier(senders, timeout=20)
    real = form_class.clean

    def clean(self):
        cleaned = real(self)
        all_checked.wait()
        return cleaned

    monkeypatch.setattr(form_class, "clean", clean)


@pytest.fixture
def dpn_client(therapist, second_therapist):
    return factories.make_client(care_team=[therapist, second_therapist], symptoms={"feet:left": ["burning"]})


def test_two_tests_finding_the_same_loss_at_once_give_the_foot_one_condition(
    monkeypatch, therapist, second_therapist, dpn_client
):
    checked_together(monkeypatch, assessment_forms.MonofilamentForm)
    url = f"/clients/{dpn_client.pk}/monofilament/new/"
    responses = post_together(
        (therapist, url, monofilament_data(absent=[("left", "hallux")])),
        (second_therapist, url, monofilament_data(absent=[("left", "met1")])),
    )
    assert [r.status_code for r in responses] == [302, 302]
    assert MonofilamentTest.objects.count() == 2
    loss = Condition.objects.get(client=dpn_client, code=LOPS)
    assert loss.side == "left" and loss.noted_on == timezone.localdate()
    assert {test.left_condition_id for test in MonofilamentTest.objects.all()} == {loss.pk}


def test_a_monofilament_test_sent_twice_at_once_is_saved_once(monkeypatch, therapist, dpn_client):
    checked_together(monkeypatch, assessment_forms.MonofilamentForm)
    url = f"/clients/{dpn_client.pk}/monofilament/new/"
    responses = post_together(*[(therapist, url, monofilament_data(absent=[("right", "met5")]))] * 2)
    test = MonofilamentTest.objects.get()
    assert {r["Location"] for r in responses} == {f"/clients/{dpn_client.pk}/monofilament/{test.pk}/"}
    assert Condition.objects.filter(code=LOPS).count() == 1


def test_an_mnsi_questionnaire_sent_twice_at_once_is_saved_once(monkeypatch, therapist, dpn_client):
    checked_together(monkeypatch, assessment_forms.MnsiForm)
    url = f"/clients/{dpn_client.pk}/mnsi/new/"
    responses = post_together(*[(therapist, url, mnsi_data())] * 2)
    questionnaire = MnsiQuestionnaire.objects.get()
    assert {r["Location"] for r in responses} == {f"/clients/{dpn_client.pk}/mnsi/{questionnaire.pk}/"}
