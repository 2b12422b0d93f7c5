#!/usr/bin/env bash
# postgres-local.sh - a throwaway PostgreSQL cluster on 127.0.0.1 for Glance's
# registry tests: Debian's package, initdb + pg_ctl in a scratch directory (no
# systemd, no pg_ctlcluster; the system's own cluster is never touched).
#
#   bash tools/postgres-local.sh          # install (apt, as root) if needed, initdb once, start
#   bash tools/postgres-local-stop.sh     # fast shutdown by postmaster PID (--purge deletes the dir)
#
# Knobs (optional):
#   PG_LOCAL_DIR      scratch dir                 (default /tmp/glance-engines/pg)
#   PG_LOCAL_PORT     TCP port on 127.0.0.1        (default 15432)
#   PG_LOCAL_USER / PG_LOCAL_PASSWORD / PG_LOCAL_DB (default glance/glance/glance)
#   PG_LOCAL_DURABLE  1 keeps fsync on; default 0 (test speed: a machine crash may
#                     lose data, a clean stop does not)
#
# Pitfalls handled: initdb refuses to run as root (it runs as the "postgres"
# OS user then), Debian keeps the server binaries off PATH
# (/usr/lib/postgresql/<v>/bin), the app user logs in over TCP with
# SCRAM-SHA-256 as in production.  The cluster is created with the C.UTF-8
# locale, so text sorts by code point exactly as sqlite does.
#
# Prints "export" lines (also in $PG_LOCAL_DIR/env): PG_LOCAL_DSN, a
# postgresql:// URL for Glance's sql_connection, and PGHOST/PGPORT/... for psql.
set -euo pipefail

DIR=${PG_LOCAL_DIR:-/tmp/glance-engines/pg}
PORT=${PG_LOCAL_PORT:-15432}
APP_USER=${PG_LOCAL_USER:-glance}
APP_PASS=${PG_LOCAL_PASSWORD:-glance}
APP_DB=${PG_LOCAL_DB:-glance}
DURABLE=${PG_LOCAL_DURABLE:-0}
DATA=$DIR/data; RUN=$DIR/run; LOG=$DIR/log
T0=$(date +%s%N)
log() { printf '[pg-local] %s\n' "$*" >&2; }
since() { echo "$(( ($(date +%s%N) - T0) / 1000000 ))ms"; }

if [ -s "$RUN/postgres.pid" ] && kill -0 "$(cat "$RUN/postgres.pid")" 2>/dev/null; then
  log "already running (pid $(cat "$RUN/postgres.pid")); stop it first with tools/postgres-local-stop.sh"; exit 1
fi
if python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$PORT"; then
  log "port $PORT on 127.0.0.1 is taken; choose another PG_LOCAL_PORT"; exit 1
fi

# --- 1. software ------------------------------------------------------------------
find_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
  if command -v initdb >/dev/null; then dirname "$(readlink -f "$(command -v initdb)")"; fi
}
BIN=$(find_bin)
if [ -z "$BIN" ]; then
  [ "$(id -u)" = 0 ] || { log "need root to apt-get install postgresql"; exit 1; }
  log "installing postgresql from Debian"
  export DEBIAN_FRONTEND=noninteractive
  # DPkg::Lock::Timeout: wait if another script is installing at the same time
  apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null
  apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends postgresql >/dev/null
  BIN=$(find_bin)
  [ -n "$BIN" ] || { log "postgresql installed but initdb not found"; exit 1; }
fi
log "using $("$BIN/postgres" --version) from $BIN (after $(since))"

# --- 2. an unprivileged user when root -------------------------------------------
AS=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DIR" --shell /usr/sbin/nologin postgres
  AS=(runuser -u postgres --)
fi
mkdir -p "$DIR" "$RUN" "$LOG"
chmod 755 "$(dirname "$DIR")" 2>/dev/null || true
[ "$(id -u)" = 0 ] && chown -R postgres: "$DIR"
chmod 700 "$DIR"

# --- 3. initdb once -----------------------------------------------------------------
if [ ! -s "$DATA/PG_VERSION" ]; then
  "${AS[@]}" "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 --no-instructions --no-sync \
      > "$LOG/initdb.log" 2>&1 || { cat "$LOG/initdb.log" >&2; exit 1; }
  FRESH=1
else
  FRESH=0
fi
if [ "$DURABLE" = 1 ]; then SYNC=on; else SYNC=off; fi
# command-line settings override postgresql.conf, so a restart picks up knob changes
OPTS="-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$RUN"
OPTS+=" -c fsync=$SYNC -c synchronous_commit=$SYNC -c full_page_writes=$SYNC"
OPTS+=" -c max_connections=200 -c logging_collector=off"

# --- 4. start (pg_ctl -w waits until it accepts connections) -----------------------
"${AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$LOG/postgres.log" -o "$OPTS" -w -t 60 start \
    > "$LOG/pg_ctl.out" 2>&1 || { cat "$LOG/pg_ctl.out" "$LOG/postgres.log" >&2; exit 1; }
head -n 1 "$DATA/postmaster.pid" > "$RUN/postgres.pid"
log "postgres up after $(since) (pid $(cat "$RUN/postgres.pid"), log $LOG/postgres.log)"

# --- 5. application role and database (first start only) ------------------------------
if [ "$FRESH" = 1 ]; then
  "${AS[@]}" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$RUN" -p "$PORT" -U postgres -d postgres \
      -c "CREATE ROLE \"$APP_USER\" LOGIN PASSWORD '$APP_PASS'" \
      -c "CREATE DATABASE \"$APP_DB\" OWNER \"$APP_USER\""
fi
PGPASSWORD=$APP_PASS "$BIN/psql" -X -qtA -h 127.0.0.1 -p "$PORT" -U "$APP_USER" -d "$APP_DB" \
    -c "select 1" >/dev/null || { log "login as $APP_USER over TCP failed"; exit 1; }
log "ready after $(since)"

cat > "$DIR/env" <<ENV
export PG_LOCAL_DSN=postgresql://$APP_USER:$APP_PASS@127.0.0.1:$PORT/$APP_DB
export PGHOST=127.0.0.1
export PGPORT=$PORT
export PGUSER=$APP_USER
export PGPASSWORD=$APP_PASS
export PGDATABASE=$APP_DB
ENV
chmod 644 "$DIR/env"
cat "$DIR/env"
