"""The registry server: image metadata as JSON over HTTP (CONTRACT §5).

A thin WSGI app over an `ImageRegistry`: it parses the path, the query and
the JSON body, takes the caller's context from the environ (the registry's
`context` filter puts it there, and outside noauth mode refuses any request
without the service token; without the filter the caller is anonymous) and
renders the registry's answer or its domain error.  Routes and parameters:
docs/registry.rst.  `RegistryClient` is its other half.
"""

import json
from urllib.parse import parse_qsl

from glance.common import config, context, exception, faults, imagemeta, wsgi
from glance.registry import identity, query, service, validation
from glance.registry.leases import Holder
from glance.registry.migrations import LATEST_VERSION

# Compare-and-set: the update happens only from this status (else 409).
EXPECTED_STATUS_HEADER = "HTTP_X_GLANCE_REGISTRY_EXPECTED_STATUS"
_ID = r"/images/(?P<image_id>[^/]+)"
_MEMBER = _ID + r"/members/(?P<member>[^/]+)"


class RegistryApp:
    """Routes registry requests to a registry (anything with its methods)."""

    def __init__(self, registry):
        self.registry = registry
        self._identity = None
        self.router = wsgi.Router()
        for method, pattern, handler in (
                ("GET", r"/database/?", self.database),
                ("GET", r"/images/?", self.index),
                ("POST", r"/images/?", self.create),
                ("GET", r"/images/detail/?", self.detail),
                ("GET", _ID + "/?", self.show),
                ("PUT", _ID + "/?", self.update),
                ("DELETE", _ID + "/?", self.delete),
                ("GET", _ID + r"/members/?", self.members),
                ("PUT", _ID + r"/members/?", self.replace_members),
                ("POST", _ID + r"/members/?", self.add_member),
                ("GET", _MEMBER + "/?", self.member),
                ("PUT", _MEMBER + "/?", self.set_member),
                ("DELETE", _MEMBER + "/?", self.delete_member),
                ("GET", r"/shared-images/(?P<member>[^/]+)/?", self.shared_images),
                ("PUT", _ID + r"/tags/(?P<tag>[^/]+)", self.add_tag),
                ("DELETE", _ID + r"/tags/(?P<tag>[^/]+)", self.delete_tag),
                ("POST", _ID + r"/lease/?", self.take_lease),
                ("POST", _ID + r"/lease/end/?", self.end_lease),
                ("POST", r"/leases/renew/?", self.renew_leases),
                ("POST", r"/leases/expire/?", self.expire_leases)):
            self.router.add(method, pattern, handler)

    def __call__(self, environ, start_response):
        try:
            handler, args = self.router.match(environ["REQUEST_METHOD"],
                                              environ.get("PATH_INFO") or "/")
            if "image_id" in args:
                # A path that names no image (abc, -1, an upper-case UUID) is 404.
                args["image_id"] = validation.parse_image_id(args["image_id"])
            for key in ("member", "tag"):
                if key in args:
                    args[key] = _path_text(args[key])
            return handler(environ, start_response, context.from_environ(environ), **args)
        except exception.GlanceError as exc:
            return faults.error_response(environ, start_response, exc)
        except Exception:
            return faults.unexpected_error_response(environ, start_response)

    # -- the database ----------------------------------------------------------------

    def database(self, environ, start_response, ctx):
        """GET /database: 200 {"database": {"identity": <hash or null>,
        "schema_version": n}}: which database this registry stands on
        (`identity.py`), so that an API server whose own `sql_connection`
        reaches the same one may read images from it (`shared.py`)."""
        if self._identity is None:
            database = getattr(self.registry, "db", None)
            self._identity = (identity.of_database(database) if database is not None
                              else None) or ""
        return _reply(environ, start_response, {"database": {
            "identity": self._identity or None, "schema_version": LATEST_VERSION}})

    # -- images ------------------------------------------------------------------

    def index(self, environ, start_response, ctx):
        """GET /images?<query>: 200 {"images": [brief image, ...]}; 400 bad
        parameter or marker.  The query is the registry's own (as
        `RegistryClient` sends it) or, when it names a v1-only parameter
        (`is_public`, `sort_key`, …), the v1 list's of CONTRACT §2 (§5)."""
        images = self.registry.list_images(ctx, _query(environ, ctx), detailed=False)
        return _reply(environ, start_response, {"images": images})

    def detail(self, environ, start_response, ctx):
        """GET /images/detail?<query>: as GET /images, with full images."""
        images = self.registry.list_images(ctx, _query(environ, ctx), detailed=True)
        return _reply(environ, start_response, {"images": images})

    def show(self, environ, start_response, ctx, image_id):
        """GET /images/<id>: 200 {"image": ...}; 404 missing, deleted or invisible."""
        return _reply(environ, start_response, {"image": self.registry.get_image(ctx, image_id)})

    def create(self, environ, start_response, ctx):
        """POST /images {"image": {...}}: 200 {"image": ...}, status `active`
        unless given; 400 bad JSON or field, 403 server-controlled field from
        an untrusted caller, 409 taken id, 413 over a quota."""
        image = self.registry.create_image(ctx, _body(environ, "image", dict))
        return _reply(environ, start_response, {"image": image})

    def update(self, environ, start_response, ctx, image_id):
        """PUT /images/<id> {"image": {...}}: 200 {"image": ...}.  Properties
        merge unless `x-glance-registry-purge-props: true`.  404 unknown,
        403 not the caller's, 400 bad JSON or field or purge-props value
        (`imagemeta.purge_props`), 409 when the image is not in the status
        `x-glance-registry-expected-status` names, 413 over a quota."""
        values = _body(environ, "image", dict)
        purge = imagemeta.purge_props(environ)
        expected = environ.get(EXPECTED_STATUS_HEADER, "").strip().lower() or None
        image = self.registry.update_image(ctx, image_id, values, purge_props=purge,
                                           expected_status=expected)
        return _reply(environ, start_response, {"image": image})

    def delete(self, environ, start_response, ctx, image_id):
        """DELETE /images/<id>: soft delete, 200 {"image": ...}; 404 unknown
        or already deleted, 403 not the caller's or protected."""
        return _reply(environ, start_response,
                      {"image": self.registry.delete_image(ctx, image_id)})

    # -- members -------------------------------------------------------------------

    def members(self, environ, start_response, ctx, image_id):
        """GET /images/<id>/members: 200 {"members": [...]}; 404."""
        return _reply(environ, start_response,
                      {"members": self.registry.list_members(ctx, image_id)})

    def replace_members(self, environ, start_response, ctx, image_id):
        """PUT /images/<id>/members {"memberships": [...]}: 200 {"members":
        [...]}; 403 may not share, 404, 413 over the member quota."""
        members = self.registry.replace_members(ctx, image_id,
                                                _body(environ, "memberships", list))
        return _reply(environ, start_response, {"members": members})

    def add_member(self, environ, start_response, ctx, image_id):
        """POST /images/<id>/members {"member": {"member_id", "can_share"?}}:
        200 {"member": ...}; 409 already a member, 403, 404, 413."""
        body = _body(environ, "member", dict)
        member = self.registry.add_member(ctx, image_id, body.get("member_id"),
                                          body.get("can_share", False))
        return _reply(environ, start_response, {"member": member})

    def member(self, environ, start_response, ctx, image_id, member):
        """GET /images/<id>/members/<T>: 200 {"member": ...}; 404."""
        return _reply(environ, start_response,
                      {"member": self.registry.get_member(ctx, image_id, member)})

    def set_member(self, environ, start_response, ctx, image_id, member):
        """PUT /images/<id>/members/<T>, optional {"member": {"can_share",
        "status"}}: 200 {"member": ...} (added when new); 403, 404, 413."""
        body = _body(environ, "member", dict, optional=True) or {}
        found = self.registry.set_member(ctx, image_id, member, body.get("can_share"),
                                         body.get("status"))
        return _reply(environ, start_response, {"member": found})

    def delete_member(self, environ, start_response, ctx, image_id, member):
        """DELETE /images/<id>/members/<T>: 204; 404 not a member, 403."""
        self.registry.delete_member(ctx, image_id, member)
        start_response("204 No Content", [])
        return []

    def shared_images(self, environ, start_response, ctx, member):
        """GET /shared-images/<T>: 200 {"shared_images": [member, ...]}."""
        return _reply(environ, start_response,
                      {"shared_images": self.registry.shared_images(ctx, member)})

    # -- tags ------------------------------------------------------------------------

    def add_tag(self, environ, start_response, ctx, image_id, tag):
        """PUT /images/<id>/tags/<tag>: 200 {"image": ...}; 400 bad tag, 413."""
        return _reply(environ, start_response,
                      {"image": self.registry.add_tag(ctx, image_id, tag)})

    def delete_tag(self, environ, start_response, ctx, image_id, tag):
        """DELETE /images/<id>/tags/<tag>: 200 {"image": ...}; 404 no such tag."""
        return _reply(environ, start_response,
                      {"image": self.registry.delete_tag(ctx, image_id, tag)})

    # -- leases ------------------------------------------------------------------------

    def take_lease(self, environ, start_response, ctx, image_id):
        """POST /images/<id>/lease {"lease": {"holder", "seconds", "from_status"?,
        "to_status"?, "fallback"?}}: 200 {"image": ...}; 409 wrong status."""
        lease = _body(environ, "lease", dict)
        options = {key: lease[key] for key in ("from_status", "to_status", "fallback")
                   if key in lease}
        image = self.registry.take_lease(ctx, image_id, Holder.from_json(lease.get("holder")),
                                         lease.get("seconds"), **options)
        return _reply(environ, start_response, {"image": image})

    def end_lease(self, environ, start_response, ctx, image_id):
        """POST /images/<id>/lease/end {"lease": {"holder"}, "image": {...}}:
        200 {"image": ...}; 409 the lease is no longer the holder's."""
        document = _document(environ)
        holder = _field(document, "lease", dict).get("holder")
        image = self.registry.end_lease(ctx, image_id, Holder.from_json(holder),
                                        _field(document, "image", dict))
        return _reply(environ, start_response, {"image": image})

    def renew_leases(self, environ, start_response, ctx):
        """POST /leases/renew {"lease": {"holder", "seconds"}}: 200 {"images": [id, ...]}."""
        lease = _body(environ, "lease", dict)
        ids = self.registry.renew_leases(ctx, Holder.from_json(lease.get("holder")),
                                         lease.get("seconds"))
        return _reply(environ, start_response, {"images": ids})

    def expire_leases(self, environ, start_response, ctx):
        """POST /leases/expire {"expire": {"reason", "node"?, "instance"?,
        "pid"?, "except_instance"?}}: 200 {"images": [image, ...]}."""
        expire = _body(environ, "expire", dict)
        options = {key: expire[key] for key in ("node", "instance", "pid", "except_instance")
                   if expire.get(key) is not None}
        images = self.registry.expire_leases(ctx, expire.get("reason") or "lease expired",
                                             **options)
        return _reply(environ, start_response, {"images": images})


def _reply(environ, start_response, document):
    """200 with `document` as JSON (Python's default separators, as every
    Glance sent: CONTRACT §2)."""
    body = json.dumps(document).encode()
    start_response("200 OK", [("Content-Type", wsgi.JSON_TYPE),
                              ("Content-Length", str(len(body)))])
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


# Parameters only the v1 list has: with one of them, the list speaks v1
# (CONTRACT §5 "accepts the filters, sorting and paging of §2", as a v1-era
# caller sends them); otherwise the registry's own query (`RegistryClient`).
_V1_ONLY = frozenset(("is_public", "sort_key", "sort_dir", "changes-since", "changes_since"))


def _query(environ, ctx):
    try:
        pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True,
                          errors="strict")
    except UnicodeDecodeError:
        raise exception.Invalid("the query string is not valid UTF-8") from None
    if _V1_ONLY.intersection(name.lower() for name, _ in pairs):
        return query.from_v1_params(dict(pairs), ctx)
    return query.from_params(pairs)


def _path_text(text):
    """A path segment as the text the client sent (the server hands over
    its bytes as latin-1)."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise exception.Invalid(f"the path is not valid UTF-8: {text[:60]!r}") from None


def _document(environ):
    document = wsgi.read_json(environ)
    if not isinstance(document, dict):
        raise exception.Invalid("the body must be a JSON object")
    return document


def _field(document, key, kind):
    value = document.get(key)
    if not isinstance(value, kind):
        shape = "{...}" if kind is dict else "[...]"
        raise exception.Invalid(f'the body must be a JSON object {{"{key}": {shape}}}')
    return value


def _body(environ, key, kind, optional=False):
    """The body's `key` member, of type `kind`; Invalid for anything else."""
    if optional and not wsgi.has_body(environ):
        return None
    return _field(_document(environ), key, kind)


def app_factory(global_conf, **local_conf):
    """Paste: the registry app over the configured database."""
    conf = config.load(global_conf, local_conf)
    return RegistryApp(service.ImageRegistry.from_conf(conf))
