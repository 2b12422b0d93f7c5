"""The staging area of v2 imports: where `PUT /v2/images/{id}/stage` keeps
an image's data until `POST …/import` (glance-direct) moves it into the
default store (CONTRACT §4 Import).

It is a filesystem store of its own, whatever the default store is, in a
hidden directory of the data directory (`<filesystem_store_datadir>/.staging`):
one file per image id, written like any image file (a temporary file,
fsync, link; nothing left behind on failure) and held to the same
free-space reserve, `store_min_free` (507 when a stage would breach it).
Hidden, because the file store never serves, lists or deletes a name that
starts with a dot: no location can name staged data, and `fsck` does not
count it.  The directory is made by the first stage, so a server that never
stages has none.  Nodes sharing the data directory share staged data too:
any of them may run the import.

Who removes staged data: a stage that fails (the atomic write); the import
when it ends, whether the image became `active` or went back to `queued`;
and, for everything else (an image deleted while staged, a server stopped
mid-stage or mid-import), recovery and the lease sweep
(`glance.api.recovery`), which remove every staged file whose image is no
longer `uploading` or `importing`.
"""

import os
import types

from glance.common import exception
from glance.store.base import object_name
from glance.store.filesystem import FilesystemStore

DIRECTORY = ".staging"


class StagingArea:
    """Staged data by image id.  `write` and `free_space` are the test seams
    of the filesystem store underneath (a disk that fills up)."""

    name = "staging"
    writable = True

    def __init__(self, conf, write=os.write, free_space=None):
        self.datadir = os.path.join(os.path.abspath(conf.filesystem_store_datadir), DIRECTORY)
        self._settings = types.SimpleNamespace(filesystem_store_datadir=self.datadir,
                                               chunk_size=conf.chunk_size,
                                               store_min_free=conf.store_min_free)
        self._write = write
        self._free_space = free_space
        self._files = None

    def _store(self):
        """The filesystem store of the staging directory, made on first use."""
        if self._files is None:
            self._files = FilesystemStore(self._settings, write=self._write,
                                          free_space=self._free_space)
        return self._files

    def location_for(self, image_id):
        return self._store().location_for(image_id)

    def add(self, image_id, chunks):
        """Stage the bytes of `chunks` for image `image_id` → their location;
        Duplicate when the image has staged data already."""
        return self._store().add(image_id, chunks)

    def open(self, image_id):
        """Image `image_id`'s staged data → ImageData; NotFound when none is staged."""
        store = self._store()
        return store.get(store.location_for(image_id), image_id=image_id)

    def delete(self, location, *, image_id):
        self._store().delete(location, image_id=image_id)

    def discard(self, image_id):
        """Remove image `image_id`'s staged data, if any → True when there was some."""
        path = os.path.join(self.datadir, object_name(image_id))
        try:
            os.unlink(path)
            return True
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise exception.StoreError(f"could not remove the staged data of image {image_id}: "
                                       f"{exc.strerror}", image_id) from None

    def free_space(self):
        if self._free_space is not None:
            return self._free_space()
        info = os.statvfs(self.datadir if os.path.isdir(self.datadir)
                          else os.path.dirname(self.datadir))
        return info.f_bavail * info.f_frsize

    # -- for recovery --------------------------------------------------------

    def staged_files(self):
        """(image_id, path) of every staged file, by id."""
        if not os.path.isdir(self.datadir):
            return []
        return self._store().image_files()

    def temp_files(self):
        """Paths of the temporary files of stages (`.<id>.<random>.tmp`)."""
        if not os.path.isdir(self.datadir):
            return []
        return self._store().temp_files()

    def __repr__(self):
        return f"<StagingArea {self.datadir!r}>"

