"""The demo clinic's measures story: three monofilament tests, three MNSI questionnaires, a course of sessions."""

import pytest
from django.core.management import call_command

from clients import assessments
from clients.models import Client, Condition
from planner.models import SessionRecord
from tests.factories import page_and_panels

pytestmark = pytest.mark.django_db


def test_seed_demo_tells_the_measures_story_once(login):
    call_command("seed_demo")
    call_command("seed_demo")
    client = Client.objects.get(external_id="DEMO-019")
    tests = list(client.monofilament_tests.prefetch_related("sites"))
    assert [(t.result_of("right"), t.result_of("left")) for t in tests] == [
        ("present", "present"),
        ("present", "absent"),
        ("present", "present"),
    ]
    lops = Condition.objects.get(client=client, code="loss_of_protective_sensation")
    assert (lops.side, lops.noted_on, lops.resolved_on) == ("left", tests[1].tested_on, None)
    assert tests[1].left_condition == lops
    assert [foot for foot, _ in assessments.resolution_offers(tests[2])] == ["left"]
    assert [q.score for q in client.mnsi_questionnaires.all()] == [7, 8, 7]
    signed = SessionRecord.objects.filter(client=client).signed()
    assert signed.count() >= 8
    # Sessions after the second test carry the numbness rule on the left foot through the condition.
    later = signed.filter(started_at__date__gt=tests[1].tested_on).first()
    left = next(r for r in later.plan.proposal["regions"] if r["side"] == "left")
    assert "numbness" in {note["rule"] for note in left["notes"]}
    from django.contrib.auth import get_user_model

    tara = get_user_model().objects.get(username="tara")
    page = page_and_panels(login(tara), client)
    assert "Course progress" in page and 'class="foot-map-svg"' in page and "Score 7 of 13" in page
