#!/usr/bin/env bash
# The import benchmark of issue 4: `commune import taxpayers` on SQLite against the
# sqlite3 shell's bare `.import` of the same file (the floor).
#
#   scripts/bench-import.sh [N]        N rows, 1000000 by default
#   READER=1 scripts/bench-import.sh   also times the CSV reader alone (a release test
#                                      build: several minutes the first time)
#
# Targets: the import within 15 s, at most 3 times the floor, flat memory.
# Needs python3, sqlite3 and GNU time (`apt-get install sqlite3 time`).
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-1000000}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for tool in python3 sqlite3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "GNU time is needed (apt-get install time)" >&2; exit 1; }

# Wall seconds and peak RSS (KiB) from a `/usr/bin/time -v` report.
wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
peak() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }

echo "== building commune (release)"
cargo build --release --locked --bin commune

csv="$tmp/taxpayers.csv"
echo "== generating $N taxpayers"
python3 scripts/gen_taxpayers.py "$N" "$csv"
bytes=$(stat -c %s "$csv")

echo "== a fresh SQLite database with the demo communes"
export COMMUNE_DATABASE_URL="sqlite://$tmp/bench.db"
target/release/commune seed >/dev/null

echo "== commune import taxpayers --commune dakar-plateau"
if ! /usr/bin/time -v -o "$tmp/import.time" \
    target/release/commune import taxpayers --commune dakar-plateau "$csv" >"$tmp/import.out" 2>&1; then
  tail -n 20 "$tmp/import.out" >&2
  echo "the import failed" >&2
  exit 1
fi
tail -n 3 "$tmp/import.out"
imported=$(sqlite3 "$tmp/bench.db" "select count(*) from taxpayers" 2>/dev/null || echo "?")

echo "== sqlite3 .import into a bare table (the floor)"
/usr/bin/time -v -o "$tmp/floor.time" \
  sqlite3 "$tmp/floor.db" ".mode csv" ".import $csv taxpayers_floor"
floor_rows=$(sqlite3 "$tmp/floor.db" "select count(*) from taxpayers_floor")

import_s=$(wall "$tmp/import.time")
floor_s=$(wall "$tmp/floor.time")
echo
echo "rows in the file:        $N ($((bytes / 1000000)) MB)"
echo "rows imported:           $imported (floor table: $floor_rows)"
awk -v n="$N" -v i="$import_s" -v f="$floor_s" -v im="$(peak "$tmp/import.time")" -v fm="$(peak "$tmp/floor.time")" 'BEGIN {
  printf "commune import:          %6.2f s  %9.0f rows/s  peak %7.1f MB\n", i, n / i, im / 1024
  printf "sqlite3 .import (floor): %6.2f s  %9.0f rows/s  peak %7.1f MB\n", f, n / f, fm / 1024
  printf "ratio import / floor:    %6.2f   (target <= 3)\n", i / f
  printf "within 15 s:             %s\n", (i <= 15 ? "yes" : "NO")
}'

if [ "${READER:-0}" = 1 ]; then
  echo
  echo "== the CSV reader alone (release): reading, then reading and field parsing"
  COMMUNE_BENCH_FILE="$csv" COMMUNE_BENCH_READ_ONLY=1 \
    cargo test --release --locked --lib tabular -- --ignored --nocapture 2>/dev/null | grep ' rows '
  COMMUNE_BENCH_FILE="$csv" \
    cargo test --release --locked --lib tabular -- --ignored --nocapture 2>/dev/null | grep ' rows '
fi
