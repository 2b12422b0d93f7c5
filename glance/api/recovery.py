"""Recovery of an API node: the uploads a crash interrupted.

An upload marks its image `saving` with a `status_reason` that names the
node and the server process doing it ("saving on node <node>, process
<pid>").  When the API app starts, `reconcile()` moves the images still
`saving` on *this* node to `killed` (their upload died with the previous
server) and removes the filesystem store's leftovers: temporary files of
uploads that are over, and image files of the images it killed.  When one
prefork worker dies and the server goes on, `reconcile(..., pid=P)` does
the same for that worker's uploads only.  Uploads in progress elsewhere
(other nodes sharing the registry or the data directory, other workers)
are left alone: their images name another node or process, and their
temporary files belong to images still `saving`.  docs/reliability.rst
explains the choice.
"""

import dataclasses
import functools
import hashlib
import logging
import os
import re
import socket

from glance.common import context, exception

LOG = logging.getLogger(__name__)

SAVING_PREFIX = "saving on node "
MAX_REASON = 255
PAGE = 1000
_TEMP_ID = re.compile(r"\.([0-9]{1,19})\.[^/]*\.tmp\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def service_context():
    """An admin acting as a Glance service: sees every image and its location."""
    return dataclasses.replace(context.admin_context(), is_service=True)


@functools.lru_cache(maxsize=None)
def _default_node(datadir):
    digest = hashlib.sha256(os.path.abspath(datadir).encode("utf-8", "surrogateescape"))
    return f"{socket.gethostname()}-{digest.hexdigest()[:8]}"


def node_name(conf):
    """`node_id`, or the host name and a digest of the data directory (a
    path must not reach clients, and status_reason is shown to them)."""
    name = reason_text(str(getattr(conf, "node_id", "") or "").strip())
    return name or _default_node(conf.filesystem_store_datadir)


def saving_reason(conf):
    """The status_reason of an image this process of this node is uploading."""
    return f"{SAVING_PREFIX}{node_name(conf)}, process {os.getpid()}"


def _saving_here(conf, pid):
    """Whether a `saving` image's status_reason names this node (and `pid`,
    when given).  Reasons without a process (older servers) are the node's."""
    node = SAVING_PREFIX + node_name(conf)
    if pid is not None:
        exact = f"{node}, process {pid}"
        return lambda reason: reason == exact
    return lambda reason: reason == node or (reason or "").startswith(node + ", process ")


def reason_text(text):
    """`text` fit for status_reason: no control characters, at most 255 characters."""
    return _CONTROL.sub(" ", str(text)).strip()[:MAX_REASON]


def all_images(registry, ctx, **filters):
    """Every image matching `filters` (any visibility), by id, page by page."""
    marker = None
    while True:
        params = {"is_public": "none", "sort_key": "id", "sort_dir": "asc",
                  "limit": PAGE, **filters}
        if marker is not None:
            params["marker"] = marker
        page = registry.list_images(ctx, params, detailed=True)
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
    return int(match.group(1)) if match else None


def upload_in_progress(registry, ctx, image_id):
    """True when image `image_id` is `saving` (on any node): its temp file is in use."""
    try:
        return registry.get_image(ctx, image_id)["status"] == "saving"
    except exception.NotFound:
        return False


def remove_quietly(path):
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False


@dataclasses.dataclass
class Recovery:
    """What `reconcile()` did."""

    node: str
    killed: list = dataclasses.field(default_factory=list)
    removed: list = dataclasses.field(default_factory=list)
    others_saving: int = 0


def reconcile(conf, registry, stores, pid=None):
    """Kill this node's `saving` images and remove the uploads' leftovers;
    with `pid`, only those of that (dead) worker process.

    Runs before the server accepts requests, and in a prefork master when a
    worker died.  A registry that cannot be reached is logged, not fatal:
    the server goes on, and the next start (or `glance-manage fsck
    --repair`) finishes the job.
    """
    done = Recovery(node_name(conf))
    ctx = service_context()
    mine = _saving_here(conf, pid)
    who = (f"the API server on node {done.node}" if pid is None
           else f"API worker process {pid} on node {done.node}")
    what = "start-up recovery" if pid is None else f"recovery after worker {pid} died"
    reason = reason_text(f"upload interrupted: {who} stopped before the upload finished")
    try:
        for image in all_images(registry, ctx, status="saving"):
            if not mine(image.get("status_reason")):
                done.others_saving += 1
                continue
            try:
                registry.update_image(ctx, image["id"],
                                      {"status": "killed", "status_reason": reason},
                                      expected_status="saving")
            except (exception.NotFound, exception.Conflict, exception.Duplicate):
                continue
            done.killed.append(image["id"])
        for backend in file_stores(stores):
            _remove_leftovers(registry, ctx, backend, done)
        for backend in object_stores(stores):
            for image_id in done.killed:
                done.removed.extend(backend.remove_leftovers(image_id))
    except exception.GlanceError as exc:
        LOG.warning("%s of node %s incomplete: %s", what, done.node, exc.message)
        return done
    if done.killed or done.removed:
        LOG.warning("%s of node %s: killed interrupted uploads %s, removed %d leftover "
                    "files", what, done.node, done.killed, len(done.removed))
    if done.others_saving:
        LOG.info("%d images are saving elsewhere (other nodes or processes); left alone",
                 done.others_saving)
    return done


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
            continue        # another node's upload, into a shared directory
        if remove_quietly(path):
            done.removed.append(path)
