#!/usr/bin/env bash
# engines-stop.sh - stop what tools/engines.sh started (by recorded PIDs).
# --purge also deletes their scratch dirs.
set -u
cd "$(dirname "$0")"
DIR=${GLANCE_ENGINES_DIR:-/tmp/glance-engines}
SWIFT_AIO_DIR=${SWIFT_AIO_DIR:-$DIR/swift} bash ./swift-aio-stop.sh "$@"
PG_LOCAL_DIR=${PG_LOCAL_DIR:-$DIR/pg} bash ./postgres-local-stop.sh "$@"
rm -f "$DIR/env"
if [ "${1:-}" = "--purge" ]; then
  case "$DIR" in /tmp/*) rm -rf "$DIR" ;; esac
fi
exit 0
