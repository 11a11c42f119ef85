#!/usr/bin/env bash
# Signal → board benchmark (BENCHMARKS.md): a dispatcher's board stream is
# open while probe signals are posted; cmd/havenload -board reports the time
# from each POST returning to its incident's event arriving on the stream.
# Runs idle and under the intake benchmark's load of 1,000 signals/s, on
# SQLite, then on PostgreSQL on one node and across two nodes (signals
# posted to node B, the board watched on node A) when PostgreSQL answers.
#
# Usage: scripts/bench-board.sh [seconds]     (default 15)
secs=${1:-15}
source "$(dirname "$0")/bench-setup.sh"

board() { # $1 = post to, $2 = watch on, $3 = background rate, $4 = label
  "$work/havenload" -board -url "http://127.0.0.1:$1" -board-url "http://127.0.0.1:$2" -key $key -rate "$3" -duration "${secs}s" -label "$4"
  echo
}

echo "== SQLite ($(go env GOOS)/$(go env GOARCH), $(nproc) cores)"
run_haven demo 18290
board 18290 18290 0 "sqlite, idle"
board 18290 18290 1000 "sqlite, under 1000 signals/s"
kill %1; wait %1 2>/dev/null || true

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  db=haven_board_$$
  psql -q -h 127.0.0.1 -U postgres -d test -c "CREATE DATABASE $db" >/dev/null
  trap 'kill $(jobs -p) 2>/dev/null || true; psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS $db" >/dev/null; rm -rf "$work"' EXIT
  export HAVEN_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db?sslmode=disable" HAVEN_ENCRYPTION_KEY_FILE="$work/keys"
  echo "== PostgreSQL"
  run_haven demo 18291
  run_haven serve 18292
  board 18291 18291 0 "postgres, one node, idle"
  board 18291 18291 1000 "postgres, one node, under 1000 signals/s"
  board 18292 18291 0 "postgres, two nodes (post to B, board on A), idle"
  board 18292 18291 1000 "postgres, two nodes (post to B, board on A), under 1000 signals/s"
fi
