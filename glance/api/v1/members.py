"""Image members in v1 (CONTRACT §2 "Members (v1)"): whom an image is shared
with, what is shared with a tenant, and changing that, as Glance v1 spoke it.

| route                                | success | body                                  |
|--------------------------------------|---------|---------------------------------------|
| `GET /images/<id>/members`           | 200     | `{"members": [{"member_id", "can_share"}]}` |
| `PUT /images/<id>/members`           | 204     | takes `{"memberships": [...]}`        |
| `PUT /images/<id>/members/<T>`       | 204     | takes `{"member": {"can_share"}}`, optional |
| `DELETE /images/<id>/members/<T>`    | 204     |                                       |
| `GET /shared-images/<T>`             | 200     | `{"shared_images": [{"image_id", "can_share"}]}` |

`GET …/members/<T>` is 405, as in Glance v1 (it had no such route), and so
is `HEAD` of the two lists.  Who may
do what is the registry's rule (`glance.registry.members`): an admin, the
owner, or a member whose `can_share` is true may change members (anyone
else who sees the image: 403 "No permission to share that image"); an image
the caller cannot see, or a deleted one, is 404; more members than
`image_member_quota` is 413.  The image app asks for a tenant before any
change (401 for a non-admin without one).

Members may be added to an image of any visibility, as real Glance v1 did
(Glance's own tests share a public image); they make only `shared` images
visible to their tenants.  v2 refuses members on other images (§4).

A member's `can_share` is a JSON boolean (or the text `true`/`false`, any
case); anything else is 400 — Glance read `bool()` of any value, so its
`"false"` meant true.
"""

from glance.common import exception, wsgi

# The JSON a member body may hold; anything larger is refused (413) unread.
_MAX_BODY = 1 << 20


def _path_text(text):
    """A tenant id from the path as the client sent it (the server hands
    over the path's bytes as latin-1)."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise exception.Invalid("a member in the path must be valid UTF-8") from None


def _object(value, shape):
    if not isinstance(value, dict):
        raise exception.Invalid(f"the body must be a JSON object {shape}")
    return value


def _can_share(environ):
    """The `can_share` of `PUT …/members/<T>`'s optional body, or None when
    there is no body or it does not say (an existing member keeps its value)."""
    if not wsgi.has_body(environ):
        return None
    shape = '{"member": {"can_share": true|false}}'
    body = _object(wsgi.read_json(environ, _MAX_BODY), shape)
    return _object(body.get("member", {}), shape).get("can_share")


def _memberships(environ):
    """The `memberships` of `PUT …/members` (the registry checks each entry)."""
    shape = '{"memberships": [{"member_id": <tenant>, "can_share"?: true|false}, ...]}'
    if not wsgi.has_body(environ):
        raise exception.Invalid(f"the body must be a JSON object {shape}")
    memberships = _object(wsgi.read_json(environ, _MAX_BODY), shape).get("memberships")
    if not isinstance(memberships, list):
        raise exception.Invalid(f"the body must be a JSON object {shape}")
    return memberships


def _no_content(start_response):
    start_response("204 No Content", [])
    return []


class Members:
    """The v1 member routes over a registry; `caller(environ)` is the image
    app's context of the request."""

    def __init__(self, registry, caller):
        self.registry = registry
        self.caller = caller

    def add_routes(self, router, image_id):
        """Add the routes to `router`; `image_id` is the path pattern of an image id."""
        members = rf"/images/{image_id}/members"
        # No HEAD, as in Glance v1: 405.
        router.add("GET", members + "/?", self.index, head=False)
        router.add("PUT", members + "/?", self.replace)
        router.add("PUT", members + r"/(?P<member>[^/]+)/?", self.put)
        router.add("DELETE", members + r"/(?P<member>[^/]+)/?", self.delete)
        router.add("GET", r"/shared-images/(?P<member>[^/]+)/?", self.shared_images, head=False)

    def index(self, environ, start_response, image_id):
        """GET /images/<id>/members → 200 {"members": [{"member_id",
        "can_share"}, ...]}: every member to the owner and admins, a member
        only itself; 404 unknown, deleted or invisible."""
        found = self.registry.list_members(self.caller(environ), image_id)
        members = [{"member_id": m["member_id"], "can_share": m["can_share"]} for m in found]
        return wsgi.json_response(start_response, 200, {"members": members})

    def replace(self, environ, start_response, image_id):
        """PUT /images/<id>/members {"memberships": [...]} → 204: the set is
        replaced (an omitted `can_share` keeps an existing member's value,
        false for a new one); 400 bad body, 403, 404, 413 over the quota."""
        memberships = _memberships(environ)
        self.registry.replace_members(self.caller(environ), image_id, memberships)
        return _no_content(start_response)

    def put(self, environ, start_response, image_id, member):
        """PUT /images/<id>/members/<T>, optional {"member": {"can_share"}} →
        204: T becomes a member (`can_share` false unless given); an existing
        member keeps its `can_share` unless the body gives one; 400, 403,
        404, 413 over the quota."""
        can_share = _can_share(environ)
        self.registry.set_member(self.caller(environ), image_id, _path_text(member),
                                 can_share=can_share)
        return _no_content(start_response)

    def delete(self, environ, start_response, image_id, member):
        """DELETE /images/<id>/members/<T> → 204; 404 when T is not a member
        (or the image unknown, deleted or invisible); 403."""
        self.registry.delete_member(self.caller(environ), image_id, _path_text(member))
        return _no_content(start_response)

    def shared_images(self, environ, start_response, member):
        """GET /shared-images/<T> → 200 {"shared_images": [{"image_id",
        "can_share"}, ...]}: the images shared with T (a non-admin sees only
        those of its own images, or all when T is itself)."""
        found = self.registry.shared_images(self.caller(environ), _path_text(member))
        shared = [{"image_id": m["image_id"], "can_share": m["can_share"]} for m in found]
        return wsgi.json_response(start_response, 200, {"shared_images": shared})
