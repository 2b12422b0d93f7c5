#!/usr/bin/env bash
# engines.sh - start the real engines Glance's scale-out tests run against, on
# loopback: OpenStack Swift (its proxy also speaks S3) and PostgreSQL.  Both
# start in parallel; each that comes up is exported for the tests, each that
# does not is exported with the reason, so its tests skip saying why.
#
#   bash tools/engines.sh            # start; writes $GLANCE_ENGINES_DIR/env
#   . /tmp/glance-engines/env        # GLANCE_TEST_SWIFT_*, GLANCE_TEST_S3_*, GLANCE_TEST_PG_URL
#   bash tools/engines-stop.sh       # stop both by their recorded PIDs
#
# Exits 0 even when an engine fails (the env file says which and why): a
# missing engine must never fail CI, it only skips the tests that need it.
set -uo pipefail
cd "$(dirname "$0")"
DIR=${GLANCE_ENGINES_DIR:-/tmp/glance-engines}
export SWIFT_AIO_DIR=${SWIFT_AIO_DIR:-$DIR/swift}
export PG_LOCAL_DIR=${PG_LOCAL_DIR:-$DIR/pg}
mkdir -p "$DIR"
chmod 755 "$DIR"
rm -f "$DIR/env"          # never leave the URLs of a previous run behind
T0=$(date +%s)

bash ./swift-aio.sh > "$DIR/swift.out" 2> "$DIR/swift.err" & swift_job=$!
bash ./postgres-local.sh > "$DIR/pg.out" 2> "$DIR/pg.err" & pg_job=$!
wait "$swift_job"; swift_rc=$?
wait "$pg_job"; pg_rc=$?

why() {  # the last meaningful lines of a failed start, on one line
  tail -n 5 "$1" | tr '\n' ' ' | sed "s/'//g; s/  */ /g"
}

{
  echo "# written by tools/engines.sh at $(date -u +%FT%TZ)"
  if [ "$swift_rc" = 0 ]; then
    . "$SWIFT_AIO_DIR/env"
    echo "export GLANCE_TEST_SWIFT_AUTH=$ST_AUTH"
    echo "export GLANCE_TEST_SWIFT_USER=$ST_USER"
    echo "export GLANCE_TEST_SWIFT_KEY=$ST_KEY"
    echo "export GLANCE_TEST_S3_ENDPOINT=$SWIFT_AIO_S3_ENDPOINT"
    echo "export GLANCE_TEST_S3_DOMAIN=$SWIFT_AIO_S3_DOMAIN"
    echo "export GLANCE_TEST_S3_ACCESS_KEY=$AWS_ACCESS_KEY_ID"
    echo "export GLANCE_TEST_S3_SECRET_KEY=$AWS_SECRET_ACCESS_KEY"
    echo "export GLANCE_TEST_SWIFT_LOGS=$SWIFT_AIO_DIR/log"
  else
    echo "export GLANCE_TEST_SWIFT_UNAVAILABLE='tools/swift-aio.sh failed (exit $swift_rc): $(why "$DIR/swift.err")'"
  fi
  if [ "$pg_rc" = 0 ]; then
    . "$PG_LOCAL_DIR/env"
    echo "export GLANCE_TEST_PG_URL=$PG_LOCAL_DSN"
  else
    echo "export GLANCE_TEST_PG_UNAVAILABLE='tools/postgres-local.sh failed (exit $pg_rc): $(why "$DIR/pg.err")'"
  fi
} > "$DIR/env"

cat "$DIR/swift.err" "$DIR/pg.err" >&2
echo "[engines] swift: $([ "$swift_rc" = 0 ] && echo up || echo FAILED), postgresql: $([ "$pg_rc" = 0 ] && echo up || echo FAILED), after $(( $(date +%s) - T0 ))s; env in $DIR/env" >&2
cat "$DIR/env"
exit 0
