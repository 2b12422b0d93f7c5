"""The Python client's exceptions, and the one that stands for an error answer.

The exception text is the server's own message: the body's `error.message`
(or the `message` of an earlier server's flat body, both read by
`glance.common.httpclient.decode_error`), else the body's text, else the
status line.  The class follows the status (CONTRACT §7; 413 has a class of
its own, a subclass of `ClientError`).
"""

from glance.common import httpclient

MAX_ERROR_TEXT = 2000


class ClientError(Exception):
    """A request failed: `status` is the HTTP status (None when no answer came)
    and `message` the server's own message (its JSON `message`, else the body)."""

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code          # the server's machine-readable error code


class Invalid(ClientError):
    """400: the server refused the request's values."""


class NotAuthorized(ClientError):
    """401 or 403: no, unknown or insufficient credentials."""


class NotFound(ClientError):
    """404: no such image (or it is not visible, or it has no data)."""


class Duplicate(ClientError):
    """409: the id is taken, or the request clashes with the image's state."""


class LimitExceeded(ClientError):
    """413: a quota (properties, their bytes, members) or a size limit was
    exceeded.  Its own class, as in early Glance's client, because a caller
    can act on it (fewer properties, fewer members); it is still a
    `ClientError`, which is all CONTRACT §7 promises for 413."""


class ClientConnectionError(ClientError):
    """The server could not be reached, or the connection broke."""


class ChecksumMismatch(ClientError):
    """The downloaded bytes do not have the MD5 the server announced."""


ERRORS_BY_STATUS = {400: Invalid, 401: NotAuthorized, 403: NotAuthorized,
                    404: NotFound, 409: Duplicate, 413: LimitExceeded}


def error_from_response(status, reason, body):
    """The exception for an error answer, carrying the server's message."""
    code, message, _ = httpclient.decode_error(body)
    if not message:
        message = body.decode("utf-8", "replace").strip()[:MAX_ERROR_TEXT] \
            or f"{status} {reason}"
    return ERRORS_BY_STATUS.get(status, ClientError)(message, status, code)
