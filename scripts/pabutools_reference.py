#!/usr/bin/env python3
"""Compute reference outcomes with pabutools 1.2.3 for the .pb files in tests/data.

Commune never runs this: it only produced tests/data/pabutools_reference.json,
which the integration tests compare Commune against.

Rules computed (all with the tie-breaking lowest cost, then most votes, then
project id compared as text):
  mes        plain Method of Equal Shares; cost utilities for approval
             ballots, points for cumulative ballots
  greedy     greedy by votes (approval) or points (cumulative), skipping a
             project that does not fit
  phragmen   sequential Phragmen (approval-like ballots only)
  mes_add1e  MES with voter_budget_increment=1 (only for files with fewer
             than 3,000 voters, to keep the run short)

Usage: /work/venv-pabu/bin/python scripts/pabutools_reference.py [tests/data]
"""
import json
import os
import sys
import time

import pabutools
from pabutools.election import (
    parse_pabulib,
    Cost_Sat,
    Additive_Cardinal_Sat,
    AbstractApprovalProfile,
)
from pabutools.election.satisfaction.additivesatisfaction import AdditiveSatisfaction
from pabutools.rules import (
    method_of_equal_shares,
    greedy_utilitarian_welfare,
    sequential_phragmen,
)
from pabutools.tiebreaking import TieBreakingRule


def votes_per_project(instance, profile):
    """Number of voters whose ballot lists each project."""
    votes = {p: 0 for p in instance}
    for ballot in profile:
        for p in ballot:
            votes[p] += profile.multiplicity(ballot)
    return votes


def points_times_cost(instance, profile, ballot, project, precomputed_values):
    """Greedy by points: satisfaction per unit of cost equals the points."""
    if project in ballot:
        return ballot[project] * project.cost
    return 0


class PointsTimesCostSat(AdditiveSatisfaction):
    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, points_times_cost)


def summary(outcome, seconds):
    return {
        "selected": [p.name for p in outcome],
        "cost": str(sum(p.cost for p in outcome)),
        "seconds": round(seconds, 3),
    }


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/data"
    result = {
        "generator": "scripts/pabutools_reference.py",
        "pabutools": pabutools.__version__ if hasattr(pabutools, "__version__") else "1.2.3",
        "tie_breaking": "lowest cost, then most votes, then project id as text",
        "files": {},
    }
    for name in sorted(os.listdir(data_dir)):
        if not name.endswith(".pb"):
            continue
        instance, profile = parse_pabulib(os.path.join(data_dir, name))
        n_voters = profile.num_ballots()
        multi = profile.as_multiprofile()
        votes = votes_per_project(instance, multi)
        tie = TieBreakingRule(lambda inst, prof, p: (p.cost, -votes[p], p.name))
        approval = isinstance(profile, AbstractApprovalProfile)
        mes_sat = Cost_Sat if approval else Additive_Cardinal_Sat
        greedy_sat = Cost_Sat if approval else PointsTimesCostSat
        entry = {"voters": n_voters, "budget": str(instance.budget_limit), "rules": {}}
        out, s = timed(lambda: method_of_equal_shares(instance, multi, sat_class=mes_sat, tie_breaking=tie))
        entry["rules"]["mes"] = summary(out, s)
        out, s = timed(lambda: greedy_utilitarian_welfare(instance, multi, sat_class=greedy_sat, tie_breaking=tie))
        entry["rules"]["greedy"] = summary(out, s)
        if approval:
            out, s = timed(lambda: sequential_phragmen(instance, multi, tie_breaking=tie))
            entry["rules"]["phragmen"] = summary(out, s)
        if n_voters < 3000:
            out, s = timed(lambda: method_of_equal_shares(
                instance, multi, sat_class=mes_sat, tie_breaking=tie, voter_budget_increment=1))
            entry["rules"]["mes_add1e"] = summary(out, s)
        print(name, {k: (len(v["selected"]), v["cost"], v["seconds"]) for k, v in entry["rules"].items()},
              file=sys.stderr, flush=True)
        result["files"][name] = entry
    out_path = os.path.join(data_dir, "pabutools_reference.json")
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", out_path, file=sys.stderr)


if __name__ == "__main__":
    main()
