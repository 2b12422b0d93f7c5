"""Which Glance the compatibility tests talk to: ours, or a real one.

By default the tests start our registry and API from paste.ini (the API
talking to the registry over HTTP, as `make run` does).  Two environment
variables point them at a real Glance instead, one per API, because the two
yardsticks are different servers (CONTRACT revision 2, first section):

    GLANCE_COMPAT_V1_URL   tests with API = "v1" (real Glance v1, Queens)
    GLANCE_COMPAT_V2_URL   tests with API = "v2" (real Glance 33)

tools/compat-against-real-glance.sh starts both and sets them.  The list of
known failures applies to our server only: a real Glance must pass every test.
"""

import os

from tests.functional.services import LOOPBACK_ORIGINS

ENV = {"v1": "GLANCE_COMPAT_V1_URL", "v2": "GLANCE_COMPAT_V2_URL"}

# Our server must accept locations and copy-from on the loopback test origin.
OUR_ENV = LOOPBACK_ORIGINS


def real_url(api):
    """The real Glance URL the tests of `api` are pointed at, or None for ours."""
    url = os.environ.get(ENV[api], "").strip()
    return url.rstrip("/") or None


def is_ours(api):
    return real_url(api) is None


def api_of(module):
    """The API a test module exercises: its module-level `API` ("v1" or "v2")."""
    api = getattr(module, "API", None)
    if api not in ENV:
        raise ValueError(f"{module.__name__} must set API = 'v1' or 'v2', got {api!r}")
    return api
