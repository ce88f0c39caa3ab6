#!/usr/bin/env bash
# expect_output.sh RC PATTERN... -- COMMAND [ARGS...]
# Runs COMMAND, prints what it printed, and passes when it exited with RC and
# its output (stdout and stderr) contains every PATTERN as a fixed string.
set -u
rc_wanted="$1"; shift
patterns=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do patterns+=("$1"); shift; done
[ "${1:-}" = "--" ] || { echo "usage: expect_output.sh RC PATTERN... -- COMMAND..."; exit 2; }
shift
out="$("$@" 2>&1)"; rc=$?
printf '%s\n' "$out"
status=0
if [ "$rc" -ne "$rc_wanted" ]; then echo "expect_output: exit code $rc, expected $rc_wanted"; status=1; fi
for p in "${patterns[@]}"; do
  grep -qF -- "$p" <<<"$out" || { echo "expect_output: missing: $p"; status=1; }
done
exit "$status"
