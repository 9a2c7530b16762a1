#!/bin/sh
# quiet_step.sh LABEL LOG COMMAND...: print one line, run COMMAND with its output in LOG,
# and show LOG only when COMMAND fails (make's environment steps stay one line each).
label=$1 log=$2
shift 2
echo "installing $label..."
mkdir -p "$(dirname "$log")"
"$@" >"$log" 2>&1
status=$?
[ "$status" -eq 0 ] && exit 0
cat "$log" >&2
echo "failed: installing $label (exit $status; log in $log)" >&2
exit $status
