# Shared set-up of the benchmark scripts (sourced, not run): builds Haven
# and the load generator into a temporary folder, sets the demo's key and
# password, and defines run_haven.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/haven" ./cmd/haven
go build -o "$work/havenload" ./cmd/havenload
key=bench-key-xinxiang-2026
export HAVEN_DEMO_API_KEY=$key HAVEN_DEMO_PASSWORD=bench-password-1 HAVEN_PARTNER_RATE=100000000 HAVEN_LOG_LEVEL=warn

# run_haven CMD PORT starts "haven CMD" (demo or serve) in the background on
# PORT and waits until it is ready; the environment picks the database.
# haven_pid is the server's process id (for havenload -server-pid).
run_haven() {
  "$work/haven" "$1" --data "$work/data-$2" --addr "127.0.0.1:$2" >"$work/haven-$2.log" 2>&1 &
  haven_pid=$!
  for _ in $(seq 1 240); do curl -fs "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && return; sleep 0.5; done
  echo "haven did not start"; cat "$work/haven-$2.log"; exit 1
}
