"""Monofilament tests and MNSI questionnaires: scoring, recording, loss of protective sensation, access."""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import assessments
from clients.assessments import MnsiQuestionnaire, MonofilamentSite, MonofilamentTest, mnsi_score, site_result
from clients.models import Condition
from planner import plans
from tests import factories
from tests.factories import page_and_panels

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SITES = ("hallux", "met1", "met5")


# Scoring tables (RULES.md "Outcome measures").


@pytest.mark.parametrize(
    ("real_1", "real_2", "sham", "expected"),
    [
        (True, True, False, "present"),  # 3 correct
        (True, True, True, "present"),  # 2 correct: both felt, "yes" to the sham
        (True, False, False, "present"),  # 2 correct
        (False, True, False, "present"),  # 2 correct
        (True, False, True, "absent"),  # 1 correct
        (False, False, False, "absent"),  # 1 correct: only the sham right
        (False, True, True, "absent"),  # 1 correct
        (False, False, True, "absent"),  # 0 correct
    ],
)
def test_a_site_is_present_with_two_of_three_correct_answers(real_1, real_2, sham, expected):
    assert site_result(True, real_1, real_2, sham) == expected


def test_every_answer_combination_follows_the_two_of_three_rule():
    for real_1, real_2, sham in itertools.product([True, False], repeat=3):
        correct = real_1 + real_2 + (not sham)
        assert (site_result(True, real_1, real_2, sham) == "present") == (correct >= 2)
    assert site_result(False, None, None, None) == "not_tested"


@pytest.mark.parametrize(
    ("results", "expected"),
    [
        (["present", "present", "present"], "present"),
        (["present", "present", "not_tested"], "present"),
        (["present", "not_tested", "not_tested"], "too_few"),
        (["present", "absent", "present"], "absent"),
        (["absent", "not_tested", "not_tested"], "absent"),
        (["not_tested"] * 3, "not_tested"),
    ],
)
def test_foot_result(results, expected):
    assert assessments.foot_result(results) == expected


YES_POINTS = [1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15]
NO_POINTS = [7, 13]


def answers_with_yes(*numbers):
    return [number in numbers for number in range(1, 16)]


@pytest.mark.parametrize("number", range(1, 16))
def test_mnsi_each_question_scores_as_rules_md_says(number):
    all_no = answers_with_yes()
    baseline = mnsi_score(all_no)
    assert baseline == 2  # "no" to 7 and 13 scores a point each
    changed = mnsi_score(answers_with_yes(number))
    if number in YES_POINTS:
        assert changed == baseline + 1
    elif number in NO_POINTS:
        assert changed == baseline - 1
    else:  # 4 and 10 are not scored
        assert number in (4, 10) and changed == baseline


@pytest.mark.parametrize(
    ("yes", "expected"),
    [
        (YES_POINTS, 13),  # the most: every scored "yes", and "no" to 7 and 13
        ([7, 13], 0),  # the least
        ([4, 10, 7, 13], 0),
        (list(range(1, 16)), 11),  # "yes" to everything: 7 and 13 lose their points
        ([1, 2, 3, 5, 6], 7),  # the screening cut-off
    ],
)
def test_mnsi_totals(yes, expected):
    assert mnsi_score(answers_with_yes(*yes)) == expected


def test_mnsi_refuses_incomplete_answers():
    with pytest.raises(ValueError):
        mnsi_score([True] * 14)


def test_mnsi_wording_is_never_a_diagnosis():
    text = assessments.mnsi_wording(8)
    assert text == "score 8 of 13; 7 or more is the screening cut-off used in diabetes"
    assert "neuropathy" not in text and "diagnos" not in text


def test_mnsi_questions_are_the_fifteen_of_part_a():
    assert len(assessments.MNSI_QUESTIONS) == 15
    assert assessments.MNSI_QUESTIONS[6].startswith("When you get into the tub or shower")
    assert assessments.MNSI_QUESTIONS[12] == "Are you able to sense your feet when you walk?"


# Recording a monofilament test.


def monofilament_data(day=TODAY, absent=(), not_tested=(), sham_yes=(), **overrides):
    """Form data with every site felt, except sites named (foot, site) as absent / not tested / sham yes."""
    data = {"tested_on": day.isoformat(), "performed_by": "therapist", "clinician": "", "notes": ""}
    for foot in ("right", "left"):
        for site in SITES:
            prefix = f"{foot}_{site}"
            if (foot, site) in not_tested:
                data[f"{prefix}_not_tested"] = "on"
                continue
            felt = "no" if (foot, site) in absent else "yes"
            data.update(
                {
                    f"{prefix}_real_1": felt,
                    f"{prefix}_real_2": felt,
                    f"{prefix}_sham": "yes" if (foot, site) in sham_yes else "no",
                }
            )
    data.update(overrides)
    return data


@pytest.fixture
def dpn_client(therapist):
    return factories.make_client(care_team=[therapist], symptoms={"feet:left": ["burning"], "feet:right": ["burning"]})


def post_test(login, user, client, **kwargs):
    return login(user).post(f"/clients/{client.pk}/monofilament/new/", monofilament_data(**kwargs))


def feet_notes(client, day=TODAY):
    proposal = plans.propose(client.facts_on(day), [("feet", "right"), ("feet", "left")])
    return {(r["side"]): {note["rule"] for note in r["notes"]} for r in proposal["regions"]}, proposal


def test_all_felt_records_six_sites_and_no_condition(login, therapist, dpn_client):
    response = post_test(login, therapist, dpn_client)
    test = MonofilamentTest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clients/{dpn_client.pk}/monofilament/{test.pk}/"
    assert MonofilamentSite.objects.filter(test=test, result="present").count() == 6
    assert test.therapist == therapist and test.recorded_by == therapist and test.performed_by == "therapist"
    assert not Condition.objects.filter(code="loss_of_protective_sensation").exists()


def test_an_absent_site_creates_loss_of_protective_sensation_linked_to_the_test(login, therapist, dpn_client):
    day = TODAY - timedelta(days=3)
    post_test(login, therapist, dpn_client, day=day, absent=[("left", "met1")])
    test = MonofilamentTest.objects.get()
    lops = Condition.objects.get(code="loss_of_protective_sensation")
    assert (lops.location, lops.side, lops.noted_on, lops.resolved_on) == ("feet", "left", day, None)
    assert test.left_condition == lops and test.right_condition is None
    assert test.result_of("left") == "absent" and test.result_of("right") == "present"


def test_engine_effect_a_feet_plan_after_a_failed_test_carries_numbness(login, therapist, dpn_client):
    notes, _ = feet_notes(dpn_client)
    assert "numbness" not in notes["left"]  # burning only: sensory_change before the test
    post_test(login, therapist, dpn_client, absent=[("left", "hallux"), ("left", "met5")])
    notes, proposal = feet_notes(dpn_client)
    assert "numbness" in notes["left"] and "numbness" not in notes["right"]
    left = next(r for r in proposal["regions"] if r["side"] == "left")
    numbness = next(n for n in left["notes"] if n["rule"] == "numbness")
    assert numbness["severity"] == "modify" and left["pressure_max"] <= 2
    # The foot's burning is still named, and the test's date is said once.
    assert numbness["text"].startswith(
        f"Burning in left foot; loss of protective sensation (found by a 10 g monofilament test) on left foot, "
        f"noted {TODAY.day} {TODAY:%b %Y}. "
    ), numbness["text"]
    assert "no_heat" in {note["rule"] for note in proposal["session"]["notes"]}


def test_a_foot_with_lops_already_active_is_linked_not_duplicated(login, therapist, dpn_client):
    post_test(login, therapist, dpn_client, day=TODAY - timedelta(days=10), absent=[("left", "met1")])
    post_test(login, therapist, dpn_client, absent=[("left", "met5")])
    lops = Condition.objects.get(code="loss_of_protective_sensation")
    assert [test.left_condition for test in MonofilamentTest.objects.all()] == [lops, lops]


def test_sham_yes_is_recorded_and_a_foot_with_sham_yes_everywhere_is_unreliable(login, therapist, dpn_client):
    post_test(login, therapist, dpn_client, sham_yes=[("left", site) for site in SITES] + [("right", "hallux")])
    test = MonofilamentTest.objects.get()
    assert MonofilamentSite.objects.filter(test=test, sham=True).count() == 4
    assert test.is_unreliable("left") and not test.is_unreliable("right")
    page = login(therapist).get(f"/clients/{dpn_client.pk}/monofilament/{test.pk}/").content.decode()
    assert "unreliable" in page and "Repeat the test" in page


def test_not_tested_sites_and_too_few_sites(login, therapist, dpn_client):
    post_test(login, therapist, dpn_client, not_tested=[("right", "met1"), ("right", "met5")])
    test = MonofilamentTest.objects.get()
    site = MonofilamentSite.objects.get(test=test, foot="right", site="met1")
    assert (site.tested, site.real_1, site.sham, site.result) == (False, None, None, "not_tested")
    assert test.result_of("right") == "too_few" and test.result_of("left") == "present"


def test_resolution_is_offered_and_only_confirmed_by_the_therapist(login, therapist, dpn_client):
    post_test(login, therapist, dpn_client, day=TODAY - timedelta(days=30), absent=[("left", "met1")])
    post_test(login, therapist, dpn_client, not_tested=[("left", "met5")])  # two sites tested, both felt
    later = MonofilamentTest.objects.latest("pk")
    lops = Condition.objects.get(code="loss_of_protective_sensation")
    assert lops.resolved_on is None  # never automatic
    page = login(therapist).get(f"/clients/{dpn_client.pk}/monofilament/{later.pk}/").content.decode()
    assert "Resolve it from" in page
    url = f"/clients/{dpn_client.pk}/monofilament/{later.pk}/resolve/"
    assert login(therapist).get(url).status_code == 405
    assert login(therapist).post(url, {"foot": "left"}).status_code == 302
    lops.refresh_from_db()
    assert lops.resolved_on == TODAY
    notes, _ = feet_notes(dpn_client)
    assert "numbness" not in notes["left"]


def test_a_clinic_admin_sees_the_offer_but_only_a_therapist_confirms_it(login, therapist, clinic_admin, dpn_client):
    """RULES.md: "offers to resolve the condition; the therapist confirms it"."""
    post_test(login, therapist, dpn_client, day=TODAY - timedelta(days=30), absent=[("left", "met1")])
    post_test(login, therapist, dpn_client)
    later = MonofilamentTest.objects.latest("pk")
    page = login(clinic_admin).get(f"/clients/{dpn_client.pk}/monofilament/{later.pk}/").content.decode()
    assert "protective sensation present at every site tested" in page
    assert "Resolve it from" not in page
    assert "A therapist on the care team confirms whether to resolve it." in page
    url = f"/clients/{dpn_client.pk}/monofilament/{later.pk}/resolve/"
    assert login(clinic_admin).post(url, {"foot": "left"}).status_code == 403
    assert Condition.objects.get(code="loss_of_protective_sensation").resolved_on is None

    # A person who holds both roles is a therapist too, for the clients of their care team only.
    clinic_admin.groups.add(*therapist.groups.all())
    assert login(clinic_admin).post(url, {"foot": "left"}).status_code == 403
    page = login(clinic_admin).get(f"/clients/{dpn_client.pk}/monofilament/{later.pk}/").content.decode()
    assert "Resolve it from" not in page
    assert Condition.objects.get(code="loss_of_protective_sensation").resolved_on is None
    dpn_client.care_team.add(clinic_admin)
    assert (
        "Resolve it from"
        in login(clinic_admin).get(f"/clients/{dpn_client.pk}/monofilament/{later.pk}/").content.decode()
    )
    assert login(clinic_admin).post(url, {"foot": "left"}).status_code == 302
    assert Condition.objects.get(code="loss_of_protective_sensation").resolved_on == TODAY


def test_no_resolution_offered_with_one_site_tested_or_an_absent_site(login, therapist, dpn_client):
    post_test(login, therapist, dpn_client, day=TODAY - timedelta(days=30), absent=[("left", "met1")])
    post_test(login, therapist, dpn_client, not_tested=[("left", "met5"), ("left", "met1")])
    later = MonofilamentTest.objects.latest("pk")
    assert assessments.resolution_offers(later) == []
    response = login(therapist).post(f"/clients/{dpn_client.pk}/monofilament/{later.pk}/resolve/", {"foot": "left"})
    assert response.status_code == 302
    assert Condition.objects.get(code="loss_of_protective_sensation").resolved_on is None


def test_a_supplied_result_names_the_clinician(login, therapist, dpn_client):
    response = post_test(login, therapist, dpn_client, performed_by="clinician")
    assert response.status_code == 400 and "Name the clinician" in response.content.decode()
    post_test(login, therapist, dpn_client, performed_by="clinician", clinician="Dr. Anika Shah")
    test = MonofilamentTest.objects.get()
    assert test.therapist is None and test.performer == "Dr. Anika Shah (supplied)"


def test_bad_input_names_the_field_and_saves_nothing(login, therapist, dpn_client):
    data = monofilament_data()
    del data["left_met5_sham"]
    response = login(therapist).post(f"/clients/{dpn_client.pk}/monofilament/new/", data)
    assert response.status_code == 400 and "Choose the answer the client gave." in response.content.decode()
    future = post_test(login, therapist, dpn_client, day=TODAY + timedelta(days=1))
    assert future.status_code == 400 and "This date is in the future." in future.content.decode()
    nothing = monofilament_data(not_tested=[(f, s) for f in ("right", "left") for s in SITES])
    none_tested = login(therapist).post(f"/clients/{dpn_client.pk}/monofilament/new/", nothing)
    assert "At least one site must be tested." in none_tested.content.decode()
    assert not MonofilamentTest.objects.exists() and not MonofilamentSite.objects.exists()


def test_monofilament_ladder(anonymous, login, therapist, second_therapist, clinic_admin, dpn_client):
    url = f"/clients/{dpn_client.pk}/monofilament/new/"
    assert anonymous.get(url)["Location"].startswith("/accounts/login/")
    assert login(second_therapist).get(url).status_code == 404
    assert login(clinic_admin).post(url, monofilament_data()).status_code == 403
    assert login(therapist).get(url).status_code == 200
    assert not MonofilamentTest.objects.exists()
    post_test(login, therapist, dpn_client)
    detail = f"/clients/{dpn_client.pk}/monofilament/{MonofilamentTest.objects.get().pk}/"
    assert login(clinic_admin).get(detail).status_code == 200
    assert login(second_therapist).get(detail).status_code == 404


def test_an_archived_client_takes_no_new_measures(login, therapist, clinic_admin, dpn_client):
    dpn_client.archived_at = timezone.now()
    dpn_client.save()
    assert post_test(login, therapist, dpn_client).status_code == 302
    response = login(therapist).post(f"/clients/{dpn_client.pk}/mnsi/new/", mnsi_data())
    assert response.status_code == 302
    assert not MonofilamentTest.objects.exists() and not MnsiQuestionnaire.objects.exists()


# MNSI questionnaires.


def mnsi_data(yes=(1, 2, 3, 5, 11), day=TODAY, **overrides):
    data = {"answered_on": day.isoformat(), "how": "read_aloud"}
    data.update({f"q{n}": "yes" if n in yes else "no" for n in range(1, 16)})
    data.update(overrides)
    return data


def test_mnsi_is_scored_and_worded(login, therapist, dpn_client):
    response = login(therapist).post(f"/clients/{dpn_client.pk}/mnsi/new/", mnsi_data())
    questionnaire = MnsiQuestionnaire.objects.get()
    assert response.status_code == 302
    assert questionnaire.score == 7 and questionnaire.answers[0] is True and questionnaire.entered_by == therapist
    page = login(therapist).get(f"/clients/{dpn_client.pk}/mnsi/{questionnaire.pk}/").content.decode()
    assert "score 7 of 13; 7 or more is the screening cut-off used in diabetes" in page
    client_page = page_and_panels(login(therapist), dpn_client)
    assert "Score 7 of 13" in client_page
    day = questionnaire.answered_on
    link = reverse("clients:mnsi-detail", args=[dpn_client.pk, questionnaire.pk])
    assert f'<a href="{link}">{day.day} {day:%b %Y}</a>' in client_page


def test_mnsi_needs_every_answer(login, therapist, dpn_client):
    data = mnsi_data()
    del data["q13"]
    response = login(therapist).post(f"/clients/{dpn_client.pk}/mnsi/new/", data)
    assert response.status_code == 400 and "13. Are you able to sense your feet" in response.content.decode()
    assert not MnsiQuestionnaire.objects.exists()


def test_mnsi_is_offered_for_dpn_and_idiopathic_at_intake_and_every_three_months(login, therapist):
    dpn = factories.make_client(care_team=[therapist])
    cipn = factories.make_client(care_team=[therapist], neuropathy_type="CIPN")
    assert "offer it at intake" in login(therapist).get(f"/clients/{dpn.pk}/").content.decode()
    assert "offer it" not in login(therapist).get(f"/clients/{cipn.pk}/").content.decode()
    login(therapist).post(f"/clients/{dpn.pk}/mnsi/new/", mnsi_data(day=TODAY - timedelta(days=95)))
    assert "offer it again" in login(therapist).get(f"/clients/{dpn.pk}/").content.decode()
    login(therapist).post(f"/clients/{dpn.pk}/mnsi/new/", mnsi_data())
    assert "offer it" not in login(therapist).get(f"/clients/{dpn.pk}/").content.decode()


def test_an_archived_clients_page_does_not_ask_for_an_mnsi(login, therapist, clinic_admin):
    """The record is read-only until restored: nobody will offer the questionnaire."""
    dpn = factories.make_client(care_team=[therapist])
    assert "offer it at intake" in login(clinic_admin).get(f"/clients/{dpn.pk}/").content.decode()
    assert login(clinic_admin).post(f"/clients/{dpn.pk}/archive/").status_code == 302
    assert "offer it" not in login(clinic_admin).get(f"/clients/{dpn.pk}/").content.decode()


def test_printable_mnsi_form_lists_the_questions(login, therapist, dpn_client):
    page = login(therapist).get(f"/clients/{dpn_client.pk}/mnsi/form/").content.decode()
    assert all(question in page for question in [q.replace("'", "&#x27;") for q in assessments.MNSI_QUESTIONS])


def test_client_page_shows_the_foot_map_and_the_sites_felt(login, therapist, dpn_client):
    post_test(login, therapist, dpn_client, absent=[("left", "met1")], not_tested=[("right", "met5")])
    page = page_and_panels(login(therapist), dpn_client)
    assert 'class="foot-map-svg"' in page
    assert 'data-site="left-M1" data-result="absent"' in page
    assert 'data-site="right-M5" data-result="not_tested"' in page
    assert "2 of 3 felt <span" in page and "2 of 2 felt" in page
    test = MonofilamentTest.objects.get()
    link = reverse("clients:monofilament-detail", args=[dpn_client.pk, test.pk])
    assert f'<a href="{link}">{test.tested_on.day} {test.tested_on:%b %Y}</a>' in page


def test_a_foot_map_is_drawn_once_per_test_and_never_shown_for_another(login, therapist, dpn_client):
    """The map's markup is kept per process by what it draws: the same test is drawn once, and a test of
    the same day with other results gets its own map."""
    from clients import footmap

    post_test(login, therapist, dpn_client)
    post_test(login, therapist, dpn_client, absent=[("left", "met1")])
    felt, lost = MonofilamentTest.objects.prefetch_related("sites").order_by("pk")
    assert felt.tested_on == lost.tested_on
    first = footmap.foot_map(felt, uid="fm-latest")
    hits = footmap._drawn.cache_info().hits
    assert footmap.foot_map(felt, uid="fm-latest") == first and footmap._drawn.cache_info().hits == hits + 1
    other = footmap.foot_map(lost, uid="fm-latest")
    assert 'data-site="left-M1" data-result="absent"' in other and 'data-result="absent"' not in first
    assert footmap.foot_map(felt, uid="fm-1") != first  # ids kept apart on a page with several maps


def test_a_back_dated_test_never_ends_a_loss_found_after_it_or_moves_an_end(login, therapist, dpn_client):
    """Tests entered out of date order: only a test later than every test that found the loss ends it."""
    days = {n: TODAY - timedelta(days=n) for n in (1, 2, 3, 4)}
    post_test(login, therapist, dpn_client, day=days[4], absent=[("right", "met1")])  # the loss is found
    post_test(login, therapist, dpn_client, day=days[2], absent=[("right", "met1")])  # and found again
    post_test(login, therapist, dpn_client, day=days[3])  # every site felt, dated between them
    between = MonofilamentTest.objects.get(tested_on=days[3])
    assert assessments.resolution_offers(between) == []
    refused = login(therapist).post(f"/clients/{dpn_client.pk}/monofilament/{between.pk}/resolve/", {"foot": "right"})
    assert refused.status_code == 302
    lops = Condition.objects.get(code="loss_of_protective_sensation")
    assert lops.resolved_on is None
    # A later test ends it; a test dated before that end, entered afterwards, does not move it back.
    post_test(login, therapist, dpn_client, day=days[1])
    latest = MonofilamentTest.objects.get(tested_on=days[1])
    assert [foot for foot, _ in assessments.resolution_offers(latest)] == ["right"]
    login(therapist).post(f"/clients/{dpn_client.pk}/monofilament/{latest.pk}/resolve/", {"foot": "right"})
    lops.refresh_from_db()
    assert lops.resolved_on == days[1]
    assert assessments.resolution_offers(between) == []


def test_a_measure_sent_twice_is_saved_once(login, therapist, dpn_client):
    browser = login(therapist)
    first = browser.post(f"/clients/{dpn_client.pk}/mnsi/new/", mnsi_data())
    again = browser.post(f"/clients/{dpn_client.pk}/mnsi/new/", mnsi_data())
    assert first["Location"] == again["Location"] and MnsiQuestionnaire.objects.count() == 1
    first = post_test(login, therapist, dpn_client, absent=[("left", "met1")])
    again = post_test(login, therapist, dpn_client, absent=[("left", "met1")])
    assert first["Location"] == again["Location"] and MonofilamentTest.objects.count() == 1
    # Other answers on the same day are another test.
    post_test(login, therapist, dpn_client, not_tested=[("left", "met1")])
    assert MonofilamentTest.objects.count() == 2
    assert Condition.objects.filter(code="loss_of_protective_sensation").count() == 1


def test_an_answer_that_is_not_offered_is_said_once(login, therapist, dpn_client):
    response = post_test(login, therapist, dpn_client, right_hallux_real_1="maybe")
    assert response.status_code == 400 and not MonofilamentTest.objects.exists()
    errors = response.context["form"].errors["right_hallux_real_1"]
    assert len(errors) == 1, errors


def test_a_missing_mnsi_answer_names_the_question(login, therapist, dpn_client):
    data = mnsi_data()
    del data["q13"], data["how"]
    response = login(therapist).post(f"/clients/{dpn_client.pk}/mnsi/new/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Question 13: choose the client&#x27;s answer, yes or no." in page
    assert "Choose how the questionnaire was answered." in page
    assert "This field is required." not in page
    assert not MnsiQuestionnaire.objects.exists()


def test_a_monofilament_test_without_date_or_performer_names_them(login, therapist, dpn_client):
    data = monofilament_data()
    del data["tested_on"], data["performed_by"]
    page = login(therapist).post(f"/clients/{dpn_client.pk}/monofilament/new/", data).content.decode()
    assert "Enter the date of the test." in page and "Choose who performed the test." in page
    assert "This field is required." not in page
    assert not MonofilamentTest.objects.exists()


def test_a_resolution_confirmed_twice_says_it_is_already_resolved(login, therapist, dpn_client):
    post_test(login, therapist, dpn_client, day=TODAY - timedelta(days=30), absent=[("left", "met1")])
    post_test(login, therapist, dpn_client)
    later = MonofilamentTest.objects.latest("pk")
    browser = login(therapist)
    url = f"/clients/{dpn_client.pk}/monofilament/{later.pk}/resolve/"
    assert browser.post(url, {"foot": "left"}).status_code == 302
    page = browser.post(url, {"foot": "left"}, follow=True).content.decode()
    assert "is already marked resolved from" in page
    assert "cannot end that foot" not in page
    lops = Condition.objects.get(code="loss_of_protective_sensation")
    assert lops.resolved_on == TODAY
    # The right foot never lost sensation: that is still refused.
    page = browser.post(url, {"foot": "right"}, follow=True).content.decode()
    assert "cannot end that foot" in page


def test_the_monofilament_form_says_a_site_is_absent_below_two_correct_answers(login, therapist, dpn_client):
    page = login(therapist).get(f"/clients/{dpn_client.pk}/monofilament/new/").content.decode()
    assert "A foot with any site absent (fewer than two correct answers there) gets loss of protective" in page
    assert "any site not felt" not in page  # one real touch missed is still present with the other two right


def test_a_long_clinician_name_wraps_on_the_test_page(login, therapist, dpn_client):
    post_test(login, therapist, dpn_client, performed_by="clinician", clinician="D" * 200)
    test = MonofilamentTest.objects.get()
    page = login(therapist).get(f"/clients/{dpn_client.pk}/monofilament/{test.pk}/").content.decode()
    assert f'<p class="text-body-secondary text-break">Performed by {"D" * 200} (supplied)' in page
    client_page = page_and_panels(login(therapist), dpn_client)
    assert f'<td class="text-break">{"D" * 200} (supplied)</td>' in client_page
