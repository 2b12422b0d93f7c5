#!/usr/bin/env bash
# glance-v1-tests.sh - run the ported Glance v1 tests (tests/glance_v1) against
# the real Glance v1 (Queens), in both of its configurations: v1 only, then v1
# and v2.  Not run in CI: it needs the reference recipe and git copies of
# openstack/glance and openstack/requirements.
#
#   GLANCE_MIRROR=<git dir of openstack/glance> \
#   REQUIREMENTS_MIRROR=<git dir of openstack/requirements> \
#   bash tools/glance-v1-tests.sh [pytest arguments]
#
# env: GLANCE_V1_REFERENCE  the recipe (default: shared/recipes/reference-glance-v1.sh
#                           next to the checkout or its worktree directory)
#      GV1_REF_DIR          the recipe's directory (default /tmp/glance-v1-ref)
#      PYTHON               the interpreter with pytest (default .venv/bin/python)
# Every test must pass (or skip for the other configuration) on both; the
# known failures of our own servers never apply here.  The reference is
# always stopped, by the recipe, on exit.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-$ROOT/.venv/bin/python}
REF=${GV1_REF_DIR:-/tmp/glance-v1-ref}
RECIPE=${GLANCE_V1_REFERENCE:-}
if [ -z "$RECIPE" ]; then
  for candidate in "$ROOT/../shared/recipes/reference-glance-v1.sh" \
                   "$ROOT/../../shared/recipes/reference-glance-v1.sh"; do
    if [ -f "$candidate" ]; then RECIPE=$candidate; break; fi
  done
fi
if [ ! -f "$RECIPE" ]; then
  echo "glance-v1-tests: set GLANCE_V1_REFERENCE to reference-glance-v1.sh" >&2
  exit 2
fi
if [ ! -x "$REF/venv/bin/python" ]; then
  bash "$RECIPE" install || exit 2
fi

trap 'bash "$RECIPE" stop' EXIT
rc=0
for config in v1 v1+v2; do
  if ! url=$(bash "$RECIPE" start "$config"); then
    echo "glance-v1-tests: the reference ($config) did not start" >&2
    rc=1
    continue
  fi
  has_v2=false
  [ "$config" = v1+v2 ] && has_v2=true
  echo "== real Glance v1 ($config) at $url"
  GLANCE_V1_TARGET_URL=$url GLANCE_V1_TARGET_HAS_V2=$has_v2 \
  GLANCE_V1_TARGET_DATADIR=$REF/run/images \
    "$PY" -m pytest -q -rs tests/glance_v1 "$@" || rc=1
  bash "$RECIPE" stop
done
exit $rc
