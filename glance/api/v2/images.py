"""The v2 image routes (CONTRACT §4): list, create, show, JSON-patch
update, delete, deactivate/reactivate, and tags.

The handlers read the request, let the pure modules (`listing`,
`requests`, `patch`) turn it into registry values or raise, call the
registry (the one that v1 uses: one image is one record) and answer with
the `view`.  Who may see an image is the registry's rule (404); who may
change it is checked here before anything changes (403), and again by the
registry.  Image data is not handled here (`data.py`, `imports.py`), but
DELETE removes it from our stores as v1 does.
"""

from glance.api.v1.saving import Saver
from glance.api.v2 import common, listing, patch, requests, view
from glance.api.v2.common import no_content, respond, respond_encoded
from glance.common import exception, wsgi
from glance.registry.query import replace


class Images:
    """The routes of this module (`add_routes`), over `services`
    (`common.Services`)."""

    def __init__(self, services):
        self.services = services
        self.registry = services.registry

    # -- lists -----------------------------------------------------------------

    def index(self, environ, start_response):
        """GET /v2/images → 200 {"images": [...], "first", "schema"[, "next"]}.

        The parameters of `listing` (bad ones → 400); `next` is present
        exactly when more images follow this page.
        """
        ctx = common.caller(environ)
        pairs = listing.parameters(environ.get("QUERY_STRING"))
        query = listing.parse(pairs, ctx)
        page, more = self._page(ctx, query)
        links = listing.links(pairs, page[-1]["id"] if more else None)
        return respond_encoded(environ, start_response, 200,
                               view.images(page, links, ctx.sees_location))

    def _page(self, ctx, query):
        """(the page's images, whether more follow).  One image more than
        the page tells, in the same statement; a page of the largest size
        (which the registry caps) asks for one image after its last."""
        if query.limit == 0:        # still a 400 for a bad marker
            return self.registry.list_images(ctx, query), False
        if query.limit < listing.MAX_LIMIT:
            found = self.registry.list_images(ctx, replace(query, limit=query.limit + 1))
            return found[:query.limit], len(found) > query.limit
        found = self.registry.list_images(ctx, query)
        if len(found) < query.limit:
            return found, False
        after = replace(query, limit=1, marker=found[-1]["id"])
        return found, bool(self.registry.list_images(ctx, after, detailed=False))

    # -- one image ---------------------------------------------------------------

    def create(self, environ, start_response):
        """POST /v2/images → 201, the image JSON (`queued`), `Location` and
        `OpenStack-image-import-methods`.

        The body is a JSON object of settable attributes and custom
        properties (`requests.create_values`): read-only or reserved keys,
        `visibility: public` or another `owner` from a non-admin → 403; bad
        values → 400; a taken id → 409; over a quota → 413.
        """
        ctx = common.caller(environ)
        values = requests.create_values(wsgi.read_json(environ), ctx)
        image = self.registry.create_image(ctx, values)
        location = (wsgi.request_base_url(environ) + environ.get("SCRIPT_NAME", "")
                    + "/images/" + image["id"])
        headers = [("Location", location)]
        if self.services.import_methods:
            headers.append(("OpenStack-image-import-methods",
                            ",".join(self.services.import_methods)))
        return respond(environ, start_response, 201, view.image(image), headers)

    def show(self, environ, start_response, image_id):
        """GET /v2/images/{id} → 200, the image JSON; 404 when it is unknown,
        invisible to the caller or no image id at all."""
        ctx = common.caller(environ)
        image = self.registry.get_image(ctx, common.image_id(image_id))
        return respond(environ, start_response, 200, view.image(image))

    def update(self, environ, start_response, image_id):
        """PATCH /v2/images/{id} → 200, the image JSON after the change.

        A JSON-patch document (`patch`): another media type → 415 with
        `Accept-Patch`; bad syntax or values → 400; read-only, reserved or
        admin-only changes, formats after `queued`, a caller who is not
        the owner or an admin → 403; an absent property → 409.  The
        operations apply together or not at all; nothing changed, nothing
        is written (`updated_at` stays).
        """
        ctx = common.caller(environ)
        media = patch.media_type(environ.get("CONTENT_TYPE"))
        operations = patch.parse(wsgi.read_json(environ), media)
        image = common.owned_image(self.registry, ctx, image_id)
        changes = patch.apply(image, operations, ctx, media)
        if changes:
            # Formats may change only while queued: not if an upload began since.
            expected = image["status"] if "disk_format" in changes or \
                "container_format" in changes else None
            image = self.registry.update_image(
                ctx, image["id"], changes, purge_props="properties" in changes,
                expected_status=expected)
        return respond(environ, start_response, 200, view.image(image))

    def delete(self, environ, start_response, image_id):
        """DELETE /v2/images/{id} → 204.  Protected → 403 "Image <id> is
        protected and cannot be deleted."; not the owner or an admin → 403.
        The record is soft-deleted (its id stays taken) and its data removed
        from our stores."""
        ctx = common.caller(environ)
        image = common.owned_image(self.registry, ctx, image_id)
        if image["protected"]:
            raise exception.Protected(
                f"Image {image['id']} is protected and cannot be deleted.", image["id"])
        # The deleted record, not the one read before: an upload may have
        # finished in between and given the image its location.
        deleted = self.registry.delete_image(ctx, image["id"])
        location = deleted.get("location") or image.get("location")
        if location:
            backend = self.services.stores.for_location(location)
            if backend.writable:
                Saver.discard(backend, location, image["id"])
        for hook in self.services.after_delete:
            hook(ctx, deleted)
        return no_content(start_response)

    # -- actions -------------------------------------------------------------------

    def deactivate(self, environ, start_response, image_id):
        """POST /v2/images/{id}/actions/deactivate → 204: `active` →
        `deactivated` (already deactivated: no change).  Admins only (403);
        any other status → 400."""
        return self._action(environ, start_response, image_id, "active", "deactivated")

    def reactivate(self, environ, start_response, image_id):
        """POST /v2/images/{id}/actions/reactivate → 204: `deactivated` →
        `active` (already active: no change).  Admins only (403); any other
        status → 400."""
        return self._action(environ, start_response, image_id, "deactivated", "active")

    def _action(self, environ, start_response, image_id, source, target):
        ctx = common.caller(environ)
        image = self.registry.get_image(ctx, common.image_id(image_id))
        verb = "deactivate" if target == "deactivated" else "reactivate"
        if not ctx.is_admin:
            raise exception.Forbidden(f"Only an admin may {verb} an image.", image["id"])
        if image["status"] not in (source, target):
            raise exception.Invalid(f"Not allowed to {verb} image in status "
                                    f"'{image['status']}'", image["id"])
        if image["status"] == source:
            self.registry.update_image(ctx, image["id"], {"status": target},
                                       expected_status=source)
        return no_content(start_response)

    # -- tags ----------------------------------------------------------------------

    def add_tag(self, environ, start_response, image_id, tag):
        """PUT /v2/images/{id}/tags/{tag} → 204 (a tag it has: no change).
        A bad tag → 400; not the owner or an admin → 403; over
        `image_tag_quota` → 413."""
        ctx = common.caller(environ)
        self.registry.add_tag(ctx, common.image_id(image_id), requests.tag(tag))
        return no_content(start_response)

    def delete_tag(self, environ, start_response, image_id, tag):
        """DELETE /v2/images/{id}/tags/{tag} → 204; a tag it has not → 404;
        not the owner or an admin → 403."""
        ctx = common.caller(environ)
        self.registry.delete_tag(ctx, common.image_id(image_id), tag)
        return no_content(start_response)


def add_routes(router, services):
    routes = Images(services)
    image = r"/images/(?P<image_id>[^/]+)"
    router.add("GET", r"/images/?", routes.index)
    router.add("POST", r"/images/?", routes.create)
    router.add("GET", image + "/?", routes.show)
    router.add("PATCH", image + "/?", routes.update)
    router.add("DELETE", image + "/?", routes.delete)
    router.add("POST", image + "/actions/deactivate/?", routes.deactivate)
    router.add("POST", image + "/actions/reactivate/?", routes.reactivate)
    # A tag is the rest of the path: one with `/` is a 400, not a 404.
    router.add("PUT", image + "/tags/(?P<tag>.+)", routes.add_tag)
    router.add("DELETE", image + "/tags/(?P<tag>.+)", routes.delete_tag)
