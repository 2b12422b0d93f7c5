"""Which network addresses an http/https image location may point at.

Without it, registering `http://169.254.169.254/...` or `http://127.0.0.1:9191/`
as an image location would turn the API server into a proxy into its own
network.  Outside `noauth` (development on one machine), a location's host
must resolve only to public addresses, or to networks the operator lists in
`allowed_location_networks`.  The same check runs on every connection the
http store makes, redirects included.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from glance.common import exception


def _addresses(host, port, resolve):
    try:
        return {ipaddress.ip_address(host)}
    except ValueError:
        pass
    try:
        infos = resolve(host, port or 80, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return set()
    return {ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos}


class LocationPolicy:
    def __init__(self, allowed_networks=(), allow_all=False, resolve=socket.getaddrinfo):
        self.allowed_networks = list(allowed_networks)
        self.allow_all = allow_all
        self._resolve = resolve

    @classmethod
    def from_conf(cls, conf, **kwargs):
        return cls(conf.allowed_location_networks,
                   allow_all=conf.auth_strategy == "noauth", **kwargs)

    def _address_ok(self, address):
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if any(address in network for network in self.allowed_networks):
            return True
        return address.is_global and not address.is_multicast

    def address_allowed(self, host, port=None):
        """True when every address `host` resolves to may be reached."""
        if self.allow_all:
            return True
        addresses = _addresses((host or "").strip("[]"), port, self._resolve)
        return bool(addresses) and all(self._address_ok(a) for a in addresses)

    def check_location(self, location):
        """Refuse (Invalid) a client's location this server must not fetch."""
        parts = urlsplit(location)
        if parts.scheme.lower() not in ("http", "https"):
            raise exception.Invalid(
                f"x-image-meta-location must be an http or https URL, "
                f"got scheme {parts.scheme.lower()!r}")
        try:
            port = parts.port
        except ValueError:
            raise exception.Invalid("x-image-meta-location has a malformed port") from None
        if not parts.hostname:
            raise exception.Invalid("x-image-meta-location names no host")
        if not self.address_allowed(parts.hostname, port):
            raise exception.Invalid(
                f"x-image-meta-location host {parts.hostname!r} is not an allowed address "
                "(loopback, private and link-local networks are refused unless listed in "
                "allowed_location_networks)")
