"""Domain errors of Glance.

They know nothing of HTTP: `glance.common.faults` maps each class to its
status, title and stable machine code in one literal table, and renders
them.  Every error carries a human `message` naming the cause, and the
image id when there is one.  `headers` holds the few answer headers whose
values only the error knows (the methods a route allows, the size an
unsatisfiable range is measured against, when to retry).

`detail` is for the operator only: what a client must not see (a location,
an origin's host or answer, a store path) but the log needs to explain the
failure.  `faults.error_response` logs it, escaped; it never reaches an
answer.
"""


class GlanceError(Exception):
    """Base of every error Glance raises on purpose."""

    def __init__(self, message, image_id=None, detail=None):
        super().__init__(message)
        self.message = message
        self.image_id = image_id
        self.detail = detail
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

    def __init__(self, message, image_id=None, detail=None):
        super().__init__(message, image_id, detail)
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

    def __init__(self, message, size, image_id=None, detail=None):
        super().__init__(message, image_id, detail)
        self.size = size
        self.headers = [("Content-Range", f"bytes */{size}")]


class UnsupportedTransferCoding(GlanceError):
    """A Transfer-Encoding other than chunked."""


class TooManyConnections(GlanceError):
    """The client's address already holds as many connections as the server allows it."""


class StoreError(GlanceError):
    """A backend failed to store, read or delete data."""


class InsufficientStorage(StoreError):
    """The store has no room for the image (its free-space reserve would be breached)."""


class OriginUnavailable(StoreError):
    """A remote origin (http store) is down, slow or answered an error;
    `origin_status` is the HTTP status it answered, if it answered one."""

    def __init__(self, message, image_id=None, detail=None, origin_status=None):
        super().__init__(message, image_id, detail)
        self.origin_status = origin_status


class OriginBusy(StoreError):
    """Too many fetches from image origins are in progress: from this origin,
    or for the tenant that owns the image.  A 503 with Retry-After, not a
    502: the origin has not failed, this server declines to wait on it
    more often at once, and 503 tells clients to try again (Nova's glance
    client retries it)."""

    def __init__(self, message, image_id=None, detail=None, retry_after=1):
        super().__init__(message, image_id, detail)
        self.headers = [("Retry-After", str(retry_after))]


class RegistryUnavailable(GlanceError):
    """The registry cannot be reached or answered nonsense."""


class ServiceBusy(GlanceError):
    """The server declines more of this kind of work right now (e.g. every
    background copy slot is taken); the client may retry later."""

    def __init__(self, message, image_id=None, retry_after=1):
        super().__init__(message, image_id)
        self.headers = [("Retry-After", str(retry_after))]


class ConfigError(GlanceError):
    """An option is unknown or malformed; the server refuses to start."""
