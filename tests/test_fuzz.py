"""Hostile input against every form, query string, JSON endpoint and the import: never a server error,
and a refused request saves nothing.

Each form is read from its page (the names and values the browser would send), then Hypothesis
replaces some of the values with what an attacker or a broken spreadsheet sends. Rows are counted
in every table, history tables included, so a refused request that changed a row is caught too.
"""

import json
from datetime import time, timedelta
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clients.documents import SCHEMA
from clients.importing import ImportFileError, import_documents, parse_csv, parse_json
from planner import plans, recording
from protocols.models import ProtocolTemplate
from tests.factories import make_clearance, make_client, make_condition

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "-1",
        "0",
        "2147483648",
        "99999999999999999999999999",
        "-2147483649",
        "１２",
        "٣",
        "1e308",
        "NaN",
        "Infinity",
        "0001-01-01",
        "9999-12-31",
        "2026-02-30",
        "10000-01-01",
        "25:61",
        "{{7*7}}",
        "<script>alert(1)</script>",
        '=HYPERLINK("http://evil.example";"x")',
        "' OR 1=1 --",
        "../../etc/passwd",
        "x" * 5000,
        "ü" * 300,
        "🙂",
        "\r\n",
        "on",
        "true",
        "[]",
        "{}",
    ]
)
HOSTILE_VALUE = st.one_of(HOSTILE_TEXT, st.text(max_size=40), st.integers().map(str))


class FormReader(HTMLParser):
    """The fields of the page's POST forms, with the values a browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": {},
            }
            self.forms.append(self._form)
        if self._form is None or not attrs.get("name"):
            return
        name, fields = attrs["name"], self._form["fields"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                fields.setdefault(name, [])
                if "checked" in attrs:
                    fields[name].append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                fields[name] = [attrs.get("value") or ""]
        elif tag == "select":
            self._select = name
            fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            fields[name] = [""]
        elif tag == "button" and attrs.get("value") is not None:
            fields.setdefault(name, [attrs["value"]])

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] = [data]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def post_forms(html, page_url):
    reader = FormReader()
    reader.feed(html)
    return [
        (
            form["action"] or page_url,
            {name: values for name, values in form["fields"].items() if name != "csrfmiddlewaretoken"},
        )
        for form in reader.forms
        if form["method"] == "post" and form["action"] != "/accounts/logout/"  # signing out ends the run
    ]


def row_counts():
    """Rows in every table of the project's apps, history included: a change to any row adds history.
    The access log is left out: opening a page that shows a client's data (the plan builder, say)
    writes a row whether or not what was sent is saved."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ("clients", "planner", "protocols", "auth")
        and model._meta.label != "clients.AccessEvent"
    }


@pytest.fixture
def world(therapist, clinic_admin):
    """One of everything a page can be about: a client with conditions, a clearance and a planned session."""
    client = make_client(care_team=[therapist], symptoms={"feet:left": ["numbness"]})
    condition = make_condition(client, "open_wound", location="feet", side="left")
    clearance = make_clearance(client)
    plan = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TODAY + timedelta(days=1), time(10, 0)),
        regions="hands,feet",
        created_by=therapist,
    )
    today = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TODAY, time(7, 0)),
        regions="feet",
        created_by=therapist,
        ready=True,
    )
    assert today.status == "ready"
    earlier = plans.create_plan(
        client=client,
        therapist=therapist,
        scheduled_for=plans.as_datetime(TODAY, time(9, 0)),
        regions="hands",
        created_by=therapist,
        ready=True,
    )
    scores = {"version": 0, "minutes": 20, "pain_before": 5, "pain_after": 3, "adverse_events": ["none"]}
    worked = [
        (item, {"done": True, "minutes": item.minutes, "pressure_used": item.pressure})
        for item in recording.worked_items(earlier)
    ]
    signed = recording.save_record(earlier, scores, worked, therapist, sign=True)
    assert signed.is_signed
    return {
        "today": today,
        "signed": signed,
        "client": client,
        "condition": condition,
        "clearance": clearance,
        "plan": plan,
        "therapist": therapist,
        "admin": clinic_admin,
    }


def pages(world):
    """(user, page URL) for every page that holds a form a user can send."""
    client, plan = world["client"], world["plan"]
    admin, therapist = world["admin"], world["therapist"]
    return [
        (admin, "/clients/new/"),
        (admin, f"/clients/{client.pk}/edit/"),
        (therapist, f"/clients/{client.pk}/profile/"),
        (therapist, f"/clients/{client.pk}/conditions/new/"),
        (therapist, f"/clients/{client.pk}/conditions/{world['condition'].pk}/edit/"),
        (therapist, f"/clients/{client.pk}/conditions/{world['condition'].pk}/resolve/"),
        (therapist, f"/clients/{client.pk}/clearances/new/"),
        (therapist, f"/clients/{client.pk}/clearances/{world['clearance'].pk}/edit/"),
        (therapist, f"/clients/{client.pk}/monofilament/new/"),
        (therapist, f"/clients/{client.pk}/mnsi/new/"),
        (therapist, f"/plans/new/?client={client.pk}"),
        (therapist, f"/plans/{plan.pk}/"),
        (therapist, f"/plans/{world['today'].pk}/record/"),
        (admin, "/team/new/"),
        (admin, f"/team/{world['therapist'].pk}/edit/"),
        (admin, "/protocols/templates/new/"),
        (admin, f"/protocols/templates/{ProtocolTemplate.objects.order_by('key').first().key}/edit/"),
        (therapist, "/accounts/password/"),
        (therapist, "/accounts/mfa/"),
        (admin, "/clinic/settings/"),
        (therapist, "/calendar/"),
        (therapist, f"/plans/late/?client={client.pk}"),
        (admin, f"/clients/{client.pk}/archive/confirm/"),
        (therapist, f"/records/{world['signed'].pk}/"),
        (therapist, f"/clients/{client.pk}/letters/new/?start={TODAY - timedelta(days=30)}&end={TODAY}&recipient=Dr"),
        (therapist, f"/clients/{client.pk}/attachments/new/"),
    ]


PAGE_NAMES = [
    "client-new",
    "client-edit",
    "profile",
    "condition-new",
    "condition-edit",
    "condition-resolve",
    "clearance-new",
    "clearance-edit",
    "monofilament",
    "mnsi",
    "plan-new",
    "plan-page",
    "record",
    "team-new",
    "team-edit",
    "template-new",
    "template-edit",
    "own-password",
    "mfa",
    "clinic-settings",
    "calendar-feed",
    "late-entry",
    "archive-confirm",
    "addendum",
    "letter",
    "attachment",
]


@pytest.mark.parametrize("index", range(len(PAGE_NAMES)), ids=PAGE_NAMES)
def test_forms_answer_hostile_values_without_a_server_error(login, world, index):
    user, url = pages(world)[index]
    browser = login(user)
    page = browser.get(url)
    assert page.status_code == 200, url
    forms = post_forms(page.content.decode(), url.split("?")[0])
    assert forms, f"{url} has no form to send"

    @FUZZ
    @given(data=st.data())
    def send(data):
        action, fields = data.draw(st.sampled_from(forms))
        # Each field keeps what the page sent, or gets one or two hostile values (a list, as a
        # repeated field would send them).
        payload = {
            name: data.draw(st.one_of(st.just(values), st.lists(HOSTILE_VALUE, min_size=1, max_size=2)))
            for name, values in fields.items()
        }
        before = row_counts()
        response = browser.post(action, payload)
        assert response.status_code < 500, (action, payload)
        if response.status_code in (200, 400, 403, 404, 409):
            assert row_counts() == before, (action, payload)

    send()


QUERY_PAGES = [
    "/clients/?q={v}&type={v}&status={v}&therapist={v}&page={v}",
    "/plans/?week={v}&day={v}&therapist={v}&page={v}",
    "/plans/?from={v}&page={v}&cancelled={v}",
    "/?older={v}&page={v}",
    "/clients/{client}/?older={v}",
    "/clients/{client}/plan-preview.json?date={v}&regions={v}&time={v}",
    "/plans/new/?client={v}&date={v}&time={v}&regions={v}",
    "/plans/{plan}.json?x={v}",
    "/protocols/?q={v}",
    "/clients/{client}/letters/new/?start={v}&end={v}&recipient={v}",
    "/clients/{client}/access/?page={v}&kind={v}",
    "/clients/{client}/history/?page={v}&recent={v}",
    "/clients/{client}/sessions/?panel={v}",
    "/clients/{client}/measures/?panel={v}",
    "/clients/{client}/documents/?panel={v}",
    "/clients/attention/?panel={v}",
    "/clients/{client}/mnsi/form/?x={v}",
    "/clients/export.csv?status={v}&q={v}&type={v}&therapist={v}",
    "/team/?show={v}",
    "/plans/late/?client={v}&date={v}",
    "/accounts/login/?next={v}",
]


@pytest.mark.parametrize("template", QUERY_PAGES)
def test_query_strings_answer_hostile_values_without_a_server_error(login, world, template):
    admin, therapist = world["admin"], world["therapist"]

    @FUZZ
    @given(value=HOSTILE_VALUE)
    def send(value):
        from urllib.parse import quote

        url = template.format(v=quote(value, safe=""), client=world["client"].pk, plan=world["plan"].pk)
        for user in (admin, therapist):
            response = login(user).get(url)
            assert response.status_code < 500, url

    send()


# The import: documents built from a valid one with parts replaced by anything JSON can hold.
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False),
    HOSTILE_TEXT,
    st.text(max_size=20),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
DOCUMENT_KEYS = [
    "schema",
    "external_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "email",
    "consented_on",
    "neuropathy",
    "conditions",
    "clearance",
    "care_team",
    "assessments",
]


def valid_document(therapist):
    return {
        "schema": SCHEMA,
        "external_id": "F-1",
        "first_name": "Ann",
        "last_name": "Lee",
        "date_of_birth": "1950-03-01",
        "neuropathy": {
            "type": "CIPN",
            "contributing_causes": [],
            "regions": [{"region": "feet", "side": "left", "symptoms": ["numbness"]}],
        },
        "conditions": [{"code": "platelet_count", "value": 45000, "noted_on": TODAY.isoformat()}],
        "clearance": {"physician": "Dr. Shah", "date": TODAY.isoformat(), "restrictions": ""},
        "care_team": [therapist.username],
    }


@FUZZ
@given(data=st.data())
def test_import_refuses_hostile_documents_naming_the_field_and_saving_nothing(therapist, data):
    doc = valid_document(therapist)
    for key in data.draw(st.lists(st.sampled_from(DOCUMENT_KEYS), min_size=1, max_size=3, unique=True)):
        doc[key] = data.draw(JSON_VALUE)
    if data.draw(st.booleans()):
        entry = valid_document(therapist)["conditions"][0]
        entry[data.draw(st.sampled_from(["code", "value", "noted_on", "location", "side"]))] = data.draw(JSON_VALUE)
        doc["conditions"] = [entry]
    before = row_counts()
    report = import_documents([doc], dry_run=False)
    if not report.saved:
        assert report.error_messages(), doc
        assert all(message.startswith("document 1, ") for message in report.error_messages())
        assert row_counts() == before


@FUZZ
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_unreadable_files_are_refused_as_a_whole(text):
    for parse in (parse_json, parse_csv):
        try:
            parse(text)
        except ImportFileError as error:
            assert str(error)


def test_the_upload_page_answers_a_hostile_file_without_a_server_error(login, clinic_admin, therapist):
    from django.core.files.uploadedfile import SimpleUploadedFile

    hostile = json.dumps([valid_document(therapist), {"first_name": "\ud800"}, [[[]]], "x"]).encode()
    browser = login(clinic_admin)
    for name, content in [
        ("clients.json", hostile),
        ("clients.json", b"[" * 100_000),
        ("clients.csv", b"first_name;last_name\nA;B\n"),
        ("clients.csv", b"\x00\x01\x02"),
        ("clients.json", b"\xff\xfe"),
    ]:
        before = row_counts()
        response = browser.post("/clients/import/", {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 200
        assert row_counts() == before
