"""The v2 member routes (CONTRACT §4 Members): sharing an image with
other tenants, and their answer (`pending`, `accepted`, `rejected`).

The members are the registry's, shared with v1 (one set; `can_share` is
v1's only and not shown).  v2 narrows v1's rules: only `shared` images
have members (others → 403 on POST and on the list), only the owner or an
admin adds or removes one (a member who may share in v1 may not here),
and only the member itself (or an admin) answers for it.
"""

from glance.api.v2 import common, requests, view
from glance.api.v2.common import no_content, respond
from glance.common import exception, wsgi


def _shared(image):
    if image["visibility"] != "shared":
        raise exception.Forbidden(
            f"Only shared images have members; image {image['id']} is "
            f"{image['visibility']}.", image["id"])
    return image


class Members:
    """The routes of this module (`add_routes`), over `services`
    (`common.Services`)."""

    def __init__(self, services):
        self.registry = services.registry

    def index(self, environ, start_response, image_id):
        """GET /v2/images/{id}/members → 200 {"members": [...], "schema"}:
        every member for the owner and admins, itself for a member, none
        for anyone else who sees the image.  Not `shared` → 403."""
        ctx = common.caller(environ)
        image = _shared(self.registry.get_image(ctx, common.image_id(image_id)))
        found = self.registry.list_members(ctx, image["id"])
        return respond(environ, start_response, 200, view.members(image["id"], found))

    def create(self, environ, start_response, image_id):
        """POST /v2/images/{id}/members with {"member": "<tenant>"} → 200,
        the member JSON (`pending`).  Not `shared`, or not the owner or an
        admin → 403; a bad body → 400; already a member → 409; over
        `image_member_quota` → 413."""
        ctx = common.caller(environ)
        image = _shared(common.owned_image(self.registry, ctx, image_id))
        member = requests.member_id(wsgi.read_json(environ))
        found = self.registry.add_member(ctx, image["id"], member)
        return respond(environ, start_response, 200, view.member(image["id"], found))

    def show(self, environ, start_response, image_id, member):
        """GET /v2/images/{id}/members/{m} → 200, the member JSON: to the
        owner, admins and that member; 404 for anyone else."""
        ctx = common.caller(environ)
        image_id = common.image_id(image_id)
        found = self.registry.get_member(ctx, image_id, member)
        return respond(environ, start_response, 200, view.member(image_id, found))

    def update(self, environ, start_response, image_id, member):
        """PUT /v2/images/{id}/members/{m} with {"status": "pending" |
        "accepted" | "rejected"} → 200, the member JSON.  Only the member
        itself or an admin (the owner → 403); another status → 400; not a
        member → 404."""
        ctx = common.caller(environ)
        status = requests.member_status(wsgi.read_json(environ))
        image_id = common.image_id(image_id)
        found = self.registry.set_member(ctx, image_id, member, status=status)
        return respond(environ, start_response, 200, view.member(image_id, found))

    def delete(self, environ, start_response, image_id, member):
        """DELETE /v2/images/{id}/members/{m} → 204.  The owner or an admin
        only (the member itself → 403); not a member → 404."""
        ctx = common.caller(environ)
        image = common.owned_image(self.registry, ctx, image_id)
        self.registry.delete_member(ctx, image["id"], member)
        return no_content(start_response)


def add_routes(router, services):
    routes = Members(services)
    members = r"/images/(?P<image_id>[^/]+)/members"
    router.add("GET", members + "/?", routes.index)
    router.add("POST", members + "/?", routes.create)
    router.add("GET", members + "/(?P<member>[^/]+)/?", routes.show)
    router.add("PUT", members + "/(?P<member>[^/]+)/?", routes.update)
    router.add("DELETE", members + "/(?P<member>[^/]+)/?", routes.delete)
