#!/usr/bin/env bash
# postgres-local-stop.sh - stop the cluster tools/postgres-local.sh started:
# SIGINT to the postmaster PID it recorded (PostgreSQL's "fast" shutdown),
# SIGQUIT after 30 s, SIGKILL after 40 s.  --purge also deletes the scratch
# dir (only under /tmp).
set -u
DIR=${PG_LOCAL_DIR:-/tmp/glance-engines/pg}
f=$DIR/run/postgres.pid
if [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then
  pid=$(cat "$f")
  kill -INT "$pid"
  for i in $(seq 400); do
    kill -0 "$pid" 2>/dev/null || break
    [ "$i" = 300 ] && kill -QUIT "$pid" 2>/dev/null
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  echo "[pg-local] stopped postgres (pid $pid)" >&2
else
  echo "[pg-local] not running" >&2
fi
rm -f "$f"
if [ "${1:-}" = "--purge" ]; then
  case "$DIR" in /tmp/*) rm -rf "$DIR" ;; *) echo "[pg-local] not purging $DIR (outside /tmp)" >&2 ;; esac
fi
exit 0
