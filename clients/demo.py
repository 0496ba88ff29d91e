"""Demo clients for a local trial (manage.py seed_demo). Never run on a real clinic.

Dates are relative to today so the demo stays current: a wound noted "6 days ago" is always
recent, a clearance "400 days ago" always expired. Each client has an external id DEMO-NNN;
a client already there is left as it is, so running the seed again changes nothing.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from .models import Client, Condition, PhysicianClearance
from .validators import check_condition, clean_causes, clean_symptoms

N = "numbness"
T = "tingling"
B = "burning"
P = "pain"
PN = "pins_and_needles"
A = "allodynia"
W = "weakness"
C = "cold_sensitivity"
I = "itching"  # noqa: E741 - one of the symptom abbreviations of this table

# Symptoms: {region: (side, [codes])}. Conditions: (code, location, side, value, detail, noted days ago,
# resolved days ago or None). Clearance: (physician, days ago, restrictions) or None.
DEMO_CLIENTS = [
    {
        "name": ("Harold", "Whitfield"),
        "born": (71, 3, 14),
        "type": "DPN",
        "diagnosed": 9,
        "symptoms": {"feet": ("both", [N, B, T])},
        "conditions": [
            ("loss_of_protective_sensation", "feet", "both", None, "", 400, None),
            ("open_wound", "feet", "left", None, "heel", 6, None),
            ("insulin_user", "", "", None, "", 900, None),
            ("insulin_site", "abdomen", "right", None, "", 30, None),
        ],
        "clearance": ("Dr. Anika Shah", 200, "Keep off the left heel until the wound has closed."),
        "team": ["tara"],
    },
    {
        "name": ("Maria", "Gonzalez"),
        "born": (64, 7, 2),
        "type": "DPN",
        "diagnosed": 6,
        "symptoms": {"feet": ("both", [T, PN, B]), "hands": ("both", [T])},
        "conditions": [
            ("fungal_infection", "feet", "right", None, "toenails", 45, None),
            ("poor_glycemic_control", "", "", None, "", 60, None),
            ("insulin_pump", "abdomen", "left", None, "glucose sensor", 120, None),
        ],
        "clearance": ("Dr. Paul Meyer", 400, ""),
        "team": ["tara"],
    },
    {
        "name": ("Aisha", "Rahman"),
        "born": (52, 11, 23),
        "type": "CIPN",
        "diagnosed": 0,
        "causes": [],
        "symptoms": {"hands": ("both", [T, N, C]), "feet": ("both", [T, N, C])},
        "conditions": [
            ("active_chemo", "", "", None, "FOLFOX", 60, None),
            ("oxaliplatin_course", "", "", None, "", 60, None),
            ("chemo_infusion", "", "", None, "cycle 4", 9, None),
            ("chemo_infusion", "", "", None, "cycle 3", 23, None),
            ("platelet_count", "", "", 72_000, "", 3, None),
            ("anc", "", "", 1_400, "", 3, None),
            ("port", "chest", "right", None, "", 80, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 50, "Pressure 2 at most during chemotherapy."),
        "team": ["sam"],
    },
    {
        "name": ("Linda", "Park"),
        "born": (58, 5, 9),
        "type": "CIPN",
        "diagnosed": 2,
        "symptoms": {"hands": ("both", [T]), "feet": ("both", [N])},
        "conditions": [
            ("node_removal_axillary", "arms", "left", None, "sentinel and axillary nodes", 800, None),
            ("lymphedema", "arms", "left", None, "wears a sleeve", 380, None),
            ("radiation_field", "chest", "left", None, "", 420, 200),
            ("cancer_fatigue", "", "", None, "", 90, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 120, "No work on the left arm; refer to the lymphedema clinic."),
        "team": ["tara", "sam"],
    },
    {
        "name": ("George", "Novak"),
        "born": (77, 1, 30),
        "type": "IDIOPATHIC",
        "diagnosed": 4,
        "causes": ["b12_deficiency", "alcohol"],
        "symptoms": {"feet": ("both", [N, W]), "legs": ("both", [W])},
        "conditions": [
            ("fall_risk", "", "", None, "uses a cane", 200, None),
            ("neuropathic_pain_medication", "", "", None, "gabapentin", 300, None),
            ("fragile_skin", "", "", None, "", 150, None),
        ],
        "clearance": ("Dr. Samuel Grant", 30, ""),
        "team": ["sam"],
    },
    {
        "name": ("James", "O'Connor"),
        "born": (68, 9, 17),
        "type": "DPN",
        "diagnosed": 11,
        "symptoms": {"feet": ("both", [B, P, A])},
        "conditions": [
            ("pad", "", "", None, "claudication after 200 m", 500, None),
            ("anticoagulant", "", "", None, "apixaban", 400, None),
            ("edema", "legs", "left", None, "ankle", 20, None),
            ("charcot_suspected", "feet", "right", None, "", 120, 90),
        ],
        "clearance": ("Dr. Paul Meyer", 100, "No deep calf work."),
        "team": ["tara"],
    },
    {
        "name": ("Priya", "Sharma"),
        "born": (45, 4, 4),
        "type": "CIPN",
        "diagnosed": 0,
        "symptoms": {"hands": ("both", [N, T])},
        "conditions": [
            ("active_chemo", "", "", None, "paclitaxel", 70, None),
            ("platelet_count", "", "", 38_000, "", 2, None),
            ("anc", "", "", 800, "", 2, None),
            ("picc_line", "arms", "right", None, "", 70, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 20, "Light touch only while counts are low."),
        "team": ["sam"],
    },
    {
        "name": ("Dorothy", "Evans"),
        "born": (82, 12, 1),
        "type": "DPN",
        "diagnosed": 20,
        "symptoms": {"feet": ("both", [N]), "legs": ("both", [W])},
        "conditions": [
            ("amputation", "feet", "right", None, "second toe", 1200, None),
            ("heart_failure", "", "", None, "", 600, None),
            ("insulin_user", "", "", None, "", 3000, None),
            ("fragile_skin", "", "", None, "", 400, None),
        ],
        "clearance": ("Dr. Anika Shah", 300, "Semi-reclined only."),
        "team": ["tara"],
    },
    {
        "name": ("Thomas", "Becker"),
        "born": (59, 6, 21),
        "type": "IDIOPATHIC",
        "diagnosed": 3,
        "causes": ["autoimmune"],
        "symptoms": {"hands": ("both", [B]), "feet": ("both", [B, PN])},
        "conditions": [
            ("topical_anesthetic", "feet", "both", None, "lidocaine patches at night", 40, None),
            ("tens_unit", "legs", "left", None, "", 100, None),
        ],
        "clearance": None,
        "team": ["sam"],
    },
    {
        "name": ("Samuel", "Adeyemi"),
        "born": (66, 2, 11),
        "type": "DPN",
        "diagnosed": 8,
        "symptoms": {"feet": ("both", [N, T]), "legs": ("right", [T])},
        "conditions": [
            ("new_foot_finding", "feet", "left", None, "discoloured fifth toe", 2, None),
            ("insulin_site", "legs", "right", None, "thigh", 15, None),
        ],
        "clearance": ("Dr. Paul Meyer", 150, ""),
        "team": ["tara"],
    },
    {
        "name": ("Helen", "Fischer"),
        "born": (61, 8, 30),
        "type": "CIPN",
        "diagnosed": 1,
        "symptoms": {"feet": ("both", [N, C])},
        "conditions": [
            ("node_removal_inguinal", "legs", "right", None, "", 700, None),
            ("vte_history", "legs", "left", None, "DVT, treated", 365, None),
            ("anticoagulant", "", "", None, "rivaroxaban", 365, None),
            ("active_chemo", "", "", None, "carboplatin", 300, 100),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 90, "Nothing deep on the legs."),
        "team": ["tara"],
    },
    {
        "name": ("Carlos", "Mendes"),
        "born": (55, 10, 5),
        "type": "DPN",
        "diagnosed": 5,
        "symptoms": {"feet": ("both", [T])},
        "conditions": [
            ("dvt_suspected", "legs", "left", None, "calf, ruled out by ultrasound", 40, 30),
            ("insulin_user", "", "", None, "", 500, None),
        ],
        "clearance": None,
        "team": ["sam"],
    },
    {
        "name": ("Margaret", "Lindsay"),
        "born": (73, 3, 3),
        "type": "IDIOPATHIC",
        "diagnosed": 7,
        "causes": ["hereditary"],
        "symptoms": {"feet": ("both", [N]), "hands": ("both", [T])},
        "conditions": [("fall_risk", "", "", None, "", 300, None)],
        "clearance": ("Dr. Samuel Grant", 200, ""),
        "team": ["tara"],
    },
    {
        "name": ("Yusuf", "Demir"),
        "born": (49, 7, 27),
        "type": "CIPN",
        "diagnosed": 1,
        "symptoms": {"hands": ("both", [T, P]), "feet": ("both", [T, P])},
        "conditions": [
            ("bone_metastasis", "back", "both", None, "lumbar spine", 100, None),
            ("port", "chest", "left", None, "", 200, None),
            ("cancer_fatigue", "", "", None, "", 60, None),
            ("platelet_count", "", "", 150_000, "", 20, None),
            ("active_chemo", "", "", None, "", 200, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 40, "No pressure over the spine."),
        "team": ["sam"],
    },
    {
        "name": ("Patricia", "Moore"),
        "born": (70, 1, 8),
        "type": "DPN",
        "diagnosed": 12,
        "symptoms": {"feet": ("both", [B])},
        "conditions": [
            ("open_wound", "feet", "right", None, "blister, big toe", 90, 60),
            ("fungal_infection", "feet", "left", None, "between the toes", 14, None),
        ],
        "clearance": ("Dr. Anika Shah", 250, ""),
        "team": ["tara"],
    },
    {
        "name": ("Robert", "Chen"),
        "born": (63, 4, 19),
        "type": "DPN",
        "diagnosed": 7,
        "symptoms": {"feet": ("both", [N])},
        "conditions": [
            ("loss_of_protective_sensation", "feet", "both", None, "", 100, None),
            ("poor_glycemic_control", "", "", None, "HbA1c 9.1 %", 30, None),
        ],
        "clearance": ("Dr. Paul Meyer", 10, ""),
        "team": ["sam"],
    },
    {
        "name": ("Emma", "Thompson"),
        "born": (47, 9, 9),
        "type": "CIPN",
        "diagnosed": 0,
        "symptoms": {"hands": ("both", [T, C]), "feet": ("both", [T])},
        "conditions": [
            ("active_chemo", "", "", None, "FOLFOX", 40, None),
            ("oxaliplatin_course", "", "", None, "", 40, None),
            ("chemo_infusion", "", "", None, "cycle 3", 3, None),
            ("platelet_count", "", "", 110_000, "", 4, None),
            ("anc", "", "", 2_100, "", 4, None),
            ("port", "chest", "right", None, "", 45, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 35, ""),
        "team": ["tara"],
    },
    {
        "name": ("Wei", "Zhang"),
        "born": (68, 6, 6),
        "type": "IDIOPATHIC",
        "diagnosed": 5,
        "causes": ["kidney_disease", "medication"],
        "symptoms": {"feet": ("both", [N]), "legs": ("both", [T])},
        "conditions": [("edema", "legs", "both", None, "ankles", 50, None)],
        "clearance": ("Dr. Samuel Grant", 380, ""),
        "team": ["sam"],
    },
    {
        "name": ("Fatima", "Al-Sayed"),
        "born": (58, 2, 28),
        "type": "DPN",
        "diagnosed": 4,
        "symptoms": {"feet": ("both", [PN])},
        "conditions": [
            ("insulin_pump", "abdomen", "right", None, "", 200, None),
            ("insulin_user", "", "", None, "", 900, None),
        ],
        "clearance": ("Dr. Anika Shah", 60, ""),
        "team": ["tara", "sam"],
    },
    {
        "name": ("Olga", "Petrova"),
        "born": (66, 10, 14),
        "type": "CIPN",
        "diagnosed": 3,
        "symptoms": {"feet": ("both", [N]), "hands": ("both", [N])},
        "conditions": [
            ("lymphedema", "legs", "right", None, "", 300, None),
            ("node_removal_inguinal", "legs", "right", None, "", 900, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 180, "No work on the right leg."),
        "team": ["tara"],
    },
    {
        "name": ("Kenneth", "Brooks"),
        "born": (76, 5, 25),
        "type": "DPN",
        "diagnosed": 15,
        "symptoms": {"feet": ("right", [N, W]), "legs": ("both", [W])},
        "conditions": [
            ("amputation", "legs", "left", None, "below the knee", 1500, None),
            ("fall_risk", "", "", None, "", 1500, None),
        ],
        "clearance": ("Dr. Paul Meyer", 320, "Residual limb only with the surgeon's approval."),
        "team": ["sam"],
    },
    {
        "name": ("Sofia", "Rossi"),
        "born": (54, 12, 12),
        "type": "IDIOPATHIC",
        "diagnosed": 2,
        "causes": ["toxin_exposure"],
        "symptoms": {"hands": ("both", [B, I])},
        "conditions": [("fungal_infection", "hands", "right", None, "nails", 25, None)],
        "clearance": None,
        "team": ["tara"],
    },
    {
        "name": ("Daniel", "Kim"),
        "born": (60, 3, 30),
        "type": "CIPN",
        "diagnosed": 0,
        "symptoms": {"feet": ("both", [T])},
        "conditions": [
            ("active_chemo", "", "", None, "bortezomib", 90, None),
            ("anc", "", "", 450, "", 1, None),
            ("fever", "", "", None, "38.4 °C", 1, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 15, ""),
        "team": ["sam"],
    },
    {
        "name": ("Grace", "Okonkwo"),
        "born": (69, 8, 3),
        "type": "DPN",
        "diagnosed": 10,
        "symptoms": {"feet": ("both", [N, B])},
        "conditions": [
            ("open_wound", "feet", "left", None, "blister, ball of the foot", 10, None),
            ("loss_of_protective_sensation", "feet", "left", None, "", 200, None),
            ("edema", "legs", "right", None, "", 30, None),
            ("insulin_user", "", "", None, "", 1000, None),
        ],
        "clearance": ("Dr. Anika Shah", 90, ""),
        "team": ["tara"],
    },
    {
        "name": ("Peter", "Jansen"),
        "born": (80, 11, 11),
        "type": "IDIOPATHIC",
        "diagnosed": 6,
        "causes": ["liver_disease", "alcohol"],
        "symptoms": {"feet": ("both", [N])},
        "conditions": [
            ("liver_disease", "", "", None, "bruises easily", 300, None),
            ("fragile_skin", "", "", None, "", 300, None),
        ],
        "clearance": ("Dr. Samuel Grant", 45, "Light pressure only."),
        "team": ["sam"],
    },
    {
        "name": ("Nadia", "Haddad"),
        "born": (51, 1, 19),
        "type": "CIPN",
        "diagnosed": 0,
        "symptoms": {"hands": ("both", [T]), "feet": ("both", [T, B])},
        "conditions": [
            ("radiation_field", "chest", "right", None, "", 20, None),
            ("port", "chest", "left", None, "", 100, None),
            ("active_chemo", "", "", None, "", 100, None),
            ("platelet_count", "", "", 55_000, "", 5, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 25, ""),
        "team": ["tara"],
    },
    {
        "name": ("William", "Foster"),
        "born": (74, 7, 7),
        "type": "DPN",
        "diagnosed": 14,
        "symptoms": {"feet": ("both", [N]), "legs": ("left", [P])},
        "conditions": [
            ("heart_failure", "", "", None, "", 400, None),
            ("pad", "", "", None, "", 400, None),
            ("anticoagulant", "", "", None, "warfarin", 400, None),
        ],
        "clearance": ("Dr. Paul Meyer", 150, "No fluid-moving strokes on the legs."),
        "team": ["sam"],
    },
    {
        "name": ("Ingrid", "Larsen"),
        "born": (62, 4, 24),
        "type": "IDIOPATHIC",
        "diagnosed": 1,
        "causes": ["infection"],
        "symptoms": {"feet": ("both", [T])},
        "conditions": [("rapid_progression", "", "", None, "assessed by neurology", 130, 120)],
        "clearance": ("Dr. Samuel Grant", 100, ""),
        "team": ["tara"],
    },
    {
        "name": ("Marcus", "Bell"),
        "born": (57, 9, 29),
        "type": "CIPN",
        "diagnosed": 2,
        "symptoms": {"hands": ("both", [N])},
        "conditions": [
            ("picc_line", "arms", "left", None, "", 200, 30),
            ("node_removal_axillary", "arms", "right", None, "", 600, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 200, ""),
        "team": ["sam"],
    },
    {
        "name": ("Eleanor", "Hughes"),
        "born": (79, 6, 15),
        "type": "DPN",
        "diagnosed": 18,
        "symptoms": {"feet": ("both", [N])},
        "conditions": [("insulin_user", "", "", None, "", 3000, None)],
        "clearance": ("Dr. Anika Shah", 500, ""),
        "team": ["tara"],
        "archived": True,
    },
    {
        # The plan that must read right at the treatment table: in the nadir window, platelets
        # below 50,000, a port and a PICC line on the right, cold-sensitive hands, numb feet.
        "name": ("Nora", "Vance"),
        "born": (65, 5, 2),
        "type": "CIPN",
        "diagnosed": 0,
        "symptoms": {"hands": ("both", [C]), "feet": ("both", [N])},
        "conditions": [
            ("active_chemo", "", "", None, "", 60, None),
            ("chemo_infusion", "", "", None, "cycle 5", 8, None),
            ("platelet_count", "", "", 45_000, "", 1, None),
            ("port", "chest", "right", None, "", 60, None),
            ("picc_line", "arms", "right", None, "", 30, None),
        ],
        "clearance": ("Dr. Helen Ito (oncology)", 20, ""),
        "team": ["tara"],
    },
]


def _born(today, years, month, day):
    return date(today.year - years - (1 if (month, day) > (today.month, today.day) else 0), month, day)


def _symptoms(spec):
    places = {}
    for region, (side, codes) in spec.items():
        for one_side in ("left", "right") if side == "both" else (side,):
            places[(region, one_side)] = set(codes)
    return clean_symptoms(places)


def seed_clients(therapists, recorded_by=None, today=None):
    """Create the demo clients that are not there yet; return their names.

    `therapists` maps the usernames of DEMO_CLIENTS ("tara", "sam") to users; the history shows
    `recorded_by` as the author of every record.
    """
    today = today or timezone.localdate()
    created = []
    with transaction.atomic():
        for number, spec in enumerate(DEMO_CLIENTS, start=1):
            external_id = f"DEMO-{number:03d}"
            if Client.objects.filter(external_id=external_id).exists():
                continue
            first, last = spec["name"]
            client = Client(
                external_id=external_id,
                first_name=first,
                last_name=last,
                date_of_birth=_born(today, *spec["born"]),
                phone=f"555-01{number:02d}",
                email=f"{first.lower()}.{last.lower().replace(chr(39), '')}@example.com",
                emergency_contact=f"Family contact, 555-02{number:02d}",
                referring_physician=(spec["clearance"] or ("Dr. Samuel Grant",))[0],
                consented_on=today - timedelta(days=30 + 11 * number),
                neuropathy_type=spec["type"],
                diagnosed_on=today - timedelta(days=365 * spec["diagnosed"] + 40 + number),
                contributing_causes=clean_causes(spec.get("causes", [])),  # in the order the forms keep
                symptoms=_symptoms(spec["symptoms"]),
            )
            client._history_user = recorded_by
            client.save()
            client.care_team.set([therapists[name] for name in spec["team"]])
            _seed_record(client, spec, recorded_by, today)
            if spec.get("archived"):
                client.archived_at = timezone.now()
                client.archived_by = recorded_by
                client.save(update_fields=["archived_at", "archived_by", "updated_at"])
            created.append(client.full_name)
    return created


def _seed_record(client, spec, recorded_by, today):
    """The demo client's conditions, each checked as a form would, and clearance."""
    for code, location, side, value, detail, noted, resolved in spec["conditions"]:
        location, side, errors = check_condition(code, location, side, value)
        if errors:
            raise ValueError(f"demo client {client.external_id}, {code}: {errors}")
        condition = Condition(
            client=client,
            code=code,
            location=location,
            side=side,
            value=value,
            detail=detail,
            noted_on=today - timedelta(days=noted),
            resolved_on=today - timedelta(days=resolved) if resolved is not None else None,
        )
        condition._history_user = recorded_by
        condition.save()
    if spec["clearance"]:
        physician, days, restrictions = spec["clearance"]
        clearance = PhysicianClearance(
            client=client,
            physician=physician,
            cleared_on=today - timedelta(days=days),
            restrictions=restrictions,
        )
        clearance._history_user = recorded_by
        clearance.save()


# The measures story of one DPN client: three monofilament tests (all felt; the left first
# metatarsal head not felt; all felt again, the resolution offered but left for the therapist to
# confirm) and three MNSI questionnaires. (days ago, sites not felt) and (days ago, "yes" answers).
MEASURES_CLIENT = "DEMO-019"
MONOFILAMENT_STORY = [(84, []), (42, [("left", "met1")]), (4, [])]
MNSI_STORY = [(86, [1, 2, 5, 11, 12]), (45, [1, 2, 5, 8, 11, 12]), (3, [1, 2, 5, 8, 11])]


def seed_assessments(therapist, today=None):
    """Record the measures story once; returns how many tests and questionnaires were created."""
    from .assessments import MONOFILAMENT_SITES, MnsiQuestionnaire, mnsi_score, record_monofilament

    today = today or timezone.localdate()
    client = Client.objects.filter(external_id=MEASURES_CLIENT).first()
    if client is None or client.monofilament_tests.exists():
        return 0
    with transaction.atomic():
        for days, lost in MONOFILAMENT_STORY:
            answers = {
                (foot, site): {"tested": True, "real_1": (foot, site) not in lost, "real_2": False, "sham": False}
                if (foot, site) in lost
                else {"tested": True, "real_1": True, "real_2": True, "sham": False}
                for foot in ("right", "left")
                for site in MONOFILAMENT_SITES
            }
            record_monofilament(
                client,
                tested_on=today - timedelta(days=days),
                performed_by="therapist",
                therapist=therapist,
                clinician="",
                notes="",
                answers=answers,
                recorded_by=therapist,
            )
        for days, yes in MNSI_STORY:
            flags = [number in yes for number in range(1, 16)]
            MnsiQuestionnaire.objects.create(
                client=client,
                answered_on=today - timedelta(days=days),
                how="read_aloud",
                answers=flags,
                score=mnsi_score(flags),
                entered_by=therapist,
            )
    return len(MONOFILAMENT_STORY) + len(MNSI_STORY)
