#!/usr/bin/env bash
# Scale data set benchmark (BENCHMARKS.md, "Scale data set (issue 16)").
# Fills data folders with 'haven scale' and measures, on them:
#   1. fill time: 3 runs adding 10^4 people and 10^5 signals, then one run
#      of [people] people and [signals] signals into a fresh folder (and
#      10^4 + 10^5 on PostgreSQL when it answers on 127.0.0.1:5432);
#   2. admission (the cases service, as POST /people calls it) and the time
#      until family search proposes the person for a report filed for them,
#      3 runs at 10^3 and at [people] people, in one test run;
#   3. the server's resident memory with [people] people indexed by family
#      search while 8 staff sessions load /station for 30 s.
#
# Usage: scripts/bench-scale.sh [people] [signals]   (default 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
people=${1:-100000}
signals=${2:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HAVEN_DEMO_PASSWORD=bench-scale-password
go build -o "$work/haven" ./cmd/haven
go test -c -o "$work/app.test" ./internal/app/

fill() { # folder people signals seed [more flags]
  local dir=$1 p=$2 s=$3 seed=$4
  shift 4
  "$work/haven" scale --data "$dir" --people "$p" --signals "$s" --seed "$seed" "$@" 2>/dev/null | grep '^Added'
}

echo "== 1. fill ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "-- the demo data set and 10^3 people, 10^4 signals (the 10^3 folder)"
fill "$work/s3" 1000 10000 1
for seed in 2 3 4; do
  cp -r "$work/s3" "$work/f$seed"
  fill "$work/f$seed" 10000 100000 "$seed"
  rm -rf "$work/f$seed"
done
echo "-- $people people, $signals signals into a fresh folder (after the demo data set)"
fill "$work/s5" "$people" "$signals" 1
if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  db=haven_scale_$$
  psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $db" >/dev/null
  trap 'psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $db" >/dev/null; rm -rf "$work"' EXIT
  echo "-- PostgreSQL: 10^4 people, 10^5 signals after the demo data set, then twice more"
  for seed in 1 2 3; do
    fill "$work/pg" 10000 100000 "$seed" --database-url "postgres://postgres@127.0.0.1:5432/$db?sslmode=disable"
  done
fi

echo "== 2. admission and match, 10^3 and $people people"
HAVEN_SCALE_DATA="$work/s3 $work/s5" "$work/app.test" -test.run 'TestScaleAdmission$' -test.v -test.count 1 -test.timeout 2h | grep 'people on file'

echo "== 3. server memory, $people people, 8 concurrent /station views"
HAVEN_SCALE_DATA="$work/s5" "$work/app.test" -test.run 'TestScaleStationMemory$' -test.v -test.count 1 -test.timeout 2h | grep -E 'RSS|live heap'
