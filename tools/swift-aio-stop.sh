#!/usr/bin/env bash
# swift-aio-stop.sh - stop the servers tools/swift-aio.sh started, by the PIDs
# it recorded (SIGTERM, SIGKILL after 15 s).  --purge also deletes the scratch
# dir (only under /tmp); the venv in ~/.cache is kept for the next start.
set -u
DIR=${SWIFT_AIO_DIR:-/tmp/glance-engines/swift}
pids=()
for f in "$DIR"/run/*.pid; do
  [ -e "$f" ] || continue
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" && pids+=("$pid"); fi
  rm -f "$f"
done
alive=()
for _ in $(seq 150); do
  alive=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && break
  sleep 0.1
done
for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null; done
echo "[swift-aio] stopped ${#pids[@]} server(s)" >&2
if [ "${1:-}" = "--purge" ]; then
  case "$DIR" in /tmp/*) rm -rf "$DIR" ;; *) echo "[swift-aio] not purging $DIR (outside /tmp)" >&2 ;; esac
fi
exit 0
