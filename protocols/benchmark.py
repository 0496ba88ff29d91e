"""Time the planning engine on a heavy client: python -m protocols.benchmark [--proposals N].

A client with 20 active conditions of mixed kinds and symptoms everywhere, planned on all eight
region/sides with the four default templates. Pure, like the engine: no Django needed.
"""

import argparse
import statistics
import time
from datetime import date, timedelta

from protocols.default_templates import DEFAULT_TEMPLATES
from protocols.engine import ClientFacts, ConditionFact, propose
from protocols.vocabulary import REGIONS, SIDES

PLAN_DATE = date(2026, 11, 20)


def _noted(days_ago, code, location=None, side=None, value=None, detail=""):
    return ConditionFact(
        code=code,
        noted_on=PLAN_DATE - timedelta(days=days_ago),
        location=location,
        side=side,
        value=value,
        detail=detail,
    )


def heavy_client():
    """A client whose facts touch most kinds of rule: region, limb, session, labs and variants."""
    conditions = (
        _noted(30, "loss_of_protective_sensation", "feet", "both"),
        _noted(19, "open_wound", "feet", "left", detail="heel"),
        _noted(12, "fungal_infection", "feet", "right", detail="toenails"),
        _noted(60, "edema", "legs", "left"),
        _noted(400, "node_removal_axillary", "arms", "right"),
        _noted(200, "anticoagulant"),
        _noted(300, "insulin_user"),
        _noted(5, "insulin_site", "abdomen", "both"),
        _noted(90, "active_chemo"),
        _noted(90, "oxaliplatin_course"),
        _noted(9, "chemo_infusion"),
        _noted(2, "platelet_count", value=62_000),
        _noted(2, "anc", value=1_400),
        _noted(90, "port", "chest", "right"),
        _noted(40, "radiation_field", "chest", "left"),
        _noted(20, "bone_metastasis", "back", "both"),
        _noted(14, "cancer_fatigue"),
        _noted(100, "fall_risk"),
        _noted(7, "topical_anesthetic", "hands", "left"),
        _noted(50, "neuropathic_pain_medication"),
    )
    symptoms = {
        (region, side): frozenset({"tingling", "numbness", "cold_sensitivity"}) for region in REGIONS for side in SIDES
    }
    return ClientFacts(
        client_id=1,
        neuropathy_type="CIPN",
        plan_date=PLAN_DATE,
        symptoms=symptoms,
        contributing_causes=frozenset({"medication"}),
        conditions=conditions,
        clearance_date=PLAN_DATE - timedelta(days=100),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=2_000, help="proposals per timed repeat")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    facts = heavy_client()
    regions = [(region, side) for region in REGIONS for side in SIDES]
    assert sum(1 for c in facts.conditions if c.resolved_on is None) == 20

    for _ in range(200):  # warm-up: imports, caches, branch paths
        propose(facts, regions, DEFAULT_TEMPLATES)

    per_proposal = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        for _ in range(args.proposals):
            propose(facts, regions, DEFAULT_TEMPLATES)
        per_proposal.append((time.perf_counter() - started) / args.proposals * 1_000_000)

    proposal = propose(facts, regions, DEFAULT_TEMPLATES)
    notes = len(proposal["session"]["notes"]) + sum(len(item["notes"]) for item in proposal["regions"])
    print(
        f"propose(): median {statistics.median(per_proposal):.0f} µs per proposal "
        f"(min {min(per_proposal):.0f}, max {max(per_proposal):.0f}; "
        f"{args.repeats} repeats x {args.proposals} proposals; "
        f"20 active conditions, {len(regions)} region/sides, {notes} notes per proposal)"
    )


if __name__ == "__main__":
    main()
