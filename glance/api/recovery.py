"""Recovery of an API node: uploads that died, found through their leases.

Every upload holds a lease on its image (`glance.registry.leases`): held by
this node, this server run (`instance`, fresh at every start) and this
process, renewed by the process while it uploads.  Three ways an upload
can die, and who notices:

- the whole server stopped (crash, kill, reboot): at the next start,
  `reconcile()` moves this node's images still `saving` under an earlier
  run to their fallback status (`killed` for v1) and removes the file
  store's leftovers;
- one prefork worker died and the server goes on: the master calls
  `reconcile(..., pid=P)` for that worker's leases only;
- a node never comes back: its leases run out, and any node's sweep
  (`Keeper`, every half lease) moves those images on, with a reason.

Uploads in progress elsewhere (other nodes sharing the registry or the data
directory, sibling workers, this run's own) hold live leases of their own
and are left alone.  v2 stages and imports hold leases too (their fallback
is `queued`); the data of the staging area (`glance.store.staging`) is
removed here once its image is no longer `uploading` or `importing` —
whether its import or stage died, the image was deleted, or an import
ended without removing it.  `status_reason` never names a host, path or process:
the holder lives in columns nobody is shown.

`Keeper` is this process's side of it: the holder of its uploads, the
heartbeat that renews their leases, the sweep, and the start-up recovery,
retried until the registry answers (the `make run` layout starts the
registry and the API together) without delaying the server's start.
docs/reliability.rst explains the choices.
"""

import contextlib
import dataclasses
import functools
import hashlib
import logging
import os
import re
import secrets
import socket
import threading
import time
import weakref

from glance.common import context, exception, fields
from glance.registry.leases import Holder
from glance.registry.query import ImageQuery

LOG = logging.getLogger(__name__)

MAX_REASON = 255
PAGE = 1000
RETRY_FIRST, RETRY_MAX = 0.5, 15.0      # seconds between start-up recovery attempts
INTERRUPTED = "upload interrupted: the server stopped before the upload finished"
EXPIRED = "upload interrupted: its server stopped renewing the upload's lease"
# The statuses of an image whose staged data is wanted: being staged or
# staged (`uploading`), being imported (`importing`).
STAGED_STATUSES = ("uploading", "importing")
_TEMP_ID = re.compile(r"\.([0-9a-f-]{1,36})\.[^/]*\.tmp\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def service_context():
    """An admin acting as a Glance service: sees every image and its location."""
    return dataclasses.replace(context.admin_context(), is_service=True)


@functools.lru_cache(maxsize=None)
def _default_node(datadir):
    digest = hashlib.sha256(os.path.abspath(datadir).encode("utf-8", "surrogateescape"))
    return f"{socket.gethostname()}-{digest.hexdigest()[:8]}"


def node_name(conf):
    """`node_id`, or the host name and a digest of the data directory."""
    name = reason_text(str(getattr(conf, "node_id", "") or "").strip())
    return name or _default_node(conf.filesystem_store_datadir)


def reason_text(text):
    """`text` fit for status_reason: no control characters, at most 255 characters."""
    return _CONTROL.sub(" ", str(text)).strip()[:MAX_REASON]


def all_images(registry, ctx, **equal):
    """Every image whose fields equal `equal` (any visibility), by id, page by page."""
    marker = None
    while True:
        query = ImageQuery(scope=("all",), equal=equal, sort=(("id", "asc"),), limit=PAGE,
                           marker=marker)
        page = registry.list_images(ctx, query, detailed=True)
        yield from page
        if len(page) < PAGE:
            return
        marker = page[-1]["id"]


def file_stores(stores):
    """The backends that keep files in a data directory of ours."""
    return [backend for backend in stores if hasattr(backend, "temp_files")]


def object_stores(stores):
    """The backends whose interrupted uploads leave objects, segments or parts."""
    return [backend for backend in stores if hasattr(backend, "remove_leftovers")]


def temp_file_image_id(path):
    """The image id in a temporary file's name `.<id>.<random>.tmp`, or None."""
    match = _TEMP_ID.match(os.path.basename(path))
    return fields.parse_image_id(match.group(1)) if match else None


def current_status(registry, ctx, image_id):
    """Image `image_id`'s status, or None when it is missing or deleted."""
    try:
        return registry.get_image(ctx, image_id)["status"]
    except exception.NotFound:
        return None


def upload_in_progress(registry, ctx, image_id):
    """True when image `image_id` is being written (on any node): its temp file is in use."""
    return current_status(registry, ctx, image_id) in ("saving", "importing")


def remove_quietly(path):
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False


@dataclasses.dataclass
class Recovery:
    """What `reconcile()` or a sweep did."""

    node: str
    killed: list = dataclasses.field(default_factory=list)
    removed: list = dataclasses.field(default_factory=list)


def reconcile(conf, registry, stores, instance=None, pid=None):
    """Move this node's dead uploads on and remove their leftovers: those
    of server runs other than `instance` (start-up; None: every lease of
    this node), or, with `pid`, those of that (dead) process of this run.
    Then sweep every lease that ran out, on any node.

    Raises what the registry raises (RegistryUnavailable when it does not
    answer); `Keeper` retries.
    """
    done = Recovery(node_name(conf))
    ctx = service_context()
    if pid is None:
        moved = registry.expire_leases(ctx, INTERRUPTED, node=done.node,
                                       except_instance=instance)
    else:
        moved = registry.expire_leases(ctx, INTERRUPTED, node=done.node, instance=instance,
                                       pid=pid)
    moved += registry.expire_leases(ctx, EXPIRED)
    done.killed = [image["id"] for image in moved]
    clean_up(registry, ctx, stores, done)
    return done


def sweep(conf, registry, stores):
    """Move on every image whose lease ran out, on any node; remove leftovers."""
    done = Recovery(node_name(conf))
    ctx = service_context()
    done.killed = [image["id"] for image in registry.expire_leases(ctx, EXPIRED)]
    clean_up(registry, ctx, stores, done)
    return done


def clean_up(registry, ctx, stores, done):
    """Remove what the uploads of `done.killed` left in our stores."""
    for backend in file_stores(stores):
        _remove_leftovers(registry, ctx, backend, done)
    for backend in object_stores(stores):
        for image_id in done.killed:
            done.removed.extend(backend.remove_leftovers(image_id))
    staging = getattr(stores, "staging", None)
    if staging is not None:
        _remove_staged(registry, ctx, staging, done)
    if done.killed or done.removed:
        LOG.warning("node %s: ended interrupted uploads of %s, removed %d leftover files",
                    done.node, done.killed, len(done.removed))


def _remove_leftovers(registry, ctx, backend, done):
    for image_id in done.killed:
        # A crash after the file was put in place but before the registry
        # heard of it leaves a complete file for an image now killed.
        path = os.path.join(backend.datadir, str(image_id))
        if os.path.isfile(path) and remove_quietly(path):
            done.removed.append(path)
    for path in backend.temp_files():
        image_id = temp_file_image_id(path)
        if image_id is None:
            continue        # not a name the store makes: fsck reports it
        if image_id not in done.killed and upload_in_progress(registry, ctx, image_id):
            continue        # an upload in progress, here or on another node
        if remove_quietly(path):
            done.removed.append(path)


def _remove_staged(registry, ctx, staging, done):
    """Remove the staged data (and stages' temporary files) no import will
    read: that of the images `done` just moved on, and of every image no
    longer `uploading` or `importing`.  A stage writes only while its image
    is `uploading`, and the data stays wanted until its import ends, so
    nothing in use is removed."""
    found = staging.staged_files()
    found += [(temp_file_image_id(path), path) for path in staging.temp_files()]
    for image_id, path in found:
        if image_id is None:
            continue        # not a name the staging area makes
        if (image_id not in done.killed
                and current_status(registry, ctx, image_id) in STAGED_STATUSES):
            continue
        if remove_quietly(path):
            done.removed.append(path)


# -- this process's side ------------------------------------------------------------

_KEEPERS = weakref.WeakSet()


class Keeper:
    """The holder of this process's uploads, their heartbeat, the sweep and
    the start-up recovery (see the module docstring).

    `start()` makes the first recovery attempt at once (as the server
    starts: when the registry answers, the server serves only after it),
    then leaves the rest to one daemon thread per process.  A fork gives
    the child a thread of its own; the parent (a prefork master, which
    serves nothing) keeps its thread only until the start-up recovery is
    done.  The thread holds the keeper weakly and ends when the keeper is
    closed or collected.  `clock`, `thread=False` and `run_once()` are the
    test seams.
    """

    def __init__(self, conf, registry, stores, clock=time.monotonic, thread=True):
        self.conf = conf
        self.registry = registry
        self.stores = stores
        self.node = node_name(conf)
        self.instance = secrets.token_hex(8)
        self.lease = conf.upload_lease
        self._clock = clock
        self._want_thread = thread
        self._recovered = False
        self._retry = RETRY_FIRST
        self._master = False
        self._reset()
        _KEEPERS.add(self)

    def start(self):
        """Recover now if the registry answers; keep at it in the background."""
        self.run_once()
        if self._want_thread:
            self._start_thread()
        return self

    def _reset(self):
        """The per-process state (fresh in a forked child)."""
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._uploads = 0
        now = self._clock()
        self._next = {"recover": now, "renew": now + self.lease / 3, "sweep": now}

    def holder(self):
        """Who this process's uploads are."""
        return Holder(self.node, self.instance, os.getpid())

    @contextlib.contextmanager
    def uploading(self):
        """Around an upload that holds a lease: keeps it renewed."""
        with self._lock:
            self._uploads += 1
            self._next["renew"] = min(self._next["renew"], self._clock() + self.lease / 3)
        self._wake.set()
        try:
            yield
        finally:
            with self._lock:
                self._uploads -= 1

    def worker_exited(self, pid):
        """In a prefork master: a worker of this run died; end its uploads."""
        try:
            reconcile(self.conf, self.registry, self.stores, instance=self.instance, pid=pid)
        except exception.GlanceError as exc:
            LOG.warning("recovery after worker %d died incomplete: %s (the lease sweep "
                        "will finish it)", pid, exc.message)

    def run_once(self):
        """Do whatever periodic work is due; the seconds until more is."""
        now = self._clock()
        if not self._recovered and now >= self._next["recover"]:
            self._recover(now)
        if self._uploads and now >= self._next["renew"]:
            self._renew(now)
        if not self._master and now >= self._next["sweep"]:
            self._next["sweep"] = now + self.lease / 2
            try:
                sweep(self.conf, self.registry, self.stores)
            except exception.GlanceError as exc:
                LOG.warning("the lease sweep failed: %s", exc.message)
        due = [self._next["sweep"]] if not self._master else []
        due += [self._next["recover"]] if not self._recovered else []
        due += [self._next["renew"]] if self._uploads else []
        return max(0.0, min(due) - self._clock()) if due else None

    def _recover(self, now):
        try:
            done = reconcile(self.conf, self.registry, self.stores, instance=self.instance)
        except exception.GlanceError as exc:
            LOG.warning("start-up recovery of node %s: %s; trying again in %.1f s",
                        self.node, exc.message, self._retry)
            self._next["recover"] = now + self._retry
            self._retry = min(self._retry * 2, RETRY_MAX)
            return
        self._recovered = True
        self._next["sweep"] = now + self.lease / 2      # it swept too
        LOG.info("start-up recovery of node %s done: %d uploads ended", self.node,
                 len(done.killed))

    def _renew(self, now):
        self._next["renew"] = now + self.lease / 3
        try:
            self.registry.renew_leases(service_context(), self.holder(), self.lease)
        except exception.GlanceError as exc:
            # Retried at the next beat; a lease that runs out meanwhile makes
            # its upload fail (end_lease: Conflict), never a wrong image.
            LOG.warning("renewing upload leases failed: %s", exc.message)

    # -- the thread -------------------------------------------------------------------

    def _start_thread(self):
        thread = threading.Thread(target=_run, args=(weakref.ref(self), self._wake),
                                  name="glance-upload-keeper", daemon=True)
        thread.start()

    def close(self):
        """Stop the thread (soon); uploads no longer keep their leases."""
        self._closed = True
        self._wake.set()

    def _forked(self, child):
        if child:
            self._master = False
            self._reset()
            if self._want_thread:
                self._start_thread()
        else:
            self._master = True
            self._wake.set()        # its thread ends once recovery is done


def _run(ref, wake):
    """The keeper's thread: run_once(), sleep until more work is due."""
    while True:
        keeper = ref()
        if keeper is None or keeper._closed or (keeper._master and keeper._recovered):
            return
        try:
            delay = keeper.run_once()
        except Exception:       # a bug must not end the heartbeat for good
            LOG.exception("upload keeper failed")
            delay = RETRY_MAX
        del keeper
        if delay is None:
            return              # nothing left to do in this process
        wake.wait(delay)
        wake.clear()


def _after_fork(child):
    for keeper in list(_KEEPERS):
        keeper._forked(child)


os.register_at_fork(after_in_child=lambda: _after_fork(True),
                    after_in_parent=lambda: _after_fork(False))
