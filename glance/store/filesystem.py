"""The `file` store: one file per image in `filesystem_store_datadir`.

Uploads are written to a hidden temporary file in the data directory
(`.<image_id>.<random>.tmp`), fsync'ed, hard-linked to `<datadir>/<image_id>`
and the directory fsync'ed, so an image file either holds all of its data or
does not exist.  Locations are `file://<absolute path>`; the store reads or
deletes only `<datadir>/<image id>` of the image asking (a location naming
another image's file, or anything outside the data directory, is
Forbidden), and messages name the image, never the path.

Free space is checked while writing, not only before: `store_min_free`
must still be free after every chunk, or the upload is cut off with
InsufficientStorage (507).  The check costs one `statvfs` per chunk only
near the reserve; with room to spare, an upload re-checks after writing
1/32 of the room it saw, so the reserve holds against up to 32 concurrent
uploads (beyond that, they may overrun it by a chunk each).
"""

import errno
import os
import re
import stat
import tempfile
from urllib.parse import quote, unquote, urlsplit

from glance.common import exception, fields
from glance.store.base import (ImageData, Store, effective_chunk_size, foreign_location,
                               object_name)
from glance.store.directio import DirectWriter

_TEMP_NAME = re.compile(r"\.[^/]*\.tmp\Z")
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
# Filesystems without hard links answer link() with one of these; there we
# fall back to check-then-rename.
_NO_LINKS = (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
RECHECK_DIVISOR = 32       # re-check free space after 1/32 of the room last seen


class FileImageData(ImageData):
    """An open image file; `fileobj` is there for wsgi.file_wrapper/sendfile."""

    def __init__(self, fileobj, size, chunk_size, path, image_id):
        super().__init__(size, chunk_size)
        self.fileobj = fileobj
        self.path = path
        self.image_id = image_id

    def _read(self, n):
        return self.fileobj.read(n)

    def _release(self):
        self.fileobj.close()

    def _truncated(self, got):
        return exception.StoreError(
            f"image {self.image_id}'s data ended after {got} of {self.size} bytes",
            self.image_id, detail=f"file {self.path}")


class _Reserve:
    """Keeps one upload from writing into the store's free-space reserve."""

    def __init__(self, free_space, min_free, image_id):
        self._free_space = free_space
        self._min_free = min_free
        self._image_id = image_id
        self._room = None          # bytes we may still write, as last measured
        self._interval = 0         # bytes to write before measuring again
        self._since = 0

    def claim(self, size):
        """Before writing `size` more bytes: InsufficientStorage if that would
        leave less than the reserve free."""
        if self._room is None or size > self._room or self._since >= self._interval:
            try:
                free = self._free_space()
            except OSError:
                free = None         # the write itself will tell
            self._room = float("inf") if free is None else free - self._min_free
            self._interval = max(self._room // RECHECK_DIVISOR, 0)
            self._since = 0
            if size > self._room:
                raise exception.InsufficientStorage(
                    f"not enough space in the filesystem store for image {self._image_id} "
                    f"(it keeps {self._min_free} bytes in reserve)", self._image_id,
                    detail=f"{free} bytes free")
        self._room -= size
        self._since += size


class FilesystemStore(Store):
    name = "file"
    schemes = ("file",)
    writable = True

    def __init__(self, conf, write=os.write, free_space=None):
        """`write` is os.write and `free_space()` the bytes free in the data
        directory (statvfs); tests pass ones that fill up like a disk."""
        self._write = write
        self._free_space = free_space
        self.datadir = os.path.abspath(conf.filesystem_store_datadir)
        self.chunk_size = effective_chunk_size(conf)
        self.min_free = conf.store_min_free
        try:
            os.makedirs(self.datadir, mode=0o750, exist_ok=True)
        except OSError as exc:
            raise exception.StoreError(f"cannot create filesystem store directory "
                                       f"{self.datadir}: {exc.strerror}") from None
        # Locations are checked against the resolved directory, so a data dir
        # that is itself a symlink works and nothing can resolve outside it.
        self._realdir = os.path.realpath(self.datadir)

    # -- locations ---------------------------------------------------------

    def location_for(self, image_id):
        return "file://" + quote(os.path.join(self.datadir, str(image_id)))

    def path_for(self, location, image_id):
        """The resolved path of image `image_id`'s file named by `location`."""
        return self._resolve(location, image_id)[1]

    def _resolve(self, location, image_id):
        """(entry, resolved path) of image `image_id`'s file, named by `location`.

        The entry is the directory entry the location names, directly inside
        the data directory, and must be the image's own (`<datadir>/<id>`);
        the resolved path is where it leads once symlinks are followed, and
        must be inside the data directory too.  Anything else (another
        image's file, other schemes or hosts, relative paths, `..`, also
        percent-encoded, symlinks leading out, hidden temp files) is
        Forbidden, with the location only in the error's detail.
        """
        if not isinstance(location, str):
            raise foreign_location(self, image_id, location, "not a string")
        try:
            parts = urlsplit(location)
        except ValueError:
            raise foreign_location(self, image_id, location, "not a URI") from None
        if parts.scheme.lower() != "file":
            raise foreign_location(self, image_id, location, "not a file location")
        if parts.netloc not in ("", "localhost"):
            raise foreign_location(self, image_id, location, "names another host")
        path = unquote(parts.path)
        if not os.path.isabs(path) or "\0" in path:
            raise foreign_location(self, image_id, location, "not an absolute path")
        name = os.path.basename(path)
        entry = os.path.join(self._realdir, name)
        if (name in ("", ".", "..") or name.startswith(".")
                or os.path.realpath(os.path.dirname(path)) != self._realdir
                or os.path.dirname(os.path.realpath(entry)) != self._realdir):
            raise foreign_location(self, image_id, location, "outside the filesystem store")
        if name != _own_name(image_id):
            raise foreign_location(self, image_id, location, "another image's file")
        return entry, os.path.realpath(entry)

    # -- operations --------------------------------------------------------

    def add(self, image_id, chunks):
        final = os.path.join(self.datadir, object_name(image_id))
        if os.path.lexists(final):
            raise exception.Duplicate(f"image {image_id} already has data in the file store",
                                      image_id=image_id)
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{image_id}.", suffix=".tmp", dir=self.datadir)
        except OSError as exc:
            raise self._os_error(exc, image_id) from None
        placed = False
        try:
            try:
                self._write_all(fd, chunks, image_id)
                self._call(os.fsync, image_id, fd)
            finally:
                os.close(fd)
            self._place(temp, final, image_id)
            placed = True
            self._call(self._fsync_dir, image_id)
        except BaseException:
            if placed:
                # The directory entry is not durable: take the image back out
                # rather than report a location that may vanish on a crash.
                _unlink_quietly(final)
            raise
        finally:
            if not placed:
                _unlink_quietly(temp)
        return self.location_for(image_id)

    def _write_all(self, fd, chunks, image_id):
        # Exceptions from the iterable itself must reach the caller unchanged,
        # so only our own writes are inside the OSError translation.
        writer = DirectWriter(fd, self._write)     # past the page cache (directio.py)
        reserve = _Reserve(self.free_space, self.min_free, image_id)
        try:
            for chunk in chunks:
                reserve.claim(len(chunk))
                try:
                    writer.write(chunk)
                except OSError as exc:
                    raise self._os_error(exc, image_id) from None
        finally:
            writer.close()

    def _place(self, temp, final, image_id):
        """Move `temp` to `final`, refusing (Duplicate) to replace anything.

        link() fails atomically when `final` exists, so two uploads racing for
        one id cannot overwrite each other, which a plain rename() would do.
        """
        try:
            os.link(temp, final)
        except FileExistsError:
            raise exception.Duplicate(f"image {image_id} already has data in the file store",
                                      image_id=image_id) from None
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise self._os_error(exc, image_id) from None
            if os.path.lexists(final):
                raise exception.Duplicate(f"image {image_id} already has data in the file store",
                                          image_id=image_id) from None
            self._call(os.rename, image_id, temp, final)
            return
        try:
            os.unlink(temp)
        except OSError:
            pass  # a leftover second link is harmless; temp_files() finds it

    def _fsync_dir(self):
        fd = os.open(self.datadir, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _call(self, func, image_id, *args):
        try:
            return func(*args)
        except OSError as exc:
            raise self._os_error(exc, image_id) from None

    def _os_error(self, exc, image_id=None):
        if exc.errno in _NO_SPACE:
            return exception.InsufficientStorage(
                "not enough space in the filesystem store", image_id=image_id)
        return exception.StoreError(
            f"filesystem store error: {exc.strerror or exc}", image_id=image_id)

    def get(self, location, *, image_id, tenant=None):
        path = self.path_for(location, image_id)
        fd = self._open(path, image_id)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise foreign_location(self, image_id, location, "not a regular file")
            if hasattr(os, "posix_fadvise"):
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            fileobj = os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise
        return FileImageData(fileobj, info.st_size, self.chunk_size, path, image_id)

    def get_from(self, location, offset, *, image_id, tenant=None):
        data = self.get(location, image_id=image_id)
        skip = min(offset, data.size)
        try:
            data.fileobj.seek(skip)     # file_wrapper and sendfile start from here
        except BaseException:
            data.close()
            raise
        data.size -= skip
        return data

    def _open(self, path, image_id):
        try:
            # The path is already resolved: a symlink here means it was swapped in since.
            return os.open(path, os.O_RDONLY | _O_NOFOLLOW | _O_CLOEXEC)
        except FileNotFoundError:
            raise _missing(image_id, path) from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise foreign_location(self, image_id, path, "a symlink swapped in") from None
            raise self._os_error(exc, image_id) from None

    def delete(self, location, *, image_id):
        # Unlink the entry itself: when it is a symlink to another image
        # file, that image keeps its data.
        path = self._resolve(location, image_id)[0]
        try:
            os.unlink(path)
        except FileNotFoundError:
            raise _missing(image_id, path) from None
        except OSError as exc:
            raise self._os_error(exc, image_id) from None

    def get_size(self, location, *, image_id=None, tenant=None):
        path = self.path_for(location, image_id)
        try:
            return os.stat(path).st_size
        except FileNotFoundError:
            raise _missing(image_id, path) from None
        except OSError as exc:
            raise self._os_error(exc, image_id) from None

    def free_space(self):
        if self._free_space is not None:
            return self._free_space()
        info = os.statvfs(self.datadir)
        return info.f_bavail * info.f_frsize

    # -- for the reliability work ------------------------------------------

    def temp_files(self):
        """Paths of temporary upload files (`.<id>.<random>.tmp`), sorted.

        An upload in progress has one too: remove only stale ones.
        """
        return sorted(os.path.join(self.datadir, name) for name in self._names()
                      if _TEMP_NAME.match(name))

    def image_files(self):
        """(image_id, path) of every image file, by id."""
        found = []
        for name in self._names():
            path = os.path.join(self.datadir, name)
            if fields.parse_image_id(name) is not None and os.path.isfile(path):
                found.append((name, path))
        return sorted(found)

    def _names(self):
        try:
            return os.listdir(self.datadir)
        except FileNotFoundError:
            return []


def _own_name(image_id):
    """The file name the store gives image `image_id`, or None for no image."""
    try:
        return object_name(image_id)
    except exception.Invalid:
        return None


def _missing(image_id, path):
    return exception.NotFound(f"image {image_id} has no data in the filesystem store",
                              image_id, detail=f"no file {path}")


def _unlink_quietly(path):
    # Used on failure paths: the error being raised matters more than this one.
    try:
        os.unlink(path)
    except OSError:
        pass
