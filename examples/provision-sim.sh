#!/bin/sh
# examples/provision-sim.sh - provision one simulated device end to end, the
# way an initramfs script would; `make demo` runs it. Every step is a plain
# provbox call: copy this file as the start of a real provisioning script.
set -eu
: "${PROVBOX:=provbox}"
work=$(mktemp -d "${TMPDIR:-/tmp}/provbox-demo.XXXXXX")
export PROVBOX_STATE="$work/state"
step() { printf '\n==> %s\n' "$*"; }
pb() { printf '$ provbox %s\n' "$*"; "$PROVBOX" "$@"; }

step "provbox and its applets"
"$PROVBOX" --version
"$PROVBOX" --list

echo
echo "demo state kept in $work"
