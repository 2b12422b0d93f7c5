"""`glance-manage fsck`: do the registry and the filesystem store agree?

Downloads re-verify nothing on the hot path; this is where stored data is
re-hashed.  `check()` cross-checks both ways and returns the problems:

    missing    an active image whose data file is not there
    location   an active image whose file location is outside the store
    size       the file's size differs from the registry's
    checksum   the data's MD5 differs from the registry's checksum
    os_hash    the data's SHA-256 differs from the registry's os_hash_value
    orphan     an image file no active image uses (no record, deleted, killed, ...)
    temp       a temporary upload file whose upload is over

`repair()` kills broken images (status `killed`, a reason, no location) and
deletes their files, orphan files and stale temporary files; every action
re-reads the registry first, so a server running alongside is safe: files
of uploads in progress (images `saving`) are never touched.
"""

import dataclasses
import hashlib
import os
import sys

from glance import registry as registry_module
from glance import store as store_module
from glance.api import recovery
from glance.common import exception

HASH_BLOCK = 1 << 20
BROKEN = ("missing", "location", "size", "checksum", "os_hash")


@dataclasses.dataclass
class Problem:
    kind: str
    detail: str
    image_id: int | None = None
    path: str | None = None         # the file to delete on repair, if any
    location: str | None = None     # the image's location when it was checked

    @property
    def kills(self):
        return self.kind in BROKEN

    def actions(self):
        """What repairing it means, in words."""
        done = [f"kill image {self.image_id}"] if self.kills else []
        if self.path:
            done.append(f"delete {self.path}")
        return done


@dataclasses.dataclass
class Report:
    images: int = 0
    files: int = 0
    verified: int = 0
    in_progress: int = 0
    problems: list = dataclasses.field(default_factory=list)


def hash_file(path, block=HASH_BLOCK):
    """(size, MD5 hex, SHA-256 hex) of a file, read in one pass."""
    md5, sha256, size = hashlib.md5(), hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(block):
            size += len(chunk)
            md5.update(chunk)
            sha256.update(chunk)
    return size, md5.hexdigest(), sha256.hexdigest()


def check(registry, stores):
    """Every disagreement between `registry` and the file stores of `stores`."""
    ctx = recovery.service_context()
    report = Report()
    backends = recovery.file_stores(stores)
    # Files first, records second: a file's record exists before the file
    # does, so no file seen here can belong to a record not yet listed.
    files = {id(b): (b.image_files(), b.temp_files()) for b in backends}
    images = list(recovery.all_images(registry, ctx))
    report.images = len(images)
    by_id = {image["id"]: image for image in images}
    used = set()
    for image in images:
        if image["status"] == "active" and image.get("location"):
            _check_image(stores, image, report, used)
    for backend in backends:
        image_files, temp_files = files[id(backend)]
        report.files += len(image_files) + len(temp_files)
        for image_id, path in image_files:
            if os.path.realpath(path) in used or not os.path.exists(path):
                continue
            image = by_id.get(image_id)
            if image is not None and image["status"] == "saving":
                report.in_progress += 1
                continue
            why = "no image record" if image is None else f"image {image_id} is {image['status']}"
            report.problems.append(Problem("orphan", f"file {path}: {why}", image_id, path))
        for path in temp_files:
            image_id = recovery.temp_file_image_id(path)
            image = by_id.get(image_id)
            if image is not None and image["status"] == "saving":
                report.in_progress += 1
                continue
            if os.path.exists(path):
                report.problems.append(Problem(
                    "temp", f"file {path}: a temporary file of an upload that is over",
                    image_id, path))
    return report


def _check_image(stores, image, report, used):
    image_id, location = image["id"], image["location"]
    try:
        backend = stores.for_location(location)
    except exception.UnknownScheme:
        report.problems.append(Problem("location", f"image {image_id}: no store handles "
                                       "its location", image_id, location=location))
        return
    if not hasattr(backend, "path_for"):
        return      # not data of ours (http, ...): nothing to re-hash
    try:
        path = backend.path_for(location, image_id)
    except (exception.Invalid, exception.Forbidden) as exc:
        report.problems.append(Problem("location", f"image {image_id}: {exc.message}",
                                       image_id, location=location))
        return
    used.add(os.path.realpath(path))
    if not os.path.isfile(path):
        report.problems.append(Problem("missing", f"image {image_id}: active, but its data "
                                       f"file {path} is missing", image_id, location=location))
        return
    size, md5, sha256 = hash_file(path)
    report.verified += 1
    found = None
    if size != image["size"]:
        found = ("size", f"the registry says {image['size']} bytes, the file has {size}")
    elif image.get("checksum") and image["checksum"].lower() != md5:
        found = ("checksum", f"the registry's MD5 is {image['checksum']}, the data's {md5}")
    elif (image.get("os_hash_value") and (image.get("os_hash_algo") or "").lower() == "sha256"
          and image["os_hash_value"].lower() != sha256):
        found = ("os_hash", f"the registry's SHA-256 is {image['os_hash_value']}, "
                            f"the data's {sha256}")
    if found:
        report.problems.append(Problem(found[0], f"image {image_id}: {found[1]}", image_id,
                                       path, location))


def repair(registry, report, dry_run=False, say=print):
    """Act on every problem (or only say what would be done); → actions done."""
    ctx = recovery.service_context()
    done = 0
    for problem in report.problems:
        if dry_run:
            for action in problem.actions():
                say(f"  would {action}")
            continue
        if problem.kills and not _kill(registry, ctx, problem):
            say(f"  image {problem.image_id} changed meanwhile; left alone")
            continue
        if problem.kills:
            say(f"  killed image {problem.image_id}")
            done += 1
        if problem.path and _still_unused(registry, ctx, problem):
            if recovery.remove_quietly(problem.path):
                say(f"  deleted {problem.path}")
                done += 1
    return done


def _kill(registry, ctx, problem):
    try:
        image = registry.get_image(ctx, problem.image_id)
        if image["status"] != "active" or image.get("location") != problem.location:
            return False
        registry.update_image(ctx, problem.image_id, {
            "status": "killed", "location": None,
            "status_reason": recovery.reason_text(f"fsck: {problem.kind}: {problem.detail}")},
            expected_status="active")
    except (exception.NotFound, exception.Conflict, exception.Duplicate):
        return False
    return True


def _still_unused(registry, ctx, problem):
    """Re-read the image just before deleting: an upload may have started or ended."""
    if problem.kills:
        return True     # we have just killed it: nobody uses its file
    if problem.image_id is None:
        return problem.kind == "temp"
    try:
        image = registry.get_image(ctx, problem.image_id)
    except exception.NotFound:
        return True
    if image["status"] == "saving":
        return False
    return problem.kind == "temp" or image["status"] != "active"


def print_report(report, say=print):
    for problem in report.problems:
        say(f"{problem.kind:<9} {problem.detail}")
    broken = sum(1 for p in report.problems if p.kills)
    files = len(report.problems) - broken
    say(f"fsck: {report.images} images, {report.files} files, {report.verified} re-hashed, "
        f"{report.in_progress} uploads in progress: {len(report.problems)} problems "
        f"({broken} broken images, {files} files to delete)")


def run(conf, args, out=None):
    """The command: report, then repair or say what a repair would do.

    Exit status 0 when everything agrees, 1 when problems were found
    (repaired or not).
    """
    say = (lambda line: print(line, file=out or sys.stdout))
    registry = registry_module.connect(conf)
    try:
        stores = store_module.Stores(conf)
        report = check(registry, stores)
        print_report(report, say)
        if report.problems and (args.repair or args.dry_run):
            repair(registry, report, dry_run=args.dry_run, say=say)
    finally:
        close = getattr(registry, "close", None)
        if close:
            close()
    return 1 if report.problems else 0


def add_options(parser):
    parser.add_argument("--repair", action="store_true",
                        help="kill broken images, delete orphan and stale temporary files")
    parser.add_argument("--dry-run", action="store_true",
                        help="say what --repair would do, change nothing")
