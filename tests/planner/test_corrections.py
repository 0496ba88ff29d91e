"""Score corrections by addendum: the corrected value reaches charts and exports; the original stays visible."""

import pytest

from planner.corrections import ScoreCorrection
from planner.models import Addendum, SessionRecord
from tests.planner.test_client_pages import signed_session
from tests.planner.test_plans import make_dpn_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(login, therapist):
    client = make_dpn_client(therapist)
    signed_session(login, therapist, client, "09:00", pain_before=6, pain_after=3)
    return SessionRecord.objects.get()


def correct(login, user, record, **data):
    return login(user).post(f"/records/{record.pk}/addenda/", data)


def test_a_correction_reaches_the_chart_and_keeps_the_original(login, therapist, record):
    page = login(therapist).get(f"/clients/{record.client_id}/").content.decode()
    assert "1 meaningful drop." in page and "pain 6 → 3" in page
    response = correct(
        login, therapist, record, text="Pain after was 5, not 3: misheard.", correct="pain_after", value=5
    )
    assert response.status_code == 302
    correction = ScoreCorrection.objects.get()
    assert (correction.field, correction.original, correction.corrected) == ("pain_after", 3, 5)
    assert correction.addendum.author == therapist
    record.refresh_from_db()
    assert record.pain_after == 3  # the signed record is unchanged
    page = login(therapist).get(f"/clients/{record.client_id}/").content.decode()
    assert "0 meaningful drops." in page and "pain 6 → 5" in page and 'class="meaningful"' not in page
    detail = login(therapist).get(f"/records/{record.pk}/").content.decode()
    assert "6 → 5" in detail and '<s title="as signed">3</s> → 5' in detail
    assert "Pain after was 5, not 3: misheard." in detail and "Tara Lindqvist" in detail


def test_the_latest_correction_wins(login, therapist, record):
    correct(login, therapist, record, text="Pain after 5.", correct="pain_after", value=5)
    correct(login, therapist, record, text="Pain after 4 after all.", correct="pain_after", value=4)
    page = login(therapist).get(f"/clients/{record.client_id}/").content.decode()
    assert "pain 6 → 4" in page
    assert "1 meaningful drop." in page  # the chart reads the latest correction too (6 → 4), not the first (6 → 5)
    assert [c.original for c in ScoreCorrection.objects.all()] == [3, 3]


def test_a_pressure_correction_is_shown_on_the_record_and_exported(login, therapist, clinic_admin, record):
    item = record.items.get(region="feet", side="right")
    response = correct(
        login, therapist, record, text="Used 1 on the right foot.", correct=f"pressure_used:{item.pk}", value=1
    )
    assert response.status_code == 302
    correction = ScoreCorrection.objects.get()
    assert correction.item == item and correction.original == item.pressure_used
    detail = login(therapist).get(f"/records/{record.pk}/").content.decode()
    assert "Pressure used, right foot" in detail and "corrected</span>" in detail
    doc = login(clinic_admin).get(f"/clients/{record.client_id}/export.json").json()
    [exported] = doc["records"][0]["corrections"]
    assert exported["field"] == "pressure_used" and (exported["region"], exported["side"]) == ("feet", "right")
    assert (exported["original"], exported["corrected"], exported["author"]) == (item.pressure_used, 1, "tara")
    assert exported["reason"] == "Used 1 on the right foot."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"correct": "pain_after"}, "Enter the corrected value."),
        ({"value": 4}, "Choose the value this number corrects."),
        ({"correct": "pain_after", "value": 11}, "less than or equal to 10"),
        ({"correct": "pain_after", "value": 3}, "3 is already the value on record."),
        ({"correct": "nonsense", "value": 3}, "Select a valid choice"),
    ],
)
def test_bad_corrections_name_the_field_and_save_nothing(login, therapist, record, data, message):
    response = correct(login, therapist, record, text="Fix", **data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Addendum.objects.exists() and not ScoreCorrection.objects.exists()


def test_pressure_correction_uses_the_walton_scale(login, therapist, record):
    item = record.items.first()
    response = correct(login, therapist, record, text="Fix", correct=f"pressure_used:{item.pk}", value=7)
    assert response.status_code == 400 and "Walton scale, 0 to 5" in response.content.decode()


def test_only_the_therapist_or_an_admin_corrects(login, second_therapist, record):
    assert correct(login, second_therapist, record, text="x", correct="pain_after", value=5).status_code == 404
    assert not ScoreCorrection.objects.exists()


def test_only_the_records_therapist_corrects_a_value_a_clinic_admin_adds_text(login, therapist, clinic_admin, record):
    admin = login(clinic_admin)
    page = admin.get(f"/records/{record.pk}/")
    form = page.context["addendum_form"]
    assert set(form.fields) == {"text"}
    assert "corrected by the therapist who recorded the session" in page.content.decode()
    refused = correct(login, clinic_admin, record, text="Pain before was 1.", correct="pain_before", value=1)
    assert refused.status_code == 400
    assert "Only the therapist who recorded the session can correct a score" in refused.content.decode()
    assert not Addendum.objects.exists() and not ScoreCorrection.objects.exists()
    assert correct(login, clinic_admin, record, text="Checked with the client.").status_code == 302
    assert Addendum.objects.get().author == clinic_admin and not ScoreCorrection.objects.exists()
    # The therapist's own form still offers the corrections.
    assert "correct" in login(therapist).get(f"/records/{record.pk}/").context["addendum_form"].fields
