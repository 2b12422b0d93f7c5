"""Domain errors of Glance.

They know nothing of HTTP: `glance.common.wsgi` maps each class to a status
code in one table.  Every error carries a stable machine-readable `code`, a
human `message` naming the cause, and the image id when there is one.
"""


class GlanceError(Exception):
    """Base of every error Glance raises on purpose."""

    code = "glance.error"

    def __init__(self, message, image_id=None):
        super().__init__(message)
        self.message = message
        self.image_id = image_id


class Invalid(GlanceError):
    """The request is malformed or a value breaks the contract's rules."""

    code = "image.invalid"


class NotFound(GlanceError):
    """No such image (or not visible to the caller)."""

    code = "image.not_found"


class NoImageData(NotFound):
    """The image exists but holds no data to send (queued, saving, killed)."""

    code = "image.no_data"


class Duplicate(GlanceError):
    """The id is already taken (ids are never reused)."""

    code = "image.duplicate"


class Conflict(GlanceError):
    """The request clashes with the image's state (e.g. data is immutable)."""

    code = "image.conflict"


class NotAuthenticated(GlanceError):
    """No credentials, or unknown ones."""

    code = "auth.required"


class Forbidden(GlanceError):
    """The caller is known but may not do this."""

    code = "auth.forbidden"


class TooLarge(GlanceError):
    """The image (or a header block) is bigger than the operator allows."""

    code = "image.too_large"


class HeadersTooLarge(GlanceError):
    """The request header block exceeds the server's limit."""

    code = "request.headers_too_large"


class RangeNotSatisfiable(GlanceError):
    """A byte range that starts past the end of the image; `size` is its length."""

    code = "image.range_not_satisfiable"

    def __init__(self, message, size, image_id=None):
        super().__init__(message, image_id)
        self.size = size


class UnsupportedMediaType(Invalid):
    """An upload body that is not application/octet-stream."""

    code = "image.bad_content_type"


class ClientDisconnected(Invalid):
    """The client went away before sending the whole body."""

    code = "image.upload_incomplete"


class StoreError(GlanceError):
    """A backend failed to store, read or delete data."""

    code = "store.error"


class UnknownScheme(Invalid):
    """No backend handles this location's scheme, or this store name."""

    code = "store.unknown"


class InsufficientStorage(StoreError):
    """The store has no room for the image."""

    code = "store.full"


class OriginUnavailable(StoreError):
    """A remote origin (http store) is down, slow or answered an error."""

    code = "store.origin_unavailable"


class RegistryUnavailable(GlanceError):
    """The registry cannot be reached or answered nonsense."""

    code = "registry.unavailable"


class ConfigError(GlanceError):
    """An option is unknown or malformed; the server refuses to start."""

    code = "config.invalid"
