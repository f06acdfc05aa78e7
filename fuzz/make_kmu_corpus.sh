#!/bin/sh
# Regenerate the real-file seeds of fuzz/corpus/kmu_state from the
# simulated KMU as provbox writes STATE/kmu/slots: blank (after erase-all),
# provisioning, with HUKs, with the identity key, secured, decommissioned.
# The revoked, data-slot and broken seeds (body-*, bad-magic, flipped,
# truncated) are hand-made and kept.
# Usage: PROVBOX=build/provbox fuzz/make_kmu_corpus.sh
set -eu
: "${PROVBOX:?set PROVBOX to the binary}"
PROVBOX=$(cd "$(dirname "$PROVBOX")" && pwd)/$(basename "$PROVBOX")
c=$(cd "$(dirname "$0")" && pwd)/corpus/kmu_state
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PROVBOX_STATE="$tmp/state"
pb() { "$PROVBOX" "$@" > /dev/null; }
save() { cp "$PROVBOX_STATE/kmu/slots" "$c/$1"; chmod 644 "$c/$1"; }
mkdir -p "$c"
pb kmu erase-all --yes; save blank
pb lifecycle advance provisioning --kmu sim; save provisioning
pb kmu gen-huk; save huks
pb kmu gen-identity; save identity
pb lifecycle advance secured --kmu sim; save secured
pb lifecycle advance decommissioned --kmu sim; save decommissioned
