"""The registry server: image metadata as JSON over HTTP (CONTRACT §4).

A thin WSGI app over an `ImageRegistry`: it parses the path, the query and
the JSON body, takes the caller's context from the environ (the `context`
filter puts it there; without it the caller is anonymous) and renders the
registry's answer or its domain error through `glance.common.wsgi`.
"""

from glance.common import config, context, exception, faults, imagemeta, wsgi
from glance.registry import service, validation

# Compare-and-set: the update happens only from this status (else 409).
EXPECTED_STATUS_HEADER = "HTTP_X_GLANCE_REGISTRY_EXPECTED_STATUS"
_ID = r"/images/(?P<image_id>[^/]+)"


class RegistryApp:
    """Routes /images requests to a registry (anything with the five methods)."""

    def __init__(self, registry):
        self.registry = registry
        self.router = wsgi.Router()
        self.router.add("GET", r"/images/?", self.index)
        self.router.add("POST", r"/images/?", self.create)
        self.router.add("GET", r"/images/detail/?", self.detail)
        self.router.add("GET", _ID, self.show)
        self.router.add("PUT", _ID, self.update)
        self.router.add("DELETE", _ID, self.delete)

    def __call__(self, environ, start_response):
        try:
            handler, args = self.router.match(environ["REQUEST_METHOD"],
                                              environ.get("PATH_INFO") or "/")
            return handler(environ, start_response, **args)
        except exception.GlanceError as exc:
            return faults.error_response(environ, start_response, exc)
        except Exception:
            return faults.unexpected_error_response(environ, start_response)

    def index(self, environ, start_response):
        """GET /images: 200 {"images": [brief image, ...]}; 400 bad parameter,
        403 is_public=none from a non-admin."""
        return self._list(environ, start_response, detailed=False)

    def detail(self, environ, start_response):
        """GET /images/detail: as GET /images, with full images."""
        return self._list(environ, start_response, detailed=True)

    def _list(self, environ, start_response, detailed):
        images = self.registry.list_images(context.from_environ(environ),
                                           wsgi.query_params(environ), detailed)
        return _reply(environ, start_response, {"images": images})

    def show(self, environ, start_response, image_id):
        """GET /images/<id>: 200 {"image": ...}; 404 missing, deleted or invisible."""
        image = self.registry.get_image(context.from_environ(environ), _path_id(image_id))
        return _reply(environ, start_response, {"image": image})

    def create(self, environ, start_response):
        """POST /images {"image": {...}}: 200 {"image": ...}, status `active`
        unless given; 400 bad JSON or field, 409 taken id."""
        image = self.registry.create_image(context.from_environ(environ), _image_body(environ))
        return _reply(environ, start_response, {"image": image})

    def update(self, environ, start_response, image_id):
        """PUT /images/<id> {"image": {...}}: 200 {"image": ...}.  Properties
        merge unless `x-glance-registry-purge-props: true`.  404 unknown,
        403 not the caller's, 400 bad JSON or field or purge-props value
        (`imagemeta.purge_props`), 409 when the image is not in the status
        `x-glance-registry-expected-status` names."""
        image_id = _path_id(image_id)
        values = _image_body(environ)
        purge = imagemeta.purge_props(environ)
        expected = environ.get(EXPECTED_STATUS_HEADER, "").strip().lower() or None
        image = self.registry.update_image(context.from_environ(environ), image_id, values,
                                           purge_props=purge, expected_status=expected)
        return _reply(environ, start_response, {"image": image})

    def delete(self, environ, start_response, image_id):
        """DELETE /images/<id>: soft delete, 200 {"image": ...}; 404 unknown
        or already deleted, 403 not the caller's."""
        image = self.registry.delete_image(context.from_environ(environ), _path_id(image_id))
        return _reply(environ, start_response, {"image": image})


def _reply(environ, start_response, document):
    return wsgi.json_response(start_response, 200, document,
                              head=environ["REQUEST_METHOD"] == "HEAD")


def _path_id(text):
    # A path that names no image (abc, -1, 2^64) is a missing image: 404.
    return validation.parse_image_id(text)


def _image_body(environ):
    document = wsgi.read_json(environ)
    if not isinstance(document, dict) or not isinstance(document.get("image"), dict):
        raise exception.Invalid('the body must be a JSON object {"image": {...}}')
    return document["image"]


def app_factory(global_conf, **local_conf):
    """Paste: the registry app over the configured sqlite database."""
    conf = config.load(global_conf, local_conf)
    return RegistryApp(service.ImageRegistry.from_conf(conf))
