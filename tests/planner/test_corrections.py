"""Score corrections by addendum: the corrected value reaches charts and exports; the original stays visible."""

from datetime import timedelta

import pytest

from planner.corrections import ScoreCorrection
from planner.models import Addendum, SessionRecord
from tests.factories import document_of, page_and_panels
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
    page = page_and_panels(login(therapist), record.client_id)
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
    page = page_and_panels(login(therapist), record.client_id)
    assert "0 meaningful drops." in page and "pain 6 → 5" in page and 'class="meaningful"' not in page
    detail = login(therapist).get(f"/records/{record.pk}/").content.decode()
    assert "6 → 5" in detail
    assert '<strong>Pain after:</strong> <s title="in use before this correction">3</s> → 5' in detail
    assert "Pain after was 5, not 3: misheard." in detail and "Tara Lindqvist" in detail
    assert "1 score corrected by addendum: the charts and the table show the corrected value." in page
    # Under the charts, the page says a score was corrected; so it does again after a second correction
    # of the same score (one score corrected), and after one of another score (two).
    correct(login, therapist, record, text="It was 4.", correct="pain_after", value=4)
    assert "1 score corrected by addendum" in page_and_panels(login(therapist), record.client_id)
    correct(login, therapist, record, text="Numbness before was 4.", correct="numbness_before", value=4)
    page = page_and_panels(login(therapist), record.client_id)
    assert "2 scores corrected by addenda: the charts and the table show the corrected values." in page


def test_the_latest_correction_wins(login, therapist, record):
    correct(login, therapist, record, text="Pain after 5.", correct="pain_after", value=5)
    correct(login, therapist, record, text="Pain after 4 after all.", correct="pain_after", value=4)
    page = page_and_panels(login(therapist), record.client_id)
    assert "pain 6 → 4" in page
    assert "1 meaningful drop." in page  # the chart reads the latest correction too (6 → 4), not the first (6 → 5)
    assert [c.original for c in ScoreCorrection.objects.all()] == [3, 3]


def test_each_correction_reads_from_the_value_in_use_before_it(login, therapist, record):
    assert correct(login, therapist, record, text="Was 4.", correct="pain_after", value=4).status_code == 302
    assert correct(login, therapist, record, text="3 after all.", correct="pain_after", value=3).status_code == 302
    for url in (f"/records/{record.pk}/", f"/records/{record.pk}/print/"):
        page = login(therapist).get(url).content.decode()
        first, second = page.split("<strong>Pain after:</strong> ")[1:3]
        assert first.startswith('<s title="in use before this correction">3</s> → 4,')
        assert second.startswith('<s title="in use before this correction">4</s> → 3 (signed as 3),')
        assert "Pain after :" not in page
    assert [(c.original, c.corrected) for c in ScoreCorrection.objects.all()] == [(3, 4), (3, 3)]  # as signed


def test_a_correction_to_the_value_in_use_is_refused_naming_the_field(login, therapist, record):
    correct(login, therapist, record, text="Pain after was 4.", correct="pain_after", value=4)
    refused = correct(login, therapist, record, text="Again 4.", correct="pain_after", value=4)
    assert refused.status_code == 400
    assert "Pain after is already 4: enter the value it should be." in refused.content.decode()
    item = record.items.get(region="feet", side="right")
    refused = correct(login, therapist, record, text="x", correct=f"pressure_used:{item.pk}", value=item.pressure_used)
    assert refused.status_code == 400
    assert f"Pressure used, right foot is already {item.pressure_used}" in refused.content.decode()
    assert ScoreCorrection.objects.count() == 1


def test_a_pressure_corrected_above_the_plan_needs_a_reason_and_shows_the_deviation(login, therapist, record):
    item = record.items.get(region="feet", side="right")
    assert (item.pressure_used, item.pressure_planned, item.deviation_reason) == (2, 2, "")
    refused = correct(login, therapist, record, text="It was 3.", correct=f"pressure_used:{item.pk}", value=3)
    assert refused.status_code == 400
    assert "Pressure 3 is above the plan&#x27;s 2 for the right foot: say why." in refused.content.decode()
    assert not ScoreCorrection.objects.exists() and not Addendum.objects.exists()
    data = {"correct": f"pressure_used:{item.pk}", "value": 3, "deviation_reason": "Client asked for firmer."}
    assert correct(login, therapist, record, text="It was 3.", **data).status_code == 302
    assert ScoreCorrection.objects.get().deviation_reason == "Client asked for firmer."
    for url in (f"/records/{record.pk}/", f"/records/{record.pk}/print/"):
        page = login(therapist).get(url).content.decode()
        row = page.split('<th scope="row" class="text-capitalize">right foot</th>')[1].split("</tr>")[0]
        assert '<span class="badge text-bg-warning">Deviation</span> Client asked for firmer.' in row
    doc = document_of(login(therapist).get(f"/clients/{record.client_id}/export.json"))
    [exported] = doc["records"][0]["corrections"]
    assert (exported["corrected"], exported["deviation_reason"]) == (3, "Client asked for firmer.")
    # The client page's badge and the FHIR procedure read the record as corrected too.
    client_page = page_and_panels(login(therapist), record.client_id)
    assert "right foot: pressure 3 for 2 planned, Client asked for firmer." in client_page
    bundle = login(therapist).get(f"/clients/{record.client_id}/fhir.json").json()
    [procedure] = [
        entry["resource"] for entry in bundle["entry"] if entry["resource"]["id"] == f"record-item-{item.pk}"
    ]
    notes = [note["text"] for note in procedure["note"]]
    assert "Pressure 3 used where 2 was planned: Client asked for firmer." in notes, notes


def test_a_pressure_corrected_back_to_the_plan_is_no_longer_a_deviation(login, therapist, record):
    item = record.items.get(region="feet", side="right")
    data = {"correct": f"pressure_used:{item.pk}", "value": 3, "deviation_reason": "Firmer."}
    correct(login, therapist, record, text="It was 3.", **data)
    data = {"correct": f"pressure_used:{item.pk}", "value": 1, "deviation_reason": "Ignored: not above the plan."}
    assert correct(login, therapist, record, text="It was 1.", **data).status_code == 302
    assert ScoreCorrection.objects.latest("pk").deviation_reason == ""
    page = login(therapist).get(f"/records/{record.pk}/").content.decode()
    row = page.split('<th scope="row" class="text-capitalize">right foot</th>')[1].split("</tr>")[0]
    assert "Deviation" not in row
    # The client page's list reads the latest correction too: no deviation badge on the record.
    client_page = page_and_panels(login(therapist), record.client_id)
    assert f'href="/records/{record.pk}/"' in client_page and ">Deviation</span>" not in client_page


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
    doc = document_of(login(clinic_admin).get(f"/clients/{record.client_id}/export.json"))
    [exported] = doc["records"][0]["corrections"]
    assert exported["field"] == "pressure_used" and (exported["region"], exported["side"]) == ("feet", "right")
    assert (exported["original"], exported["corrected"], exported["author"]) == (item.pressure_used, 1, "tara")
    assert exported["reason"] == "Used 1 on the right foot."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"correct": "pain_after"}, "Enter the corrected value."),
        ({"value": 4}, "Choose the value this number corrects."),
        ({"correct": "pain_after", "value": 11}, "Scores run from 0 to 10."),
        ({"correct": "pain_after", "value": -1}, "Scores run from 0 to 10."),
        ({"correct": "pain_after", "value": 3}, "Pain after is already 3: enter the value it should be."),
        ({"correct": "nonsense", "value": 3}, "Select a valid choice"),
    ],
)
def test_bad_corrections_name_the_field_and_save_nothing(login, therapist, record, data, message):
    response = correct(login, therapist, record, text="Fix", **data)
    assert response.status_code == 400 and message in response.content.decode()
    assert not Addendum.objects.exists() and not ScoreCorrection.objects.exists()


@pytest.mark.parametrize("value", [7, 11, -1])
def test_pressure_correction_uses_the_walton_scale(login, therapist, record, value):
    """Said the same way whether the number is past the pressure scale only or past the scores' too."""
    item = record.items.first()
    response = correct(login, therapist, record, text="Fix", correct=f"pressure_used:{item.pk}", value=value)
    page = response.content.decode()
    assert response.status_code == 400 and "Walton scale, 0 to 5" in page and "Scores run" not in page


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


def test_an_addendum_sent_twice_is_added_once(login, therapist, record):
    browser = login(therapist)
    url = f"/records/{record.pk}/addenda/"
    assert browser.post(url, {"text": "Called the client the next day."}).status_code == 302
    again = browser.post(url, {"text": "Called the client the next day."})
    assert again.status_code == 302 and again["Location"] == f"/records/{record.pk}/"
    assert Addendum.objects.count() == 1
    page = browser.get(again["Location"]).content.decode()
    assert "This addendum is already on the record." in page


def test_a_correction_sent_twice_is_added_once_without_an_error(login, therapist, record):
    sent = {"text": "Pain after was 5, not 3.", "correct": "pain_after", "value": "5"}
    assert correct(login, therapist, record, **sent).status_code == 302
    assert correct(login, therapist, record, **sent).status_code == 302
    assert Addendum.objects.count() == 1 and ScoreCorrection.objects.count() == 1
    # The same words correcting another value are a new addendum.
    assert correct(login, therapist, record, **{**sent, "correct": "pain_before", "value": "7"}).status_code == 302
    assert Addendum.objects.count() == 2


def test_the_same_addendum_later_is_added_again(login, therapist, record):
    from planner.recording import REPEAT_WINDOW

    assert correct(login, therapist, record, text="Client called: no bruising.").status_code == 302
    first = Addendum.objects.get()
    Addendum.objects.filter(pk=first.pk).update(created_at=first.created_at - REPEAT_WINDOW - timedelta(minutes=1))
    assert correct(login, therapist, record, text="Client called: no bruising.").status_code == 302
    assert Addendum.objects.count() == 2


def test_corrections_of_records_not_listed_are_left_aside(login, therapist, record):
    # The client page reads its client's corrections once (corrections.client_corrections) for the
    # charts and for the records it lists, which may leave a corrected record out.
    from planner import corrections

    correct(login, therapist, record, text="Pain after 5.", correct="pain_after", value=5)
    fixes = corrections.client_corrections(record.client)
    assert [(r, f, v) for r, _item, f, v, _reason in fixes] == [(record.pk, "pain_after", 5)]
    assert corrections.read_corrected([], fixes) == []
    [listed] = corrections.read_corrected([SessionRecord.objects.get(pk=record.pk)], fixes)
    assert listed.corrected_pain_after == 5
