#!/usr/bin/env bash
# Sets up, builds and runs every test of ZAYA Tutor, then prints CTest's
# summary and a total. Phases (each timed):
#   1. setup     tools/setup.sh (apt-get / npm, fast when all is present)
#   2. release   Release build of everything (CUDA backend too when nvcc exists,
#                for one architecture to save time) and all tests but benchmarks
#   3. asan      AddressSanitizer + UBSan build of the engine and problem tests
#   4. fuzz      clang libFuzzer targets, ~15 s each on their seed corpora
# Exit status is non-zero if any phase fails.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ZAYA_TEST_BUILD_DIR:-$here/build/test}"
jobs="${ZAYA_JOBS:-$(nproc)}"
cd "$here"

declare -a phase_names phase_secs phase_status
total_passed=0; total_failed=0; total_skipped=0
overall=0

run_phase() {  # run_phase NAME COMMAND...
  local name="$1"; shift
  local start=$SECONDS
  echo; echo "=== phase: $name ==="
  "$@"; local rc=$?
  phase_names+=("$name"); phase_secs+=($((SECONDS - start))); phase_status+=("$rc")
  [ "$rc" -eq 0 ] || overall=1
  echo "=== phase $name: $([ "$rc" -eq 0 ] && echo ok || echo "FAILED (rc=$rc)") in $((SECONDS - start)) s ==="
  return "$rc"
}

# Runs ctest in a build dir, echoes its output, and adds its counts to the totals.
ctest_counted() {  # ctest_counted BUILD_DIR ARGS...
  local dir="$1"; shift
  local log; log="$(mktemp)"
  ctest --test-dir "$dir" --output-on-failure --timeout 600 "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local p f s
  p=$(grep -cE "Test +#[0-9]+: .* +Passed +[0-9.]+ sec" "$log")
  s=$(grep -cE "Test +#[0-9]+: .*\*\*\*Skipped" "$log")
  f=$(grep -cE "Test +#[0-9]+: .*(\*\*\*Failed|\*\*\*Exception|\*\*\*Timeout|Not Run|Subprocess aborted|SEGFAULT)" "$log")
  total_passed=$((total_passed + p)); total_failed=$((total_failed + f)); total_skipped=$((total_skipped + s))
  rm -f "$log"
  return "$rc"
}

phase_setup() { bash "$here/tools/setup.sh"; }

phase_release() {
  cmake -S "$here" -B "$build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZAYA_CUDA=AUTO \
        -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null &&
  cmake --build "$build/release" -j "$jobs" &&
  ctest_counted "$build/release" -LE bench -j "$jobs"
}

phase_asan() {
  cmake -S "$here" -B "$build/asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZAYA_SANITIZE=ON \
        -DZAYA_BUILD_APP=OFF -DZAYA_BUILD_PROBLEMS=ON -DZAYA_CUDA=OFF >/dev/null &&
  cmake --build "$build/asan" -j "$jobs" &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ZAYA_SANITIZED=1 ctest_counted "$build/asan" -LE "bench|fuzz" -j "$jobs"
}

phase_fuzz() {
  cmake -S "$here" -B "$build/fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
        -DZAYA_FUZZ=ON -DZAYA_SANITIZE=ON -DZAYA_BUILD_APP=OFF -DZAYA_BUILD_PROBLEMS=ON -DZAYA_CUDA=OFF >/dev/null || return 1
  local targets
  targets=$(ctest --test-dir "$build/fuzz" -N -L fuzz | sed -nE 's/^ *Test +#[0-9]+: (.*)$/\1/p')
  if [ -z "$targets" ]; then echo "no fuzz targets"; return 0; fi
  # shellcheck disable=SC2086
  cmake --build "$build/fuzz" -j "$jobs" --target $targets &&
  ctest_counted "$build/fuzz" -L fuzz -j "$jobs"
}

run_phase setup phase_setup || { echo "setup failed"; exit 1; }
run_phase release phase_release
run_phase asan phase_asan
run_phase fuzz phase_fuzz

echo
echo "=== phase times ==="
for i in "${!phase_names[@]}"; do
  printf '%-8s %6d s  %s\n' "${phase_names[$i]}" "${phase_secs[$i]}" "$([ "${phase_status[$i]}" -eq 0 ] && echo ok || echo FAILED)"
done
echo "total    $SECONDS s"
echo "tests: $total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$overall"
