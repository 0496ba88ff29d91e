"""Seed the protocol library: neuropathy types, sources, the condition catalogue, the four templates.

The data is copied here as literals on purpose: a migration must give the same library on
every database, whatever the app's code says later. Texts follow shared/clinical/RULES.md.
"""

from django.db import migrations
from django.utils import timezone

TYPES = [
    {
        "code": "DPN",
        "name": "Diabetic peripheral neuropathy",
        "description": "Nerve damage caused by diabetes. It usually starts in the toes and feet and climbs slowly, "
        "later reaching the hands, felt as tingling, burning, pins and needles, pain or numbness.",
        "causes": "Years of poorly controlled blood glucose damage the small nerves and the blood vessels that "
        "feed them.",
        "massage_focus": "The client may not feel too much pressure or heat: keep pressure at 2 or lighter where "
        "sensation has changed and use no heat on numb skin. Look at the feet before every session: wounds, "
        "blisters, new findings or a red, hot, swollen foot mean that foot is not massaged and the client is "
        "referred. Keep away from insulin sites and pumps, time the session between insulin doses with fast sugar "
        "at hand, and watch for peripheral artery disease and slow-healing, fragile skin.",
    },
    {
        "code": "CIPN",
        "name": "Chemotherapy-induced peripheral neuropathy",
        "description": "Nerve damage caused by chemotherapy, usually felt first in the fingers and toes as "
        "tingling, numbness, burning or cold sensitivity. It can start during treatment and may last long after it.",
        "causes": "Neurotoxic chemotherapy: platinum drugs (such as oxaliplatin), taxanes, vinca alkaloids, "
        "bortezomib and thalidomide.",
        "massage_focus": "During active chemotherapy the session needs physician clearance and recent blood "
        "counts: low platelets or neutrophils lower the pressure or defer the session, and so do the nadir days "
        "7 to 12 after an infusion and any fever. Keep off ports, PICC lines and radiation fields, protect limbs "
        "whose lymph nodes were removed, keep sessions short when fatigue is high, and use no cold with "
        "oxaliplatin.",
    },
    {
        "code": "IDIOPATHIC",
        "name": "Idiopathic peripheral neuropathy",
        "description": "Peripheral neuropathy for which no cause is found, about 30 % of cases. It is felt like the "
        "other kinds, mostly in the feet and hands.",
        "causes": "No single cause is found. Related causes are recorded as contributing causes: vitamin B12 "
        "deficiency, alcohol, toxins, infections, liver or kidney disease, autoimmune disease, inherited "
        "conditions and medication.",
        "massage_focus": "The same sensory care as the other kinds: gentle pressure where sensation has changed, "
        "no heat on numb skin, and help with balance on and off the table. Check the contributing causes: liver "
        "disease means bruising risk and needs clearance. Sudden, quickly spreading weakness or numbness means no "
        "massage today and an urgent medical assessment.",
    },
]

SOURCES = [
    ('1', 'Diabetic Neuropathy and Massage', 'joyfulrisingspa.com, "Diabetic Neuropathy and Massage" (2024): light to moderate pressure; no deep tissue or hot stones.'),
    ('2', 'Massage and Diabetic Peripheral Neuropathy', 'massagetoday.com article 14483, R. Woods, "Massage and Diabetic Peripheral Neuropathy" (2011).'),
    ('3', 'Massage & Bodywork, 2014', 'Massage & Bodywork, 2014 (massageandbodyworkdigital.com/i/230373/87): wounds, foot findings, fungal infections, drug list.'),
    ('4', 'Hypersensitive areas', 'abmp.com article 770 (Versagi) and massagetoday.com article 14537: start gently on hypersensitive areas.'),
    ('5', 'Peripheral neuropathy impacts patient safety', 'foundationforpn.org, "Peripheral neuropathy impacts patient safety": balance, falls, orthostatic symptoms.'),
    ('6', 'Neuropathy burns', 'Oklahoma State Dept. of Health fact sheet on neuropathy burns; BJGP case series on hot-water-bottle burns.'),
    ('7', 'Oxaliplatin cold sensitivity', 'colontown.org and beatingbowelcancer.org on oxaliplatin cold sensitivity.'),
    ('8', 'Massage for type 1 diabetes: contraindications', 'chpgroup.com, "Massage for type 1 diabetes: contraindications".'),
    ('9', '5 questions for the client with neuropathy', 'tracywalton.com, "5 questions for the client with neuropathy".'),
    ('10', 'Charcot foot', 'AAFP review of Charcot foot; parkerpodiatry.com on signs of Charcot foot.'),
    ('11', 'Elderly clients with diabetes', 'abmp.com article 2678 on elderly clients with diabetes.'),
    ('12', 'Amputation sites', 'chpgroup.com (amputation sites need approval).'),
    ('13', 'Peripheral artery disease', 'abmp.com article 219 (Werner) on peripheral artery disease.'),
    ('14', 'Thrombophlebitis and DVT', 'somatics.de pathology book, thrombophlebitis/DVT.'),
    ('15', 'Massage after venous thromboembolism', 'Ng et al., MD Anderson series on massage after venous thromboembolism (hilarispublisher.com).'),
    ('16', 'Heart failure and lymph drainage', 'Thieme Phlebologie 2018 on decompensated heart failure and lymph drainage; tensegritymassage.com.'),
    ('17', 'Lymphedema risk', 'oncolink.org on lymphedema risk; NLN position on risk reduction.'),
    ('18', 'Gentle pressure in oncology massage', 'massagemag.com, T. Walton, "Gentle pressure in oncology massage".'),
    ('19', 'Anticoagulants and bleeding disorders', 'NCT05433246 eligibility (no anticoagulants); hemaware.org on bleeding disorders.'),
    ('20', 'Pocket Pathology', 'Werner, Pocket Pathology (ABMP): insulin sites, timing, hypoglycaemia.'),
    ('21', 'ADA 15-15 rule', 'ADA 15-15 rule for hypoglycaemia (socalnw.com summary).'),
    ('22', 'Massage during chemotherapy', 'abmp.com article 149, T. Walton, on massage during chemotherapy.'),
    ('23', 'Werner 2021', 'Werner 2021, Massage & Bodywork (massageandbodyworkdigital.com/i/1402696/36).'),
    ('24', 'Preventing infections in cancer patients (CDC)', 'preventcancerinfections.org (CDC): neutropenia, nadir 7-12 days, fever thresholds.'),
    ('25', 'Platelet counts and bleeding', 'oncolink.org on platelet counts; cancer.org on bleeding and low platelets.'),
    ('26', 'Lopez et al. 2022, pilot RCT', 'Lopez et al. 2022, MD Anderson pilot RCT of oncology massage for CIPN (exclusions: platelets < 50,000, ANC < 500).'),
    ('27', 'PICC arm', 'Clinical guidance against compression on a PICC arm (blood pressure cuffs).'),
    ('28', 'Skin in a radiation field', 'polyclinic.com and riversideonline.com on skin in a radiation field.'),
    ('29', 'Medical Conditions and Massage Therapy', 'Walton, Medical Conditions and Massage Therapy (2011): bone metastasis, pressure 1 at most.'),
    ('30', 'Chemotherapy fatigue and anaemia', 'massage-pathology-chronicles.com on chemotherapy fatigue and anaemia.'),
    ('31', 'Deferral reasons', 'tensegritymassage.com (deferral reasons: fever, contagious illness, intoxication).'),
    ('32', 'Acute neuropathy', 'UCSF Hospital Handbook on acute neuropathy (possible Guillain-Barré).'),
    ('33', 'Chatchawan et al. 2015', 'Chatchawan et al. 2015, Thai foot massage in DPN improved balance (Med Sci Monit).'),
    ('34', 'Cirrhosis and massage', 'integrativehealthcare.org on cirrhosis and massage.'),
    ('35', 'Lopez et al. 2022, frequency', 'Lopez et al. 2022 (3 sessions a week better than 2 on PQAS).'),
    ('36', 'Farrar et al. 2001', 'Farrar et al. 2001, Pain: a 2-point or 30 % fall on the 0-10 scale is clinically important.'),
    ('seed', 'Seed article', "The article the planner's rule set was seeded from: remove TENS electrodes and avoid their sites."),
    # The trials behind the templates (RULES.md, "Trials behind the templates").
    ('izgu-2019', 'Izgu et al. 2019', 'Izgu et al. 2019: feet 20 min and hands 10 min of massage before each paclitaxel dose, 12 sessions; less neuropathic pain.'),
    ('nct05433246', 'NCT05433246', 'NCT05433246: forearm-hand 20 min and lower leg-foot 20 min of effleurage, petrissage and superficial friction, 16 sessions; fewer grade 2-3 neuropathies.'),
    ('cunningham-2011', 'Cunningham et al. 2011', 'Cunningham et al. 2011: effleurage and petrissage of the extremities; CIPN improved from grade 2 to grade 1.'),
]

CONDITIONS = [
    ('loss_of_protective_sensation', 'Loss of protective sensation', 'Failed 10 g monofilament test', 'diabetes', ['feet'], True, False, ''),
    ('open_wound', 'Open wound', 'Open wound, ulcer, blister or skin fissure', 'skin', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('new_foot_finding', 'New foot finding', 'Cold or discoloured tissue, new odour, unnoticed abrasion', 'skin', ['feet'], True, False, ''),
    ('charcot_suspected', 'Suspected Charcot foot', 'Red, hot, swollen foot', 'diabetes', ['feet'], True, False, ''),
    ('fungal_infection', 'Fungal infection', 'Fungal skin or nail infection', 'skin', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('fragile_skin', 'Fragile skin', 'Thin, easily torn skin (age, steroids)', 'skin', ['whole_body'], False, False, ''),
    ('amputation', 'Amputation', 'Amputated limb or digits', 'general', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('pad', 'Peripheral artery disease', 'Peripheral artery disease, claudication', 'circulation', ['whole_body'], False, False, ''),
    ('dvt_suspected', 'Suspected DVT', 'One-sided calf pain, swelling, warmth, redness', 'circulation', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('vte_history', 'VTE history', 'Treated deep vein thrombosis or embolism', 'circulation', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, True, ''),
    ('edema', 'Edema', 'Swelling of a limb', 'circulation', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('lymphedema', 'Lymphedema', 'Lymphedema of a limb', 'circulation', ['arms', 'legs'], True, False, ''),
    ('node_removal_axillary', 'Axillary lymph node removal', 'Armpit lymph nodes removed or irradiated', 'circulation', ['arms'], True, False, ''),
    ('node_removal_inguinal', 'Inguinal lymph node removal', 'Groin/pelvic lymph nodes removed or irradiated', 'circulation', ['legs'], True, False, ''),
    ('heart_failure', 'Heart failure', 'Heart failure', 'circulation', ['whole_body'], False, False, ''),
    ('anticoagulant', 'Anticoagulant or antiplatelet drug', 'Takes anticoagulant or antiplatelet drugs', 'circulation', ['whole_body'], False, False, ''),
    ('insulin_user', 'Insulin user', 'Uses insulin or sulfonylureas (hypoglycaemia risk)', 'diabetes', ['whole_body'], False, False, ''),
    ('insulin_site', 'Insulin injection site', 'Current insulin injection site', 'diabetes', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('insulin_pump', 'Insulin pump', 'Insulin pump or glucose sensor site', 'diabetes', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('poor_glycemic_control', 'Poor glycaemic control', 'Poorly controlled diabetes, large glucose swings', 'diabetes', ['whole_body'], False, False, ''),
    ('active_chemo', 'Active chemotherapy', 'In active chemotherapy', 'oncology', ['whole_body'], False, False, ''),
    ('oxaliplatin_course', 'Oxaliplatin course', 'Receiving oxaliplatin (cold-triggered symptoms)', 'oncology', ['whole_body'], False, False, ''),
    ('chemo_infusion', 'Chemotherapy infusion', 'A chemotherapy infusion, noted on its date', 'oncology', ['whole_body'], False, False, ''),
    ('platelet_count', 'Platelet count', 'Lab result, platelets per µL, noted on the lab date', 'oncology', ['whole_body'], False, False, 'platelets/µL'),
    ('anc', 'Neutrophil count (ANC)', 'Lab result, absolute neutrophil count per µL, noted on the lab date', 'oncology', ['whole_body'], False, False, 'neutrophils/µL'),
    ('port', 'Implanted port', 'Implanted port', 'oncology', ['chest', 'abdomen', 'arms'], True, False, ''),
    ('picc_line', 'PICC line', 'PICC line or IV cannula', 'oncology', ['arms'], True, False, ''),
    ('radiation_field', 'Radiation field', 'Skin in a current or recent radiation field', 'skin', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('bone_metastasis', 'Bone metastasis', 'Cancer in bone', 'oncology', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('cancer_fatigue', 'Cancer fatigue', 'Cancer-related fatigue or anaemia', 'oncology', ['whole_body'], False, False, ''),
    ('fever', 'Fever', 'Temperature 38 °C / 100.4 °F or above', 'general', ['whole_body'], False, False, ''),
    ('active_infection', 'Active infection', 'Acute infection or contagious illness', 'general', ['whole_body'], False, False, ''),
    ('intoxicated', 'Intoxicated', 'Under the influence of alcohol or drugs', 'general', ['whole_body'], False, False, ''),
    ('rapid_progression', 'Rapid progression', 'Sudden, quickly ascending weakness or numbness', 'general', ['whole_body'], False, False, ''),
    ('fall_risk', 'Fall risk', 'Balance deficit, falls, dizziness on standing', 'general', ['whole_body'], False, False, ''),
    ('liver_disease', 'Liver disease', 'Liver disease with bruising, jaundice or ascites', 'general', ['whole_body'], False, False, ''),
    ('topical_anesthetic', 'Topical anaesthetic', 'Lidocaine or capsaicin patch or cream', 'general', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
    ('neuropathic_pain_medication', 'Neuropathic pain medication', 'Pregabalin, gabapentin, duloxetine, opioids', 'general', ['whole_body'], False, False, ''),
    ('tens_unit', 'TENS unit', 'Uses a TENS unit; electrodes placed on the body', 'general', ['arms', 'hands', 'legs', 'feet', 'chest', 'abdomen', 'back', 'head_neck'], True, False, ''),
]

TEMPLATES = [
    {
        "key": 'arms-standard',
        "name": 'Arms: circulation and mobility',
        "region": 'arms',
        "goal": 'Ease tension in the forearm and upper arm, support blood flow and keep the wrist and elbow moving.',
        "position": 'Supine or semi-reclined, the arm supported on a pillow.',
        "sources": ['nct05433246', 'cunningham-2011', '18'],
        "steps": [
            ('still hold', 1, 1, 'Supine or semi-reclined, arm on a pillow. Hold at the wrist and elbow.'),
            ('effleurage', 3, 3, 'Effleurage from the wrist to the shoulder.'),
            ('petrissage', 3, 3, 'Petrissage of the forearm, then the upper arm.'),
            ('friction', 1, 2, 'Light friction around the elbow and wrist.'),
            ('joint movement', 1, 1, 'Gentle wrist and elbow movement.'),
            ('effleurage', 1, 2, 'Closing effleurage.'),
        ],
    },
    {
        "key": 'hands-standard',
        "name": 'Hands: sensation and dexterity',
        "region": 'hands',
        "goal": 'Ease tingling and stiffness in the hand and keep the fingers and wrist moving.',
        "position": 'Seated or supine, the hand resting on a folded towel.',
        "sources": ['izgu-2019', 'nct05433246', 'cunningham-2011'],
        "steps": [
            ('still hold', 1, 1, 'Hand on a folded towel. Inspect the skin and nails, then a still hold.'),
            ('effleurage', 2, 2, 'Effleurage of the palm and the back of the hand.'),
            ('thumb circles', 2, 2, 'Thumb circles over the palm.'),
            ('traction', 2, 2, 'Each finger from base to tip, with gentle traction.'),
            ('kneading', 1, 2, 'Kneading between the hand bones.'),
            ('joint movement', 1, 1, 'Gentle finger and wrist movement.'),
            ('effleurage', 1, 2, 'Closing effleurage up to the elbow.'),
        ],
    },
    {
        "key": 'legs-standard',
        "name": 'Legs: circulation and mobility',
        "region": 'legs',
        "goal": 'Ease tension in the calf and shin, support blood flow and keep the ankle moving.',
        "position": 'Supine with a bolster under the knees.',
        "sources": ['nct05433246', '26', 'cunningham-2011', '14'],
        "steps": [
            ('still hold', 1, 1, 'Supine with a knee bolster. Ask about one-sided calf pain, then hold.'),
            ('effleurage', 3, 3, 'Effleurage from the ankle to the knee.'),
            ('petrissage', 3, 3, 'Petrissage of the calf and shin.'),
            ('friction', 1, 2, 'Light friction around the ankle bones and the Achilles tendon.'),
            ('joint movement', 1, 1, 'Ankle circles and flexing.'),
            ('effleurage', 1, 2, 'Closing effleurage.'),
        ],
    },
    {
        "key": 'feet-standard',
        "name": 'Feet: circulation and sensation',
        "region": 'feet',
        "goal": 'Check the skin of the whole foot, then ease burning, tingling and numbness and support blood flow and balance.',
        "position": 'Supine, the heel resting on a towel.',
        "sources": ['izgu-2019', '26', '33', '9', '3'],
        "steps": [
            ('inspection', 2, 0, 'Supine, heel on a towel. Inspect the top, sole, heels and between the toes; compare the colour and warmth of both feet.'),
            ('still hold', 1, 1, 'Still hold.'),
            ('effleurage', 2, 2, 'Effleurage of the sole and top, toward the ankle.'),
            ('thumb kneading', 3, 2, 'Thumb kneading of the sole, avoiding calluses.'),
            ('friction', 1, 2, 'Light friction around the ankle bones and the edges of the foot.'),
            ('traction', 2, 2, 'Each toe with gentle traction.'),
            ('joint movement', 1, 1, 'Ankle and toe movement.'),
            ('effleurage', 1, 2, 'Closing effleurage; wipe the sole and dry between the toes.'),
        ],
    },
]

# Printed with every template: it holds for every region and every step.
ALWAYS = (
    "Look at the skin first. Use a room-temperature, unscented lubricant. Ask about sensation every few "
    "minutes. Stroke away from the fingers and toes, toward the body."
)


def seed_library(apps, schema_editor):
    NeuropathyType = apps.get_model("protocols", "NeuropathyType")
    Source = apps.get_model("protocols", "Source")
    ConditionKind = apps.get_model("protocols", "ConditionKind")
    ProtocolTemplate = apps.get_model("protocols", "ProtocolTemplate")
    TemplateStep = apps.get_model("protocols", "TemplateStep")
    TemplateVersion = apps.get_model("protocols", "TemplateVersion")

    for n, fields in enumerate(TYPES, start=1):
        NeuropathyType.objects.create(display_order=n, **fields)
    sources = {}
    for n, (key, title, citation) in enumerate(SOURCES, start=1):
        sources[key] = Source.objects.create(key=key, title=title, citation=citation, display_order=n)
    for n, (code, label, meaning, group, locations, needs_side, location_optional, unit) in enumerate(
        CONDITIONS, start=1
    ):
        ConditionKind.objects.create(
            code=code,
            label=label,
            meaning=meaning,
            group=group,
            locations=locations,
            needs_side=needs_side,
            location_optional=location_optional,
            value_unit=unit,
            display_order=n,
        )

    now = timezone.now()
    for spec in TEMPLATES:
        template = ProtocolTemplate.objects.create(
            key=spec["key"],
            name=spec["name"],
            region=spec["region"],
            neuropathy_type=None,
            goal=spec["goal"],
            position=spec["position"],
            notes=ALWAYS,
            version=1,
            is_active=True,
        )
        template.sources.set([sources[key] for key in spec["sources"]])
        steps = []
        for order, (technique, minutes, pressure, instruction) in enumerate(spec["steps"], start=1):
            TemplateStep.objects.create(
                template=template,
                order=order,
                technique=technique,
                minutes=minutes,
                pressure=pressure,
                instruction=instruction,
            )
            steps.append(
                {
                    "order": order,
                    "technique": technique,
                    "minutes": minutes,
                    "pressure": pressure,
                    "instruction": instruction,
                }
            )
        snapshot = {
            "key": spec["key"],
            "name": spec["name"],
            "region": spec["region"],
            "neuropathy_type": None,
            "goal": spec["goal"],
            "position": spec["position"],
            "notes": ALWAYS,
            "is_active": True,
            "sources": sorted(spec["sources"]),
            "steps": steps,
        }
        TemplateVersion.objects.create(
            template=template, version=1, snapshot=snapshot, summary="First version of the library", edited_at=now
        )


def remove_library(apps, schema_editor):
    for name in ("TemplateVersion", "TemplateStep", "ProtocolTemplate", "ConditionKind", "Source", "NeuropathyType"):
        apps.get_model("protocols", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("protocols", "0001_initial")]

    operations = [migrations.RunPython(seed_library, remove_library)]
