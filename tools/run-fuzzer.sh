#!/usr/bin/env bash
# run-fuzzer.sh BINARY SEED_CORPUS SECONDS — runs a libFuzzer target for a
# bounded time on a scratch copy of its committed seed corpus (new inputs it
# finds never touch the tree). Exits non-zero on any crash, leak or timeout.
set -euo pipefail
bin="$1"; seeds="$2"; secs="$3"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
cp -r "$seeds"/. "$work/corpus/" 2>/dev/null || true
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" 2>&1 | tail -n 15
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
  echo "fuzzer $bin failed (rc=$rc); crashing inputs:"; ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null || true
  for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do [ -f "$f" ] && xxd "$f" | head -20; done
fi
exit "$rc"
