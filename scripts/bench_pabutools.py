#!/usr/bin/env python3
"""Time one pabutools 1.2.3 count of a .pb file, the way a user would run it.

Usage: python bench_pabutools.py FILE RULE, RULE one of mes, mes-add1e,
mes-add1, greedy-threshold. Prints one JSON object: seconds (parse and
count), selected (project ids). Used by scripts/bench-voting.sh only.
"""
import json
import sys
import time

from pabutools.election import Cost_Sat, Instance, parse_pabulib
from pabutools.rules import exhaustion_by_budget_increase, greedy_utilitarian_welfare, method_of_equal_shares
from pabutools.tiebreaking import TieBreakingRule


def main():
    path, rule = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    instance, profile = parse_pabulib(path)
    votes = {p: profile.approval_score(p) for p in instance}
    # Commune's tie-breaking: lowest cost, then most votes, then id.
    tie = TieBreakingRule(lambda inst, prof, p: (p.cost, -votes[p], p.name))
    mes = {"sat_class": Cost_Sat, "tie_breaking": tie}
    if rule == "mes":
        outcome = method_of_equal_shares(instance, profile, **mes)
    elif rule == "mes-add1e":
        outcome = method_of_equal_shares(instance, profile, voter_budget_increment=1, **mes)
    elif rule == "mes-add1":
        outcome = exhaustion_by_budget_increase(
            instance, profile, method_of_equal_shares, dict(mes),
            exhaustive_stop=False, budget_step=profile.num_ballots())
    elif rule == "greedy-threshold":
        threshold = int(instance.meta["min_project_score_threshold"])
        eligible = Instance([p for p in instance if votes[p] >= threshold], budget_limit=instance.budget_limit)
        outcome = greedy_utilitarian_welfare(eligible, profile, sat_class=Cost_Sat, tie_breaking=tie)
    else:
        sys.exit(f"unknown rule {rule}")
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "selected": [p.name for p in outcome]}))


if __name__ == "__main__":
    main()
