#!/usr/bin/env bash
# Run tests/compat against the real Glance of each API instead of ours: the v1
# tests against Glance Queens (v1 and v2 enabled), the v2 tests against
# Glance 33.  Proves the tests themselves: every one must pass there.
# Not part of CI (both Glances need installs of their own, see below).
#
#   tools/compat-against-real-glance.sh [pytest args...]
#
# Needs: the client venvs (`make clients`); real Glance v1 installed by
# ../shared/recipes/reference-glance-v1.sh install (GLANCE_MIRROR and
# REQUIREMENTS_MIRROR: git copies of openstack/glance and openstack/requirements,
# defaults below); real Glance 33 installed by ../shared/recipes/glance33.sh
# install (in /tmp/glance-venv).  Both recipes' headers say more.
#
# Glance v1 runs in its own run directory (COMPAT_V1_DIR, with links to the
# shared install), so another engineer's reference server is left alone.
#
# Glance 33 gets two changes to the recipe's configuration, both what a real
# deployment has and the recipe's keystone-less one lacks:
# - an identity: its unauthenticated context has no project, and Glance 33
#   then cannot create an import task (tasks.owner NOT NULL: 500) nor publicize
#   (no admin role).  A one-line filter sets the headers keystonemiddleware
#   would set for an admin of project "compat" (X-Identity-Status: Confirmed,
#   X-Project-Id, X-User-Id, X-Roles) before Glance's own ContextMiddleware;
# - web-download from the tests' origin: it listens on an ephemeral loopback
#   port, and Glance's import filter refuses loopback unless the host is
#   allowed and allows ports 80 and 443 only (our server needs
#   allowed_location_networks for the same reason, tests/compat/targets.py).
# Both servers listen on 127.0.0.1 and are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RECIPES="${RECIPES:-$ROOT/../shared/recipes}"
[ -d "$RECIPES" ] || RECIPES=/work/shared/recipes
export GLANCE_MIRROR="${GLANCE_MIRROR:-/work/.mirror/openstack+glance/repo}"
export REQUIREMENTS_MIRROR="${REQUIREMENTS_MIRROR:-/work/.mirror/openstack+requirements/repo}"
V1_INSTALL="${GV1_INSTALL_DIR:-/tmp/glance-v1-ref}"
export GV1_REF_DIR="${COMPAT_V1_DIR:-/tmp/glance-v1-compat}"
export GLANCE_DIR="${COMPAT_V2_DIR:-/tmp/glance33-compat}"
export GLANCE_PORT="${COMPAT_V2_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"

stop_all() {
  bash "$RECIPES/reference-glance-v1.sh" stop || true
  bash "$RECIPES/glance33.sh" stop || true
}
trap stop_all EXIT

# -- Glance v1 (Queens) --------------------------------------------------------
mkdir -p "$GV1_REF_DIR"
for part in venv src; do
  [ -e "$GV1_REF_DIR/$part" ] || ln -s "$V1_INSTALL/$part" "$GV1_REF_DIR/$part"
done
V1_URL=$(bash "$RECIPES/reference-glance-v1.sh" start v1+v2 | tail -n 1)

# -- Glance 33 -------------------------------------------------------------------
case "$GLANCE_DIR" in /tmp/?*) ;; *) echo "COMPAT_V2_DIR must be under /tmp" >&2; exit 2 ;; esac
rm -rf "$GLANCE_DIR"  # a fresh database and store every run
mkdir -p "$GLANCE_DIR"
(cd "$GLANCE_DIR" && bash "$RECIPES/glance33.sh" configure > /dev/null)
mkdir -p "$GLANCE_DIR/pylib"
cat > "$GLANCE_DIR/pylib/compat_identity.py" <<'EOF'
"""Paste filter: the identity keystonemiddleware would pass for an admin of project compat."""


def filter_factory(global_conf, **local_conf):
    def wrap(app):
        def identified(environ, start_response):
            environ.update({"HTTP_X_IDENTITY_STATUS": "Confirmed",
                            "HTTP_X_PROJECT_ID": "compat", "HTTP_X_USER_ID": "compat-user",
                            "HTTP_X_ROLES": "admin,member,reader"})
            return app(environ, start_response)
        return identified
    return wrap
EOF
ETC="$GLANCE_DIR/etc"
sed -i 's/^default = \(.*\) unauthenticated-context rootapp$/default = \1 compatidentity context rootapp/' \
  "$ETC/glance-api-paste.ini"
printf '\n[filter:compatidentity]\npaste.filter_factory = compat_identity:filter_factory\n' \
  >> "$ETC/glance-api-paste.ini"
printf '\n[import_filtering_opts]\nallowed_hosts = [127.0.0.1]\nallowed_ports = []\n' >> "$ETC/glance-api.conf"
printf 'pythonpath = %s\n' "$GLANCE_DIR/pylib" >> "$ETC/glance-uwsgi.ini"
# From its own directory: uWSGI would import our glance/ package from here.
(cd "$GLANCE_DIR" && bash "$RECIPES/glance33.sh" start)
V2_URL="http://127.0.0.1:$GLANCE_PORT"

echo "compat: real Glance v1 at $V1_URL, real Glance 33 at $V2_URL" >&2
GLANCE_COMPAT_V1_URL="$V1_URL" GLANCE_COMPAT_V2_URL="$V2_URL" \
  .venv/bin/python -m pytest -q tests/compat "$@"
