"""The progress letter against hostile input: what goes to the physician holds no hidden character,
and every field's text, HTML included, is printed as text."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.letters import ProgressLetter
from tests.factories import make_clearance, make_condition
from tests.planner.test_plans import make_dpn_client
from tests.test_fuzz import HOSTILE_VALUE, row_counts

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MARKUP = '<script>alert("x")</script>'


@pytest.mark.parametrize(
    ("recipient", "said"),
    [
        ("Dr. Shah\nDr. Evil", "Remove the line break (a control character, U+000A): this field holds one line."),
        ("Dr. Shah\tCardiology", "Remove the tab (a control character, U+0009): this field holds one line."),
        ("\u202eDr. Shah", "Remove the control character U+202E"),
        ("Dr.\x1b[31m Shah", "Remove the control character U+001B"),
    ],
    ids=["line-break", "tab", "right-to-left-override", "escape"],
)
def test_a_recipient_with_a_hidden_character_is_refused_naming_it(login, therapist, recipient, said):
    client = make_dpn_client(therapist, referring_physician="Dr. Shah")
    data = {"start": (TODAY - timedelta(days=7)).isoformat(), "end": TODAY.isoformat(), "recipient": recipient}
    browser = login(therapist)
    preview = browser.get(f"/clients/{client.pk}/letters/new/", data)
    signed = browser.post(f"/clients/{client.pk}/letters/new/", data)
    for response in (preview, signed):
        page = response.content.decode()
        assert response.status_code == 400 and said in page
        assert "Sign and save as sent" not in page
    assert not ProgressLetter.objects.exists()


def test_markup_in_every_field_the_letter_prints_is_printed_as_text(login, therapist):
    client = make_dpn_client(therapist, first_name="Ann" + MARKUP, referring_physician="Dr. Shah")
    make_clearance(client, physician="Dr. " + MARKUP, restrictions="No heat " + MARKUP)
    make_condition(client, "open_wound", location="feet", side="left", detail=MARKUP)
    data = {"start": (TODAY - timedelta(days=7)).isoformat(), "end": TODAY.isoformat(), "recipient": "Dr. " + MARKUP}
    browser = login(therapist)
    preview = browser.get(f"/clients/{client.pk}/letters/new/", data).content.decode()
    browser.post(f"/clients/{client.pk}/letters/new/", data)
    letter = ProgressLetter.objects.get()
    printed = browser.get(f"/letters/{letter.pk}/").content.decode()
    for page in (preview, letter.html, printed):
        assert MARKUP not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_hostile_periods_and_recipients_are_answered_without_a_server_error(login, therapist):
    client = make_dpn_client(therapist, referring_physician="Dr. Shah")
    browser = login(therapist)
    valid = {"start": (TODAY - timedelta(days=30)).isoformat(), "end": TODAY.isoformat(), "recipient": "Dr. Shah"}
    dates = st.dates().map(lambda day: day.isoformat())

    @FUZZ
    @given(data=st.data())
    def send(data):
        sent = dict(valid)
        for name in data.draw(st.lists(st.sampled_from(sorted(valid)), min_size=1, max_size=3, unique=True)):
            sent[name] = data.draw(st.one_of(HOSTILE_VALUE, dates) if name != "recipient" else HOSTILE_VALUE)
        assert browser.get(f"/clients/{client.pk}/letters/new/", sent).status_code in (200, 400), sent
        before = row_counts()
        response = browser.post(f"/clients/{client.pk}/letters/new/", sent)
        assert response.status_code in (302, 400), sent
        if response.status_code == 400:
            assert row_counts() == before, sent

    send()
