"""The body map: one shape per region and side, shading that does not rely on colour, numbered markers."""

import re

import pytest

from clients import bodymap
from tests.factories import make_client, make_condition

pytestmark = pytest.mark.django_db


def test_every_region_and_side_is_a_shape_shaded_by_symptom_count():
    client = make_client(
        symptoms={
            "feet:left": ["tingling", "burning", "itching", "numbness", "pain"],
            "feet:right": ["numbness"],
            "hands:left": ["tingling", "numbness", "pain"],
        }
    )
    svg = bodymap.build(client, [], "Body map").svg
    places = re.findall(r'data-place="([a-z]+-[a-z]+)"', svg)
    assert sorted(places) == sorted(f"{r}-{s}" for r in ("arms", "hands", "legs", "feet") for s in ("left", "right"))
    assert re.search(r'fill="url\(#bm-many\)" class="bm-region bm-many" data-place="feet-left"', svg)
    assert re.search(r'fill="url\(#bm-few\)" class="bm-region bm-few" data-place="feet-right"', svg)
    assert re.search(r'fill="url\(#bm-several\)" class="bm-region bm-several" data-place="hands-left"', svg)
    assert 'data-place="arms-left"><title>Left arm: no symptoms</title>' in svg
    # Patterns, not colour alone, and the sides are labelled.
    for pattern in ("bm-few", "bm-several", "bm-many"):
        assert f'<pattern id="{pattern}"' in svg
    assert ">Right</text>" in svg and ">Left</text>" in svg and ">R</text>" in svg and ">L</text>" in svg


def test_svg_is_described_for_screen_readers():
    client = make_client(symptoms={"feet:left": ["numbness"]})
    wound = make_condition(client, "open_wound", location="feet", side="left")
    svg = bodymap.build(client, [wound], "Body map of Ada").svg
    assert 'role="img" aria-labelledby="bm-title bm-desc"' in svg
    assert '<title id="bm-title">Body map of Ada</title>' in svg
    desc = re.search(r'<desc id="bm-desc">(.*?)</desc>', svg)[1]
    assert "Left foot: numbness." in desc and "Marker 1: open wound, left foot." in desc


def test_markers_sit_on_their_location_and_whole_body_ones_are_listed_only():
    client = make_client()
    wound = make_condition(client, "open_wound", location="feet", side="both")
    port = make_condition(client, "port", location="chest", side="right")
    back = make_condition(client, "bone_metastasis", location="back", side="both")
    insulin = make_condition(client, "insulin_user")
    body_map = bodymap.build(client, [wound, port, back, insulin], "Body map")
    assert [(m.number, m.condition, m.drawn) for m in body_map.markers] == [
        (1, wound, True),
        (2, port, True),
        (3, back, False),
        (4, insulin, False),
    ]
    # A condition on both feet is marked on each foot.
    assert body_map.svg.count('data-code="open_wound"') == 2
    assert body_map.svg.count('data-code="port"') == 1
    assert 'data-code="insulin_user"' not in body_map.svg
    assert body_map.has_unplaced


def test_markers_at_the_same_spot_do_not_overlap():
    client = make_client()
    conditions = [make_condition(client, code, location="feet", side="left") for code in ("open_wound", "edema")]
    svg = bodymap.build(client, conditions, "Body map").svg
    spots = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="9.5"/>', svg)
    assert len(spots) == 2 and spots[0] != spots[1]


def test_client_page_shows_the_map_with_its_legend(login, therapist):
    client = make_client(care_team=[therapist], symptoms={"feet:left": ["numbness"]})
    make_condition(client, "open_wound", location="feet", side="left", detail="heel")
    make_condition(client, "insulin_user")
    page = login(therapist).get(f"/clients/{client.pk}/").content.decode()
    assert 'class="body-map-svg"' in page
    assert "Dots: 1 or 2 symptoms" in page and "Cross-hatch: 5 or more" in page
    assert "Marker 1: </span>Open wound, left foot" in page
    assert "Marker 2: </span>Insulin user, whole body" in page
