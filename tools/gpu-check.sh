#!/usr/bin/env bash
# gpu-check.sh — builds the engine for sm_90 with nothing but CMake, a C++
# compiler and nvcc (no Qt, no Debian packages, no ../shared), runs every GPU
# test and the CUDA benchmarks (q4 and q8 at contexts 128, 2048 and 8192,
# 2048-token prefill), and prints one summary table. Meant to finish within
# 10 minutes on one H100.
#
#   tools/gpu-check.sh --prepare   on a development machine: copies the
#                                  header-only deps, GoogleTest's sources and
#                                  the golden vectors into the ignored .deps/
#   tools/gpu-check.sh             on the GPU machine (with .deps/ carried over)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deps="$here/.deps"

prepare() {
  mkdir -p "$deps/nlohmann/include" "$deps/testdata"
  cp -r /usr/include/nlohmann "$deps/nlohmann/include/"
  rm -rf "$deps/googletest"; cp -r /usr/src/googletest "$deps/googletest"
  rm -rf "$deps/testdata/zaya-tiny"; cp -r "$here/../shared/testdata/zaya-tiny" "$deps/testdata/zaya-tiny"
  chmod -R u+w "$deps"
  du -sh "$deps"
}

if [ "${1:-}" = "--prepare" ]; then prepare; exit; fi
[ -d "$deps/googletest" ] || { echo "gpu-check: $deps is missing; run tools/gpu-check.sh --prepare on a development machine first"; exit 2; }

start=$SECONDS
build="${ZAYA_GPU_BUILD_DIR:-$here/build/gpu}"
mkdir -p "$build"
export PATH="$PATH:/usr/local/cuda/bin"
echo "== configure + build (sm_90, engine only) =="
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DZAYA_BUILD_APP=OFF -DZAYA_BUILD_PROBLEMS=OFF \
      -DZAYA_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DZAYA_TESTDATA_DIR="$deps/testdata" \
      $(command -v ninja >/dev/null && echo -G Ninja) >"$build/configure.log" 2>&1 \
  || { cat "$build/configure.log"; exit 1; }
grep -E "^-- ZAYA" "$build/configure.log"
cmake --build "$build" -j "$(nproc)" 2>&1 | grep -E "error|warning: |FAILED" | head -40
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "gpu-check: build failed"; exit 1; }
build_s=$((SECONDS - start))

echo "== devices =="
"$build/bin/zaya-devices"

echo "== tests (engine + GPU) =="
t0=$SECONDS
ctest --test-dir "$build" -LE "bench" -E "tokenizer|Tokenizer|Peer|ChatFormat" --output-on-failure -j 4 2>&1 | tail -30
test_rc=${PIPESTATUS[0]}
test_s=$((SECONDS - t0))

echo "== benchmarks (batch-1 decode at each context, 2048-token prefill) =="
# zaya-bench --device cuda runs a synthetic ZAYA1-8B pack (written once per
# format into its cache); while it has no CUDA path (exit 3) zaya-cuda-bench
# builds the same shapes with random weights in memory instead.
t0=$SECONDS
bench_rc=0
rows=()
tool=zaya-bench
for quant in q4 q8; do
  for ctx in 128 2048 8192; do
    line=""
    if [ "$tool" = zaya-bench ]; then
      out=$(timeout 240 "$build/bin/zaya-bench" --synthetic zaya1-8b --quant "$quant" --device cuda --context "$ctx" \
            --prompt 2048 --decode-tokens 64 --json "$build/bench-$quant-$ctx.json" 2>&1); rc=$?
      if [ "$rc" -eq 3 ]; then tool=zaya-cuda-bench; else
        dec=$(sed -n 's/^decode *\([0-9.]*\) tok\/s.*/\1/p' <<<"$out")
        gbs=$(sed -n 's/.*GB\/token, \([0-9.]*\) GB\/s achieved.*/\1/p' <<<"$out")
        pre=$(sed -n 's/^prefill *\([0-9.]*\) tok\/s.*/\1/p' <<<"$out")
        line="$quant $ctx ${dec:-?} ${gbs:-?} - ${pre:-?} zaya-bench"
      fi
    fi
    if [ "$tool" = zaya-cuda-bench ]; then
      out=$(timeout 240 "$build/bin/zaya-cuda-bench" --quant "$quant" --context "$ctx" --prompt 2048 2>&1); rc=$?
      r=$(grep '^result' <<<"$out")
      get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$r"; }
      line="$quant $ctx $(get decode_tok_s) $(get achieved_gbs) $(get fraction) $(get prefill_tok_s) zaya-cuda-bench($(get copy_gbs)GB/s copy)"
    fi
    [ "$rc" -eq 0 ] || { bench_rc=$rc; echo "$out" | tail -5; line="$quant $ctx failed(rc=$rc) - - - $tool"; }
    rows+=("$line")
  done
done
bench_s=$((SECONDS - t0))

echo
echo "== summary =="
printf '%-10s %s\n' "device" "$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1)"
printf '%-10s %s s\n' "build" "$build_s" "tests" "$test_s" "bench" "$bench_s" "total" "$SECONDS"
printf '%-10s %s\n' "tests rc" "$test_rc" "bench rc" "$bench_rc"
printf '%-6s %8s %12s %12s %10s %14s  %s\n' quant context "decode tok/s" "GB/s" "of copy" "prefill tok/s" tool
for row in "${rows[@]}"; do
  read -r q c d g f p t <<<"$row"
  printf '%-6s %8s %12s %12s %10s %14s  %s\n' "$q" "$c" "$d" "$g" "$f" "$p" "$t"
done
[ "$test_rc" -ne 0 ] && exit "$test_rc"
exit "$bench_rc"
