"""Outcome measures against a client archived while the form was being filled in, and hostile answers."""

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clients import assessment_forms
from clients.assessments import MnsiQuestionnaire, MonofilamentTest
from clients.models import Condition
from tests import factories
from tests.clients.test_assessments import mnsi_data, monofilament_data
from tests.test_fuzz import HOSTILE_VALUE, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpn_client(therapist):
    return factories.make_client(care_team=[therapist], symptoms={"feet:left": ["burning"]})


def archived_while_checked(monkeypatch, form_class, client):
    """Archive the client once the view has found it writable and the form is being checked."""
    real = form_class.clean

    def clean(self):
        client.archived_at = timezone.now()
        client.save(update_fields=["archived_at"])
        return real(self)

    monkeypatch.setattr(form_class, "clean", clean)


@pytest.mark.parametrize(
    ("form_class", "url", "data"),
    [
        (assessment_forms.MonofilamentForm, "monofilament", monofilament_data(absent=[("left", "hallux")])),
        (assessment_forms.MnsiForm, "mnsi", mnsi_data()),
    ],
    ids=["monofilament", "mnsi"],
)
def test_a_measure_sent_as_the_client_is_archived_is_not_saved(
    monkeypatch, login, therapist, dpn_client, form_class, url, data
):
    archived_while_checked(monkeypatch, form_class, dpn_client)
    response = login(therapist).post(f"/clients/{dpn_client.pk}/{url}/new/", data)
    assert response.status_code == 302 and response["Location"] == f"/clients/{dpn_client.pk}/"
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [f"{dpn_client} is archived: restore the client before changing the record."]
    assert not MonofilamentTest.objects.exists() and not MnsiQuestionnaire.objects.exists()
    assert not Condition.objects.filter(code="loss_of_protective_sensation").exists()


HOSTILE = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_hostile_site_answers_are_refused_by_field_and_save_nothing(login, therapist, dpn_client):
    browser = login(therapist)
    valid = monofilament_data(clinician="Dr. Shah")
    names = sorted({*valid, "right_hallux_not_tested", "left_met5_not_tested"})

    @HOSTILE
    @given(data=st.data())
    def send(data):
        sent = dict(valid)
        for name in data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True)):
            sent[name] = data.draw(st.one_of(HOSTILE_VALUE, st.sampled_from(["yes", "no", "on", "clinician"])))
        before = row_counts()
        response = browser.post(f"/clients/{dpn_client.pk}/monofilament/new/", sent)
        assert response.status_code in (302, 400), sent
        if response.status_code == 400:
            assert row_counts() == before, sent
            assert 'class="invalid-feedback' in response.content.decode() or "alert-danger" in response.content.decode()

    send()
