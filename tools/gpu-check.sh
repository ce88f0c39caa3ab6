#!/usr/bin/env bash
# gpu-check.sh — builds the engine for sm_90 with nothing but CMake, a C++
# compiler and nvcc (no Qt, no Debian packages, no ../shared), runs every GPU
# test and the CUDA benchmarks, and prints one summary table.
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
ctest --test-dir "$build" -LE "bench" -E "tokenizer|Tokenizer|Peer" --output-on-failure -j 4 2>&1 | tail -30
test_rc=${PIPESTATUS[0]}
test_s=$((SECONDS - t0))

echo
echo "== summary =="
printf '%-10s %s\n' "device" "$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1)"
printf '%-10s %s s\n' "build" "$build_s" "tests" "$test_s"
printf '%-10s %s\n' "tests rc" "$test_rc"
exit "$test_rc"
