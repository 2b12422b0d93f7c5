"""`SharedReadsClient`: the registry over HTTP, reading images from its database.

In the README's layout the registry is a process of its own and the API
calls it for everything.  Measured (docs/performance.rst), that HTTP round
trip made a `HEAD /images/<id>` cost four times the CPU of the in-process
registry: 770 us against 190 us, half of it in the registry's own server
and half in the API's `http.client`, so the README's layout served 0.12-0.28
of the floor where the in-process one served 0.4-0.9.

So the API reads images (`get_image`, `list_images`: every HEAD, GET and
list) straight from the registry's database when its own `sql_connection`
reaches the very same database, and sends everything else — every write,
lease, member and tag call — to the registry service, which stays the one
writer the API uses and the service third parties call (CONTRACT §5).
Reads are not cached: each one is a query on the shared database, so
several API servers (or a third party writing through the registry) can
never see stale data, and a write through the registry is visible to the
next read at once (it is committed before the registry answers).

"The same database" is proven, not assumed: the registry tells its
database's identity (`GET /database`, `identity.py`), and the API compares
it with its own database's, with the schema version on both sides.  Only
when they agree are reads local; the check is repeated every `revalidate`
seconds (a registry restarted on another database stops the local reads
within that time) and any doubt — no answer, an older registry without the
route, a different or missing database — sends reads over HTTP as before.
The API never creates a database file to read from.
"""

import logging
import os
import threading
import time

from glance.common import exception
from glance.common.context import RequestContext
from glance.registry import db, identity
from glance.registry.client import RegistryClient
from glance.registry.migrations import LATEST_VERSION
from glance.registry.service import ImageRegistry

LOG = logging.getLogger(__name__)
REVALIDATE = 10.0       # seconds between two checks of the registry's database


def database_opener(sql_connection, pool_size=None):
    """A function opening the API's own database for reading, without
    migrating it; None when there is none to open (in memory, or a sqlite
    file that does not exist: it is never created here)."""
    def open_database():
        url = (sql_connection or "").strip()
        if url.split(":", 1)[0].lower().startswith("postgres"):
            return db.open_database(url, migrate=False, pool_size=pool_size)
        path = db.parse_url(url)
        if path is None or not os.path.isfile(path):
            return None
        return db.Database(url, migrate=False)
    return open_database


class SharedReadsClient(RegistryClient):
    """A `RegistryClient` whose image reads go to the registry's database
    while the registry confirms that the API's database is its own.

    `open_database()` opens the API's database (None: there is none; see
    `database_opener`); `clock` and `revalidate` are the test seams of the
    periodic check.  The other arguments are `RegistryClient`'s.
    """

    def __init__(self, url, open_database, revalidate=REVALIDATE, clock=time.monotonic,
                 **kwargs):
        super().__init__(url, **kwargs)
        self._open_database = open_database
        self._revalidate = revalidate
        self._clock = clock
        self._reader = None         # ImageRegistry on the API's database, once opened
        self._shared = False        # the last check found the registry's database
        self._checked_at = None
        self._checking = threading.Lock()

    @property
    def reads_locally(self):
        """Whether image reads go to the database now (for tests and logs)."""
        return self._local() is not None

    # -- the reads -----------------------------------------------------------

    def get_image(self, context, image_id):
        local = self._local()
        if local is None:
            return super().get_image(context, image_id)
        return local.get_image(context, image_id)

    def list_images(self, context, query, detailed=True):
        local = self._local()
        if local is None:
            return super().list_images(context, query, detailed)
        return local.list_images(context, query, detailed)

    def close_connections(self):
        """Before a fork: only the HTTP connections (the reader's database
        closes its own connections then, and stays usable)."""
        RegistryClient.close(self)

    def close(self):
        """Done: the HTTP connections and the reader's database."""
        super().close()
        if self._reader is not None:
            self._reader.close()

    # -- the check -------------------------------------------------------------

    def _local(self):
        """The reader on the shared database, or None: read over HTTP."""
        checked_at = self._checked_at
        if checked_at is not None and self._clock() - checked_at < self._revalidate:
            return self._reader if self._shared else None
        # One thread checks; the others go on as the last check said.
        if not self._checking.acquire(blocking=False):
            return self._reader if self._shared and checked_at is not None else None
        try:
            shared = self._check()
            if shared != self._shared or checked_at is None:
                LOG.info("image reads go to %s", "the registry's database" if shared
                         else f"the registry at {self.shown_url}")
            self._shared = shared
            self._checked_at = self._clock()
        finally:
            self._checking.release()
        return self._reader if self._shared else None

    def _check(self):
        """Does the registry stand on the API's own database, at our schema?"""
        try:
            theirs = self.database(RequestContext())
        except exception.GlanceError:   # unreachable, or a registry without the route
            return False
        if theirs.get("schema_version") != LATEST_VERSION or not theirs.get("identity"):
            return False
        try:
            if self._reader is None:
                database = self._open_database()
                if database is None:
                    return False
                self._reader = ImageRegistry(database)
            ours = identity.of_database(self._reader.db)
            return ours == theirs["identity"] and self._reader.db.version() == LATEST_VERSION
        except Exception as exc:        # any doubt: read over HTTP
            LOG.info("cannot read the registry's database directly: %s",
                     str(exc) or type(exc).__name__)
            return False
