"""Which network addresses an http/https image location may point at.

Without it, registering `http://169.254.169.254/...` or `http://127.0.0.1:9191/`
as an image location would turn the API server into a proxy into its own
network.  In every auth mode, noauth included, a location's host
must resolve only to public addresses, or to networks the operator lists in
`allowed_location_networks`.  The http store runs the same check on every
connection it makes, redirects included, and connects to exactly the
addresses checked (no second look-up an attacker's DNS could answer
differently).

Hosts are parsed strictly (`parse_netloc`): a bracketed host must be an IPv6
address, nothing may follow the `]` but a port, and a name may hold only
letters, digits, `.`, `-` and `_` (after IDNA); anything else is Invalid
(400), never an exception from deeper down.  A numeric host must be a
plain dotted quad: the other IPv4 spellings `getaddrinfo` accepts
(`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`) are refused as malformed,
since parsers disagree on what they mean (`010.0.0.1` is 8.0.0.1 to
inet_aton, 10.0.0.1 to others).

IPv6 addresses that carry an IPv4 address (mapped `::ffff:0:0/96`,
compatible `::/96`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4
`2002::/16`, Teredo `2001::/32`) are refused even when the IPv4 address is
public: where such a packet ends up depends on relays and gateways we do
not control (CONTRACT §10).  An operator allows them by listing the IPv6
range, or every IPv4 address they embed (so allowing `10.0.0.0/8` also
allows `::ffff:10.0.0.1`, the same host); a NAT64 deployment lists
`64:ff9b::/96`.

Name look-ups are bounded (`BoundedResolver`): `getaddrinfo` has no timeout
of its own, and a slow DNS server must not hold a request for as long as
it likes.
"""

import ipaddress
import re
import socket
import threading
from urllib.parse import urlsplit

from glance.common import exception

DEFAULT_PORTS = {"http": 80, "https": 443}
_NAME = re.compile(r"[A-Za-z0-9._-]+\Z")
# Hosts every label of which is a number (decimal, octal, hex): inet_aton
# reads `0x7f.1`, `2130706433` or `010.0.0.1` (8.0.0.1, not 10.0.0.1) as
# IPv4 addresses, and other parsers read them otherwise.  Only the plain
# dotted quad is accepted.
_NUMERIC = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*\.?\Z")
_DIGITS = re.compile(r"[0-9]+\Z")

_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# RFC 8215's local-use prefix: operators choose the prefix length inside it,
# so where the IPv4 address sits cannot be known; nothing is unwrapped.
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_SIX_TO_FOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")


def embedded_ipv4(address):
    """The IPv4 addresses an IPv6 `address` carries, or None when it is not
    one of the IPv4-embedding forms.  An empty tuple: an embedding form
    whose IPv4 address cannot be unwrapped (64:ff9b:1::/48)."""
    if address.version != 6:
        return None
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _MAPPED:
        return (address.ipv4_mapped,)
    if address in _COMPATIBLE and int(address) > 1:     # not :: or ::1
        return (low32,)
    if address in _NAT64:
        return (low32,)
    if address in _NAT64_LOCAL:
        return ()
    if address in _SIX_TO_FOUR:
        return (address.sixtofour,)
    if address in _TEREDO:
        return address.teredo          # (server, client), the client de-obfuscated
    return None


def parse_netloc(netloc):
    """(host, port or None) of a URL's authority, strictly; Invalid otherwise.

    The host comes back lower-case and ASCII (IDNA), an IPv6 address
    without its brackets.  Messages never echo the host: it may be a
    location a client must not see.
    """
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        inside, bracket, rest = hostport[1:].partition("]")
        if not bracket:
            raise exception.Invalid("location host has an unclosed '['")
        if "%" in inside:
            raise exception.Invalid("location host has an IPv6 zone identifier")
        try:
            host = ipaddress.IPv6Address(inside).compressed
        except ValueError:
            raise exception.Invalid("location host in brackets is not an IPv6 address") from None
        if rest and not rest.startswith(":"):
            raise exception.Invalid("location host has characters after ']'")
        port_text = rest[1:] if rest else None
    else:
        host, colon, port_text = hostport.partition(":")
        port_text = port_text if colon else None
        if not host.isascii():
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise exception.Invalid("location host is not a valid host name") from None
        if not _NAME.match(host) or host.startswith(".") or ".." in host:
            raise exception.Invalid("location host is malformed or missing")
        host = host.lower()
        if _NUMERIC.match(host) and not _is_dotted_quad(host):
            raise exception.Invalid("location host is an IPv4 address in an unusual "
                                    "spelling; write it as four decimal numbers")
    if not port_text:                  # "host:" is allowed by RFC 3986: the default
        return host, None
    if not _DIGITS.match(port_text) or len(port_text) > 5 or not 0 < int(port_text) <= 65535:
        raise exception.Invalid("location has a malformed port")
    return host, int(port_text)


def _is_dotted_quad(host):
    try:
        ipaddress.IPv4Address(host)     # refuses leading zeros, short forms
    except ValueError:
        return False
    return True


class BoundedResolver:
    """`getaddrinfo` that gives up after `timeout` seconds.

    The look-up runs in a thread of its own, which a timed-out caller leaves
    behind to finish (the C library cannot be interrupted).  At most
    `max_pending` such threads exist at once: past that, look-ups fail at
    once instead of piling up threads behind a dead DNS server.
    """

    def __init__(self, timeout, resolve=socket.getaddrinfo, max_pending=32):
        self.timeout = timeout
        self._resolve = resolve
        self._pending = threading.BoundedSemaphore(max_pending)

    def __call__(self, host, port, timeout=None, **kwargs):
        """getaddrinfo(host, port, **kwargs), waiting at most `timeout`
        (default: the resolver's) seconds; TimeoutError when it takes longer."""
        timeout = self.timeout if timeout is None else min(timeout, self.timeout)
        if not self._pending.acquire(blocking=False):
            raise TimeoutError("too many name look-ups in progress")
        done = threading.Event()
        outcome = {}

        def look_up():
            try:
                outcome["result"] = self._resolve(host, port, **kwargs)
            except BaseException as exc:        # handed to the caller
                outcome["error"] = exc
            finally:
                self._pending.release()
                done.set()

        threading.Thread(target=look_up, name="glance-resolve", daemon=True).start()
        if not done.wait(max(timeout, 0)):
            raise TimeoutError(f"no name look-up answer within {timeout:g} seconds")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]


class LocationPolicy:
    """`allowed_networks` besides public addresses; `allow_all` allows
    everything (a seam for tests of what the policy protects, never set from
    the configuration: the policy holds in every auth mode, noauth included,
    contract §10).  `resolve` is `getaddrinfo` or a stand-in (tests);
    `resolve_timeout` bounds it."""

    def __init__(self, allowed_networks=(), allow_all=False, resolve=socket.getaddrinfo,
                 resolve_timeout=None):
        self.allowed_networks = list(allowed_networks)
        self.allow_all = allow_all
        self._bounded = resolve_timeout is not None
        self._resolve = resolve if not self._bounded else BoundedResolver(resolve_timeout, resolve)

    @classmethod
    def from_conf(cls, conf, **kwargs):
        kwargs.setdefault("resolve_timeout", conf.http_store_connect_timeout)
        return cls(conf.allowed_location_networks, **kwargs)

    # -- addresses -------------------------------------------------------------

    def addresses(self, host, port=None, timeout=None):
        """The addresses `host` stands for, in the resolver's order.

        A literal address is its own answer; anything else is looked up
        (bounded, and by `timeout` too when given), which also turns
        `2130706433` or `0x7f.1` into the address they spell.  OSError
        (socket.gaierror, TimeoutError) when the look-up fails or finds
        nothing.
        """
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            pass
        extra = {"timeout": timeout} if self._bounded and timeout is not None else {}
        try:
            infos = self._resolve(host, port or 80, proto=socket.IPPROTO_TCP, **extra)
        except UnicodeError:
            raise socket.gaierror(socket.EAI_NONAME, "not a host name") from None
        found = []
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            if address not in found:
                found.append(address)
        if not found:
            raise socket.gaierror(socket.EAI_NONAME, "no addresses")
        return found

    def address_ok(self, address):
        """Whether one address may be reached."""
        if self.allow_all or self._listed(address):
            return True
        carried = embedded_ipv4(address)
        if carried is not None:
            return bool(carried) and all(self._listed(inner) for inner in carried)
        return address.is_global and not address.is_multicast

    def _listed(self, address):
        return any(address in network for network in self.allowed_networks
                   if network.version == address.version)

    def allowed(self, addresses):
        """True when every one of `addresses` may be reached (and there is one)."""
        return bool(addresses) and all(self.address_ok(a) for a in addresses)

    def address_allowed(self, host, port=None):
        """True when every address `host` resolves to may be reached."""
        if self.allow_all:
            return True
        try:
            return self.allowed(self.addresses(host, port))
        except OSError:
            return False

    # -- a client's location ---------------------------------------------------

    def check_location(self, location):
        """Refuse (Invalid) a client's location this server must not fetch.

        Messages name neither the location nor its host (CONTRACT §9); the
        refused host goes to the error's `detail`, for the log.
        """
        try:
            parts = urlsplit(location)
        except (TypeError, ValueError, AttributeError):
            raise exception.Invalid("x-image-meta-location is not a valid URL") from None
        if parts.scheme.lower() not in DEFAULT_PORTS:
            raise exception.Invalid(
                f"x-image-meta-location must be an http or https URL, "
                f"got scheme {parts.scheme.lower()!r}")
        try:
            host, port = parse_netloc(parts.netloc)
        except exception.Invalid as exc:
            raise exception.Invalid(f"x-image-meta-location: {exc.message}") from None
        if self.allow_all:
            return
        try:
            addresses = self.addresses(host, port)
        except OSError as exc:
            raise exception.Invalid(
                "x-image-meta-location is not an allowed address (its host cannot be "
                "resolved)", detail=f"host {host!r}: {type(exc).__name__}") from None
        if not self.allowed(addresses):
            raise exception.Invalid(
                "x-image-meta-location is not an allowed address (loopback, private, "
                "link-local and IPv4-embedding IPv6 addresses are refused unless listed "
                "in allowed_location_networks)",
                detail=f"host {host!r} resolves to {', '.join(map(str, addresses))}")
