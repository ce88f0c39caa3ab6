#!/usr/bin/env bash
# gpu-check.sh — builds the GPU targets for sm_90 with nothing but CMake, a
# C++ compiler and nvcc (no Qt, no Debian packages, no ../shared), runs every
# GPU test and the CUDA benchmarks, and prints each result as it comes.
# Meant to finish within 7 minutes on one H100 or H200.
#
#   tools/gpu-check.sh --prepare   on a development machine: copies the
#                                  header-only deps, GoogleTest's sources and
#                                  the golden vectors into the ignored .deps/
#   tools/gpu-check.sh             on the GPU machine (with .deps/ carried over)
#   tools/gpu-check.sh --dry-run   here, without a GPU: builds the same targets
#                                  (reusing an existing build folder), runs the
#                                  checks that need no device, and prints what
#                                  it would run on a GPU
#
# Phases (each timed): build · devices · tests (each binary under its own
# timeout, JUnit XML; a failing binary is run again once with ZAYA_CUDA_PDL=0)
# · benchmarks (each under its own timeout, its row printed when it ends) ·
# compute-sanitizer memcheck on the kernel tests while time is left.
# Logs go to $OUT when it is set (the device machine's return folder), else
# to <build>/gpu-check; at most eight files, as that folder allows.
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

dry_run=0
case "${1:-}" in
  --prepare) prepare; exit ;;
  --dry-run) dry_run=1 ;;
  "") ;;
  *) echo "usage: tools/gpu-check.sh [--prepare | --dry-run]"; exit 2 ;;
esac

budget_s="${ZAYA_GPU_CHECK_BUDGET_S:-420}"   # memcheck only runs while the whole check is inside this
export PATH="$PATH:/usr/local/cuda/bin"
if [ "$dry_run" -eq 1 ]; then
  # Reuse a build that has the GPU targets: the GPU folder if there is one,
  # else the test build of tools/test.sh.
  build="${ZAYA_GPU_BUILD_DIR:-}"
  if [ -z "$build" ]; then
    build="$here/build/gpu"
    [ -f "$build/CMakeCache.txt" ] || build="$here/build/test/release"
  fi
else
  [ -d "$deps/googletest" ] || { echo "gpu-check: $deps is missing; run tools/gpu-check.sh --prepare on a development machine first"; exit 2; }
  build="${ZAYA_GPU_BUILD_DIR:-$here/build/gpu}"
fi
logs="${OUT:-$build/gpu-check}"
mkdir -p "$build" "$logs" "$build/junit"
rm -f "$build"/junit/*.xml
summary="$logs/summary.txt"
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }

declare -a phase_rows
phase() { phase_rows+=("$(printf '%-10s %5d s  %s' "$1" "$2" "$3")"); say "== phase $1: $3 in $2 s =="; }

# ---------------------------------------------------------------- build ---
gpu_targets=(zaya_cuda zaya-devices zaya-bench zaya-cuda-bench test_device test_backend_library
             test_cuda_fallback test_cuda_kernels test_cuda_kernels_large test_cuda_backend test_cuda_backend_packs
             test_engine_golden zaya_test_stubs)
t0=$SECONDS
say "== build: ${gpu_targets[*]} (sm_90) in $build =="
if [ ! -f "$build/CMakeCache.txt" ]; then
  extra=()
  [ "$dry_run" -eq 0 ] && extra=(-DZAYA_TESTDATA_DIR="$deps/testdata")
  command -v ninja >/dev/null && extra+=(-G Ninja)
  cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DZAYA_BUILD_APP=OFF -DZAYA_BUILD_PROBLEMS=OFF \
        -DZAYA_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 "${extra[@]}" 2>&1 | tee "$logs/build.log" >/dev/null
  [ "${PIPESTATUS[0]}" -eq 0 ] || { say "gpu-check: configure failed (see $logs/build.log)"; exit 1; }
fi
grep -E "^-- ZAYA" "$logs/build.log" 2>/dev/null
# Only the targets that exist in this configuration (test_engine_golden is absent without the engine tests).
known=$(cmake --build "$build" --target help 2>/dev/null | sed -nE 's/^([A-Za-z0-9_.-]+):.*/\1/p; s/^\.\.\. ([A-Za-z0-9_.-]+).*/\1/p')
build_list=()
for t in "${gpu_targets[@]}"; do grep -qx "$t" <<<"$known" && build_list+=("$t"); done
cmake --build "$build" -j "$(nproc)" --target "${build_list[@]}" >>"$logs/build.log" 2>&1
build_rc=$?
grep -E "error|warning: " "$logs/build.log" >"$build/build-diagnostics.txt"
say "build: $(wc -l <"$build/build-diagnostics.txt") error/warning lines (all in $logs/build.log)"
phase build $((SECONDS - t0)) "$([ $build_rc -eq 0 ] && echo ok || echo FAILED)"
[ $build_rc -eq 0 ] || { grep -E "error" "$logs/build.log" | sed -n '1,40p'; exit 1; }
bin="$build/bin"

# -------------------------------------------------------------- devices ---
t0=$SECONDS
say "== devices =="
"$bin/zaya-devices" 2>&1 | tee -a "$summary"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | tee -a "$summary"
phase devices $((SECONDS - t0)) ok

# ---------------------------------------------------------------- tests ---
# One binary at a time, each under its own timeout and with its own JUnit
# file; a failure is run again once with programmatic dependent launch off,
# which tells a PDL ordering bug from any other.
tests_rc=0
run_test() {  # run_test BINARY TIMEOUT_S
  local name="$1" limit="$2" rc
  [ -x "$bin/$name" ] || { say "test $name: not built"; return; }
  local s=$SECONDS
  timeout "$limit" "$bin/$name" --gtest_output="xml:$build/junit/$name.xml" >>"$logs/tests.log" 2>&1; rc=$?
  local verdict="passed"
  if [ $rc -ne 0 ]; then
    verdict="FAILED (rc=$rc$([ $rc -eq 124 ] && echo ", timed out after $limit s"))"
    ZAYA_CUDA_PDL=0 timeout "$limit" "$bin/$name" --gtest_output="xml:$build/junit/$name-pdl-off.xml" \
      >>"$logs/tests.log" 2>&1 && verdict+="; passes with ZAYA_CUDA_PDL=0" || verdict+="; fails with ZAYA_CUDA_PDL=0 too"
    tests_rc=1
  fi
  local skipped
  skipped=$(grep -o 'skipped="[0-9]*"' "$build/junit/$name.xml" 2>/dev/null | head -n1 | tr -dc 0-9)
  say "$(printf 'test %-26s %4d s  %s%s' "$name" $((SECONDS - s)) "$verdict" "${skipped:+ ($skipped skipped)}")"
}
t0=$SECONDS
say "== tests =="
for t in test_backend_library:60 test_device:60 test_cuda_fallback:120 test_cuda_kernels:180 test_cuda_kernels_large:180 \
         test_cuda_backend:240 test_cuda_backend_packs:240 test_engine_golden:240; do
  run_test "${t%%:*}" "${t##*:}"
done
# The command-line refusals behind the stand-in driver (tests/device).
ctest --test-dir "$build" -L device --timeout 60 --output-on-failure >>"$logs/tests.log" 2>&1 \
  && say "test ctest -L device (refusal messages)      passed" || { say "test ctest -L device: FAILED"; tests_rc=1; }
phase tests $((SECONDS - t0)) "$([ $tests_rc -eq 0 ] && echo ok || echo FAILED)"

# ----------------------------------------------------------- benchmarks ---
bench_rc=0
bench_rows=()
bench() {  # bench LABEL TIMEOUT_S COMMAND...
  local label="$1" limit="$2"; shift 2
  if [ "$dry_run" -eq 1 ]; then say "would run ($limit s): $*"; return; fi
  local s=$SECONDS out rc
  out=$(timeout "$limit" "$@" 2>&1); rc=$?
  printf '%s\n' "== $label: $*" "$out" >>"$logs/bench.log"
  local row
  if [ $rc -ne 0 ]; then
    bench_rc=1
    row="$(printf '%-22s failed (rc=%d%s) after %d s: %s' "$label" $rc "$([ $rc -eq 124 ] && echo ", timed out")" \
           $((SECONDS - s)) "$(tail -n1 <<<"$out")")"
  elif grep -q '^result' <<<"$out"; then  # zaya-cuda-bench
    local r; r=$(grep '^result' <<<"$out")
    get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$r"; }
    row="$(printf '%-22s decode %8s tok/s  %6s GB/s = %5s of %s GB/s copy  prefill %8s tok/s  (%d s)' "$label" \
           "$(get decode_tok_s)" "$(get achieved_gbs)" "$(get fraction)" "$(get copy_gbs)" "$(get prefill_tok_s)" $((SECONDS - s)))"
  else  # zaya-bench
    row="$(printf '%-22s %s | %s  (%d s)' "$label" "$(grep '^decode' <<<"$out")" "$(grep '^prefill' <<<"$out")" $((SECONDS - s)))"
  fi
  bench_rows+=("$row")
  say "$row"
}
t0=$SECONDS
say "== benchmarks (batch-1 decode after the context, 2048-token prefill; ZAYA1-8B shapes, random weights) =="
for ctx in 128 2048 8192; do bench "q4 context $ctx" 90 "$bin/zaya-cuda-bench" --quant q4 --context $ctx --prompt 2048; done
bench "q8 context 128" 90 "$bin/zaya-cuda-bench" --quant q8 --context 128 --prompt 2048
bench "bf16 context 128" 120 "$bin/zaya-cuda-bench" --quant bf16 --context 128 --prompt 2048
# End to end through a pack file and zaya::Model (writes the synthetic q4 pack once).
bench "q4 pack (zaya-bench)" 180 "$bin/zaya-bench" --synthetic zaya1-8b --quant q4 --device cuda --context 128 \
      --prompt 2048 --decode-tokens 64 --json "$build/bench-q4-128.json"
phase bench $((SECONDS - t0)) "$([ $bench_rc -eq 0 ] && echo ok || echo FAILED)"

# ------------------------------------------------------------- memcheck ---
t0=$SECONDS
if [ "$dry_run" -eq 1 ]; then
  say "would run while inside ${budget_s} s: compute-sanitizer --tool memcheck on test_cuda_kernels and test_cuda_kernels_large"
elif ! command -v compute-sanitizer >/dev/null; then
  say "memcheck: compute-sanitizer not found"
else
  for t in test_cuda_kernels test_cuda_kernels_large; do
    left=$((budget_s - SECONDS))
    if [ "$left" -lt 30 ]; then say "memcheck $t: skipped, ${left} s left of the ${budget_s} s budget"; continue; fi
    timeout "$left" compute-sanitizer --tool memcheck --error-exitcode 9 "$bin/$t" >>"$logs/memcheck.log" 2>&1
    rc=$?
    say "memcheck $t: $([ $rc -eq 0 ] && echo clean || echo "rc=$rc (see memcheck.log)")"
    [ $rc -eq 0 ] || [ $rc -eq 124 ] || tests_rc=1
  done
fi
phase memcheck $((SECONDS - t0)) done

# One JUnit file for every binary (the return folder holds few files).
if command -v python3 >/dev/null && ls "$build"/junit/*.xml >/dev/null 2>&1; then
  python3 - "$logs/junit.xml" "$build"/junit/*.xml <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.Element("testsuites")
for path in sys.argv[2:]:
    for suite in ET.parse(path).getroot().iter("testsuite"):
        suite.set("file", path.rsplit("/", 1)[-1])
        root.append(suite)
ET.ElementTree(root).write(sys.argv[1], encoding="utf-8", xml_declaration=True)
PY
fi

say ""
say "== summary ($(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo "no git"), $([ "$dry_run" -eq 1 ] && echo "dry run" || echo "GPU run")) =="
for row in "${phase_rows[@]}"; do say "$row"; done
say "$(printf '%-10s %5d s' total "$SECONDS")"
for row in "${bench_rows[@]}"; do say "$row"; done
[ $tests_rc -ne 0 ] && exit 1
exit $bench_rc
