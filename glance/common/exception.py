"""Domain errors of Glance.

They know nothing of HTTP: `glance.common.faults` maps each class to its
status, title and stable machine code in one literal table, and renders
them.  Every error carries a human `message` naming the cause, and the
image id when there is one.  `headers` holds the few answer headers whose
values only the error knows (the methods a route allows, the size an
unsatisfiable range is measured against, when to retry).
"""


class GlanceError(Exception):
    """Base of every error Glance raises on purpose."""

    def __init__(self, message, image_id=None):
        super().__init__(message)
        self.message = message
        self.image_id = image_id
        self.headers = []


class Invalid(GlanceError):
    """The request is malformed or a value breaks the contract's rules."""


class MalformedRequest(Invalid):
    """The server could not parse the request itself (request line, headers, framing)."""


class UnsupportedMediaType(Invalid):
    """A body sent with a Content-Type the route does not take."""


class ClientDisconnected(Invalid):
    """The client went away before sending the whole body."""


class UnknownScheme(Invalid):
    """No backend handles this location's scheme, or this store name."""


class NotAuthenticated(GlanceError):
    """No credentials, or unknown ones."""

    def __init__(self, message, image_id=None):
        super().__init__(message, image_id)
        self.headers = [("WWW-Authenticate", 'Token realm="glance"')]


class Forbidden(GlanceError):
    """The caller is known but may not do this."""


class Protected(Forbidden):
    """The image is protected: it cannot be deleted."""


class NotFound(GlanceError):
    """No such image (or not visible to the caller), or no such resource."""


class NoImageData(NotFound):
    """The image exists but holds no data to send (queued, saving, killed)."""


class MethodNotAllowed(GlanceError):
    """The route exists, but not for this method."""

    def __init__(self, allowed):
        super().__init__(f"method not allowed; use {', '.join(allowed)}")
        self.allowed = tuple(allowed)
        self.headers = [("Allow", ", ".join(self.allowed))]


class RequestTimeout(GlanceError):
    """The client did not send its request (head or body) in time."""


class Duplicate(GlanceError):
    """The id is already taken (ids are never reused)."""


class Conflict(GlanceError):
    """The request clashes with the image's state (e.g. data is immutable)."""


class TooLarge(GlanceError):
    """The image, or a request body, is bigger than the operator allows."""


class QuotaExceeded(GlanceError):
    """An image would have more properties, property bytes, tags or members
    than the operator allows."""


class HeadersTooLarge(GlanceError):
    """The request line and headers exceed the server's limit."""


class RangeNotSatisfiable(GlanceError):
    """A byte range that starts past the end of the image; `size` is its length."""

    def __init__(self, message, size, image_id=None):
        super().__init__(message, image_id)
        self.size = size
        self.headers = [("Content-Range", f"bytes */{size}")]


class UnsupportedTransferCoding(GlanceError):
    """A Transfer-Encoding other than chunked."""


class StoreError(GlanceError):
    """A backend failed to store, read or delete data."""


class InsufficientStorage(StoreError):
    """The store has no room for the image (its free-space reserve would be breached)."""


class OriginUnavailable(StoreError):
    """A remote origin (http store) is down, slow or answered an error."""


class RegistryUnavailable(GlanceError):
    """The registry cannot be reached or answered nonsense."""


class ConfigError(GlanceError):
    """An option is unknown or malformed; the server refuses to start."""
