#!/usr/bin/env bash
# Sets up, builds and starts ZAYA Tutor. Extra arguments go to zaya-tutor
# (e.g. --theme dark). Without a display it runs under Xvfb.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ZAYA_BUILD_DIR:-$here/build/app}"
bash "$here/tools/setup.sh"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZAYA_CUDA=AUTO
cmake --build "$build" -j "$(nproc)" --target zaya-tutor
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
  echo "run: no display found; starting under Xvfb"
  exec xvfb-run -a -s "-screen 0 1400x900x24" "$build/bin/zaya-tutor" "$@"
fi
exec "$build/bin/zaya-tutor" "$@"
