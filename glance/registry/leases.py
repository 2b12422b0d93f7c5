"""Upload leases: an image being written holds a lease that its writer renews.

An upload (or an import) moves its image to `saving` (`importing`) with a
compare-and-set that also records who writes it — a `Holder`: the API node,
the server run (`instance`, fresh at every start) and the process — and
until when (`lease_expires`, by the registry's clock).  The writer renews
its leases while it works (`renew_leases`, one statement for all of a
process's uploads) and ends its lease with the image's next status
(`end_lease`).  A writer that died stops renewing: then any node may move
the image to the lease's `fallback` status (`killed` for v1 uploads,
`queued` for v2 uploads and imports) with a reason (`expire_leases`).

The holder lives in columns no answer shows (`COLUMNS`): `status_reason`,
which clients see, never names a host, a path or a process (issue 15).
Clocks: a lease is taken, renewed and judged expired by the registry's
clock; in-process registries on several nodes must agree on the time to
within a fraction of the lease.
"""

from dataclasses import dataclass
from datetime import timedelta

from glance.common import exception
from glance.registry import records, validation

COLUMNS = ("lease_node", "lease_instance", "lease_pid", "lease_expires", "lease_fallback")
# The statuses of an image being written: an upload (`saving`), an import
# (`importing`), a v2 stage in progress (`uploading`, which stays after the
# stage, leaseless, until the import).
WRITING_STATUSES = ("saving", "uploading", "importing")
# Writing statuses that never last without a writer: a leaseless image in
# one (revision 1's, or a writer that skipped the lease) is swept too.
SWEEP_LEASELESS = "lease_expires IS NULL AND status IN ('saving', 'importing')"
FALLBACKS = ("killed", "queued")


@dataclass(frozen=True)
class Holder:
    """Who writes an image: node, server run and process."""

    node: str
    instance: str
    pid: int

    def as_json(self):
        return {"node": self.node, "instance": self.instance, "pid": self.pid}

    @classmethod
    def from_json(cls, document):
        """A holder from JSON; Invalid for anything else."""
        try:
            holder = cls(document["node"], document["instance"], document["pid"])
        except (TypeError, KeyError):
            raise exception.Invalid('a lease holder is {"node", "instance", "pid"}') from None
        if not (isinstance(holder.node, str) and isinstance(holder.instance, str)
                and holder.node and holder.instance):
            raise exception.Invalid("a lease holder names a node and an instance")
        validation.check_text("lease node", holder.node)
        validation.check_text("lease instance", holder.instance)
        validation.integer("lease pid", holder.pid, 0, 2**31 - 1)
        return holder


def _require_service(context):
    if not context.is_admin:
        raise exception.Forbidden("only the image service may manage upload leases")


class LeasesMixin:
    """The lease methods of `ImageRegistry` (see the module docstring)."""

    def _until(self, seconds):
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) \
                or not 0 < seconds <= 86400:
            raise exception.Invalid(f"a lease lasts 0 to 86400 seconds, got {seconds!r}")
        return records.timestamp(self._clock() + timedelta(seconds=seconds))

    def take_lease(self, context, image_id, holder, seconds, from_status="queued",
                   to_status="saving", fallback="killed"):
        """Compare-and-set `from_status` → `to_status` (a writing status),
        recording `holder`'s lease for `seconds` and the status the image
        falls back to if the lease runs out.  The image after; NotFound,
        Forbidden (not the caller's), Conflict (not in `from_status`)."""
        if to_status not in WRITING_STATUSES or fallback not in FALLBACKS:
            raise exception.Invalid(f"a lease moves an image to {' or '.join(WRITING_STATUSES)} "
                                    f"and falls back to {' or '.join(FALLBACKS)}")
        image_id = validation.parse_image_id(image_id)
        until = self._until(seconds)
        with self.db.transaction(write=True) as conn:
            row = records.read_writable(conn, context, image_id)
            if row["status"] != from_status:
                raise exception.Conflict(f"image {image_id} is {row['status']}, "
                                         f"not {from_status}", image_id=image_id)
            conn.execute(
                "UPDATE images SET status = ?, status_reason = NULL, updated_at = ?, "
                "lease_node = ?, lease_instance = ?, lease_pid = ?, lease_expires = ?, "
                "lease_fallback = ? WHERE id = ?",
                (to_status, self._now(), holder.node, holder.instance, holder.pid, until,
                 fallback, image_id))
            return records.full(records.read(conn, None, image_id), context)

    def renew_leases(self, context, holder, seconds):
        """Extend every lease `holder` holds to `seconds` from now; the ids
        of the images whose leases it still holds (an image swept meanwhile
        is no longer among them)."""
        _require_service(context)
        until = self._until(seconds)
        with self.db.transaction(write=True) as conn:
            rows = conn.execute(
                "UPDATE images SET lease_expires = ? WHERE lease_node = ? AND "
                "lease_instance = ? AND lease_pid = ? AND deleted = 0 RETURNING id",
                (until, holder.node, holder.instance, holder.pid)).fetchall()
        return sorted(row[0] for row in rows)

    def end_lease(self, context, image_id, holder, values):
        """Apply `values` (as `update_image` would; they name the image's
        next status) and end the lease — only if `holder` still holds it:
        Conflict otherwise (the lease expired and the image was swept, or
        another writer holds it now)."""
        image_id = validation.parse_image_id(image_id)
        changes = validation.image_changes(values, creating=False, image_id=image_id,
                                           trusted=context.is_service or context.is_admin)
        with self.db.transaction(write=True) as conn:
            row = records.read_writable(conn, context, image_id)
            held = conn.execute(
                "SELECT 1 FROM images WHERE id = ? AND lease_node = ? AND lease_instance = ? "
                "AND lease_pid = ?", (image_id, holder.node, holder.instance, holder.pid))
            if held.fetchone() is None:
                raise exception.Conflict(f"the upload of image {image_id} lost its lease "
                                         f"(the image is {row['status']})", image_id=image_id)
            return self._update(conn, context, row, changes, end_lease=True)

    def expire_leases(self, context, reason, node=None, instance=None, pid=None,
                      except_instance=None):
        """Move images whose writer is gone to their lease's fallback status,
        with `reason` as their status_reason; the images after.

        - no `node`: every image whose lease has run out, and every `saving`
          or `importing` image that has none — the sweep any node may run;
        - `node` (and `instance`, `pid`): every lease of that node (server
          run, process), whatever its time — a process the caller knows is
          dead;
        - `node` and `except_instance`: that node's leases from other server
          runs — start-up recovery.
        """
        _require_service(context)
        reason = validation.check_text("reason", str(reason))[:255]
        for name, value in (("node", node), ("instance", instance),
                            ("except_instance", except_instance)):
            if value is not None and not isinstance(value, str):
                raise exception.Invalid(f"{name} must be a string, got {value!r}")
        if pid is not None:
            validation.integer("pid", pid, 0, 2**31 - 1)
        now = self._now()
        if node is None:
            selections = [("lease_expires < ?", [now]), (SWEEP_LEASELESS, [])]
        else:
            where, args = [], []
            for column, value, op in (("lease_node", node, "="),
                                      ("lease_instance", instance, "="),
                                      ("lease_pid", pid, "="),
                                      ("lease_instance", except_instance, "<>")):
                if value is not None:
                    where.append(f"{column} {op} ?")
                    args.append(value)
            selections = [(" AND ".join(where), args)]
        moved = []
        with self.db.transaction(write=True) as conn:
            for where, args in selections:
                moved += [row[0] for row in conn.execute(
                    "UPDATE images SET status = coalesce(lease_fallback, 'killed'), "
                    "status_reason = ?, updated_at = ?, lease_node = NULL, "
                    "lease_instance = NULL, lease_pid = NULL, lease_expires = NULL, "
                    f"lease_fallback = NULL WHERE deleted = 0 AND {where} RETURNING id",
                    [reason, now] + args).fetchall()]
            return [records.full(records.read(conn, None, image_id), context)
                    for image_id in sorted(moved)]
