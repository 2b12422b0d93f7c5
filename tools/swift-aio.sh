#!/usr/bin/env bash
# swift-aio.sh - a single-node, one-replica OpenStack Swift on loopback for
# Glance's swift and s3 store tests, entirely under a scratch directory.
#
#   bash tools/swift-aio.sh           # install (if needed), build rings, start, verify
#   bash tools/swift-aio-stop.sh      # stop it by the PIDs recorded here
#
# What runs: swift-proxy-server (tempauth + s3api: the same store also speaks
# S3, so one engine serves both store tests), swift-account-server,
# swift-container-server, swift-object-server.  Swift comes from PyPI into its
# own virtual environment (liberasurecode is bundled in the pyeclib wheel).
# No memcached (tempauth issues Fernet tokens), no rsync, no replicators.
#
# Knobs (all optional):
#   SWIFT_AIO_DIR       scratch dir                        (default /tmp/glance-engines/swift)
#   SWIFT_AIO_VENV      venv holding swift; kept between runs so a second start is fast
#                       (default ~/.cache/glance/swift-venv-<version>)
#   SWIFT_AIO_PORT      proxy port; backends use PORT+1..PORT+3 (default 28080)
#   SWIFT_AIO_VERSION   pip requirement for swift          (default swift==2.38.3)
#   SWIFT_AIO_PYTHON    python that creates the venv       (default python3)
#
# Pitfall: Swift keeps object metadata in user xattrs.  On ext4 all of a
# file's xattrs share one 4 KiB block, so an object whose metadata nears
# Swift's 4096-byte limit fails with 503; Glance's objects carry almost none.
#
# On success prints "export" lines (also in $SWIFT_AIO_DIR/env):
#   ST_AUTH / ST_USER / ST_KEY                  Swift v1 auth (tempauth)
#   SWIFT_AIO_S3_ENDPOINT / AWS_* / S3 domain   the same store through s3api
set -euo pipefail

DIR=${SWIFT_AIO_DIR:-/tmp/glance-engines/swift}
REQ=${SWIFT_AIO_VERSION:-swift==2.38.3}
VENV=${SWIFT_AIO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/glance/swift-venv-${REQ##*=}}
PY=${SWIFT_AIO_PYTHON:-python3}
PORT=${SWIFT_AIO_PORT:-28080}
HOST=127.0.0.1
# Virtual-hosted S3 requests name the bucket in the Host header: <bucket>.$S3_DOMAIN
S3_DOMAIN=s3.localhost
OBJ_PORT=$((PORT + 1)); CONT_PORT=$((PORT + 2)); ACCT_PORT=$((PORT + 3))
ETC=$DIR/etc; NODE=$DIR/srv/node; RUN=$DIR/run; LOG=$DIR/log

T0=$(date +%s%N)
log() { printf '[swift-aio] %s\n' "$*" >&2; }
since() { echo "$(( ($(date +%s%N) - T0) / 1000000 ))ms"; }

for f in "$RUN"/*.pid; do
  if [ -e "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then
    log "already running ($f); stop it first with tools/swift-aio-stop.sh"; exit 1
  fi
done
for p in "$PORT" "$OBJ_PORT" "$CONT_PORT" "$ACCT_PORT"; do
  if "$PY" -c 'import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$p"; then
    log "port $p on 127.0.0.1 is taken; choose another SWIFT_AIO_PORT"; exit 1
  fi
done

# --- 1. software: swift from PyPI in its own venv ---------------------------
mkdir -p "$ETC" "$NODE/d1" "$RUN" "$LOG"
if ! "$VENV/bin/python" -c 'import swift, pyeclib, cryptography' 2>/dev/null; then
  log "installing $REQ into $VENV"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV" > "$LOG/venv.log" 2>&1 || { cat "$LOG/venv.log" >&2; exit 1; }
  "$VENV/bin/pip" install -q --disable-pip-version-check "$REQ" \
      > "$LOG/pip.log" 2>&1 || { tail -n 30 "$LOG/pip.log" >&2; exit 1; }
fi
log "software ready after $(since)"

# --- 2. the device directory must keep user xattrs ---------------------------
"$VENV/bin/python" - "$NODE/d1" <<'PY'
import os, sys
p = os.path.join(sys.argv[1], '.xattr-probe')
open(p, 'w').close()
try:
    for i in range(8):   # Swift splits its pickled metadata into 254-byte xattrs
        os.setxattr(p, 'user.swift.metadata%s' % (i or ''), b'x' * 254)
except OSError as e:
    sys.exit(f'[swift-aio] {sys.argv[1]}: filesystem lacks user xattr support: {e}')
finally:
    os.remove(p)
PY

# --- 3. configuration -----------------------------------------------------------
ME=$(id -un)
# The hash prefix places objects on disk and the Fernet key signs tokens: both
# are kept across restarts so stored data and issued tokens stay valid.
if [ ! -s "$ETC/secrets" ]; then
  { echo "HASH=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(8))')"
    echo "FERNET=$("$VENV/bin/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
  } > "$ETC/secrets"
fi
. "$ETC/secrets"

cat > "$ETC/swift.conf" <<CONF
[swift-hash]
swift_hash_path_prefix = aio-$HASH
swift_hash_path_suffix = aio-$HASH

[storage-policy:0]
name = gold
default = yes
policy_type = replication
CONF

# Swift logs to syslog (and the console with -v).  There is no /dev/log in CI:
# syslog goes to a loopback UDP port nobody reads, the console copy to $LOG.
common() {
cat <<CONF
[DEFAULT]
bind_ip = $HOST
bind_port = $1
workers = 1
user = $ME
swift_dir = $ETC
devices = $NODE
mount_check = false
disable_fallocate = true
log_udp_host = 127.0.0.1
log_udp_port = 5140
log_level = WARNING
CONF
}

for srv in object container account; do
  case $srv in object) p=$OBJ_PORT ;; container) p=$CONT_PORT ;; account) p=$ACCT_PORT ;; esac
  { common "$p"; cat <<CONF
[pipeline:main]
pipeline = healthcheck $srv-server
[app:$srv-server]
use = egg:swift#$srv
[filter:healthcheck]
use = egg:swift#healthcheck
CONF
  } > "$ETC/$srv-server.conf"
done

{ common "$PORT"; cat <<CONF
[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
allow_account_management = true
account_autocreate = true

[filter:tempauth]
use = egg:swift#tempauth
# account "test", user "tester", key "testing" (.admin: owner of AUTH_test)
user_test_tester = testing .admin
user_test2_tester2 = testing2 .admin
# self-contained Fernet tokens, so no memcached is needed
fernet_key_aio = $FERNET
active_fernet_key_id = aio
token_life = 86400

[filter:s3api]
use = egg:swift#s3api
location = us-east-1
storage_domain = $S3_DOMAIN

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
# No object-expirer runs here: delete large objects' segments at once, not
# "asynchronously" (which would leave them until an expirer came by).
allow_async_delete = false
[filter:dlo]
use = egg:swift#dlo
CONF
} > "$ETC/proxy-server.conf"

# --- 4. rings: 2^10 partitions, 1 replica, 1 device ---------------------------
( cd "$ETC"
  rm -f ./*.builder ./*.ring.gz; rm -rf backups
  for ring in account:$ACCT_PORT container:$CONT_PORT object:$OBJ_PORT; do
    name=${ring%%:*}; p=${ring##*:}
    "$VENV/bin/swift-ring-builder" "$name.builder" create 10 1 1 >/dev/null
    "$VENV/bin/swift-ring-builder" "$name.builder" add "r1z1-$HOST:$p/d1" 100 >/dev/null
    "$VENV/bin/swift-ring-builder" "$name.builder" rebalance >/dev/null || true
    [ -s "$name.ring.gz" ] || { log "ring $name not built"; exit 1; }
  done )

# --- 5. start ----------------------------------------------------------------------
for srv in object container account proxy; do
  "$VENV/bin/swift-$srv-server" "$ETC/$srv-server.conf" -v \
      > "$LOG/$srv.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$srv.pid"
done

# --- 6. wait for /healthcheck on every port, then check v1 auth ------------------
"$VENV/bin/python" - "$HOST" "$PORT" "$OBJ_PORT" "$CONT_PORT" "$ACCT_PORT" <<'PY' || { tail -n 20 "$LOG"/*.log >&2; exit 1; }
import http.client, sys, time
host, *ports = sys.argv[1], *map(int, sys.argv[2:])
deadline = time.time() + 60
for port in ports:
    while True:
        try:
            c = http.client.HTTPConnection(host, port, timeout=2)
            c.request('GET', '/healthcheck'); r = c.getresponse(); r.read()
            if r.status == 200:
                break
        except OSError:
            pass
        if time.time() > deadline:
            sys.exit(f'[swift-aio] port {port} did not answer /healthcheck within 60 s')
        time.sleep(0.1)
c = http.client.HTTPConnection(host, ports[0], timeout=10)
c.request('GET', '/auth/v1.0', headers={'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing'})
r = c.getresponse(); r.read()
if r.status // 100 != 2 or not r.getheader('X-Storage-Url'):
    sys.exit(f'[swift-aio] v1 auth failed: {r.status}')
PY
log "up after $(since) (logs in $LOG, pids in $RUN)"

cat > "$DIR/env" <<ENV
export ST_AUTH=http://$HOST:$PORT/auth/v1.0
export ST_USER=test:tester
export ST_KEY=testing
export SWIFT_AIO_S3_ENDPOINT=http://$HOST:$PORT
export SWIFT_AIO_S3_DOMAIN=$S3_DOMAIN
export AWS_ACCESS_KEY_ID=test:tester
export AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=us-east-1
ENV
cat "$DIR/env"
