"""The Images API v2 app (CONTRACT §4): one router over the route modules,
one error path.

The root app (`glance.api.root`) builds it from the registry, stores and
upload keeper it shares with v1, and hands it every `/v2…` request with
`/v2` already moved into SCRIPT_NAME (so `/v2/images` arrives as
`/images`).  Each route module registers its handlers through
`add_routes(router, services)`: `discovery` (version, schemas, info,
tenants), `images` (lists, CRUD, actions, tags), `members`, and `data`
(`PUT/GET …/file`, `PUT …/stage`, `POST …/import`, with `imports.py`).

A known path with another method → 405 with `Allow`; an unknown path
(metadefs, tasks, cache, locations included) → 404.  Every error, from any
module, is rendered here by `faults`, its message led by its status line
as Glance's were (`_status_first`); changes need a caller with a tenant or
an admin (401 otherwise: an anonymous image would have no owner).
"""

from http import HTTPStatus

from glance.api import recovery
from glance.api.v2 import common, data, discovery, images, members
from glance.common import context, exception, faults, wsgi
from glance.common.netpolicy import LocationPolicy

ROUTE_MODULES = (discovery, images, members, data)


_CHANGES = ("POST", "PUT", "PATCH", "DELETE")


class V2App:
    def __init__(self, services, route_modules=None):
        """`services` (`common.Services`) is what the routes share;
        `route_modules` replaces the modules that add routes (test seam)."""
        self.services = services
        self.router = wsgi.Router()
        modules = route_modules if route_modules is not None else ROUTE_MODULES
        for module in modules:
            module.add_routes(self.router, services)

    @classmethod
    def build(cls, conf, registry, stores, keeper=None, **kwargs):
        """The app over what the root app shares with v1."""
        return cls(common.Services(
            conf=conf, registry=registry, stores=stores,
            keeper=keeper or recovery.Keeper(conf, registry, stores, thread=False),
            location_policy=LocationPolicy.from_conf(conf)), **kwargs)

    def __call__(self, environ, start_response):
        try:
            method = environ["REQUEST_METHOD"]
            handler, args = self.router.match(method, _path(environ))
            if method in _CHANGES:
                _require_identity(context.from_environ(environ))
            return handler(environ, start_response, **args)
        except exception.GlanceError as exc:
            return faults.error_response(environ, start_response, _status_first(exc))
        except Exception:
            return faults.unexpected_error_response(environ, start_response)


def _path(environ):
    """PATH_INFO as the client wrote it, in UTF-8 (WSGI hands it over as
    Latin-1 code points): tags and members may be any text."""
    path = environ.get("PATH_INFO") or ""
    try:
        return path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise exception.Invalid("The request path is not valid UTF-8.") from None


def _status_first(exc):
    """`exc` with its status line in front of its message.

    glanceclient shows a JSON error's `message` alone (`HTTP <message>`),
    and Glance's errors were HTML that it read as `404 Not Found: <text>`:
    so its users keep reading `HTTP 404 Not Found: No image found …`.
    """
    status, _ = faults.fault_of(exc)
    exc.message = f"{status} {HTTPStatus(status).phrase}: {exc.message}"
    return exc


def _require_identity(ctx):
    if not ctx.is_admin and ctx.tenant is None:
        raise exception.NotAuthenticated("changing images needs an identity with a tenant")
