"""Swift v1 authentication for the `swift` store: a token and the storage
URL from the auth URL, user and key, cached and renewed.

The store asks for the current token before each request; a token is
renewed `TOKEN_MARGIN` seconds before it expires (so a long upload never
starts on a token about to lapse), and dropped when Swift answers 401 (the
store then retries once).  One lock keeps concurrent requests from
authenticating all at once.  The key is configuration only: it never
appears in a location, a message or the log.
"""

import http.client
import threading

from glance.common import exception
from glance.store import transfer

TOKEN_MARGIN = 300             # renew a token this many seconds before it expires
DEFAULT_TOKEN_LIFE = 3600      # when the auth answer does not say


class Token:
    """A token, the storage endpoint (scheme, host, port, path) it is valid
    for, and when it expires (on the auth's clock)."""

    def __init__(self, value, storage, expires):
        self.value = value
        self.storage = storage
        self.expires = expires


class SwiftAuth:
    """The token cache of one store.  `connect(scheme, host, port, timeout)`
    opens connections and `clock` measures token lifetimes (test seams)."""

    def __init__(self, endpoint, user, key, timeout, connect, clock):
        self.endpoint = endpoint          # (scheme, host, port, path) of the auth URL
        self.user = user
        self._key = key
        self.timeout = timeout
        self._connect = connect
        self._clock = clock
        self._token = None
        self._lock = threading.Lock()

    def current(self):
        """The cached token, renewed when missing or about to expire."""
        with self._lock:
            token = self._token
            if token is None or self._clock() > token.expires - TOKEN_MARGIN:
                token = self._token = self._authenticate()
            return token

    def forget(self, token):
        """Drop a token Swift refused (unless another thread renewed it already)."""
        with self._lock:
            if self._token is token:
                self._token = None

    def _authenticate(self):
        scheme, host, port, path = self.endpoint
        shown = f"authentication at {scheme}://{transfer.host_header(scheme, host, port)}"
        conn = self._connect(scheme, host, port, self.timeout)
        try:
            conn.request("GET", path or "/", headers={
                "X-Auth-User": self.user, "X-Auth-Key": self._key})
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise exception.StoreError(
                f"swift store: authentication failed ({transfer.describe(exc)})",
                detail=shown) from None
        finally:
            conn.close()
        if response.status in (401, 403):
            raise exception.StoreError(
                f"swift store: authentication was refused ({response.status}); check "
                "swift_store_user and swift_store_key", detail=shown)
        value = response.getheader("X-Auth-Token") or response.getheader("X-Storage-Token")
        storage = response.getheader("X-Storage-Url")
        if not 200 <= response.status < 300 or not value or not storage:
            raise exception.StoreError(
                f"swift store: authentication answered {response.status} without a token "
                "and storage URL", detail=shown)
        try:
            life = int(response.getheader("X-Auth-Token-Expires") or DEFAULT_TOKEN_LIFE)
        except ValueError:
            life = DEFAULT_TOKEN_LIFE
        try:
            storage_endpoint = transfer.parse_endpoint(storage, "storage URL")
        except exception.ConfigError:
            raise exception.StoreError("swift store: authentication gave an unusable "
                                       "storage URL", detail=shown) from None
        return Token(value, storage_endpoint, self._clock() + life)
