#!/usr/bin/env bash
# Intake benchmark (BENCHMARKS.md): starts Haven on a fresh data folder
# (SQLite, default durability), loads it with cmd/havenload at 1,000
# signals/s and at full speed, measures the raw SQLite insert baseline on
# the same disk, then does the same on PostgreSQL when it answers.
#
# Usage: scripts/bench-intake.sh [seconds]     (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/haven" ./cmd/haven
go build -o "$work/havenload" ./cmd/havenload
key=bench-key-xinxiang-2026
export HAVEN_DEMO_API_KEY=$key HAVEN_DEMO_PASSWORD=bench-password-1 HAVEN_PARTNER_RATE=100000000 HAVEN_LOG_LEVEL=warn

run_haven() { # $1 = addr; remaining env picks the database
  "$work/haven" demo --data "$work/data-$1" --addr "127.0.0.1:$1" >"$work/haven-$1.log" 2>&1 &
  for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return; sleep 0.5; done
  echo "haven did not start"; cat "$work/haven-$1.log"; exit 1
}

echo "== SQLite ($(go env GOOS)/$(go env GOARCH), $(nproc) cores)"
run_haven 18190
"$work/havenload" -url http://127.0.0.1:18190 -key $key -rate 1000 -duration "${secs}s" -label "sqlite, 1000/s"
"$work/havenload" -url http://127.0.0.1:18190 -key $key -rate 0 -workers 256 -duration "${secs}s" -label "sqlite, full speed (256 senders)" -baseline "$work/data-18190"
kill %1; wait %1 2>/dev/null || true

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  db=haven_bench_$$
  psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $db" >/dev/null
  trap 'kill $(jobs -p) 2>/dev/null || true; psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $db" >/dev/null; rm -rf "$work"' EXIT
  echo "== PostgreSQL"
  HAVEN_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable" run_haven 18191
  "$work/havenload" -url http://127.0.0.1:18191 -key $key -rate 1000 -duration "${secs}s" -label "postgres, 1000/s"
  "$work/havenload" -url http://127.0.0.1:18191 -key $key -rate 0 -workers 256 -duration "${secs}s" -label "postgres, full speed (256 senders)"
  kill %2 2>/dev/null || true
fi
