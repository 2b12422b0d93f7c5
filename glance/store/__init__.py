"""The store backends and `Stores`, the one registry that picks a backend.

A backend is chosen by the scheme of a location URI (`for_location`) or by
its name (`for_name`, as in `x-image-meta-store`).
"""

from urllib.parse import urlsplit

from glance.common import exception
from glance.store.base import ImageData, Store
from glance.store.filesystem import FilesystemStore
from glance.store.http import HttpStore

__all__ = ["FilesystemStore", "HttpStore", "ImageData", "Store", "Stores"]


def default_backends(conf):
    return [FilesystemStore(conf), HttpStore(conf)]


class Stores:
    """The backends built from a `Config`; `backends` replaces them (test seam)."""

    def __init__(self, conf, backends=None):
        self.conf = conf
        self.backends = list(default_backends(conf) if backends is None else backends)
        self._by_name = {}
        self._by_scheme = {}
        for backend in self.backends:
            if backend.name in self._by_name:
                raise ValueError(f"two store backends are named {backend.name!r}")
            self._by_name[backend.name] = backend
            for scheme in backend.schemes:
                if scheme in self._by_scheme:
                    raise ValueError(f"two store backends handle the scheme {scheme!r}")
                self._by_scheme[scheme] = backend

    @property
    def names(self):
        return list(self._by_name)

    @property
    def schemes(self):
        return list(self._by_scheme)

    def for_location(self, uri):
        """The backend for the scheme of `uri`; UnknownScheme if there is none."""
        try:
            scheme = urlsplit(uri).scheme.lower()
        except (TypeError, ValueError, AttributeError):
            raise exception.UnknownScheme("location is not a URI") from None
        if not scheme:
            raise exception.UnknownScheme(
                f"location has no scheme (known: {', '.join(self._by_scheme)})")
        try:
            return self._by_scheme[scheme]
        except KeyError:
            # Only the scheme is named: the rest of the URI may hold credentials.
            raise exception.UnknownScheme(
                f"unknown store scheme {scheme!r} (known: {', '.join(self._by_scheme)})") from None

    def for_name(self, name):
        """The backend called `name` (a scheme such as 'https' also names its backend)."""
        key = str(name).strip().lower()
        backend = self._by_name.get(key) or self._by_scheme.get(key)
        if backend is None:
            raise exception.UnknownScheme(
                f"unknown store {name!r} (known: {', '.join(self._by_name)})")
        return backend

    def __iter__(self):
        return iter(self.backends)
