"""The registry: image metadata (sqlite3 or PostgreSQL), in-process or behind HTTP.

`connect(conf)` gives an API server its registry: the in-process
`ImageRegistry` when `registry_url` is empty, else a `RegistryClient` to
the registry server (`server.RegistryApp`) -- by default a
`shared.SharedReadsClient`, which reads images from the registry's own
database when the API's `sql_connection` provably reaches it.  All offer
the methods below,
with the same arguments, answers and errors; the API cannot tell them
apart.  This docstring is that interface.

Conventions
-----------
Every method takes the caller's `RequestContext` first.  The API passes
its caller's context marked `is_service` (it acts for the caller and needs
`location` to serve data); over HTTP the registry believes that context
only with the service token (`glance.middleware.context`).

Image ids are strings (`glance.common.fields.parse_image_id`): lower-case
UUIDs, or the decimal strings of revision-1 ids.  A method given something
that is no id raises NotFound, except `create_image`'s proposed `id`
(Invalid unless a lower-case UUID) and list markers (Invalid).

An *image* (a dict) has the fields of the field table's RECORD role, in
its order — the v1 image without `uri` (`id`, `name`, `type`,
`disk_format`, `container_format`, `size`, `virtual_size`, `checksum`,
`os_hash_algo`, `os_hash_value`, `store`, `location`, `status`,
`status_reason`, `is_public`, `protected`, `min_disk`, `min_ram`, `owner`,
`created_at`, `updated_at`, `deleted_at`, `deleted`) plus `visibility`,
`os_hidden`, `tags` (a sorted list) — and `properties` (key → text).
`location` only for admins and services.  `is_public` is derived:
true exactly when `visibility` is `public`.  Null is None.  Timestamps are
`YYYY-MM-DDTHH:MM:SS.ffffff`, UTC.  A *member* is {"image_id",
"member_id", "can_share", "status", "created_at", "updated_at"}.

Visibility (CONTRACT §1): admins see every image not deleted; others
`public` and `community` images, their own, and `shared` images they are a
member of.  An image the caller may not see raises NotFound, never
Forbidden; one it may see but not change raises Forbidden.

Images
------
list_images(context, query, detailed=True) → [image] or [brief entry]
    One page of `query` (`query.ImageQuery`: scopes, filters, sort, limit,
    marker; `query.from_v1_params` and `glance.api.v2.listing.parse` build
    one from an API's parameters).  Brief entries: id, name, type, disk_format,
    container_format, size, checksum.  Invalid: bad marker or sort key.
get_image(context, image_id) → image
    NotFound: missing, deleted or invisible.
create_image(context, values) → image
    `values`: any writable field (field table: CLIENT and SERVER roles),
    `properties`, `tags`; `is_public` maps onto `visibility`
    (`fields.visibility_for_is_public`).  Owner: the caller's tenant unless
    a trusted caller gives `owner`.  Defaults: status `active`, visibility
    `shared`.  The registry's own fields (created_at, ...) are ignored.
    Invalid (bad value, unknown field), Forbidden (a server-controlled
    field from a caller neither service nor admin), Duplicate (id taken,
    also by a deleted image), QuotaExceeded (properties, their bytes, tags).
update_image(context, image_id, values, purge_props=False, expected_status=None) → image
    Merges `values`; properties merge, or replace the set with
    `purge_props`; `tags` replace the set.  `expected_status`: a
    compare-and-set (Conflict when the image is in another status).
    NotFound, Forbidden, Invalid, QuotaExceeded (on the resulting set).
delete_image(context, image_id) → the deleted image
    Soft delete: status `deleted`, `deleted` true; the id stays taken.
    NotFound, Forbidden, Protected (a Forbidden: `protected` images).

Members (who may do what: `members.py`)
-------
list_members(context, image_id) → [member]
get_member(context, image_id, member) → member          NotFound
add_member(context, image_id, member, can_share=False) → member
    Duplicate (already a member), Forbidden, QuotaExceeded.
set_member(context, image_id, member, can_share=None, status=None) → member
    Adds (pending) or changes; only `status`: the member itself or an admin.
replace_members(context, image_id, memberships) → [member]
    memberships: [{"member_id", "can_share"?}]; QuotaExceeded.
delete_member(context, image_id, member) → None         NotFound
shared_images(context, member) → [member]  (the memberships of `member`)

Tags
----
add_tag(context, image_id, tag) → image       Invalid, Forbidden, QuotaExceeded
delete_tag(context, image_id, tag) → image    NotFound when absent

Upload leases (`leases.py`; services only, but `take_lease`)
-------------
take_lease(context, image_id, holder, seconds, from_status="queued",
           to_status="saving", fallback="killed") → image     Conflict
renew_leases(context, holder, seconds) → [image id still held]
end_lease(context, image_id, holder, values) → image   Conflict: lease lost
expire_leases(context, reason, node=None, instance=None, pid=None,
              except_instance=None) → [image moved to its fallback]

Failures of the registry itself raise RegistryUnavailable (503 at the API)
with a generic message; the details are logged.
"""

from glance.registry import shared
from glance.registry.client import RegistryClient
from glance.registry.leases import Holder
from glance.registry.query import ImageQuery
from glance.registry.service import ImageRegistry

__all__ = ["Holder", "ImageQuery", "ImageRegistry", "RegistryClient", "connect"]


def connect(conf):
    """The registry the configuration names: in-process, or a client of the
    registry server that reads images from its database when that is the
    API's own (`shared.py`, `registry_shared_reads`)."""
    if conf.registry_url and conf.registry_shared_reads:
        return shared.SharedReadsClient(
            conf.registry_url, shared.database_opener(
                conf.sql_connection, pool_size=getattr(conf, "server_threads", None)),
            timeout=conf.registry_timeout, service_token=conf.service_token)
    if conf.registry_url:
        return RegistryClient(conf.registry_url, timeout=conf.registry_timeout,
                              service_token=conf.service_token)
    return ImageRegistry.from_conf(conf)
