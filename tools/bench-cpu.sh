#!/usr/bin/env bash
# The CPU decode benchmarks of docs/performance/engine-quant.md, run
# interleaved: every round runs the previous build (BASE, a zaya-bench
# binary of the tree before a change) and this one back to back, so both see
# the same machine. The 8B-shape synthetic packs are written once into the
# cache (~5 GB each). Every run's JSON and log go to OUT.
#
#   tools/bench-cpu.sh BUILD_DIR [BASE_ZAYA_BENCH] [OUT]
#
# Sets: context 128 (q4, default; AVX-512 and AVX2) × 3 rounds, a 4096-token
# generation after a 300-token prompt × 3 (q4) + default + AVX2, context
# 8192 × 3 (+ base × 2, + AVX2). About 45 minutes on a 2-core machine.
set -u
build=${1:?usage: tools/bench-cpu.sh BUILD_DIR [BASE_ZAYA_BENCH] [OUT]}
base=${2:-}
out=${3:-bench-cpu}
new="$build/bin/zaya-bench"
mkdir -p "$out"
run() {  # name, binary, cpu level, zaya-bench arguments...
  local name=$1 bin=$2 level=$3
  shift 3
  [ -x "$bin" ] || return 0
  echo "=== $(date +%T) $name (load $(cut -d' ' -f1 /proc/loadavg))"
  ZAYA_CPU_LEVEL=$level "$bin" --synthetic zaya1-8b --device cpu --threads 2 "$@" --json "$out/$name.json" >"$out/$name.log" 2>&1
  grep -E '^(decode|generate|prefill|         )' "$out/$name.log"
}
for q in q4 default; do  # write the packs first, untimed
  "$new" --synthetic zaya1-8b --quant $q --device cpu --threads 2 --context 8 --decode-tokens 2 --prompt 8 >/dev/null 2>&1
done
for r in 1 2 3; do
  run c128-base-q4-r$r "$base" avx512 --quant q4 --context 128
  run c128-new-q4-r$r "$new" avx512 --quant q4 --context 128 --profile
  run c128-new-default-r$r "$new" avx512 --quant default --context 128
  run c128-base-q4-avx2-r$r "$base" avx2 --quant q4 --context 128
  run c128-new-q4-avx2-r$r "$new" avx2 --quant q4 --context 128
  run c128-new-default-avx2-r$r "$new" avx2 --quant default --context 128
done
for r in 1 2 3; do
  run gen-new-q4-r$r "$new" avx512 --quant q4 --prompt 300 --generate 4096 --context 8 --decode-tokens 2
done
run gen-new-default-r1 "$new" avx512 --quant default --prompt 300 --generate 4096 --context 8 --decode-tokens 2
run gen-new-q4-avx2-r1 "$new" avx2 --quant q4 --prompt 300 --generate 4096 --context 8 --decode-tokens 2
for r in 1 2 3; do
  run c8192-new-q4-r$r "$new" avx512 --quant q4 --context 8192 --decode-tokens 16
  [ "$r" -le 2 ] && run c8192-base-q4-r$r "$base" avx512 --quant q4 --context 8192 --decode-tokens 16
done
run c8192-new-q4-avx2-r1 "$new" avx2 --quant q4 --context 8192 --decode-tokens 16
echo "=== $(date +%T) done: $out"
