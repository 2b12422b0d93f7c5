"""What a v2 client reads before it touches an image (CONTRACT §4): the
version document, the four schemas, `/v2/info/import`, `/v2/info/stores`,
and the `/v2/tenants` answer that keeps the `openstack` CLI working
without Keystone.

glanceclient's first request is `GET /v2/schemas/image`: it builds its
models from it and checks every image it receives against it.  Without
Keystone, OSC resolves a project name through the image endpoint
(`GET /v2/tenants/<x>`, then `/v2/tenants`); Glance answers 404 there and
OSC gives up, while a 403 makes it use the name as the project id, as a
user means it.
"""

from glance.api.v2 import schemas
from glance.api.v2.common import respond
from glance.common import exception, faults, wsgi

CURRENT = "v2.6"
# What `/v2/info/stores` says of each backend this service has.
DESCRIPTIONS = {
    "file": "Local filesystem store",
    "http": "Images at http(s) locations (read-only)",
    "swift": "OpenStack Swift object store",
    "s3": "S3 object store",
}


class Discovery:
    """The routes of this module (`add_routes`), over `services`
    (`common.Services`)."""

    def __init__(self, services):
        self.services = services

    def version(self, environ, start_response):
        """GET /v2, /v2/ → 200 {"version": {"id": "v2.6", "status": "CURRENT",
        "links": [{"rel": "self", "href": "<base>/v2/"}]}}."""
        base = wsgi.request_base_url(environ) + environ.get("SCRIPT_NAME", "")
        return respond(environ, start_response, 200, {"version": {
            "id": CURRENT, "status": "CURRENT",
            "links": [{"rel": "self", "href": base + "/"}]}})

    def schema(self, environ, start_response, name):
        """GET /v2/schemas/{image,images,member,members} → 200, the schema
        (encoded once, at import)."""
        body = schemas.BODIES[name]
        start_response("200 OK", [("Content-Type", faults.JSON_TYPE),
                                  ("Content-Length", str(len(body)))])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def import_info(self, environ, start_response):
        """GET /v2/info/import → 200, the import methods served."""
        return respond(environ, start_response, 200, {"import-methods": {
            "description": "Import methods available.", "type": "array",
            "value": list(self.services.import_methods)}})

    def stores_info(self, environ, start_response):
        """GET /v2/info/stores → 200 {"stores": [{"id", "description",
        "default"?: "true", "read-only"?: "true"}, …]}: every backend, the
        default one (which takes uploads) first."""
        default = self.services.conf.default_store
        found = []
        for backend in sorted(self.services.stores, key=lambda b: b.name != default):
            store = {"id": backend.name,
                     "description": DESCRIPTIONS.get(backend.name, f"{backend.name} store")}
            if backend.name == default:
                store["default"] = "true"
            if not backend.writable:
                store["read-only"] = "true"
            found.append(store)
        return respond(environ, start_response, 200, {"stores": found})

    def tenants(self, environ, start_response, rest=None):
        """GET /v2/tenants[/…] → 403: no project look-ups here."""
        raise exception.Forbidden("This image service does not look up projects: "
                                  "name a project by its id.")


def add_routes(router, services):
    routes = Discovery(services)
    router.add("GET", r"/?", routes.version)
    router.add("GET", r"/schemas/(?P<name>images?|members?)", routes.schema)
    router.add("GET", r"/info/import/?", routes.import_info)
    router.add("GET", r"/info/stores/?", routes.stores_info)
    router.add("GET", r"/tenants(?P<rest>/.*)?", routes.tenants)
