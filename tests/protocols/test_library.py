"""The library as seeded by migrations, the pages that show it, and the templates the engine gets."""

from datetime import date

import pytest

from protocols import services
from protocols.default_templates import DEFAULT_TEMPLATES
from protocols.engine import ClientFacts, propose
from protocols.models import (
    NeuropathyType,
    ProtocolTemplate,
    Region,
    Source,
    TemplateStep,
    TemplateVersion,
)
from protocols.rules import RULES
from protocols.vocabulary import CONDITION_GROUPS, CONDITIONS, NEUROPATHY_TYPES, REGIONS, WALTON_SCALE

pytestmark = pytest.mark.django_db

SEEDED_KEYS = ["arms-standard", "hands-standard", "legs-standard", "feet-standard"]
# RULES.md "Protocol templates": minutes and highest step pressure of each.
EXPECTED_TOTALS = {"arms": (10, 3), "hands": (10, 2), "legs": (10, 3), "feet": (12, 2)}


def _template_urls(key):
    return {
        "get": ["/protocols/", f"/protocols/templates/{key}/"],
        "admin_get": ["/protocols/templates/new/", f"/protocols/templates/{key}/edit/"],
        "post": [f"/protocols/templates/{key}/retire/", f"/protocols/templates/{key}/restore/"],
    }


# The library is in every database from migration onward.


def test_migrations_seed_the_three_types_in_order():
    types = list(NeuropathyType.objects.all())
    assert [t.code for t in types] == list(NEUROPATHY_TYPES)
    assert [t.name for t in types] == list(NEUROPATHY_TYPES.values())
    for t in types:
        assert t.description and t.causes and t.massage_focus


def test_migrations_seed_every_source_the_rules_cite():
    seeded = {source.key: source for source in Source.objects.all()}
    assert {key for key in seeded if key.isdigit()} == {str(key) for key in range(1, 37)} and "seed" in seeded
    assert all(source.title and source.citation for source in seeded.values())
    cited = {str(key) for rule in RULES for key in rule.sources}
    assert cited <= set(seeded)
    # 35 backs session frequency and 36 the pain outcome measure, not a rule.
    assert {key for key in seeded if key.isdigit()} - cited == {"35", "36"}


def test_the_condition_catalogue_has_one_home_the_vocabulary():
    from django.apps import apps

    assert not any(model.__name__.endswith("ConditionKind") for model in apps.get_app_config("protocols").get_models())
    assert {kind.group for kind in CONDITIONS.values()} <= set(CONDITION_GROUPS)


def test_migrations_seed_the_four_templates_of_rules_md_at_version_one():
    templates = {t.key: t for t in ProtocolTemplate.objects.prefetch_related("steps")}
    assert sorted(templates) == sorted(SEEDED_KEYS)
    for default in DEFAULT_TEMPLATES:
        template = templates[default.key]
        assert (template.name, template.region, template.version) == (default.name, default.region, 1)
        assert template.is_active and template.neuropathy_type is None
        assert template.goal and template.position and template.notes
        assert template.sources.exists()
        steps = [(s.technique, s.kind, s.minutes, s.pressure, s.instruction) for s in template.steps.all()]
        assert steps == [(s.technique, s.kind, s.minutes, s.pressure, s.instruction) for s in default.steps]
        assert [s.order for s in template.steps.all()] == list(range(1, len(default.steps) + 1))
        version = TemplateVersion.objects.get(template=template)
        assert version.version == 1 and version.edited_by is None
        assert [(s["technique"], s["minutes"], s["pressure"]) for s in version.snapshot["steps"]] == [
            (s.technique, s.minutes, s.pressure) for s in default.steps
        ]


def test_region_choices_are_the_planned_regions_in_plan_order():
    assert tuple(Region.values) == REGIONS


def test_migrations_let_clinic_admins_edit_templates_and_therapists_only_read(clinic_admin, therapist):
    for codename in ("add_protocoltemplate", "change_protocoltemplate", "add_templatestep", "change_templatestep"):
        assert clinic_admin.has_perm(f"protocols.{codename}")
        assert not therapist.has_perm(f"protocols.{codename}")
    for codename in ("view_protocoltemplate", "view_templatestep", "view_source"):
        assert clinic_admin.has_perm(f"protocols.{codename}")
        assert therapist.has_perm(f"protocols.{codename}")
    assert not clinic_admin.has_perm("protocols.delete_protocoltemplate")


# The ladder: anonymous, therapist, admin.


def test_anonymous_is_sent_to_login_from_every_library_url(anonymous):
    urls = _template_urls("feet-standard")
    for path in urls["get"] + urls["admin_get"]:
        assert anonymous.get(path)["Location"].startswith("/accounts/login/")
        assert anonymous.post(path)["Location"].startswith("/accounts/login/")
    for path in urls["post"]:
        assert anonymous.post(path)["Location"].startswith("/accounts/login/")


def test_therapist_reads_the_library_but_cannot_reach_editing(login, therapist):
    client = login(therapist)
    urls = _template_urls("feet-standard")
    for path in urls["get"]:
        assert client.get(path).status_code == 200
    for path in urls["admin_get"]:
        assert client.get(path).status_code == 403
        assert client.post(path).status_code == 403
    for path in urls["post"]:
        assert client.post(path).status_code == 403
    feet = ProtocolTemplate.objects.get(key="feet-standard")
    assert feet.version == 1 and feet.is_active
    assert ProtocolTemplate.objects.count() == 4


def test_clinic_admin_reaches_every_page(login, clinic_admin):
    client = login(clinic_admin)
    urls = _template_urls("feet-standard")
    for path in urls["get"] + urls["admin_get"]:
        assert client.get(path).status_code == 200


def test_retire_and_restore_refuse_get(login, clinic_admin):
    client = login(clinic_admin)
    for path in _template_urls("feet-standard")["post"]:
        assert client.get(path).status_code == 405


def test_unknown_template_is_not_found(login, clinic_admin):
    client = login(clinic_admin)
    for path in ("/protocols/templates/no-such/", "/protocols/templates/no-such/edit/"):
        assert client.get(path).status_code == 404
    assert client.post("/protocols/templates/no-such/retire/").status_code == 404


# What the library page shows.


def test_library_shows_every_rule_condition_type_and_template(login, therapist):
    page = login(therapist).get("/protocols/").content.decode()
    for rule in RULES:
        assert f'id="rule-{rule.code}"' in page
        assert f"<code>{rule.code}</code>" in page
        assert rule.fires_when in page.replace("&#x27;", "'")
    for code in CONDITIONS:
        assert f"<code>{code}</code>" in page
    for t in NeuropathyType.objects.all():
        assert t.name in page and t.description in page and t.massage_focus in page
    for template in DEFAULT_TEMPLATES:
        assert template.name in page
        for step in template.steps:
            assert step.instruction.replace("'", "&#x27;") in page
    for level in WALTON_SCALE.values():
        assert level.label in page and level.description in page


def test_library_links_rules_and_templates_to_the_sources_list(login, therapist):
    page = login(therapist).get("/protocols/").content.decode()
    for source in Source.objects.all():
        assert f'id="source-{source.key}"' in page
    for rule in RULES:
        for key in rule.sources:
            assert f'href="#source-{key}"' in page
    # The feet template rests on the Izgu trial among others.
    assert 'href="#source-izgu-2019"' in page


def test_library_shows_severity_as_a_word_not_colour_alone(login, therapist):
    page = login(therapist).get("/protocols/").content.decode()
    for word, colour in (("Defer", "danger"), ("Avoid", "warning"), ("Modify", "info"), ("Caution", "light")):
        assert f'<span class="badge text-bg-{colour}' in page
        assert f">{word}</span>" in page


def test_library_shows_template_totals_and_regions_in_plan_order(login, therapist):
    page = login(therapist).get("/protocols/").content.decode()
    positions = [page.index(f'id="templates-{region}"') for region in REGIONS]
    assert positions == sorted(positions)
    assert "<strong>12 min</strong> in 8 steps" in page
    assert "<strong>10 min</strong> in 6 steps" in page


def test_therapist_sees_no_edit_controls(login, therapist):
    page = login(therapist).get("/protocols/").content.decode()
    assert "/edit/" not in page and "New template" not in page
    detail = login(therapist).get("/protocols/templates/feet-standard/").content.decode()
    assert "Edit template" not in detail and "Retire" not in detail


def test_clinic_admin_sees_edit_controls(login, clinic_admin):
    page = login(clinic_admin).get("/protocols/").content.decode()
    for key in SEEDED_KEYS:
        assert f'href="/protocols/templates/{key}/edit/"' in page
    assert "New template" in page


def test_retired_templates_are_listed_only_for_those_who_can_edit(login, clinic_admin, therapist):
    extra = _make_template(name="Feet: short", key="feet-short", is_active=False)
    assert extra.name not in login(therapist).get("/protocols/").content.decode()
    page = login(clinic_admin).get("/protocols/").content.decode()
    assert extra.name in page and "Retired" in page


def test_template_detail_shows_steps_sources_and_history(login, therapist):
    page = login(therapist).get("/protocols/templates/feet-standard/").content.decode()
    assert "Feet: circulation and sensation" in page
    assert "Thumb kneading of the sole, avoiding calluses." in page
    assert "12 minutes in 8 steps" in page
    assert "/protocols/#source-izgu-2019" in page
    assert "Version 1" in page and "Library seed" in page


def test_library_query_count_is_fixed(login, clinic_admin, django_assert_num_queries):
    client = login(clinic_admin)
    _make_template(name="Hands: CIPN", key="hands-cipn", region="hands", neuropathy_type_id="CIPN")
    # session, user, the user's roles and permissions (one query: navbar roles, edit controls),
    # templates with their types, their steps, their sources, the sources list, the neuropathy types
    # (the condition catalogue is the vocabulary: no query)
    with django_assert_num_queries(8):
        response = client.get("/protocols/")
    assert response.status_code == 200


def test_template_detail_query_count_is_fixed(login, clinic_admin, django_assert_num_queries):
    client = login(clinic_admin)
    client.post("/protocols/templates/feet-standard/retire/")  # a second version to list
    # session, user, the user's roles and permissions (one query: navbar roles, edit controls), the
    # template with its type, its steps, its sources, its versions with editors
    with django_assert_num_queries(7):
        response = client.get("/protocols/templates/hands-standard/")
    assert response.status_code == 200


# What the engine gets.


def test_engine_templates_are_the_four_seeded_ones_with_rules_md_minutes_and_pressures(django_assert_num_queries):
    with django_assert_num_queries(1):  # the templates joined with their steps
        templates = services.engine_templates()
    assert sorted(t.key for t in templates) == sorted(SEEDED_KEYS)
    for template in templates:
        assert (template.minutes, template.pressure) == EXPECTED_TOTALS[template.region]
        assert template.version == 1 and template.neuropathy_type is None
    assert set(templates) == set(DEFAULT_TEMPLATES)


def test_engine_templates_for_a_type_include_its_own_and_the_generic_ones():
    _make_template(name="Hands: CIPN", key="hands-cipn", region="hands", neuropathy_type_id="CIPN")
    assert "hands-cipn" in {t.key for t in services.engine_templates("CIPN")}
    assert "hands-cipn" not in {t.key for t in services.engine_templates("DPN")}
    assert {t.key for t in services.engine_templates("DPN")} == set(SEEDED_KEYS)
    cipn = next(t for t in services.engine_templates() if t.key == "hands-cipn")
    assert cipn.neuropathy_type == "CIPN"


def test_retired_templates_are_not_offered_to_the_engine():
    _make_template(name="Feet: short", key="feet-short", is_active=False)
    assert "feet-short" not in {t.key for t in services.engine_templates()}


def test_the_engine_plans_with_the_database_templates():
    facts = ClientFacts(client_id=1, neuropathy_type="DPN", plan_date=date(2026, 11, 20))
    proposal = propose(facts, [("feet", "left"), ("hands", "right")], services.engine_templates("DPN"))
    assert [(r["region"], r["minutes"], r["template_key"]) for r in proposal["regions"]] == [
        ("hands", 10, "hands-standard"),
        ("feet", 12, "feet-standard"),
    ]


def test_template_version_gives_a_seeded_version_back():
    template = services.template_version("feet-standard", 1)
    assert template == next(t for t in DEFAULT_TEMPLATES if t.key == "feet-standard")
    assert services.template_version_steps("feet-standard", 1) == template.steps
    with pytest.raises(TemplateVersion.DoesNotExist):
        services.template_version("feet-standard", 2)


def _make_template(*, name, key, region="feet", neuropathy_type_id=None, is_active=True):
    template = ProtocolTemplate.objects.create(
        key=key,
        name=name,
        region=region,
        neuropathy_type_id=neuropathy_type_id,
        goal="A goal.",
        position="Supine.",
        is_active=is_active,
    )
    TemplateStep.objects.create(
        template=template, order=1, technique="still hold", minutes=2, pressure=1, instruction="Hold."
    )
    TemplateStep.objects.create(
        template=template, order=2, technique="effleurage", minutes=3, pressure=2, instruction="Stroke toward the body."
    )
    return template


@pytest.mark.parametrize(
    ("technique", "kind"),
    [
        ("inspection", "inspection"),
        ("Inspect skin and nails, still hold", "inspection"),
        ("still hold", "still_hold"),
        ("effleurage", "effleurage"),
        ("petrissage", "petrissage"),
        ("thumb circles", "thumb_circles"),
        ("thumb kneading", "kneading"),
        ("light friction", "friction"),
        ("traction", "traction"),
        ("joint movement", "joint_movement"),
        ("wringing", ""),
    ],
)
def test_the_data_migration_classifies_steps_from_their_technique(technique, kind):
    import importlib

    migration = importlib.import_module("protocols.migrations.0005_classify_template_steps")
    assert migration.classify(technique) == kind


def test_every_variant_of_the_rule_table_has_a_label_not_its_key():
    from protocols.rules import RULES
    from protocols.views import _variant_label

    unlabelled = [(rule.code, v.key) for rule in RULES for v in rule.variants if _variant_label(v) == v.key]
    assert not unlabelled
