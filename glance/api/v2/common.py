"""What every Images API v2 route module shares: the services it is built
from, the caller, the image a path names, and the owner check.

The v2 app (`app.py`) builds one `Services` and hands it to each route
module: its own, and the data and import routes (`data.py`, `imports.py`),
which register theirs through `add_routes(router, services)`.  Handlers are
`handler(environ, start_response, **path_args)` and raise domain errors;
the app renders them (`glance.common.faults`).
"""

import dataclasses
from dataclasses import dataclass, field

from glance.common import context, exception, fields, wsgi


@dataclass
class Services:
    """The pieces a v2 route needs, shared with v1 (one registry, one set of
    stores, one upload keeper per process)."""

    conf: object
    registry: object
    stores: object
    keeper: object
    location_policy: object
    # Called as hook(ctx, image) after an image was soft-deleted (the
    # deleted record, with its location): e.g. to remove staged data.
    after_delete: list = field(default_factory=list)
    # The import methods served (`POST …/import`), in the order
    # `/v2/info/import` and `OpenStack-image-import-methods` list them; the
    # import routes' `add_routes` adds them.
    import_methods: list = field(default_factory=list)


def caller(environ):
    """The caller's context, marked as coming through this service: the
    API reads `location` from the registry to serve data itself, and the
    v2 view never shows it."""
    return dataclasses.replace(context.from_environ(environ), is_service=True)


def respond(environ, start_response, code, document, headers=()):
    """A JSON answer (`json.dumps`' default separators, as Glance), without
    its body for HEAD."""
    return respond_encoded(environ, start_response, code, wsgi.encode_json(document), headers)


def respond_encoded(environ, start_response, code, body, headers=()):
    """`respond` with the body already encoded (`glance.api.rendered`)."""
    return wsgi.encoded_json_response(start_response, code, body, headers,
                                      head=environ.get("REQUEST_METHOD") == "HEAD")


def no_content(start_response, headers=()):
    """204, empty."""
    start_response("204 No Content", list(headers))
    return []


def image_id(text):
    """The image a path segment names; anything that cannot name an image
    is a missing one (404, never 400: openstacksdk's name look-ups try the
    name as an id first)."""
    found = fields.parse_image_id(text)
    if found is None:
        raise exception.NotFound(f"No image found with ID {text}")
    return found


def may_change(ctx, image):
    """Only the owner or an admin may change an image (CONTRACT §1)."""
    return ctx.is_admin or (ctx.tenant is not None and image.get("owner") == ctx.tenant)


def check_owner(ctx, image):
    """Forbidden (403) unless the caller may change `image`, which it can see."""
    if not may_change(ctx, image):
        raise exception.Forbidden(
            f"image {image['id']} belongs to another tenant; only its owner or an admin "
            "may change it", image_id=image["id"])


def owned_image(registry, ctx, image_id_text):
    """The image a path names, which the caller may change: NotFound when
    it cannot see it, Forbidden when it may only see it."""
    image = registry.get_image(ctx, image_id(image_id_text))
    check_owner(ctx, image)
    return image
