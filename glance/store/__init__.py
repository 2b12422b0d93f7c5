"""The store backends and `Stores`, the one registry that picks a backend.

A backend is chosen by the scheme of a location URI (`for_location`) or by
its name (`for_name`, as in `x-image-meta-store`).  `staging` is the
staging area of v2 imports (`staging.py`), which is no backend: no
location names it.
"""

from urllib.parse import urlsplit

from glance.common import exception
from glance.store.base import ImageData, Store
from glance.store.filesystem import FilesystemStore
from glance.store.http import HttpStore
from glance.store.s3 import S3Store
from glance.store.staging import StagingArea
from glance.store.swift import SwiftStore

__all__ = ["FilesystemStore", "HttpStore", "ImageData", "S3Store", "Store", "StagingArea",
           "Stores", "SwiftStore"]

# Backends that need an engine: (name, the option that turns it on, class).
# Each is built only when its option is set; until then its name and scheme
# are refused with a message naming the option.
OPTIONAL_BACKENDS = (("swift", "swift_store_auth_address", SwiftStore),
                     ("s3", "s3_store_host", S3Store))


def default_backends(conf):
    backends = [FilesystemStore(conf), HttpStore(conf)]
    for _, option, cls in OPTIONAL_BACKENDS:
        if getattr(conf, option, ""):
            backends.append(cls(conf))
    return backends


class Stores:
    """The backends built from a `Config`; `backends` replaces them, and
    `staging` the staging area (test seams)."""

    def __init__(self, conf, backends=None, staging=None):
        self.conf = conf
        self._staging = staging
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
        self._unconfigured = {}      # name or scheme -> the option that would enable it
        for name, option, cls in OPTIONAL_BACKENDS:
            if name not in self._by_name:
                for key in (name, *cls.schemes):
                    self._unconfigured.setdefault(key, (name, option))
        default = getattr(conf, "default_store", None)
        if backends is None and default and default not in self._by_name:
            name, option = self._unconfigured.get(default, (default, None))
            raise exception.ConfigError(
                f"default_store is {default!r} but the {name} store is not configured"
                + (f" (set {option})" if option else ""))

    @property
    def staging(self):
        """The staging area of v2 imports, made when first asked for."""
        if self._staging is None:
            self._staging = StagingArea(self.conf)
        return self._staging

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
        if scheme in self._unconfigured and scheme not in self._by_scheme:
            name, option = self._unconfigured[scheme]
            raise exception.StoreError(
                f"image data is in the {name} store, which this server has not configured "
                f"(set {option})")
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
        if backend is None and key in self._unconfigured:
            name, option = self._unconfigured[key]
            raise exception.UnknownScheme(
                f"store {name!r} is not configured on this server (set {option})")
        if backend is None:
            raise exception.UnknownScheme(
                f"unknown store {name!r} (known: {', '.join(self._by_name)})")
        return backend

    def __iter__(self):
        return iter(self.backends)
