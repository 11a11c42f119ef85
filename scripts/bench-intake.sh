#!/usr/bin/env bash
# Intake benchmark (BENCHMARKS.md): starts Haven on a fresh data folder
# (SQLite, default durability), loads it with cmd/havenload at 1,000
# signals/s and at full speed, measures the raw SQLite insert baseline on
# the same disk, then does the same on PostgreSQL when it answers. At
# 1,000/s a server just started is first warmed for 3 s at that rate
# (reported on a line of its own, not counted in the run).
#
# Usage: scripts/bench-intake.sh [seconds]     (default 15)
secs=${1:-15}
source "$(dirname "$0")/bench-setup.sh"

echo "== SQLite ($(go env GOOS)/$(go env GOARCH), $(nproc) cores)"
run_haven demo 18190
"$work/havenload" -url http://127.0.0.1:18190 -key $key -rate 1000 -warmup 3s -duration "${secs}s" -label "sqlite, 1000/s" -server-pid $haven_pid
"$work/havenload" -url http://127.0.0.1:18190 -key $key -rate 0 -workers 256 -duration "${secs}s" -label "sqlite, full speed (256 senders)" -server-pid $haven_pid -baseline "$work/data-18190"
kill %1; wait %1 2>/dev/null || true

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  db=haven_bench_$$
  psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $db" >/dev/null
  trap 'kill $(jobs -p) 2>/dev/null || true; psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $db" >/dev/null; rm -rf "$work"' EXIT
  echo "== PostgreSQL"
  HAVEN_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable" run_haven demo 18191
  "$work/havenload" -url http://127.0.0.1:18191 -key $key -rate 1000 -warmup 3s -duration "${secs}s" -label "postgres, 1000/s" -server-pid $haven_pid
  "$work/havenload" -url http://127.0.0.1:18191 -key $key -rate 0 -workers 256 -duration "${secs}s" -label "postgres, full speed (256 senders)" -server-pid $haven_pid
  kill %2 2>/dev/null || true
fi
