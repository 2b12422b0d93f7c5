"""The registry's sqlite3 layer: connections, transactions, schema migrations.

The SQL of the registry is shared with PostgreSQL (`pg.py`, chosen by
`open_database` from a `postgresql://` URL); the few differences between
the engines are the fields of a `Dialect`.

A file database gets one connection per thread (WAL mode lets readers and
the one writer work side by side); an in-memory database (`sqlite://`, for
tests) is a single connection that every thread takes turns on.  The file
(and sqlite's `-wal` and `-shm` files, which take its mode) is created
0600: it holds every tenant's metadata.  The schema version lives in
`PRAGMA user_version`; `migrations.MIGRATIONS` is the ordered list of steps
that lead to it.
"""

import contextlib
import logging
import os
import sqlite3
import stat
import threading
import weakref
from dataclasses import dataclass

from glance.common import config, exception
from glance.httpd import prefork
from glance.registry.migrations import LATEST_VERSION, MIGRATIONS

LOG = logging.getLogger(__name__)
BUSY_TIMEOUT = 5.0     # seconds a writer waits for another one
FILE_MODE = 0o600
# What clients are told when the database fails; the details go to the log.
UNAVAILABLE = "the registry database is unavailable"
DUPLICATE = "the registry database refused a duplicate"
FAILED = "the registry database failed"


@dataclass(frozen=True)
class Dialect:
    """What the registry's SQL must say differently on each engine.

    Placeholders are `?` everywhere (the PostgreSQL layer translates them).
    """

    name: str
    # appended to the SELECT of a row about to be changed (row lock)
    for_update: str
    # the function that packs values into one JSON array
    json_array: str
    # an image's properties as one JSON object (or NULL), in a query on `images`
    json_properties: str
    # an image's tags as one JSON array (or NULL), in a query on `images`
    json_tags: str
    # a JSON value ({}) as text: the driver hands text over, never parsed
    json_text: str = "{}"
    # a page's rows of packed text (column `packed`) as one row of their
    # texts joined by newlines, or None where rows cost nothing to fetch
    one_row_page: str | None = None


# BEGIN IMMEDIATE already makes every sqlite writer wait for the others.
SQLITE = Dialect(
    name="sqlite",
    for_update="",
    json_array="json_array",
    # json(): the object goes into the array as JSON, not as a string
    json_properties="json((SELECT json_group_object(key, value) FROM image_properties "
                    "WHERE image_id = images.id))",
    json_tags="json((SELECT json_group_array(tag) FROM image_tags "
              "WHERE image_id = images.id))",
    # Python's sqlite3 hands the GIL over around every row it steps to
    # (`records.record_sql`); a page of 25 cost ~60 futex calls under load.
    # One row: its JSON texts never hold a raw newline (JSON escapes
    # control characters), and an aggregate over an ordered subquery takes
    # its rows in that order (tests/registry hold every list order).
    one_row_page="SELECT group_concat(packed, char(10)) FROM ({})",
)


def parse_url(url):
    """The database file of an `sql_connection` URL; None for in-memory."""
    url = (url or "").strip()
    if url in ("sqlite://", "sqlite:///:memory:"):
        return None
    if not url.startswith("sqlite:///") or url == "sqlite:///":
        raise exception.ConfigError(
            "sql_connection must be sqlite:///PATH, sqlite:// or postgresql://..., got "
            f"{config.shown_value('sql_connection', url)!r}")
    # sqlite:////abs/path (SQLAlchemy's spelling) and sqlite:///abs/path
    # relative to the working directory both end up absolute.
    return os.path.abspath(url[len("sqlite:///"):])


class _Connection(sqlite3.Connection):
    """A plain connection that can be weakly referenced."""

    dialect = SQLITE


class Database:
    """One sqlite database; hands out per-thread connections and transactions."""

    def __init__(self, url, migrate=True, busy_timeout=BUSY_TIMEOUT):
        self.url = url
        self.busy_timeout = busy_timeout
        self.path = parse_url(url)
        self._local = threading.local()
        self._open = weakref.WeakSet()
        self._open_lock = threading.Lock()
        if self.path is None:
            # One connection for all threads, taken in turns.
            self._lock = threading.RLock()
            self._shared = self._connect(":memory:")
        else:
            self._lock = contextlib.nullcontext()
            self._shared = None
            _create_private(self.path)
        if migrate:
            self.migrate()
        prefork.close_before_fork(self)

    def close_connections(self):
        """Close the connections open now; each thread opens a new one when
        it next needs one.  (A forking server's workers must not share the
        connections its master used while starting.)"""
        if self._shared is None:    # in memory, that connection is the database
            self._close_all()

    def _connect(self, target):
        conn = sqlite3.connect(target, timeout=self.busy_timeout, isolation_level=None,
                               check_same_thread=False, factory=_Connection)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        with self._open_lock:
            self._open.add(conn)
        return conn

    def connection(self):
        """This thread's connection (the shared one for in-memory databases)."""
        if self._shared is not None:
            return self._shared
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect(self.path)
        return conn

    @contextlib.contextmanager
    def transaction(self, write=False):
        """A transaction; `write` takes the write lock at once (BEGIN IMMEDIATE),
        so a writer never has to upgrade a read snapshot and fail."""
        with self._lock:
            conn = self.connection()
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                _raise_unavailable(exc)
                raise
            except sqlite3.IntegrityError:
                # A unique key taken (an id, a member) by a writer the
                # caller's own check could not see: its own check runs
                # first and says it better.
                raise exception.Duplicate(DUPLICATE) from None

    @contextlib.contextmanager
    def snapshot(self):
        """The connection for one read-only statement, outside BEGIN/COMMIT:
        sqlite runs it in a read transaction of its own, which sees one
        consistent state.  Two statements fewer than `transaction()` (and
        two GIL hand-offs under load) for the commonest read, one image."""
        with self._lock:
            try:
                yield self.connection()
            except sqlite3.OperationalError as exc:
                _raise_unavailable(exc)
                raise

    def version(self):
        with self._lock:
            return self.connection().execute("PRAGMA user_version").fetchone()[0]

    def migrate(self):
        """Apply the migrations this database lacks, each in its own
        transaction; return the schema version."""
        with self._lock:
            conn = self.connection()
            for number, (_, statements) in enumerate(MIGRATIONS, start=1):
                with self.transaction(write=True):
                    # Read inside the write lock: another process may have
                    # migrated meanwhile.
                    current = conn.execute("PRAGMA user_version").fetchone()[0]
                    if current > LATEST_VERSION:
                        raise exception.ConfigError(
                            f"database {self.url} has schema version {current}, newer than "
                            f"this Glance knows ({LATEST_VERSION})")
                    if current >= number:
                        continue
                    for statement in statements:
                        conn.execute(statement)
                    # PRAGMA takes no parameters; `number` is our own int.
                    conn.execute(f"PRAGMA user_version = {int(number)}")
            return self.version()

    def close(self):
        """Close every connection this database opened, in any thread."""
        self._close_all()
        self._shared = None

    def _close_all(self):
        with self._open_lock:
            conns = list(self._open)
            self._open = weakref.WeakSet()
        self._local = threading.local()
        for conn in conns:
            conn.close()


def _create_private(path):
    """Create the database file 0600 before sqlite opens it (sqlite gives
    its -wal and -shm files the database's mode), and take group and other
    access from one an older release made 0644."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        for name in (path, path + "-wal", path + "-shm"):
            try:
                mode = stat.S_IMODE(os.stat(name).st_mode)
                if mode & 0o077:
                    os.chmod(name, mode & ~0o077)
            except OSError:     # not there, or not ours: sqlite will say if it matters
                pass


def _raise_unavailable(exc):
    """A database that is busy, full, broken or read-only: RegistryUnavailable."""
    if getattr(exc, "sqlite_errorname", "").startswith(
            ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_IOERR",
             "SQLITE_READONLY", "SQLITE_CANTOPEN")):
        LOG.error("the registry database failed: %s", exc)
        raise exception.RegistryUnavailable(UNAVAILABLE) from exc


def open_database(url, migrate=True, pool_size=None):
    """The database an `sql_connection` URL names: sqlite (`sqlite://...`)
    or PostgreSQL (`postgresql://...`, with the postgres extra installed)."""
    scheme = (url or "").strip().split(":", 1)[0].lower()
    if scheme.startswith("postgres"):
        from glance.registry import pg
        return pg.PostgresDatabase(url, migrate=migrate, pool_size=pool_size)
    return Database(url, migrate=migrate)


def sync(conf):
    """`glance-manage db_sync`: bring the configured database up to date."""
    database = open_database(conf.sql_connection, migrate=False)
    try:
        return database.migrate()
    finally:
        database.close()
