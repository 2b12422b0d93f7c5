"""Resumable downloads for `glance download`.

The data goes to `.<name>.<checksum>.part` beside the target file, so a
download that is interrupted (a broken connection, Ctrl-C) leaves a partial
copy named after the exact image data it holds.  The next download of an
image with that checksum into the same place hashes what is already there,
asks only for the rest (`Range` with `If-Range` = the checksum), verifies the
MD5 of the whole file and only then renames it into place.  A checksum
mismatch deletes the partial file: the next try starts over.
"""

import fcntl
import hashlib
import os
import re

from glance import client as glance_client
from glance.cli.parser import UsageError

HASH_BLOCK = 1 << 20


def resumable(meta):
    """Only an MD5 names the partial file (never a server's arbitrary text)."""
    return bool(re.fullmatch(r"[0-9a-fA-F]{32}", meta.get("checksum") or ""))


def partial_path(path, checksum):
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".{name}.{checksum.lower()}.part")


def _hash_prefix(f, length):
    md5 = hashlib.md5()
    f.seek(0)
    left = length
    while left:
        block = f.read(min(HASH_BLOCK, left))
        if not block:
            break
        md5.update(block)
        left -= len(block)
    return md5


def download(client, image_id, meta, chunks, path, bar, warn):
    """Save image `image_id` to `path`, resuming a partial copy if one is there.

    `chunks` is the open GET of the whole image (closed here if a partial
    copy makes it unnecessary).  → bytes fetched in this run.
    """
    checksum = meta["checksum"].lower()
    partial = partial_path(path, checksum)
    fd = os.open(partial, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    with os.fdopen(fd, "r+b") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another download into {partial} is running") from None
        held = os.fstat(f.fileno()).st_size
        size = meta.get("size")
        if size is not None and held > size:
            held = 0        # not a prefix of this image: start over
        md5 = _hash_prefix(f, held) if held else hashlib.md5()
        if held:
            chunks.close()
            chunks = iter(())
            if held != size:
                _, chunks = client.get_image(image_id, offset=held, if_range=checksum)
                if chunks.offset == 0:
                    held, md5 = 0, hashlib.md5()    # the server sent it all
            bar.update(held)
        f.seek(held)
        f.truncate(held)
        try:
            for chunk in bar.wrap(chunks):
                f.write(chunk)
                md5.update(chunk)
            f.flush()
            os.fsync(f.fileno())
        except glance_client.ChecksumMismatch:
            os.unlink(partial)
            raise
        except BaseException:
            f.flush()
            warn(f"the partial download is kept in {partial}; run the same command "
                 "again to resume it")
            raise
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
        if md5.hexdigest() != checksum:
            os.unlink(partial)
            raise glance_client.ChecksumMismatch(
                f"checksum mismatch: expected {checksum}, got {md5.hexdigest()}")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(partial, 0o666 & ~umask)
        os.replace(partial, path)
