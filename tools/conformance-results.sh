#!/usr/bin/env bash
# Publish the conformance results of every product: real OpenStack Glance v1
# (Queens), real Glance 33 (Images API v2) and this project, each judged by
# glance-conformance, the reports written into docs/conformance-results/
# <product>/ (junit.xml, report.html, results.json, and product.json saying
# what ran and how), and the summary in docs/conformance-results.rst brought
# up to date (python -m conformance.published).  Not part of CI: both real
# Glances need installs of their own and the whole takes several minutes.
#
#   tools/conformance-results.sh [product ...]   # default: all four below
#
# Products:
#   glance-16-v1    OpenStack Glance 16.0.0 (Queens), ../shared/recipes/
#                   reference-glance-v1.sh start v1+v2, judged with --api-version 1
#   glance-33-v2    glance 33.0.0 from PyPI under uWSGI (../shared/recipes/
#                   glance33.sh), judged with --api-version 2 and two tokens
#   ours            this project as `make run` lays it out (registry over HTTP,
#                   noauth), --api-version all, with the registry area
#   ours-token      the same servers in token mode: an admin's and a second
#                   tenant's token (the access clauses), --api-version all
#
# Needs: `make .venv/.installed`; Glance v1 installed by reference-glance-v1.sh
# install (GV1_INSTALL_DIR, default /tmp/glance-v1-ref; GLANCE_MIRROR and
# REQUIREMENTS_MIRROR as in its header); Glance 33 installed by glance33.sh
# install (/tmp/glance-venv).
#
# Glance 33 runs as a keystone deployment does, without keystone: a small
# paste filter in the place of keystonemiddleware (delay_auth_decision) turns
# two fixed, random tokens into the identity headers keystonemiddleware would
# set — an admin of project conformance-admin and a member of
# conformance-alt — and marks anything else an invalid identity, so that
# Glance's own context middleware answers 401.  (The approach of
# tools/compat-against-real-glance.sh, with tokens: the recipe's
# unauthenticated context has no project, and Glance 33 cannot then create an
# import task nor tell tenants apart.)  Its import filter allows 127.0.0.1 on
# any port, for web-download from the suite's origin.  It is started by
# uWSGI directly, as the recipe does: the recipe's start waits for an
# unauthenticated 200, which a deployment with tokens never gives.
#
# Every server listens on 127.0.0.1 and is stopped on exit, by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
RECIPES="${RECIPES:-$ROOT/../shared/recipes}"
[ -d "$RECIPES" ] || RECIPES=/work/shared/recipes
OUT="$ROOT/docs/conformance-results"
export GLANCE_MIRROR="${GLANCE_MIRROR:-/work/.mirror/openstack+glance/repo}"
export REQUIREMENTS_MIRROR="${REQUIREMENTS_MIRROR:-/work/.mirror/openstack+requirements/repo}"
V1_INSTALL="${GV1_INSTALL_DIR:-/tmp/glance-v1-ref}"
export GV1_REF_DIR="${RESULTS_V1_DIR:-/tmp/glance-v1-results}"
G33_VENV="${GLANCE_VENV:-/tmp/glance-venv}"
G33_DIR="${RESULTS_V2_DIR:-/tmp/glance33-results}"
OURS_DIR="${RESULTS_OURS_DIR:-/tmp/glance-ours-results}"
for dir in "$GV1_REF_DIR" "$G33_DIR" "$OURS_DIR"; do
  case "$dir" in /tmp/?*) ;; *) echo "$dir must be under /tmp" >&2; exit 2 ;; esac
done
PRODUCTS=("$@")
[ ${#PRODUCTS[@]} -gt 0 ] || PRODUCTS=(glance-16-v1 glance-33-v2 ours ours-token)
OUR_PIDS=()

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() {  # $1 URL, $2 what, [$3 header]: until it answers below 500
  for _ in $(seq 1 300); do
    code=$(curl -s -o /dev/null -w '%{http_code}' ${3:+-H "$3"} "$1" || true)
    if [ -n "$code" ] && [ "$code" != 000 ] && [ "$code" -lt 500 ]; then return 0; fi
    sleep 0.2
  done
  echo "conformance-results: $2 did not answer at $1" >&2
  return 1
}

stop_ours() {
  local pid
  for pid in "${OUR_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${OUR_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  OUR_PIDS=()
}

stop_all() {
  stop_ours
  bash "$RECIPES/reference-glance-v1.sh" stop > /dev/null 2>&1 || true
  if [ -f "$G33_DIR/uwsgi.pid" ]; then
    (cd "$G33_DIR" && GLANCE_DIR="$G33_DIR" bash "$RECIPES/glance33.sh" stop > /dev/null) || true
  fi
}
trap stop_all EXIT

judge() {  # $1 product, $2 title, $3 how it ran, then glance-conformance's arguments
  local product=$1 title=$2 how=$3 code=0
  shift 3
  rm -rf "${OUT:?}/$product"
  mkdir -p "$OUT/$product"
  echo "conformance-results: judging $product ($title)" >&2
  "$PY" -m conformance.cli --report-dir "$OUT/$product" "$@" > "$OUT/$product/console.txt" \
    2>&1 || code=$?
  "$PY" - "$OUT/$product/product.json" "$title" "$how" "$code" "$*" <<'EOF'
import json, sys
path, title, how, code, argv = sys.argv[1:]
for secret in ("--auth-token", "--alt-auth-token"):
    words = argv.split()
    argv = " ".join("[token]" if n and words[n - 1] == secret else w
                    for n, w in enumerate(words))
with open(path, "w", encoding="utf-8") as f:
    json.dump({"title": title, "how": how, "exit_code": int(code),
               "arguments": argv}, f, indent=2)
EOF
  # The console copy names local paths and ephemeral ports: keep its verdict only.
  grep -E '^(Summary|Verdict):' "$OUT/$product/console.txt" > "$OUT/$product/console.tmp" || true
  mv "$OUT/$product/console.tmp" "$OUT/$product/console.txt"
  echo "conformance-results: $product exit status $code" >&2
}

run_glance_v1() {
  mkdir -p "$GV1_REF_DIR"
  for part in venv src; do
    [ -e "$GV1_REF_DIR/$part" ] || ln -s "$V1_INSTALL/$part" "$GV1_REF_DIR/$part"
  done
  local url
  url=$(bash "$RECIPES/reference-glance-v1.sh" start v1+v2 | tail -n 1)
  judge glance-16-v1 "OpenStack Glance 16.0.0 (Queens), Images API v1" \
    "reference-glance-v1.sh start v1+v2: the upstream functional configuration (unauthenticated admin context, sqlite, file store, image_property_quota = image_member_quota = 10)" \
    --api-url "$url" --api-version 1
  bash "$RECIPES/reference-glance-v1.sh" stop > /dev/null
}

run_glance_33() {
  rm -rf "$G33_DIR"
  mkdir -p "$G33_DIR/pylib"
  local port admin alt etc="$G33_DIR/etc"
  port=$(free_port)
  admin="conf-admin-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
  alt="conf-alt-$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
  (cd "$G33_DIR" && GLANCE_DIR="$G33_DIR" GLANCE_PORT="$port" GLANCE_VENV="$G33_VENV" \
     bash "$RECIPES/glance33.sh" configure > /dev/null)
  cat > "$G33_DIR/pylib/conformance_identity.py" <<'EOF'
"""Paste filter: what keystonemiddleware (delay_auth_decision) passes on, for fixed tokens.

tokens = <token>:<project>:<role,role> ...  A known X-Auth-Token gets a
confirmed identity; anything else an invalid one (Glance's context
middleware then answers 401).  Identity headers sent by the client are
dropped first, as keystonemiddleware drops them.
"""

IDENTITY = ("HTTP_X_IDENTITY_STATUS", "HTTP_X_PROJECT_ID", "HTTP_X_TENANT_ID",
            "HTTP_X_USER_ID", "HTTP_X_ROLES", "HTTP_X_SERVICE_CATALOG", "HTTP_X_DOMAIN_ID",
            "HTTP_X_USER_DOMAIN_ID", "HTTP_X_PROJECT_DOMAIN_ID", "HTTP_X_SYSTEM_SCOPE")


def filter_factory(global_conf, tokens="", **local_conf):
    known = {}
    for item in tokens.split():
        token, project, roles = item.split(":")
        known[token] = (project, roles)

    def wrap(app):
        def identified(environ, start_response):
            for key in IDENTITY:
                environ.pop(key, None)
            who = known.get(environ.get("HTTP_X_AUTH_TOKEN"))
            if who is None:
                environ["HTTP_X_IDENTITY_STATUS"] = "Invalid"
            else:
                environ.update({"HTTP_X_IDENTITY_STATUS": "Confirmed",
                                "HTTP_X_PROJECT_ID": who[0],
                                "HTTP_X_USER_ID": who[0] + "-user",
                                "HTTP_X_ROLES": who[1]})
            return app(environ, start_response)
        return identified
    return wrap
EOF
  sed -i 's/^default = \(.*\) unauthenticated-context rootapp$/default = \1 conformanceidentity context rootapp/' \
    "$etc/glance-api-paste.ini"
  printf '\n[filter:conformanceidentity]\npaste.filter_factory = conformance_identity:filter_factory\ntokens = %s:conformance-admin:admin,member,reader %s:conformance-alt:member,reader\n' \
    "$admin" "$alt" >> "$etc/glance-api-paste.ini"
  printf '\n[import_filtering_opts]\nallowed_hosts = [127.0.0.1]\nallowed_ports = []\n' >> "$etc/glance-api.conf"
  printf 'pythonpath = %s\n' "$G33_DIR/pylib" >> "$etc/glance-uwsgi.ini"
  # From its own directory: uWSGI would import this project's glance/ from here.
  (cd "$G33_DIR" && OS_GLANCE_CONFIG_DIR="$etc" "$G33_VENV/bin/uwsgi" \
     --ini "$etc/glance-uwsgi.ini" --daemonize2 "$G33_DIR/uwsgi.log" >> "$G33_DIR/uwsgi.log" 2>&1)
  wait_http "http://127.0.0.1:$port/v2/images?limit=1" "Glance 33" "X-Auth-Token: $admin"
  judge glance-33-v2 "OpenStack Glance 33.0.0, Images API v2" \
    "glance33.sh configure, under uWSGI (2 processes); a paste filter standing in for keystonemiddleware gives an admin token (project conformance-admin) and a member token (project conformance-alt); the import filter allows 127.0.0.1 on any port" \
    --api-url "http://127.0.0.1:$port" --api-version 2 --auth-token "$admin" \
    --alt-auth-token "$alt"
  (cd "$G33_DIR" && GLANCE_DIR="$G33_DIR" bash "$RECIPES/glance33.sh" stop > /dev/null)
}

start_ours() {  # $1 directory, $2 auth strategy; sets API_URL and REGISTRY_URL
  local dir=$1 strategy=$2 api_port registry_port
  rm -rf "$dir"
  mkdir -p "$dir"
  api_port=$(free_port)
  registry_port=$(free_port)
  export GLANCE_SQL_CONNECTION="sqlite:///$dir/glance.sqlite" \
         GLANCE_FILESYSTEM_STORE_DATADIR="$dir/images" \
         GLANCE_AUTH_TOKENS_FILE="$dir/tokens.json" GLANCE_AUTH_STRATEGY="$strategy" \
         GLANCE_SERVICE_TOKEN="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')" \
         GLANCE_ALLOWED_LOCATION_NETWORKS=127.0.0.0/8
  .venv/bin/glance-registry --config paste.ini --port "$registry_port" \
    > "$dir/registry.log" 2>&1 & OUR_PIDS+=($!)
  wait_http "http://127.0.0.1:$registry_port/versions" "our registry"
  GLANCE_REGISTRY_URL="http://127.0.0.1:$registry_port" .venv/bin/glance-api --config paste.ini \
    --port "$api_port" > "$dir/api.log" 2>&1 & OUR_PIDS+=($!)
  wait_http "http://127.0.0.1:$api_port/versions" "our API"
  API_URL="http://127.0.0.1:$api_port"
  REGISTRY_URL="http://127.0.0.1:$registry_port"
}

run_ours() {
  start_ours "$OURS_DIR/noauth" noauth
  judge ours "This project, Images API v1 and v2 and the registry" \
    "make run's layout (registry over HTTP, sqlite, file store, noauth: every caller an admin without a tenant), loopback locations allowed (allowed_location_networks = 127.0.0.0/8)" \
    --api-url "$API_URL" --registry-url "$REGISTRY_URL" --api-version all
  stop_ours
}

run_ours_token() {
  start_ours "$OURS_DIR/token" token
  local admin alt
  admin=$("$PY" -c 'import sys; from glance.common import tokens; print(tokens.create_token(sys.argv[1], "conformance-admin", "admin", ["admin"]))' "$GLANCE_AUTH_TOKENS_FILE")
  alt=$("$PY" -c 'import sys; from glance.common import tokens; print(tokens.create_token(sys.argv[1], "conformance-alt", "alt", ["member"]))' "$GLANCE_AUTH_TOKENS_FILE")
  judge ours-token "This project in token mode, Images API v1 and v2" \
    "make run's layout in token mode (GLANCE_AUTH_STRATEGY=token): an admin's token and a second tenant's member token; loopback locations allowed" \
    --api-url "$API_URL" --api-version all --auth-token "$admin" --alt-auth-token "$alt"
  stop_ours
}

for product in "${PRODUCTS[@]}"; do
  case "$product" in
    glance-16-v1) run_glance_v1 ;;
    glance-33-v2) run_glance_33 ;;
    ours) run_ours ;;
    ours-token) run_ours_token ;;
    *) echo "unknown product $product" >&2; exit 2 ;;
  esac
done
"$PY" -m conformance.published --update-docs docs/conformance-results.rst "$OUT"
