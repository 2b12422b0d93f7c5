"""The image API's root app: the APIs it serves share one registry
connection and one set of stores, and it dispatches each request by the
first segment of its path (CONTRACT §2, §4).

- `/v1`, `/v1.0`, `/v1.1` → the v1 app, with `/v1` moved into SCRIPT_NAME
  (so the `uri` it builds keeps it);
- `/v2`, `/v2.0` … `/v2.6` → the v2 app (`glance.api.v2.app`), with `/v2`
  moved into SCRIPT_NAME, when v2 is served (`enabled_apis`, by default v1
  and v2); otherwise, as for any version this server does not serve, 300
  with the versions document;
- any other path → the v1 app, unchanged (the founding docs' unversioned
  paths).

It works bare; the `version` filter in front of it adds negotiation by
`Accept`, `/versions` and 300 for unknown versions.  The upload keeper
(`recovery.Keeper`: leases, start-up recovery retried until the registry
answers, the lease sweep) is made here, once per process, and recovers
after a prefork worker that died.
"""

import re

from glance import registry as registry_module
from glance import store as store_module
from glance.api import recovery, versions
from glance.api.v1.images import ImagesApp
from glance.api.v2.app import V2App
from glance.common import config
from glance.httpd import prefork

_FIRST_SEGMENT = re.compile(r"/([^/]*)")


# How each API's app is built: (conf, registry, stores, keeper) -> WSGI app.
BUILDERS = {versions.V1: lambda conf, registry, stores, keeper:
            ImagesApp(conf, registry, stores, keeper=keeper),
            versions.V2: lambda conf, registry, stores, keeper:
            V2App.build(conf, registry, stores, keeper=keeper)}


class RootApp:
    def __init__(self, conf, registry, stores, apps, keeper=None):
        """`apps` maps each served API ("v1", "v2") to its app; v1 is required.
        `keeper` holds this process's upload leases and runs recovery."""
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.keeper = keeper
        self.apps = dict(apps)
        self.served = tuple(api for api in versions.APIS if api in self.apps)

    def worker_exited(self, pid):
        """In a prefork master: a worker ended; end its interrupted uploads and copies."""
        self.keeper.worker_exited(pid)

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
    keeper = recovery.Keeper(conf, registry, stores).start()
    apps = {api: BUILDERS[api](conf, registry, stores, keeper) for api in conf.enabled_apis}
    root = RootApp(conf, registry, stores, apps, keeper)
    prefork.on_worker_exit(root)
    return root
