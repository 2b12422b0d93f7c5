"""The token file of the `token` auth mode: tokens hashed at rest.

A token reads `glance_<key>_<secret>`.  The file keeps, per token, its public
`key` (to find the entry without scanning), a random salt and
SHA-256(salt + secret) — never the token itself.  A fast salted hash is the
right tool here: the secrets are 256 random bits, so there is nothing for a
slow password hash to protect against, and every request checks one.

The file is JSON, written atomically (temporary file, fsync, rename) with
mode 0600, and re-read when its modification time or size changes.  A file
that cannot be read as a token file (an editor's half-written save, a
wrong format) is an error in the log and changes nothing: the tokens read
before keep working, and no request fails because of it.
"""

import hashlib
import hmac
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass

from glance.common.exception import ConfigError

LOG = logging.getLogger(__name__)

PREFIX = "glance_"
RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Identity:
    tenant: str | None
    user: str | None
    roles: tuple


def _digest(salt, secret):
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def _split(token):
    """(key, secret) of a well-formed token, else None."""
    if not token.startswith(PREFIX):
        return None
    key, sep, secret = token[len(PREFIX):].partition("_")
    return (key, secret) if sep and key and secret else None


def _load(path):
    """{key: entry} of the token file; ConfigError when it is not one."""
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"the token file {path} cannot be read: {exc}") from None
    try:
        entries = {entry["key"]: entry for entry in document.get("tokens", [])}
        for entry in entries.values():
            if not all(isinstance(entry.get(name), str) for name in ("key", "salt", "hash")):
                raise ValueError("an entry without key, salt and hash")
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"the token file {path} is not a token file ({exc})") from None
    return entries


def _save(path, entries):
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    document = {"version": 1, "tokens": sorted(entries.values(), key=lambda e: e["created_at"])}
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".tokens.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


def create_token(path, tenant, user=None, roles=()):
    """Add a token to the file; returns the token (shown once, never stored)."""
    key = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    entries = _load(path)
    entries[key] = {"key": key, "salt": salt, "hash": _digest(salt, secret),
                    "tenant": tenant, "user": user, "roles": list(roles),
                    "created_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())}
    _save(path, entries)
    return f"{PREFIX}{key}_{secret}"


def revoke_token(path, key):
    """Remove the token with this public key; False if there was none."""
    entries = _load(path)
    if entries.pop(key, None) is None:
        return False
    _save(path, entries)
    return True


def list_tokens(path):
    """The entries without their hashes (for `glance-manage token-list`)."""
    return [{k: v for k, v in entry.items() if k not in ("salt", "hash")}
            for entry in _load(path).values()]


class TokenFile:
    """Looks tokens up in the file, reloading it when it changes."""

    def __init__(self, path, clock=time.monotonic):
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._entries = {}
        self._stamp = None
        self._checked = None

    def _refresh(self):
        now = self._clock()
        if self._checked is not None and now - self._checked < RECHECK_SECONDS:
            return
        with self._lock:
            self._checked = now
            try:
                info = os.stat(self.path)
                stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
            except FileNotFoundError:
                stamp = None
            if stamp != self._stamp:
                try:
                    self._entries = _load(self.path) if stamp else {}
                except ConfigError as exc:
                    LOG.error("%s; the %d tokens read before stay valid", exc.message,
                              len(self._entries))
                self._stamp = stamp

    def identify(self, token):
        """The Identity of a valid token, else None."""
        parts = _split(token or "")
        if parts is None:
            return None
        self._refresh()
        entry = self._entries.get(parts[0])
        if entry is None or not hmac.compare_digest(entry["hash"], _digest(entry["salt"], parts[1])):
            return None
        return Identity(entry.get("tenant"), entry.get("user"), tuple(entry.get("roles", ())))
