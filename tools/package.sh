#!/usr/bin/env bash
# Builds the Debian packages of ZAYA Tutor, checks them with lintian, installs
# zaya-tutor with apt-get, runs the installed programs, and removes the
# packages again, checking that nothing of them is left. Prints a PASS/FAIL
# line per check and exits non-zero when any check fails.
#
# Environment:
#   ZAYA_PACKAGE_BUILD_DIR   build folder (default build/package)
#   ZAYA_CUDA_ARCHITECTURES  GPU architectures of the CUDA backend (default: the
#                            project's list, Turing to Blackwell plus PTX)
#   ZAYA_JOBS                parallel build jobs (default: number of cores)
#   ZAYA_TESTDATA_DIR        folder holding zaya-tiny (default ../shared/testdata)
#
# Not part of tools/test.sh: it installs into /usr (and removes it again).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ZAYA_PACKAGE_BUILD_DIR:-$here/build/package}"
jobs="${ZAYA_JOBS:-$(nproc)}"
testdata="${ZAYA_TESTDATA_DIR:-$here/../shared/testdata}"
[ -d "$testdata" ] || testdata="$here/.deps/testdata"
scratch="$(mktemp -d /tmp/zaya-package.XXXXXX)"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

declare -a check_names check_results
failures=0
record() {  # record NAME STATUS(0=pass)
  check_names+=("$1")
  if [ "$2" -eq 0 ]; then check_results+=(PASS); else check_results+=(FAIL); failures=$((failures + 1)); fi
  echo "--- ${check_results[-1]}: $1"
}
check() {  # check NAME COMMAND...: runs the command, records its status
  local name="$1"; shift
  echo; echo "=== $name"
  "$@"
  record "$name" $?
}
summary() {
  echo; echo "=== package.sh summary"
  local i
  for i in "${!check_names[@]}"; do printf '%s  %s\n' "${check_results[$i]}" "${check_names[$i]}"; done
  if [ "$failures" -eq 0 ]; then echo "PASS: all ${#check_names[@]} checks"; else echo "FAIL: $failures of ${#check_names[@]} checks failed"; fi
}

# Everything the packages install is removed again, also when a check fails
# half-way, so later builds and tests see the machine as before.
installed_packages=()
remove_packages() {
  [ ${#installed_packages[@]} -gt 0 ] || return 0
  as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq --purge "${installed_packages[@]}"
  local rc=$?
  installed_packages=()
  return $rc
}
cleanup() {
  remove_packages >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT

stop() {  # stop REASON: a failure the remaining checks cannot go on after
  echo "package.sh: $1" >&2
  summary
  exit 1
}

# --- Build.
bash "$here/tools/setup.sh" || stop "tools/setup.sh failed"
# The checkers are needed only here, not by the normal build and tests.
checkers=(lintian appstream desktop-file-utils)
missing=()
for p in "${checkers[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" ||
    stop "cannot install ${missing[*]}"
fi

for p in zaya-tutor zaya-tutor-cuda; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    stop "$p is already installed; remove it first (apt-get remove --purge $p)"
  fi
done

configure=(-S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr
           -DZAYA_CUDA=AUTO -DZAYA_BUILD_TESTS=OFF -DZAYA_PROBLEMS_FROM_SOURCE_TREE=OFF)
if [ -n "${ZAYA_CUDA_ARCHITECTURES:-}" ]; then
  configure+=("-DCMAKE_CUDA_ARCHITECTURES=$ZAYA_CUDA_ARCHITECTURES")
else
  configure+=(-UCMAKE_CUDA_ARCHITECTURES)  # the project's default list, not a cached choice
fi
if command -v ccache >/dev/null; then
  configure+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
check "configure $build" cmake "${configure[@]}" || stop "configure failed"
check "build" cmake --build "$build" -j "$jobs" || stop "build failed"

check "desktop-file-validate" desktop-file-validate "$here"/installer/*.desktop
check "appstreamcli validate" appstreamcli validate --no-net "$here"/installer/*.metainfo.xml

rm -f "$build"/zaya-tutor*.deb
check "cpack -G DEB" cpack -G DEB --config "$build/CPackConfig.cmake" -B "$build" || stop "cpack failed"
main_deb="$(ls "$build"/zaya-tutor_*.deb 2>/dev/null | head -1)"
cuda_deb="$(ls "$build"/zaya-tutor-cuda_*.deb 2>/dev/null | head -1)"
[ -n "$main_deb" ] || stop "no zaya-tutor_*.deb in $build"
for deb in "$main_deb" $cuda_deb; do
  echo; echo "=== $(basename "$deb")"; dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
done

# Errors fail the check; the warnings that remain are explained in
# installer/README.md.
lintian_check() {
  lintian --info --fail-on error "$@"
}
check "lintian (no errors)" lintian_check "$main_deb" $cuda_deb

# --- Install and run from /usr.
installed_packages+=(zaya-tutor)  # removed again on exit even if the installation stops half-way
check "apt-get install ./$(basename "$main_deb")" \
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$main_deb" || stop "installation failed"
dpkg -L zaya-tutor | sort > "$scratch/files.txt"

version_is_packaged() {
  local out
  out="$(/usr/bin/zaya-tutor --version)" || return 1
  echo "$out"
  local want
  want="$(dpkg-query -W -f='${Version}' zaya-tutor)"
  [[ "$out" == *"$want"* ]]
}
check "/usr/bin/zaya-tutor --version" version_is_packaged

# The screenshot opens an AIME problem: it is drawn only once the bank has
# loaded, and the package build has no fall back to the source tree, so a
# picture means /usr/share/zaya-tutor/problems was found.
screenshot() {
  local png="$scratch/practice.png"
  (cd "$scratch" && env -u ZAYA_PROBLEMS_DIR ZAYA_DATA_DIR="$scratch/data" QT_QPA_PLATFORM=offscreen \
     QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu" \
     timeout 180 /usr/bin/zaya-tutor --open-problem aime-2024-I-01 --screenshot "$png") || return 1
  local size
  size=$(stat -c %s "$png" 2>/dev/null || echo 0)
  echo "screenshot: $png, $size bytes"
  [ "$size" -gt 20000 ]
}
check "/usr/bin/zaya-tutor --screenshot (problem aime-2024-I-01 from the installed bank)" screenshot

greedy_ids_match() {
  local model="$testdata/zaya-tiny"
  [ -f "$model/greedy.json" ] || { echo "no zaya-tiny in $testdata"; return 1; }
  local prompt
  prompt="$(python3 -c 'import json,sys; print(",".join(map(str, json.load(open(sys.argv[1]))["prompt"])))' "$model/greedy.json")"
  /usr/bin/zaya-run --model "$model" --ids "$prompt" --generate 16 --greedy --stats --ids-out "$scratch/ids.json" || return 1
  python3 - "$model/greedy.json" "$scratch/ids.json" <<'EOF'
import json, sys
want = json.load(open(sys.argv[1]))["generated"]
got = json.load(open(sys.argv[2]))
print("generated:", got)
print("expected: ", want)
sys.exit(0 if got == want else 1)
EOF
}
check "/usr/bin/zaya-run on zaya-tiny gives the golden greedy ids" greedy_ids_match

check "/usr/bin/zaya-check-answer --gold 1/2 --candidate 0.5" /usr/bin/zaya-check-answer --gold 1/2 --candidate 0.5

tools_help() {
  local t
  /usr/bin/zaya-run --help | head -3 || return 1
  for t in zaya-tutor zaya-run zaya-quantize zaya-bench zaya-check-answer zaya-tokenize zaya-devices; do
    [ -x "/usr/bin/$t" ] || { echo "missing /usr/bin/$t"; return 1; }
    grep -qx "/usr/share/man/man1/$t.1.gz" "$scratch/files.txt" || { echo "no man page for $t"; return 1; }
  done
  local f
  for f in /usr/share/applications/io.github.zaya_tutor.ZayaTutor.desktop \
           /usr/share/metainfo/io.github.zaya_tutor.ZayaTutor.metainfo.xml \
           /usr/share/icons/hicolor/scalable/apps/zaya-tutor.svg \
           /usr/share/icons/hicolor/48x48/apps/zaya-tutor.png \
           /usr/share/doc/zaya-tutor/copyright /usr/share/doc/zaya-tutor/SOURCES.md; do
    [ -f "$f" ] || { echo "missing $f"; return 1; }
  done
  echo "every tool, man page, desktop file, icon and licence file is in place"
}
check "installed tools, man pages, desktop entry, icons and licence" tools_help

devices_in_words() {  # devices_in_words [ZAYA_CUDA_LIBRARY]
  local out
  out="$(env ${1:+ZAYA_CUDA_LIBRARY="$1"} /usr/bin/zaya-devices)" || return 1
  echo "$out"
  grep -qE '^cuda: (available|not built|no driver|driver too old|no device|backend missing|backend refused|error) — ' <<<"$out" &&
    grep -q '^default device: ' <<<"$out"
}
check "/usr/bin/zaya-devices reports the GPU state in words" devices_in_words

# The installed backend library is the one the installed engine accepts: the
# probe (driver or not) loads it from the package's folder, resolves every
# entry point and reads its interface number, which must equal the engine's.
backend_accepted() {  # backend_accepted [ZAYA_CUDA_LIBRARY]
  local out line
  out="$(env ${1:+ZAYA_CUDA_LIBRARY="$1"} /usr/bin/zaya-devices)" || return 1
  echo "$out"
  line="$(grep -E '^backend: ' <<<"$out")" || { echo "zaya-devices found no backend library"; return 1; }
  [ -n "${1:-}" ] || grep -qE '^backend: /usr/lib/([^/]+/)?zaya-tutor/libzaya_cuda\.so ' <<<"$line" ||
    { echo "not the installed library: $line"; return 1; }
  grep -qE '\(interface ([0-9]+); engine needs \1\)$' <<<"$line" || { echo "refused: $line"; return 1; }
}

# zaya-tutor-cuda depends on NVIDIA's cuBLAS package. Where apt can get it,
# the package is installed for real; otherwise the backend from the unpacked
# package is handed to the installed engine.
if [ -n "$cuda_deb" ]; then
  if as_root apt-get install -s -qq "$cuda_deb" >/dev/null 2>&1; then
    installed_packages=(zaya-tutor-cuda "${installed_packages[@]}")
    check "apt-get install ./$(basename "$cuda_deb")" \
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$cuda_deb"
    dpkg -L zaya-tutor-cuda 2>/dev/null | sort >> "$scratch/files.txt"
    check "zaya-devices with zaya-tutor-cuda installed" devices_in_words
    check "the installed libzaya_cuda.so has the engine's interface and every entry point" backend_accepted
  else
    echo; echo "=== $(basename "$cuda_deb"): $(dpkg-deb -f "$cuda_deb" Depends | tr -d '\n')"
    echo "apt cannot install it here (NVIDIA's repository is not configured); trying the unpacked backend"
    dpkg-deb -x "$cuda_deb" "$scratch/cuda"
    cuda_lib="$(find "$scratch/cuda" -name libzaya_cuda.so | head -1)"
    check "zaya-devices with the backend of zaya-tutor-cuda" devices_in_words "$cuda_lib"
    check "the packaged libzaya_cuda.so has the engine's interface and every entry point" backend_accepted "$cuda_lib"
  fi
fi

# --- Remove and check that nothing is left.
removed_cleanly() {
  remove_packages || return 1
  local left=0 p f
  for p in zaya-tutor zaya-tutor-cuda; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "installed"; then
      echo "$p is still installed"; left=1
    fi
  done
  # Files of the packages must be gone; shared folders such as /usr/bin stay.
  while read -r f; do
    if [ -e "$f" ] && [ ! -d "$f" ]; then echo "left behind: $f"; left=1; fi
  done < "$scratch/files.txt"
  for f in /usr/share/zaya-tutor /usr/lib/*/zaya-tutor /usr/share/doc/zaya-tutor /usr/share/doc/zaya-tutor-cuda; do
    if [ -e "$f" ]; then echo "left behind: $f"; left=1; fi
  done
  [ "$left" -eq 0 ] && echo "nothing of zaya-tutor is left in /usr"
}
check "apt-get remove --purge, nothing left in /usr" removed_cleanly

summary
[ "$failures" -eq 0 ]
