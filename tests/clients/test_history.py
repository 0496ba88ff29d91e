"""The readable change history of a client, its conditions and its clearances."""

import pytest

from clients.history import history_entries
from clients.models import Client, Condition
from tests.factories import make_client, make_condition

pytestmark = pytest.mark.django_db


def summaries(entries):
    return [entry.summary for entry in entries]


def changes(entry):
    return {change.label: (change.old, change.new) for change in entry.changes}


def new_client(browser, team, **fields):
    """Ada Quinn, created through the form by `browser` with this care team."""
    data = {"first_name": "Ada", "last_name": "Quinn", "date_of_birth": "1958-04-02", "neuropathy_type": "DPN"}
    browser.post("/clients/new/", {**data, "care_team": [member.pk for member in team], **fields})
    return Client.objects.get()


def edit_client(browser, client, last_name, team, version):
    """Ada's record saved through the form with a last name and a care team (two rows when the team changes)."""
    browser.post(
        f"/clients/{client.pk}/edit/",
        {
            "first_name": "Ada",
            "last_name": last_name,
            "date_of_birth": "1958-04-02",
            "care_team": [member.pk for member in team],
            "version": version,
        },
    )


def test_history_says_who_changed_what_and_when(login, clinic_admin, therapist, second_therapist):
    admin = login(clinic_admin)
    client = new_client(admin, [therapist], symptom_grid=["feet:left:numbness"])
    tara = login(therapist)
    tara.post(
        f"/clients/{client.pk}/profile/",
        {"neuropathy_type": "DPN", "symptom_grid": ["feet:left:numbness", "feet:left:burning"], "version": 1},
    )
    tara.post(
        f"/clients/{client.pk}/conditions/new/",
        {"code": "open_wound", "location": "feet", "side": "left", "noted_on": "2024-03-01"},
    )
    edit_client(admin, client, "Quinn-Hart", [therapist, second_therapist], version=2)

    entries = history_entries(client)
    assert summaries(entries) == [
        "changed the client record",
        "added a condition: Open wound, left foot",
        "changed the client record",
        "created the client record",
    ]
    renamed, wound, profile, created = entries
    assert renamed.who == clinic_admin
    assert changes(renamed) == {
        "Last name": ("Quinn", "Quinn-Hart"),
        "Care team": ("Tara Lindqvist", "Sam Okafor, Tara Lindqvist"),
    }
    assert wound.who == therapist and changes(wound) == {"Noted on": ("", "1 Mar 2024")}
    assert profile.who == therapist
    assert changes(profile) == {"Symptoms, left foot": ("numbness", "burning, numbness")}
    assert created.who == clinic_admin and changes(created) == {"Care team": ("", "Tara Lindqvist")}

    recent = tara.get(f"/clients/{client.pk}/history/?recent=1").content.decode()
    assert "changed the client record" in recent and "Quinn → Quinn-Hart" in recent
    full = tara.get(f"/clients/{client.pk}/history/").content.decode()
    assert "created the client record" in full


def test_condition_resolution_and_error_marking_are_in_the_history(login, therapist):
    client = make_client(care_team=[therapist])
    wound = make_condition(client, "open_wound")
    tara = login(therapist)
    tara.post(
        f"/clients/{client.pk}/conditions/{wound.pk}/resolve/",
        {"resolved_on": wound.noted_on.isoformat(), "version": 1},
    )
    tara.post(f"/clients/{client.pk}/conditions/{wound.pk}/entered-in-error/")
    error, resolved, added = history_entries(client)[:3]
    assert changes(error) == {"Entered in error": ("no", "yes")}
    assert changes(resolved) == {"Resolved on": ("—", wound.noted_on.strftime("%-d %b %Y"))}
    assert added.summary == "added a condition: Open wound, left foot"


def test_history_on_the_client_page_is_limited(login, therapist):
    client = make_client(care_team=[therapist])
    for _ in range(12):
        make_condition(client, "fever")
    browser = login(therapist)
    page = browser.get(f"/clients/{client.pk}/")
    # The client page does not read the history: its panel loads the newest changes once shown.
    assert "history" not in page.context
    assert f'data-fragment="/clients/{client.pk}/history/?recent=1"' in page.content.decode()
    recent = browser.get(f"/clients/{client.pk}/history/?recent=1")
    assert len(recent.context["history"]) == 8
    fragment = recent.content.decode()
    assert fragment.count("<li>\n    <div><strong>") == 8 and "<html" not in fragment
    assert "added a condition: Fever" in fragment
    assert len(browser.get(f"/clients/{client.pk}/history/").context["history"]) == 13


def test_the_recent_changes_read_the_client_alone_and_stay_flat(login, therapist, django_assert_num_queries):
    # Session, user, roles and permissions, the client (not its care team, clearances and conditions,
    # which the history does not read), the access log row; the newest rows of the record's, the
    # conditions' and the clearances' histories with their authors, and the care teams they name.
    client = make_client(care_team=[therapist])
    make_condition(client, "fever")
    browser = login(therapist)
    url = f"/clients/{client.pk}/history/?recent=1"
    browser.get(url)
    with django_assert_num_queries(9):
        browser.get(url)
    for _ in range(30):
        make_condition(client, "fever")
    with django_assert_num_queries(9):
        assert browser.get(url).content.decode().count("added a condition: Fever") == 8


def test_recent_changes_are_logged_and_refused_off_the_care_team(login, therapist, second_therapist):
    from clients.models import AccessEvent

    client = make_client(care_team=[therapist])
    assert login(second_therapist).get(f"/clients/{client.pk}/history/?recent=1").status_code == 404
    browser = login(therapist)
    browser.get(f"/clients/{client.pk}/history/?recent=1")
    browser.get(f"/clients/{client.pk}/history/")
    # The panel's read, which comes with every view of the client page, is told from the full history's.
    reads = AccessEvent.objects.filter(client=client, actor=therapist, kind="history").order_by("pk")
    assert [event.object_ref for event in reads] == ["recent changes, on the client page", ""]


def test_care_teams_are_named_by_full_name_and_a_removed_account_is_left_out(therapist, second_therapist):
    from tests.factories import make_therapist

    nameless = make_therapist(username="locum", first_name="", last_name="")
    client = make_client(care_team=[therapist, second_therapist, nameless])
    created = history_entries(client)[-1]
    assert changes(created) == {"Care team": ("", "Sam Okafor, Tara Lindqvist, locum")}
    # An account gone from the database (accounts are deactivated, never deleted: only raw SQL could)
    # is left out rather than named "None None".
    from clients.models import HistoricalClient_care_team

    HistoricalClient_care_team.objects.filter(user_id=second_therapist.pk).update(user_id=second_therapist.pk + 1000)
    assert changes(history_entries(client)[-1]) == {"Care team": ("", "Tara Lindqvist, locum")}


def test_recent_changes_read_from_the_newest_rows_are_those_of_the_whole_history(
    login, clinic_admin, therapist, second_therapist, monkeypatch
):
    """The client page reads each history's newest rows and the row before each object's first one
    there: its entries must be the whole history's newest, whatever the window, including saves
    folded with their care team (two rows) across the window's edge."""
    from clients import history

    admin, tara = login(clinic_admin), login(therapist)
    client = new_client(admin, [therapist])
    tara.post(
        f"/clients/{client.pk}/conditions/new/",
        {"code": "open_wound", "location": "feet", "side": "left", "noted_on": "2024-03-01"},
    )
    for version, (name, team) in enumerate(
        [("Quinn-Hart", [therapist, second_therapist]), ("Quinn", [therapist]), ("Hart", [second_therapist])], start=1
    ):
        edit_client(admin, client, name, team, version)
        wound = client.conditions.get()
        admin.post(
            f"/clients/{client.pk}/conditions/{wound.pk}/edit/",
            {
                "code": "open_wound",
                "location": "feet",
                "side": "left",
                "noted_on": f"2024-03-0{version + 1}",
                "version": wound.version,
            },
        )
    make_condition(client, "fever")
    # Last, a save with a care team change (two rows): the newest change of all, across the edge of a small window.
    edit_client(admin, client, "Quinn", [therapist, second_therapist], version=4)
    assert Condition.history.filter(client_id=client.pk).count() >= 5 and client.history.count() >= 8

    monkeypatch.setattr(history, "_first_window", lambda limit: 10**6)  # every row in the window: the reference
    reference = {limit: history_entries(client, limit=limit) for limit in range(1, 12)}
    assert len(reference[11]) >= 8
    for first_window in (lambda limit: 1, lambda limit: 2, lambda limit: limit, lambda limit: 3 * limit + 1):
        monkeypatch.setattr(history, "_first_window", first_window)
        for limit in range(1, 12):
            assert history_entries(client, limit=limit) == reference[limit], (first_window(limit), limit)


def test_reading_a_history_reuses_its_manager_class_and_still_reads_one_objects_rows():
    """Model.history builds no new manager class per read (clients.apps), and an instance's history is
    still its own rows only, the model's every row."""
    ada, bea = make_client(first_name="Ada"), make_client(first_name="Bea")
    assert type(Client.history) is type(Client.history)
    assert type(ada.history) is type(bea.history)
    assert [row.first_name for row in ada.history.all()] == ["Ada"]
    assert sorted(row.first_name for row in Client.history.all()) == ["Ada", "Bea"]
    make_condition(ada, "open_wound", location="feet", side="left")
    assert Condition.history.filter(client_id=ada.pk).count() == 1


def test_the_texts_a_condition_or_a_clearance_is_created_with_are_in_the_history(login, therapist):
    """What was written at creation (a condition's detail, a clearance's restrictions) is in the history
    as much as a later change of it."""
    from clients.models import PhysicianClearance

    client = make_client(care_team=[therapist])
    make_condition(client, "open_wound", detail="plantar ulcer under the first metatarsal head")
    PhysicianClearance.objects.create(
        client=client, physician="Dr Hale", cleared_on="2026-11-02", restrictions="Light touch only; avoid the port."
    )
    clearance, wound = history_entries(client)[:2]
    assert changes(clearance) == {
        "Physician": ("", "Dr Hale"),
        "Date": ("", "2 Nov 2026"),
        "Restrictions": ("", "Light touch only; avoid the port."),
    }
    assert changes(wound)["Detail"] == ("", "plantar ulcer under the first metatarsal head")
