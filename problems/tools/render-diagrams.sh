#!/usr/bin/env bash
# Renders the Asymptote ([asy] ... [/asy]) figures of the problem bank to SVG.
#
#   problems/tools/render-diagrams.sh [JOBS] [--missing]
#     JOBS: parallel asy runs (default 2); --missing: keep SVGs already rendered and
#     only try the figures that have none.
#
# Needs Debian's asymptote, a LaTeX (texlive-latex-base/-recommended) and dvisvgm.
# They are developer tools only: the SVGs are committed under problems/diagrams/,
# users never run this. Output names:
#   <id>.svg               first figure of the statement
#   <id>-N.svg             N-th figure of the statement (N >= 2)
#   <id>-solution-N.svg    N-th figure of the reference solution
# problems/diagrams/manifest.json records every figure, rendered or failed (with
# the first line of asy's error), so the loader can say "diagram not available".
set -euo pipefail
jobs=2
missing=0
for arg in "$@"; do
  case "$arg" in
    --missing) missing=1 ;;
    *) jobs=$arg ;;
  esac
done
export missing
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/diagrams
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
command -v asy >/dev/null || { echo "asy not found: apt-get install asymptote" >&2; exit 1; }

# 1. Extract every figure to <work>/<name>.asy (name = output base name).
python3 - "$here/data" "$work" "$here/tools/asy/aops-compat.asy" <<'PY'
import json, os, re, sys
data, work = sys.argv[1], sys.argv[2]
compat = open(sys.argv[3], encoding='utf-8').read() + '\n'
block = re.compile(r'\[asy\](.*?)\[/asy\]', re.S)
names = []
for fn in sorted(os.listdir(data)):
    if not fn.endswith('.normalized.jsonl'):
        continue
    for line in open(os.path.join(data, fn), encoding='utf-8'):
        p = json.loads(line)
        for part in ('statement_latex', 'solution_latex'):
            for i, code in enumerate(block.findall(p.get(part) or ''), 1):
                if part == 'statement_latex':
                    name = p['id'] if i == 1 else f"{p['id']}-{i}"
                else:
                    name = f"{p['id']}-solution-{i}"
                # AoPS figures lean on olympiad.asy/cse5.asy helpers, which Debian does
                # not ship: our own versions are prepended unless geometry.asy is used.
                # render=0: 3D figures are drawn as vector graphics, without OpenGL.
                head = 'settings.outformat="svg";\nsettings.render=0;\nsettings.prc=false;\n'
                code = re.sub(r'import\s+(olympiad|cse5)\s*;', '', code)
                if not re.search(r'import\s+geometry', code):
                    head += compat
                with open(os.path.join(work, name + '.asy'), 'w', encoding='utf-8') as f:
                    f.write(head + code + '\n')
                names.append((name, p['id'], part, i))
json.dump(names, open(os.path.join(work, 'index.json'), 'w'))
print(len(names), 'figures', file=sys.stderr)
PY

# 2. Render each one; asy runs in its own folder so temporary files never collide.
render_one() {
  local f=$1 out=$2 base dir
  base=$(basename "$f" .asy)
  dir=$(dirname "$f")/run-$base
  mkdir -p "$dir"
  if [ "$missing" = 1 ] && [ -s "$out/$base.svg" ]; then
    echo ok >"$dir/status"
    return
  fi
  cp "$f" "$dir/"
  if (cd "$dir" && timeout 60 asy -noV -f svg -o "$base" "$base.asy" >log.txt 2>&1) && [ -s "$dir/$base.svg" ]; then
    cp "$dir/$base.svg" "$out/$base.svg"
    echo ok >"$dir/status"
  else
    # asy reports "<file>.asy: <line>.<col>: <message>"; keep that line when there is one.
    grep -m1 -E '\.asy: [0-9]+\.[0-9]+: ' "$dir/log.txt" >"$dir/status" 2>/dev/null ||
      grep -m1 -v '^\s*$' "$dir/log.txt" >"$dir/status" 2>/dev/null || echo "no output" >"$dir/status"
  fi
}
export -f render_one
find "$work" -maxdepth 1 -name '*.asy' -print0 | xargs -0 -P "$jobs" -I{} bash -c 'render_one "$1" "$2"' _ {} "$out"

# 3. Manifest.
python3 - "$work" "$out" <<'PY'
import json, os, sys
work, out = sys.argv[1], sys.argv[2]
figures = []
for name, pid, part, i in json.load(open(os.path.join(work, 'index.json'))):
    st = open(os.path.join(work, 'run-' + name, 'status'), encoding='utf-8', errors='replace').read().strip()
    ok = st == 'ok'
    figures.append({'id': pid, 'part': 'statement' if part == 'statement_latex' else 'solution',
                    'index': i, 'file': name + '.svg' if ok else None,
                    'error': None if ok else st[:200]})
json.dump({'format': 'zaya-diagrams', 'version': 1, 'figures': figures},
          open(os.path.join(out, 'manifest.json'), 'w'), indent=1)
bad = sum(1 for f in figures if not f['file'])
print(f'{len(figures) - bad} rendered, {bad} failed', file=sys.stderr)
PY
