#!/usr/bin/env bash
# The participatory-budgeting benchmarks of issue 9, on SQLite (and PostgreSQL beside it
# when PG_URL is set):
#   1. `commune import round` of Łódź 2022 (160 projects, 90,494 ballots): target < 10 s;
#   2. its results page once counted, over loopback: target < 100 ms.
#
#   scripts/bench-round.sh            (PG_URL=postgres://postgres@127.0.0.1:5432 to add PostgreSQL)
# Needs curl and GNU time (`apt-get install curl time`).
set -euo pipefail
cd "$(dirname "$0")/.."

file="${PB_FILE:-tests/data/Poland_Lodz_2022.pb}"
tmp="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
peak() { awk -F': ' '/Maximum resident set size/ { print $2 }' "$1"; }

echo "== building commune (release)"
cargo build --release --locked --bin commune
bin=target/release/commune

bench() {
  local label="$1" url="$2"
  export COMMUNE_DATABASE_URL="$url"
  "$bin" seed >/dev/null
  echo "== $label: commune import round $(basename "$file"), 3 runs"
  local best="" round=""
  for i in 1 2 3; do
    /usr/bin/time -v -o "$tmp/import.time" "$bin" import round --commune dakar-plateau "$file" >"$tmp/out" 2>"$tmp/err"
    round=$(sed -n 's/^round //p' "$tmp/out")
    local s; s=$(wall "$tmp/import.time")
    printf '   run %d: %6.2f s, peak %d MB (round %s)\n' "$i" "$s" $(( $(peak "$tmp/import.time") / 1024 )) "$round"
    if [ -z "$best" ] || awk "BEGIN { exit !($s < $best) }"; then best=$s; fi
  done
  printf '   best: %.2f s (target < 10 s)\n' "$best"

  echo "== $label: the results page of round $round, 50 requests after 3 to warm up"
  local port=$(( 20000 + RANDOM % 20000 ))
  COMMUNE_BIND="127.0.0.1:$port" RUST_LOG=warn "$bin" serve >"$tmp/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  local page="http://127.0.0.1:$port/dakar-plateau/rounds/$round"
  for _ in 1 2 3; do curl -sf -o /dev/null "$page"; done
  for _ in $(seq 50); do curl -sf -o /dev/null -w '%{time_total}\n' "$page"; done | sort -n >"$tmp/times"
  local size; size=$(curl -sf -o /dev/null -w '%{size_download}' "$page")
  local gz; gz=$(curl -sf -o /dev/null -H 'Accept-Encoding: gzip' -w '%{size_download}' "$page")
  awk -v size="$size" -v gz="$gz" '{ t[NR] = $1 * 1000 } END {
    printf "   median %.1f ms, p90 %.1f ms, max %.1f ms (target < 100 ms); %d KB, %d KB gzipped\n",
      t[int(NR / 2) + 1], t[int(NR * 0.9)], t[NR], size / 1024, gz / 1024 }' "$tmp/times"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

bench "SQLite" "sqlite://$tmp/bench.db"
if [ -n "${PG_URL:-}" ]; then
  db="bench_round_$$"
  psql "$PG_URL/postgres" -qc "CREATE DATABASE $db" >/dev/null
  bench "PostgreSQL" "$PG_URL/$db"
  psql "$PG_URL/postgres" -qc "DROP DATABASE $db" >/dev/null
fi
