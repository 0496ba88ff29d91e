"""Clinic admins edit and add templates from the app; every save is a new version with who and when."""

import pytest
from django.db import IntegrityError, transaction

from protocols import services
from protocols.models import ProtocolTemplate, Source, TemplateStep, TemplateVersion

pytestmark = pytest.mark.django_db

FEET = "feet-standard"
EDIT = f"/protocols/templates/{FEET}/edit/"
NEW = "/protocols/templates/new/"


def _steps_of(template):
    return [
        {
            "order": s.order,
            "technique": s.technique,
            "kind": s.kind,
            "minutes": s.minutes,
            "pressure": s.pressure,
            "instruction": s.instruction,
        }
        for s in template.steps.all()
    ]


def _post_data(template=None, steps=None, initial_forms=None, **fields):
    """The POST a browser sends from the edit (or new) page, with changes on top."""
    data = {}
    if template is not None:
        data.update(
            name=template.name,
            region=template.region,
            neuropathy_type=template.neuropathy_type_id or "",
            goal=template.goal,
            position=template.position,
            notes=template.notes,
            sources=[source.pk for source in template.sources.all()],
            base_version=template.version,
        )
        steps = _steps_of(template) if steps is None else steps
        initial_forms = template.steps.count() if initial_forms is None else initial_forms
    data.update(fields)
    steps = steps or []
    data["steps-TOTAL_FORMS"] = len(steps)
    data["steps-INITIAL_FORMS"] = initial_forms or 0
    for i, step in enumerate(steps):
        for name, value in step.items():
            if name == "DELETE":
                if value:
                    data[f"steps-{i}-DELETE"] = "on"
            else:
                data[f"steps-{i}-{name}"] = value
    return data


def _state(key=FEET):
    """Everything an edit could change, to show that nothing did."""
    template = ProtocolTemplate.objects.get(key=key)
    return (
        template.name,
        template.region,
        template.neuropathy_type_id,
        template.goal,
        template.version,
        template.is_active,
        _steps_of(template),
        TemplateVersion.objects.count(),
        ProtocolTemplate.objects.count(),
    )


def _feet():
    return ProtocolTemplate.objects.get(key=FEET)


NEW_TEMPLATE = {
    "name": "Hands: gentle CIPN",
    "region": "hands",
    "neuropathy_type": "CIPN",
    "goal": "Ease tingling with the lightest touch.",
    "position": "Seated, hand on a pillow.",
    "notes": "",
}
NEW_STEPS = [
    {"order": 1, "technique": "still hold", "minutes": 2, "pressure": 0, "instruction": "Hold the hand."},
    {"order": 2, "technique": "effleurage", "minutes": 4, "pressure": 1, "instruction": "Stroke to the elbow."},
]


# Editing.


def test_admin_edits_a_step_and_the_template_gets_a_new_version(login, clinic_admin):
    feet = _feet()
    steps = _steps_of(feet)
    steps[3]["minutes"] = 4
    response = login(clinic_admin).post(EDIT, _post_data(feet, steps))
    assert response.status_code == 302
    assert response["Location"] == f"/protocols/templates/{FEET}/"

    feet = _feet()
    assert feet.version == 2
    assert [s.minutes for s in feet.steps.all()] == [2, 1, 2, 4, 1, 2, 1, 1]
    latest = feet.versions.first()
    assert (latest.version, latest.edited_by, latest.summary) == (2, clinic_admin, "Changed steps")
    assert latest.snapshot["steps"][3]["minutes"] == 4
    # The version a plan may name is kept as it was.
    assert services.template_version_steps(FEET, 1)[3].minutes == 2
    assert services.template_version_steps(FEET, 2)[3].minutes == 4
    # simple-history keeps who and when on the template and the step.
    assert feet.history.first().history_user == clinic_admin
    assert feet.history.first().version == 2
    assert TemplateStep.objects.get(template=feet, order=4).history.first().history_user == clinic_admin


def test_the_new_version_is_shown_on_the_detail_page(login, clinic_admin):
    client = login(clinic_admin)
    client.post(EDIT, _post_data(_feet(), goal="Check the skin, then ease numbness."))
    page = client.get(f"/protocols/templates/{FEET}/").content.decode()
    assert "Version 2" in page and "Check the skin, then ease numbness." in page
    assert "Morgan Reyes" in page and "Changed goal" in page


def test_admin_edits_texts_and_sources(login, clinic_admin):
    feet = _feet()
    source = Source.objects.get(key="6")
    data = _post_data(feet, name="Feet: sensation first", sources=[*[s.pk for s in feet.sources.all()], source.pk])
    login(clinic_admin).post(EDIT, data)
    feet = _feet()
    assert feet.name == "Feet: sensation first" and feet.version == 2
    assert feet.sources.filter(key="6").exists()
    assert feet.versions.first().summary == "Changed name, sources"
    assert "6" in feet.versions.first().snapshot["sources"]


def test_saving_without_changes_makes_no_new_version(login, clinic_admin):
    response = login(clinic_admin).post(EDIT, _post_data(_feet()), follow=True)
    assert "Nothing changed" in response.content.decode()
    assert _feet().version == 1
    assert TemplateVersion.objects.filter(template__key=FEET).count() == 1


def test_admin_adds_removes_and_reorders_steps(login, clinic_admin):
    feet = _feet()
    steps = _steps_of(feet)
    steps[0]["order"], steps[1]["order"] = 2, 1  # still hold before the inspection
    steps[7]["DELETE"] = True  # drop the closing effleurage
    steps.append({"order": 9, "technique": "rest", "minutes": 1, "pressure": 0, "instruction": "Cover the foot."})
    steps.append({"order": 10, "technique": "", "minutes": "", "pressure": "", "instruction": ""})  # blank row
    response = login(clinic_admin).post(EDIT, _post_data(feet, steps, initial_forms=8))
    assert response.status_code == 302
    feet = _feet()
    assert [(s.order, s.technique) for s in feet.steps.all()] == [
        (1, "still hold"),
        (2, "inspection"),
        (3, "effleurage"),
        (4, "thumb kneading"),
        (5, "friction"),
        (6, "traction"),
        (7, "joint movement"),
        (8, "rest"),
    ]
    assert feet.version == 2
    assert feet.total_minutes == 12


def test_admin_adds_a_template_for_one_neuropathy_type(login, clinic_admin):
    sources = [Source.objects.get(key="izgu-2019").pk]
    data = _post_data(steps=NEW_STEPS, sources=sources, **NEW_TEMPLATE)
    response = login(clinic_admin).post(NEW, data)
    template = ProtocolTemplate.objects.get(name="Hands: gentle CIPN")
    assert response["Location"] == f"/protocols/templates/{template.key}/"
    assert template.key == "hands-gentle-cipn"
    assert (template.region, template.neuropathy_type_id, template.version) == ("hands", "CIPN", 1)
    assert [(s.order, s.minutes, s.pressure) for s in template.steps.all()] == [(1, 2, 0), (2, 4, 1)]
    version = template.versions.get()
    assert (version.version, version.edited_by, version.summary) == (1, clinic_admin, "Created")
    assert template.history.first().history_user == clinic_admin
    assert template.key in {t.key for t in services.engine_templates("CIPN")}
    assert template.key not in {t.key for t in services.engine_templates("DPN")}


def test_new_template_form_preselects_the_region_from_the_library_link(login, clinic_admin):
    response = login(clinic_admin).get(NEW + "?region=legs")
    assert response.context["form"]["region"].value() == "legs"


def test_a_second_template_gets_its_own_key(login, clinic_admin):
    client = login(clinic_admin)
    for _ in range(2):
        client.post(NEW, _post_data(steps=NEW_STEPS, **NEW_TEMPLATE))
    keys = sorted(ProtocolTemplate.objects.filter(name="Hands: gentle CIPN").values_list("key", flat=True))
    assert keys == ["hands-gentle-cipn", "hands-gentle-cipn-2"]


# Bad input: a message beside the field, nothing saved.

BAD_STEPS = [
    (3, "minutes", 0, "steps-3-minutes", "at least 1"),
    (3, "minutes", -2, "steps-3-minutes", "at least 1"),
    (3, "minutes", "ten", "steps-3-minutes", "whole number"),
    (3, "pressure", 6, "steps-3-pressure", "Walton scale"),
    (3, "pressure", -1, "steps-3-pressure", "Walton scale"),
    (0, "technique", "", "steps-0-technique", "Name the technique"),
    (0, "instruction", "", "steps-0-instruction", "Say what the therapist does"),
    (1, "order", 1, "steps-1-order", "already has order 1"),
    (1, "order", 0, "steps-1-order", "starts at 1"),
]


@pytest.mark.parametrize("index, name, value, field_id, message", BAD_STEPS)
def test_bad_step_is_refused_beside_the_field_and_nothing_is_saved(
    login, clinic_admin, index, name, value, field_id, message
):
    before = _state()
    steps = _steps_of(_feet())
    steps[index][name] = value
    steps[5]["minutes"] = 5  # a good change alongside must not be half-saved
    response = login(clinic_admin).post(EDIT, _post_data(_feet(), steps))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="error_1_id_{field_id}"' in page
    assert message in page
    assert "Nothing was saved" in page
    assert _state() == before


def test_removing_every_step_is_refused(login, clinic_admin):
    before = _state()
    steps = [{**step, "DELETE": True} for step in _steps_of(_feet())]
    response = login(clinic_admin).post(EDIT, _post_data(_feet(), steps))
    assert response.status_code == 200
    assert "A template needs at least one step." in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"region": ""}, "region", "Choose the body region"),
        ({"region": "knees"}, "region", "Choose arms, hands, legs or feet"),
        ({"name": ""}, "name", "Give the template a name"),
        ({"goal": ""}, "goal", "Say what this protocol is for"),
    ],
)
def test_bad_template_fields_are_refused_beside_the_field(login, clinic_admin, change, field, message):
    before = _state()
    response = login(clinic_admin).post(EDIT, _post_data(_feet(), **change))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="error_1_id_{field}"' in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(
    "change, steps, field_id, message",
    [
        ({"region": ""}, NEW_STEPS, "region", "Choose the body region"),
        ({}, [], None, "A template needs at least one step."),
        ({}, [{**NEW_STEPS[0], "minutes": 0}], "steps-0-minutes", "at least 1"),
        ({}, [{**NEW_STEPS[0], "pressure": 9}], "steps-0-pressure", "Walton scale"),
    ],
)
def test_bad_new_template_is_refused_and_nothing_is_created(login, clinic_admin, change, steps, field_id, message):
    before = (ProtocolTemplate.objects.count(), TemplateStep.objects.count(), TemplateVersion.objects.count())
    response = login(clinic_admin).post(NEW, _post_data(steps=steps, **{**NEW_TEMPLATE, **change}))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    if field_id:
        assert f'id="error_1_id_{field_id}"' in page
    assert (ProtocolTemplate.objects.count(), TemplateStep.objects.count(), TemplateVersion.objects.count()) == before


def test_only_generic_template_of_a_region_keeps_its_region(login, clinic_admin):
    before = _state()
    response = login(clinic_admin).post(EDIT, _post_data(_feet(), region="hands"))
    assert "only active feet template for every type" in " ".join(response.context["form"].errors["region"])
    response = login(clinic_admin).post(EDIT, _post_data(_feet(), neuropathy_type="DPN"))
    assert "neuropathy_type" in response.context["form"].errors
    assert _state() == before


def test_an_edit_on_top_of_someone_elses_is_refused(login, clinic_admin):
    stale = _post_data(_feet(), goal="My goal.")
    other = _post_data(_feet(), goal="Their goal.")
    client = login(clinic_admin)
    client.post(EDIT, other)
    before = _state()
    response = client.post(EDIT, stale)
    assert response.status_code == 200
    assert "Someone else saved version 2" in response.content.decode()
    assert response.context["form"]["goal"].value() == "My goal."  # the refused edit is not lost
    assert _state() == before and _feet().goal == "Their goal."
    assert 'name="base_version" value="2"' in response.content.decode()

    # Saving again, having been told, makes version 3; version 2 stays in the history.
    client.post(EDIT, {**stale, "base_version": 2})
    assert _feet().goal == "My goal." and _feet().version == 3
    assert TemplateVersion.objects.get(template__key=FEET, version=2).snapshot["goal"] == "Their goal."


# Permissions.


def test_therapist_cannot_edit_or_add_templates(login, therapist):
    before = _state()
    client = login(therapist)
    steps = _steps_of(_feet())
    steps[0]["minutes"] = 9
    assert client.post(EDIT, _post_data(_feet(), steps)).status_code == 403
    assert client.post(NEW, _post_data(steps=NEW_STEPS, **NEW_TEMPLATE)).status_code == 403
    assert client.post(f"/protocols/templates/{FEET}/retire/").status_code == 403
    assert _state() == before


# Retiring: never deleted, no longer offered.


def test_admin_retires_and_restores_a_template(login, clinic_admin):
    client = login(clinic_admin)
    client.post(NEW, _post_data(steps=NEW_STEPS, **{**NEW_TEMPLATE, "neuropathy_type": ""}))
    extra = ProtocolTemplate.objects.get(name="Hands: gentle CIPN")
    client.post(f"/protocols/templates/{extra.key}/retire/")
    extra.refresh_from_db()
    assert not extra.is_active and extra.version == 2
    assert extra.versions.first().summary == "Retired"
    assert extra.key not in {t.key for t in services.engine_templates()}
    assert client.get(f"/protocols/templates/{extra.key}/").status_code == 200

    client.post(f"/protocols/templates/{extra.key}/restore/")
    extra.refresh_from_db()
    assert extra.is_active and extra.version == 3
    assert extra.key in {t.key for t in services.engine_templates()}


def test_the_only_generic_template_of_a_region_cannot_be_retired(login, clinic_admin):
    before = _state()
    response = login(clinic_admin).post(f"/protocols/templates/{FEET}/retire/", follow=True)
    assert "the planner needs it" in response.content.decode()
    assert _state() == before


# The database holds the same line as the forms.


@pytest.mark.parametrize(
    "fields",
    [{"minutes": 0}, {"minutes": -1}, {"pressure": 6}, {"order": 1}, {"order": 0}],
)
def test_database_refuses_bad_steps(fields):
    values = {"template": _feet(), "order": 20, "technique": "x", "minutes": 1, "pressure": 1, "instruction": "x"}
    with pytest.raises(IntegrityError), transaction.atomic():
        TemplateStep.objects.create(**{**values, **fields})


def test_database_refuses_version_zero_and_unknown_region():
    for fields in ({"version": 0}, {"region": "knees"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProtocolTemplate.objects.filter(key=FEET).update(**fields)


@pytest.mark.parametrize(
    "name, region, key",
    [
        ("Feet: gentle", "feet", "feet-gentle"),
        ("Gentle CIPN work", "hands", "hands-gentle-cipn-work"),
        ("!!!", "legs", "legs"),
        ("Feet: circulation and sensation", "feet", "feet-circulation-and-sensation"),
    ],
)
def test_new_template_keys_name_the_region_and_never_clash(name, region, key):
    assert ProtocolTemplate.unique_key_for(name, region) == key
    ProtocolTemplate.objects.create(key=key, name=name, region=region, goal="g", position="p")
    assert ProtocolTemplate.unique_key_for(name, region) == f"{key}-2"


def test_the_editor_offers_step_kinds_and_the_library_flags_steps_without_one(login, clinic_admin):
    client = login(clinic_admin)
    form = client.get(EDIT).content.decode()
    assert 'name="steps-0-kind"' in form and '<option value="traction">Traction</option>' in form
    feet = _feet()
    steps = _steps_of(feet)
    steps[5]["kind"] = ""  # the toe traction, kind cleared
    assert client.post(EDIT, _post_data(feet, steps)).status_code == 302
    feet = _feet()
    assert feet.version == 2 and [s.order for s in feet.unclassified_steps] == [6]
    assert services.template_version(FEET, 2).steps[5].kind is None
    library = client.get("/protocols/").content.decode()
    assert "Step kind not set on 1 step" in library
    detail = client.get(f"/protocols/templates/{FEET}/").content.decode()
    assert "Step kind not set on 1 step" in detail and "step-kind-missing" in detail
    steps[5]["kind"] = "traction"
    client.post(EDIT, _post_data(feet, steps))
    assert _feet().unclassified_steps == [] and "Step kind not set" not in client.get("/protocols/").content.decode()


def test_an_unknown_step_kind_is_refused_beside_the_field(login, clinic_admin):
    feet = _feet()
    steps = _steps_of(feet)
    steps[0]["kind"] = "stretching"
    response = login(clinic_admin).post(EDIT, _post_data(feet, steps))
    assert response.status_code == 200
    assert "Choose one of the step kinds in the list." in response.content.decode()
    assert _feet().version == 1


@pytest.mark.parametrize("count", ["-1", "1000000", "x", ""])
def test_a_broken_management_form_is_refused_not_crashed_on(login, clinic_admin, count):
    data = _post_data(_feet())
    data["steps-INITIAL_FORMS"] = count
    before = _feet().version
    response = login(clinic_admin).post(EDIT, data, follow=True)
    assert response.status_code == 200
    assert ProtocolTemplate.objects.get(key=FEET).version == before  # the steps posted are the ones on record


def test_a_template_longer_than_a_session_is_refused(login, clinic_admin):
    before = _state()
    steps = _steps_of(_feet())
    for step in steps[:4]:
        step["minutes"] = 20
    response = login(clinic_admin).post(EDIT, _post_data(_feet(), steps))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Steps: the template lasts " in page and "a region&#x27;s template lasts at most 60" in page
    assert _state() == before


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "Feet: circulation\u202e"}, "U+202E"),
        ({"goal": "Ease\x1b[2J numbness"}, "U+001B"),
        ({"notes": "\ufeffKeep socks on"}, "U+FEFF"),
        ({"step": {"technique": "Effleurage\x07"}}, "U+0007"),
        ({"step": {"instruction": "Glide\u202e proximally"}}, "U+202E"),
    ],
)
def test_a_hidden_character_in_a_template_is_refused_and_no_version_saved(login, clinic_admin, change, code):
    """A template's texts show on every plan: a right-to-left override or an escape is refused."""
    feet = _feet()
    steps = _steps_of(feet)
    steps[0].update(change.pop("step", {}))
    response = login(clinic_admin).post(EDIT, _post_data(feet, steps, **change))
    assert response.status_code in (200, 400)
    assert f"Remove the control character {code}" in response.content.decode()
    assert _feet().version == 1


def test_a_template_note_keeps_its_line_breaks(login, clinic_admin):
    response = login(clinic_admin).post(EDIT, _post_data(_feet(), notes="Check the skin first.\r\nKeep socks on."))
    assert response.status_code == 302 and _feet().notes == "Check the skin first.\r\nKeep socks on."
