"""Caps on concurrent fetches from image origins: per origin and per tenant.

A download from an http location holds a server thread for as long as its
origin takes, and an origin is chosen by whoever registered the location:
about ten downloads from one that accepts and never answers once held
every thread the API had.  `FetchLimits` bounds how many fetches (downloads,
size probes, each redirect hop) wait on one origin (`host:port`) and how
many are in progress for one tenant at once; past either cap a fetch is
refused at once with `OriginBusy` (503, Retry-After) instead of queueing.

The tenant is the image's owner, not the caller: the owner chose the origin,
so a slow or hostile origin uses up its owner's allowance, never that of
the tenants who download the image.  Images without an owner share one
allowance.  The caps count per server process (with `workers` N, N times
as many fetches may run on the node).
"""

import collections
import threading

from glance.common import exception


class FetchLimits:
    """At most `per_origin` fetches per (host, port) and `per_tenant` per
    tenant at once; 0 means no cap.  Refusals say `Retry-After: retry_after`."""

    def __init__(self, per_origin, per_tenant, retry_after=1):
        self.per_origin = per_origin
        self.per_tenant = per_tenant
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._origins = collections.Counter()
        self._tenants = collections.Counter()

    @classmethod
    def from_conf(cls, conf):
        for option in ("http_store_max_fetches_per_origin", "http_store_max_fetches_per_tenant"):
            if getattr(conf, option) < 0:
                raise exception.ConfigError(f"option {option}: must be 0 (no cap) or more")
        return cls(conf.http_store_max_fetches_per_origin,
                   conf.http_store_max_fetches_per_tenant,
                   retry_after=max(1, round(conf.http_store_first_byte_timeout)))

    def begin(self, tenant, image_id=None):
        """A new `Fetch` counted against `tenant`; OriginBusy when it has
        `per_tenant` fetches in progress already."""
        with self._lock:
            if self.per_tenant and self._tenants[tenant] >= self.per_tenant:
                raise exception.OriginBusy(
                    "too many downloads from image origins are in progress for the "
                    "image's owner; retry later", image_id,
                    detail=f"tenant {tenant!r} has {self.per_tenant} fetches in progress",
                    retry_after=self.retry_after)
            self._tenants[tenant] += 1
        return Fetch(self, tenant, image_id)

    def in_progress(self, origin=None, tenant=None):
        """Fetches now counted against `origin` or `tenant` (for tests and logs)."""
        with self._lock:
            return self._origins[origin] if origin is not None else self._tenants[tenant]

    def _enter(self, origin, image_id):
        with self._lock:
            if self.per_origin and self._origins[origin] >= self.per_origin:
                raise exception.OriginBusy(
                    "too many downloads from the image's origin are in progress; retry later",
                    image_id, detail=f"origin {origin[0]}:{origin[1]} has {self.per_origin} "
                                     "fetches in progress",
                    retry_after=self.retry_after)
            self._origins[origin] += 1

    def _leave(self, origin=None, tenant=None, counted_tenant=False):
        with self._lock:
            for counter, key, counted in ((self._origins, origin, origin is not None),
                                          (self._tenants, tenant, counted_tenant)):
                if counted:
                    counter[key] -= 1
                    if counter[key] <= 0:
                        del counter[key]


class Fetch:
    """One fetch's permits: its tenant's, and the origin it is talking to now.

    `enter(origin)` moves the fetch to another origin (a redirect), giving
    the previous one's permit back; `end()` gives everything back and may be
    called any number of times, from any thread.
    """

    def __init__(self, limits, tenant, image_id):
        self._limits = limits
        self._tenant = tenant
        self._image_id = image_id
        self._origin = None
        self._ended = False
        self._lock = threading.Lock()

    def enter(self, origin):
        """Count this fetch against `origin` ((host, port)); OriginBusy if it is full."""
        with self._lock:        # always this lock first, then the limits' own
            if self._ended:
                raise RuntimeError("this fetch has ended")
            if self._origin is not None:
                self._limits._leave(origin=self._origin)
                self._origin = None
            self._limits._enter(origin, self._image_id)
            self._origin = origin

    def end(self):
        with self._lock:
            if self._ended:
                return
            self._ended = True
            self._limits._leave(origin=self._origin, tenant=self._tenant, counted_tenant=True)
            self._origin = None
