#!/usr/bin/env python3
"""Runs pabutools 1.2.3 and `commune tally` on the same files and prints
each time, their ratio and Commune's peak memory. Started by
scripts/bench-voting.sh, which builds Commune and prepares the venv.

Environment: PABUTOOLS_PYTHON (the venv's python), COMMUNE (the binary),
COMMUNE_RUNS (runs of Commune per case, best kept; default 5).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

CASES = [
    ("Poland_Wieliczka_2023_Green_Budget.pb", "mes-add1"),
    ("Poland_Swiecie_2023.pb", "mes-add1e"),
    ("Poland_Lodz_2022.pb", "greedy-threshold"),
    ("Poland_Lodz_2022.pb", "mes"),
]


def timed(cmd):
    """Wall seconds, CPU seconds, peak memory (KB) and stdout of one process."""
    with tempfile.NamedTemporaryFile("r") as stats:
        start = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", stats.name] + cmd,
                             check=True, capture_output=True, text=True)
        wall = time.perf_counter() - start
        user, system, peak = stats.read().split()[-3:]
    return wall, float(user) + float(system), int(peak), out.stdout


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(here, "..", "tests", "data")
    python = os.environ["PABUTOOLS_PYTHON"]
    commune = os.environ["COMMUNE"]
    runs = int(os.environ.get("COMMUNE_RUNS", "5"))
    print(f"{'file':<40} {'rule':<17} {'pabutools':>10} {'commune':>9} {'cpu':>8} {'ratio':>8} {'peak MB':>8}  same")
    for file, rule in CASES:
        path = os.path.join(data, file)
        _, _, _, out = timed([python, os.path.join(here, "bench_pabutools.py"), path, rule])
        pabu = json.loads(out)
        best = None
        for _ in range(runs):
            wall, cpu, peak, out = timed([commune, "tally", path, "--rule", rule, "--json"])
            if best is None or wall < best[0]:
                best = (wall, cpu, peak, out)
        wall, cpu, peak, out = best
        same = sorted(json.loads(out)["selected"]) == sorted(pabu["selected"])
        print(f"{file:<40} {rule:<17} {pabu['seconds']:>9.2f}s {wall:>8.3f}s {cpu:>7.3f}s "
              f"{pabu['seconds'] / wall:>7.0f}x {peak / 1024:>8.1f}  {'yes' if same else 'NO'}", flush=True)
    print("pabutools: parse and count in one Python process (startup excluded); commune: the whole")
    print(f"`commune tally --json` process, best wall time of {runs} runs, with its CPU time and peak RSS.")


if __name__ == "__main__":
    sys.exit(main())
