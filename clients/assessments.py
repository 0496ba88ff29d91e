"""Outcome measures a therapist records about a client: the 10 g monofilament test and the MNSI
history questionnaire (RULES.md "Outcome measures to record at each session").

They belong to the client record (they import and export with the client document); the
planner reads them for the course progress and the progress letter.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from protocols.versioning import claim_version

from .validators import not_in_future, one_line_of_text, plain_text

# Client's right first, as on every page and sheet.
FEET = ("right", "left")
FOOT_LABELS = {"right": "Right foot", "left": "Left foot"}
MONOFILAMENT_SITES = {
    "hallux": "Hallux (big toe)",
    "met1": "First metatarsal head",
    "met5": "Fifth metatarsal head",
}
# Present when at least this many of the three answers at a site (two real touches, one sham) are correct.
CORRECT_ANSWERS_FOR_PRESENT = 2
# A foot with all of its tested sites present says "protective sensation present" only with this many tested.
SITES_FOR_PRESENT_FOOT = 2
LOPS = "loss_of_protective_sensation"


class Performer(models.TextChoices):
    THERAPIST = "therapist", "The therapist"
    CLINICIAN = "clinician", "The client's clinician (supplied result)"


class SiteResult(models.TextChoices):
    PRESENT = "present", "Present"
    ABSENT = "absent", "Absent"
    NOT_TESTED = "not_tested", "Not tested"


class FootResult(models.TextChoices):
    PRESENT = "present", "Protective sensation present"
    ABSENT = "absent", "Loss of protective sensation"
    TOO_FEW = "too_few", "Too few sites tested to say"
    NOT_TESTED = "not_tested", "Not tested"


def site_result(tested, real_1, real_2, sham):
    """RULES.md: present at a site with at least 2 of 3 correct answers (felt each real touch, "no" to the sham)."""
    if not tested:
        return SiteResult.NOT_TESTED
    correct = int(bool(real_1)) + int(bool(real_2)) + int(not sham)
    return SiteResult.PRESENT if correct >= CORRECT_ANSWERS_FOR_PRESENT else SiteResult.ABSENT


def foot_result(results):
    """The result of one foot from its site results."""
    tested = [result for result in results if result != SiteResult.NOT_TESTED]
    if not tested:
        return FootResult.NOT_TESTED
    if SiteResult.ABSENT in tested:
        return FootResult.ABSENT
    if len(tested) >= SITES_FOR_PRESENT_FOOT:
        return FootResult.PRESENT
    return FootResult.TOO_FEW


class MonofilamentTest(models.Model):
    """A 10 g monofilament test of both feet on one day, with the answers at each plantar site."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="monofilament_tests")
    tested_on = models.DateField("Date of the test", validators=[not_in_future])
    performed_by = models.CharField("Performed by", max_length=10, choices=Performer.choices)
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    clinician = models.CharField(
        "Clinician",
        max_length=200,
        blank=True,
        validators=[one_line_of_text],
        help_text="Who performed a supplied test, e.g. Dr. Anika Shah.",
    )
    notes = models.TextField(blank=True, validators=[plain_text])
    # The loss_of_protective_sensation condition each foot's absent result created or confirmed.
    right_condition = models.ForeignKey(
        "clients.Condition", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    left_condition = models.ForeignKey(
        "clients.Condition", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tested_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(performed_by__in=Performer.values), name="monofilament_performer_valid"),
            models.CheckConstraint(
                condition=Q(performed_by=Performer.THERAPIST, therapist__isnull=False)
                | (Q(performed_by=Performer.CLINICIAN) & ~Q(clinician="")),
                name="monofilament_performer_named",
            ),
        ]
        indexes = [
            # The client page, the export and the letter: a client's tests by date.
            models.Index(fields=["client", "tested_on"], name="monofilament_client_date"),
        ]

    def __str__(self):
        return f"Monofilament test of {self.tested_on:%d %b %Y}"

    @property
    def performer(self):
        if self.performed_by == Performer.CLINICIAN:
            return f"{self.clinician} (supplied)"
        return self.therapist.get_full_name() or self.therapist.username if self.therapist else ""

    def sites_of(self, foot):
        """The foot's sites in hallux, met1, met5 order (uses a prefetch of sites when there is one)."""
        order = list(MONOFILAMENT_SITES)
        return sorted((s for s in self.sites.all() if s.foot == foot), key=lambda s: order.index(s.site))

    def result_of(self, foot):
        return self.foot_summary(foot)["result"]

    def felt_count(self, foot):
        return self.foot_summary(foot)["felt"]

    def tested_count(self, foot):
        return self.foot_summary(foot)["tested"]

    def is_unreliable(self, foot):
        """RULES.md: the sham was answered "yes" at every site tested on this foot (repeat the test)."""
        return self.foot_summary(foot)["unreliable"]

    def condition_of(self, foot):
        return self.right_condition if foot == "right" else self.left_condition

    def feet(self):
        """One summary per foot, client's right first, for pages and the letter."""
        return [self.foot_summary(foot) for foot in FEET]

    def foot_summary(self, foot):
        """What the test found on one foot, from its sites read once: its result, sites felt and tested,
        whether it is unreliable, the sites, and how many said "yes" to the sham."""
        sites = self.sites_of(foot)
        result = foot_result([site.result for site in sites])
        tested = [site for site in sites if site.tested]
        return {
            "foot": foot,
            "label": FOOT_LABELS[foot],
            "result": result,
            "result_label": FootResult(result).label,
            "felt": sum(site.result == SiteResult.PRESENT for site in sites),
            "tested": sum(site.result != SiteResult.NOT_TESTED for site in sites),
            "unreliable": bool(tested) and all(site.sham for site in tested),
            "sites": sites,
            "sham_yes": sum(bool(site.sham) for site in tested),
        }


class MonofilamentSite(models.Model):
    """One plantar site of one foot: the two real touches, the sham, and the result they give."""

    test = models.ForeignKey(MonofilamentTest, on_delete=models.PROTECT, related_name="sites")
    foot = models.CharField(max_length=5, choices=[(f, FOOT_LABELS[f]) for f in FEET])
    site = models.CharField(max_length=10, choices=list(MONOFILAMENT_SITES.items()))
    tested = models.BooleanField(default=True, help_text="False on an ulcer, callus or scar.")
    real_1 = models.BooleanField("First real touch felt", null=True)
    real_2 = models.BooleanField("Second real touch felt", null=True)
    sham = models.BooleanField('"Yes" to the sham touch', null=True)
    result = models.CharField(max_length=10, choices=SiteResult.choices)

    class Meta:
        ordering = ["test", "foot", "site"]
        constraints = [
            models.UniqueConstraint(fields=["test", "foot", "site"], name="monofilament_site_unique"),
            models.CheckConstraint(condition=Q(foot__in=FEET), name="monofilament_site_foot_valid"),
            models.CheckConstraint(condition=Q(site__in=list(MONOFILAMENT_SITES)), name="monofilament_site_valid"),
            models.CheckConstraint(
                condition=Q(
                    tested=True,
                    real_1__isnull=False,
                    real_2__isnull=False,
                    sham__isnull=False,
                    result__in=[SiteResult.PRESENT, SiteResult.ABSENT],
                )
                | Q(tested=False, real_1__isnull=True, real_2__isnull=True, sham__isnull=True, result="not_tested"),
                name="monofilament_site_answers_match_tested",
            ),
        ]

    def __str__(self):
        return f"{self.foot} {self.site}: {self.result}"

    @property
    def label(self):
        return MONOFILAMENT_SITES[self.site]

    @property
    def correct_answers(self):
        if not self.tested:
            return None
        return int(self.real_1) + int(self.real_2) + int(not self.sham)


def active_lops(client, foot, day):
    """The client's loss_of_protective_sensation on that foot active on `day`, if any."""
    from .models import Condition

    return (
        Condition.objects.active_on(day)
        .filter(client=client, code=LOPS, location="feet", side__in=[foot, "both"])
        .order_by("noted_on", "pk")
        .first()
    )


@transaction.atomic
def record_monofilament(client, *, tested_on, performed_by, therapist, clinician, notes, answers, recorded_by):
    """Save a test with its six sites; a foot with an absent site gets loss_of_protective_sensation.

    `answers` maps (foot, site) to a dict with tested, real_1, real_2, sham. A foot that already
    has the condition active on the test date is linked to it rather than given a second one.
    """
    from .models import Client, Condition

    # Measures of one client saved at once wait for each other here: the condition looked for below
    # is not being added by another test meanwhile.
    Client.objects.held(client)
    test = MonofilamentTest.objects.create(
        client=client,
        tested_on=tested_on,
        performed_by=performed_by,
        therapist=therapist if performed_by == Performer.THERAPIST else None,
        clinician=clinician if performed_by == Performer.CLINICIAN else "",
        notes=notes,
        recorded_by=recorded_by,
    )
    sites = []
    for foot in FEET:
        for site in MONOFILAMENT_SITES:
            given = answers[(foot, site)]
            tested = bool(given["tested"])
            sites.append(
                MonofilamentSite(
                    test=test,
                    foot=foot,
                    site=site,
                    tested=tested,
                    real_1=given["real_1"] if tested else None,
                    real_2=given["real_2"] if tested else None,
                    sham=given["sham"] if tested else None,
                    result=site_result(tested, given.get("real_1"), given.get("real_2"), given.get("sham")),
                )
            )
    MonofilamentSite.objects.bulk_create(sites)
    for foot in FEET:
        if foot_result([s.result for s in sites if s.foot == foot]) != FootResult.ABSENT:
            continue
        condition = active_lops(client, foot, tested_on) or Condition.objects.create(
            client=client,
            code=LOPS,
            location="feet",
            side=foot,
            noted_on=tested_on,
            detail="found by a 10 g monofilament test",  # noted on the test's date: the note says it once
        )
        setattr(test, f"{foot}_condition", condition)
    test.save(update_fields=["right_condition", "left_condition"])
    return test


def same_test(client, tested_on, answers):
    """A test of the client on that day with exactly these answers (a form sent twice), or None."""
    for test in MonofilamentTest.objects.filter(client=client, tested_on=tested_on).prefetch_related("sites"):
        recorded = {
            (site.foot, site.site): (site.tested, site.real_1, site.real_2, site.sham) for site in test.sites.all()
        }
        given = {
            key: (
                bool(answer["tested"]),
                *((answer["real_1"], answer["real_2"], answer["sham"]) if answer["tested"] else (None,) * 3),
            )
            for key, answer in answers.items()
        }
        if recorded == given:
            return test
    return None


def resolution_offers(test):
    """The feet where this test shows protective sensation present while the condition is still active.

    RULES.md: at least two sites tested, all present, the foot not unreliable; the therapist
    confirms, never automatic. Returns [(foot, condition)].
    """
    offers = []
    for foot in FEET:
        if test.result_of(foot) != FootResult.PRESENT or test.is_unreliable(foot):
            continue
        condition = active_lops(test.client, foot, test.tested_on)
        # Only a test later than every test that found the loss may end it, and an end already
        # recorded is never moved (a test entered afterwards with an earlier date would rewrite it).
        if condition is None or condition.resolved_on is not None or condition.noted_on > test.tested_on:
            continue
        found_last = MonofilamentTest.objects.filter(**{f"{foot}_condition": condition}).aggregate(
            last=Max("tested_on")
        )["last"]
        if found_last is None or found_last < test.tested_on:
            offers.append((foot, condition))
    return offers


def resolved_from(test, foot):
    """The foot's loss_of_protective_sensation already resolved from this test's date (a confirmation sent twice)."""
    from .models import Condition

    return (
        Condition.objects.filter(client=test.client, code=LOPS, location="feet", side=foot, resolved_on=test.tested_on)
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def resolve_lops(test, foot):
    """Resolve the foot's loss_of_protective_sensation from the test's date (the therapist confirmed)."""
    offered = dict(resolution_offers(test))
    if foot not in offered:
        raise ValueError(
            "This test cannot end that foot's loss of protective sensation: only a test that shows "
            "protective sensation present, later than every test that found the loss, ends a loss "
            "not yet resolved."
        )
    condition = offered[foot]
    if condition.side == "both":
        raise ValueError("The condition is recorded for both feet: edit it on the client page to split it.")
    condition.resolved_on = test.tested_on
    claim_version(condition, condition.version)
    condition.save(update_fields=["resolved_on", "version"])
    return condition


# MNSI history questionnaire, part A (Feldman et al. 1994), in its published wording.
MNSI_QUESTIONS = (
    "Are your legs and/or feet numb?",
    "Do you ever have any burning pain in your legs and/or feet?",
    "Are your feet too sensitive to touch?",
    "Do you get muscle cramps in your legs and/or feet?",
    "Do you ever have any prickling feelings in your legs or feet?",
    "Does it hurt when the bed covers touch your skin?",
    "When you get into the tub or shower, are you able to tell the hot water from the cold water?",
    "Have you ever had an open sore on your foot?",
    "Has your doctor ever told you that you have diabetic neuropathy?",
    "Do you feel weak all over most of the time?",
    "Are your symptoms worse at night?",
    "Do your legs hurt when you walk?",
    "Are you able to sense your feet when you walk?",
    "Is the skin on your feet so dry that it cracks open?",
    "Have you ever had an amputation?",
)
# Question numbers (1-based) scoring a point for "yes", and for "no"; 4 and 10 are not scored.
MNSI_POINT_FOR_YES = frozenset({1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15})
MNSI_POINT_FOR_NO = frozenset({7, 13})
MNSI_MAX_SCORE = len(MNSI_POINT_FOR_YES) + len(MNSI_POINT_FOR_NO)
MNSI_CUT_OFF = 7
# Offered at intake and about every three months, to these neuropathy types (validated in diabetes).
MNSI_TYPES = ("DPN", "IDIOPATHIC")
MNSI_INTERVAL_DAYS = 90


def mnsi_score(answers):
    """Points of 15 yes/no answers (True = yes), 0 to 13, as RULES.md scores them."""
    if len(answers) != len(MNSI_QUESTIONS) or any(not isinstance(a, bool) for a in answers):
        raise ValueError(f"expected {len(MNSI_QUESTIONS)} yes/no answers")
    return sum(
        (number in MNSI_POINT_FOR_YES and answer) or (number in MNSI_POINT_FOR_NO and not answer)
        for number, answer in enumerate(answers, start=1)
    )


def mnsi_wording(score):
    """How every page states a score: a symptom-burden figure, never a diagnosis."""
    return f"score {score} of {MNSI_MAX_SCORE}; {MNSI_CUT_OFF} or more is the screening cut-off used in diabetes"


class HowAnswered(models.TextChoices):
    READ_ALOUD = "read_aloud", "Read aloud to the client"
    PRINTED_FORM = "printed_form", "From the printed form the client filled in"


class MnsiQuestionnaire(models.Model):
    """The client's answers to the MNSI history questions on one day, entered by the therapist."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="mnsi_questionnaires")
    answered_on = models.DateField("Date answered", validators=[not_in_future])
    how = models.CharField("How it was answered", max_length=20, choices=HowAnswered.choices)
    # Fifteen booleans in question order: True is "yes".
    answers = models.JSONField()
    score = models.PositiveSmallIntegerField()
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answered_on", "pk"]
        verbose_name = "MNSI questionnaire"
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=MNSI_MAX_SCORE), name="mnsi_score_0_13"),
            models.CheckConstraint(condition=Q(how__in=HowAnswered.values), name="mnsi_how_valid"),
        ]
        indexes = [
            # The client page, the export and the letter: a client's questionnaires by date.
            models.Index(fields=["client", "answered_on"], name="mnsi_client_date"),
        ]

    def __str__(self):
        return f"MNSI history of {self.answered_on:%d %b %Y}: {self.score} of {MNSI_MAX_SCORE}"

    @property
    def wording(self):
        return mnsi_wording(self.score)

    def rows(self):
        """(number, question, answer "Yes"/"No", point) for each question."""
        return [
            {
                "number": number,
                "question": question,
                "answer": "Yes" if answer else "No",
                "point": (number in MNSI_POINT_FOR_YES and answer) or (number in MNSI_POINT_FOR_NO and not answer),
                "scored": number in MNSI_POINT_FOR_YES or number in MNSI_POINT_FOR_NO,
            }
            for number, (question, answer) in enumerate(zip(MNSI_QUESTIONS, self.answers, strict=True), start=1)
        ]


def mnsi_due(client, latest_on, day=None):
    """A sentence offering the questionnaire when the client's type calls for it and none is recent (the
    latest answered on `latest_on`, None for none); else "". Nothing for an archived client: the record
    is read-only and nobody will offer it."""
    if client.neuropathy_type not in MNSI_TYPES or client.is_archived:
        return ""
    day = day or timezone.localdate()
    if latest_on is None:
        return "No MNSI history questionnaire yet: offer it at intake."
    if (day - latest_on).days >= MNSI_INTERVAL_DAYS:
        return "The last MNSI history questionnaire is three months old or more: offer it again."
    return ""
