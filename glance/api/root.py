"""The image API's root app: the APIs it serves share one registry
connection and one set of stores, and it dispatches each request by the
first segment of its path (CONTRACT §2, §4).

- `/v1`, `/v1.0`, `/v1.1` → the v1 app, with `/v1` moved into SCRIPT_NAME
  (so the `uri` it builds keeps it);
- `/v2`, `/v2.0` … `/v2.6` → the v2 app, with `/v2` moved into SCRIPT_NAME,
  when v2 is served; otherwise, as for any version this server does not
  serve, 300 with the versions document;
- any other path → the v1 app, unchanged (the founding docs' unversioned
  paths).

It works bare; the `version` filter in front of it adds negotiation by
`Accept`, `/versions` and 300 for unknown versions.  Start-up recovery
runs here, once for the node, and again for a prefork worker that died.
"""

import re

from glance import registry as registry_module
from glance import store as store_module
from glance.api import recovery, versions
from glance.api.v1.images import ImagesApp
from glance.common import config, exception
from glance.httpd import prefork

_FIRST_SEGMENT = re.compile(r"/([^/]*)")


def _v2_app(conf, registry, stores):
    """The seam for Images API v2 (CONTRACT §4): its app is built here, from
    the same registry and stores, once it exists."""
    raise exception.ConfigError(
        "enabled_apis: Images API v2 is not available on this server yet")


# How each API's app is built: (conf, registry, stores) -> WSGI app.
BUILDERS = {versions.V1: ImagesApp, versions.V2: _v2_app}


class RootApp:
    def __init__(self, conf, registry, stores, apps):
        """`apps` maps each served API ("v1", "v2") to its app; v1 is required."""
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.apps = dict(apps)
        self.served = tuple(api for api in versions.APIS if api in self.apps)

    def worker_exited(self, pid):
        """In a prefork master: a worker ended; kill its interrupted uploads and copies."""
        recovery.reconcile(self.conf, self.registry, self.stores, pid=pid)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO") or ""
        found = _FIRST_SEGMENT.match(path)
        segment = found.group(1) if found else ""
        api = versions.SEGMENTS.get(segment)
        if api is None:
            return self.apps[versions.V1](environ, start_response)
        if api not in self.apps:
            return versions.respond(environ, start_response, self.served)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + "/" + api
        environ["PATH_INFO"] = path[found.end():]
        return self.apps[api](environ, start_response)


def app_factory(global_conf, **local_conf):
    conf = config.load(global_conf, local_conf)
    registry = registry_module.connect(conf)
    stores = store_module.Stores(conf)
    apps = {api: BUILDERS[api](conf, registry, stores) for api in conf.enabled_apis}
    root = RootApp(conf, registry, stores, apps)
    recovery.reconcile(conf, registry, stores)
    prefork.on_worker_exit(root)
    return root
