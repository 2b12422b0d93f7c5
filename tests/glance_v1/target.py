"""The server the ported Glance v1 tests run against, and how to reset it.

By default the target is our own registry and API started from `paste.ini`
as processes (`tests/functional/services.py`, the API talking to the
registry over HTTP as in `make run`), configured like Glance's functional
harness where the tests can notice.  Any other running server is a target
when the environment describes it:

    GLANCE_V1_TARGET_URL      its API, e.g. http://127.0.0.1:9292 (no path)
    GLANCE_V1_TARGET_DATADIR  its filesystem store directory (optional: the
                              one test that removes an image file skips
                              without it)
    GLANCE_V1_TARGET_HAS_V2   true if it also serves Images API v2 (which
                              changes the versions document); default false

The target must be a scratch server in `noauth` (or unauthenticated-context)
mode: before every test `empty()` deletes every image on it, because each
upstream test began with a freshly started, empty Glance.
"""

import contextlib
import os
from dataclasses import dataclass

from tests.functional.services import running_services
from tests.glance_v1.http import request

# Options of the upstream harness (glance/tests/functional/__init__.py) that
# the tests notice, passed to our servers as GLANCE_<OPTION> variables.  Our
# configuration reads only the options it knows, so one that does not exist
# yet is ignored until it does: image_property_quota and image_member_quota
# (names from contract §2 and §10, default 128) are not options of ours yet.
OWN_OPTIONS = {
    "image_property_quota": "10",
    "image_member_quota": "10",
    # The copy-from tests' origin listens on loopback, which our location
    # policy (contract §10) refuses by default; Glance had no such policy.
    "allowed_location_networks": "127.0.0.0/8",
}

# Whether our own servers serve Images API v2 (the versions document then has
# the v2 entries, contract §2): they do, by default (`enabled_apis`).
OWN_HAS_V2 = True


@dataclass(frozen=True)
class Target:
    url: str               # scheme://host:port of the API
    data_dir: str | None   # the filesystem store's directory, if known
    has_v2: bool           # whether Images API v2 is served too
    own: bool              # our own servers (KNOWN_FAILURES apply) or another

    def request(self, method, path, headers=None, body=None):
        return request(self.url, method, path, headers, body)

    def image_path(self, image_id):
        return os.path.join(self.data_dir, str(image_id))

    def empty(self):
        """Delete every image, as the upstream harness's fresh servers were empty.

        An admin (every caller in noauth) lists all images with
        `is_public=None`; the default list (public images) is read too, in
        case a server does not take that filter.  Protected images are
        unprotected first.
        """
        ids = []
        for query in ("?is_public=None&limit=1000", "?limit=1000"):
            answer = self.request("GET", "/v1/images/detail" + query)
            if answer.status == 200:
                ids += [(image["id"], image.get("protected")) for image in answer.json()["images"]]
        for image_id, protected in dict(ids).items():
            if protected:
                self.request("PUT", f"/v1/images/{image_id}",
                             {"x-image-meta-protected": "False"})
            answer = self.request("DELETE", f"/v1/images/{image_id}")
            if answer.status not in (200, 204, 404):
                raise AssertionError(f"could not empty the target: DELETE {image_id} "
                                     f"answered {answer.describe()}")


def from_environment(environ=None):
    """The external target the environment names, or None for our own servers."""
    environ = os.environ if environ is None else environ
    url = environ.get("GLANCE_V1_TARGET_URL", "").rstrip("/")
    if not url:
        return None
    has_v2 = environ.get("GLANCE_V1_TARGET_HAS_V2", "").strip().lower() in ("1", "true", "yes")
    return Target(url=url, data_dir=environ.get("GLANCE_V1_TARGET_DATADIR") or None,
                  has_v2=has_v2, own=False)


def own_environment():
    return {"GLANCE_" + name.upper(): value for name, value in OWN_OPTIONS.items()}


@contextlib.contextmanager
def own_target(workdir):
    """Our registry + API processes, configured as above, as a Target."""
    with running_services(workdir, extra_env=own_environment()) as services:
        yield Target(url=services.api_url, data_dir=services.data_dir,
                     has_v2=OWN_HAS_V2, own=True)
