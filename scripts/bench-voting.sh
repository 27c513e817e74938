#!/usr/bin/env bash
# Benchmark of the voting engine against pabutools 1.2.3, on the same files
# in one run: Wieliczka 2023 mes-add1, Świecie 2023 mes-add1e, Łódź 2022
# greedy-threshold and mes. pabutools alone takes about four minutes.
#   scripts/bench-voting.sh   (pabutools is installed in PABUTOOLS_VENV, target/pabutools-venv by default)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${PABUTOOLS_VENV:-target/pabutools-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pabutools' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pabutools==1.2.3
fi
cargo build --release --quiet --bin commune
PABUTOOLS_PYTHON="$venv/bin/python" COMMUNE="$PWD/target/release/commune" python3 scripts/bench_voting.py
