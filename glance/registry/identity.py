"""Which database a registry stands on: an identity two processes can compare.

An API server that talks to its registry over HTTP may read images from the
registry's database itself (`shared.SharedReadsClient`), but only when its
own `sql_connection` reaches *the same* database: equal URLs prove nothing
(two hosts may each have a `/var/glance.sqlite`), so both sides compute an
identity from the database they actually opened and the API compares them.

- sqlite: the kernel's boot id (random, per boot and per machine) and the
  file's device and inode: the same file on the same running system, and
  nothing else, gives the same triple.  An in-memory database has none.
- PostgreSQL: the database's name and OID, the server's start time (to the
  microsecond) and the schema the registry uses.

A mismatch only costs speed (reads go over HTTP); a false match would serve
another database's images, so every part above must agree.  The identity is
a hash: it says nothing about paths, hosts or names to whoever reads it.
"""

import hashlib
import logging
import os

LOG = logging.getLogger(__name__)
BOOT_ID = "/proc/sys/kernel/random/boot_id"


def of_database(database, boot_id_path=BOOT_ID):
    """The identity of an open `db.Database` or `pg.PostgresDatabase`, or None
    when it has none (in memory, no boot id, unreachable)."""
    try:
        if hasattr(database, "schema"):      # pg.PostgresDatabase
            parts = _postgres_parts(database)
        else:
            parts = _sqlite_parts(database, boot_id_path)
    except Exception as exc:        # no identity is safe: reads go over HTTP
        LOG.info("no identity for the registry database: %s", str(exc) or type(exc).__name__)
        return None
    if parts is None:
        return None
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:32]


def _sqlite_parts(database, boot_id_path):
    path = getattr(database, "path", None)
    if path is None:
        return None
    with open(boot_id_path) as boot:
        boot_id = boot.read().strip()
    found = os.stat(path)
    return ("sqlite", boot_id, found.st_dev, found.st_ino)


def _postgres_parts(database):
    with database.transaction() as conn:
        row = conn.execute(
            "SELECT current_database(), "
            "(SELECT oid FROM pg_database WHERE datname = current_database()), "
            "pg_postmaster_start_time()").fetchone()
    return ("postgresql", row[0], row[1], row[2], database.schema)
