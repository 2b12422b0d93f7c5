"""Which addresses an image location may point at (SSRF protection)."""

import ipaddress
import socket
import threading

import pytest

from glance.common.exception import Invalid
from glance.common.netpolicy import BoundedResolver, LocationPolicy, embedded_ipv4, parse_netloc


def fake_resolver(table):
    def resolve(host, port, proto=0):
        if host not in table:
            raise socket.gaierror("unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, proto, "", (addr, port)) for addr in table[host]]
    return resolve


POLICY = LocationPolicy(resolve=fake_resolver({
    "images.example.com": ["93.184.216.34"],
    "sneaky.example.com": ["127.0.0.1"],
    "mixed.example.com": ["93.184.216.34", "10.1.2.3"],
}))


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x", "http://127.5.6.7:9191/images", "http://[::1]/x",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/x", "http://192.168.1.1/x",
    "http://172.16.0.1/x", "http://[::ffff:127.0.0.1]/x", "http://[fe80::1]/x",
    "http://0.0.0.0/x", "http://sneaky.example.com/x", "http://mixed.example.com/x",
    "http://unresolvable.example.com/x", "http://100.64.0.1/x",
])
def test_internal_addresses_are_refused(url):
    with pytest.raises(Invalid, match="not an allowed address"):
        POLICY.check_location(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x",
                                 "swift://c/o", "gopher://x"])
def test_non_http_schemes_are_refused(url):
    with pytest.raises(Invalid, match="http or https"):
        POLICY.check_location(url)


def test_public_address_is_allowed():
    POLICY.check_location("https://images.example.com/cirros.img")
    POLICY.check_location("http://93.184.216.34:8080/x")


def test_operator_may_allow_a_network():
    policy = LocationPolicy([ipaddress.ip_network("10.0.0.0/8")])
    policy.check_location("http://10.0.0.1/x")
    with pytest.raises(Invalid):
        policy.check_location("http://192.168.0.1/x")


def test_allow_all_allows_loopback():
    LocationPolicy(allow_all=True).check_location("http://127.0.0.1/x")


def test_location_without_host_is_refused():
    with pytest.raises(Invalid):
        POLICY.check_location("http:///x")


# -- IPv6 forms that carry an IPv4 address (issue 15, item 11) ----------------------

EMBEDDING = [
    "[::127.0.0.1]", "[::7f00:1]",                                   # compatible
    "[::ffff:127.0.0.1]", "[::FFFF:7F00:1]", "[0:0:0:0:0:ffff:127.0.0.1]",   # mapped
    "[::ffff:169.254.169.254]", "[::ffff:10.0.0.1]",
    "[64:ff9b::127.0.0.1]", "[64:ff9b::7f00:1]", "[64:ff9b::a9fe:a9fe]",     # NAT64
    "[64:ff9b:1::7f00:1]", "[64:ff9b:1:7f00:1::]",                    # local-use NAT64
    "[2002:7f00:1::]", "[2002:a9fe:a9fe::1]", "[2002:0a00:0001::5]",  # 6to4
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]", "[2001::ffff:ffff]",    # Teredo
]
# Even a public IPv4 address inside is refused: where such a packet goes
# depends on relays and gateways this server does not control.
EMBEDDING_PUBLIC = ["[::ffff:93.184.216.34]", "[::93.184.216.34]", "[64:ff9b::93.184.216.34]",
                    "[2002:5db8:d822::1]"]


@pytest.mark.parametrize("host", EMBEDDING + EMBEDDING_PUBLIC)
def test_ipv4_embedding_ipv6_addresses_are_refused(host):
    with pytest.raises(Invalid, match="not an allowed address"):
        POLICY.check_location(f"http://{host}/x")


@pytest.mark.parametrize("host", EMBEDDING + EMBEDDING_PUBLIC)
def test_ipv4_embedding_ipv6_addresses_are_refused_with_a_port(host):
    with pytest.raises(Invalid, match="not an allowed address"):
        POLICY.check_location(f"https://{host}:8443/x")


@pytest.mark.parametrize("address", ["::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"])
def test_a_name_resolving_to_an_embedding_address_is_refused(address):
    policy = LocationPolicy(resolve=fake_resolver({"six.example.com": [address]}))
    with pytest.raises(Invalid, match="not an allowed address"):
        policy.check_location("http://six.example.com/x")


@pytest.mark.parametrize("address, embedded", [
    ("::ffff:7f00:1", ["127.0.0.1"]), ("::7f00:1", ["127.0.0.1"]),
    ("64:ff9b::a9fe:a9fe", ["169.254.169.254"]), ("2002:a9fe:a9fe::1", ["169.254.169.254"]),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", ["65.54.227.120", "127.0.0.1"]),
    ("64:ff9b:1::7f00:1", []), ("::1", None), ("::", None), ("2606:2800:220:1::", None),
])
def test_embedded_ipv4_addresses_are_unwrapped(address, embedded):
    found = embedded_ipv4(ipaddress.ip_address(address))
    assert found == (None if embedded is None else tuple(map(ipaddress.ip_address, embedded)))


def test_listing_the_ipv6_range_allows_it():
    policy = LocationPolicy([ipaddress.ip_network("64:ff9b::/96")])
    policy.check_location("http://[64:ff9b::93.184.216.34]/x")
    policy.check_location("http://[64:ff9b::7f00:1]/x")     # the operator's choice


def test_listing_the_embedded_ipv4_network_allows_the_same_host():
    policy = LocationPolicy([ipaddress.ip_network("10.0.0.0/8")])
    policy.check_location("http://[::ffff:10.0.0.1]/x")
    policy.check_location("http://[2002:0a00:0001::5]/x")
    for refused in ("http://[::ffff:127.0.0.1]/x", "http://[64:ff9b:1::a00:1]/x"):
        with pytest.raises(Invalid):
            policy.check_location(refused)


def test_plain_public_ipv6_is_allowed():
    POLICY.check_location("http://[2606:2800:220:1:248:1893:25c8:1946]/x")


# -- IPv4 spellings: checked as the address they spell ---------------------------------

SPELLINGS = ["2130706433", "0x7f000001", "0177.0.0.1", "0177.1", "127.1", "0x7f.1",
             "0x7f.0.0.1", "017700000001", "127.0.0.1.", "127.000.000.001", "0"]


@pytest.mark.parametrize("host", SPELLINGS)
def test_numeric_spellings_of_loopback_are_refused(host):
    with pytest.raises(Invalid):
        LocationPolicy().check_location(f"http://{host}/x")


@pytest.mark.parametrize("host", ["1572395042", "0x5db8d822", "93.184.55330", "093.184.216.34",
                                  "93.184.216.34.", "0x5d.0xb8.0xd8.0x22"])
def test_unusual_numeric_spellings_are_malformed_even_when_public(host):
    # inet_aton reads 093.184.216.34 as garbage and 010.0.0.1 as 8.0.0.1:
    # only the plain dotted quad means the same to every parser.
    with pytest.raises(Invalid, match="unusual spelling"):
        POLICY.check_location(f"http://{host}/x")


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1"])
def test_numeric_spellings_resolve_to_the_address_they_spell(host):
    assert LocationPolicy().addresses(host) == [ipaddress.ip_address("127.0.0.1")]


# -- malformed hosts are 400, never 500 (issue 15, item 12) -------------------------------

MALFORMED = [
    "http://[127.0.0.1]/", "http://[", "http://[::1", "http://[::1/x", "http://[fe80::1%25eth0]/",
    "http://[fe80::1%eth0]/", "http://[::1]x/", "http://[::1]]/", "http://[[::1]]/",
    "http://[v1.x]/", "http://[]/", "http://a[b]/", "http://[::1]:99999/", "http://host:0/",
    "http://host:+80/", "http://host:8%30/", "http://host:" + "9" * 5000 + "/",
    "http://ho st/", "http://:80/", "http://user@/", "http://%31%32%37.0.0.1/",
    "http://exa_mple.com:80:80/", "http://ex\\ample.com/", "http://\u0000/",
    "http://\ud800/", "http://a..b/", "http://.a/", "http://\u2488.com/",
]


@pytest.mark.parametrize("url", MALFORMED)
@pytest.mark.parametrize("policy", [POLICY, LocationPolicy(allow_all=True)],
                         ids=["checked", "noauth"])
def test_malformed_hosts_are_invalid(url, policy):
    with pytest.raises(Invalid):
        policy.check_location(url)


@pytest.mark.parametrize("netloc, expected", [
    ("Example.COM", ("example.com", None)), ("example.com:8080", ("example.com", 8080)),
    ("u:p@example.com:81", ("example.com", 81)), ("[::1]", ("::1", None)),
    ("[0:0::1]:9", ("::1", 9)), ("[::FFFF:127.0.0.1]", ("::ffff:7f00:1", None)),
    ("example.com:", ("example.com", None)), ("bücher.example", ("xn--bcher-kva.example", None)),
])
def test_well_formed_hosts_are_parsed(netloc, expected):
    assert parse_netloc(netloc) == expected


# -- messages and look-ups ---------------------------------------------------------------

def test_a_refusal_names_the_host_only_in_its_detail():
    with pytest.raises(Invalid) as caught:
        POLICY.check_location("http://sneaky.example.com/x")
    assert "sneaky" not in caught.value.message
    assert "sneaky.example.com" in caught.value.detail and "127.0.0.1" in caught.value.detail


def test_a_slow_look_up_is_given_up():
    answer = threading.Event()

    def slow(host, port, **kwargs):
        answer.wait(10)
        return []
    resolve = BoundedResolver(0.1, slow)
    try:
        with pytest.raises(TimeoutError):
            resolve("slow.example.com", 80)
    finally:
        answer.set()


def test_a_slow_look_up_refuses_a_location():
    answer = threading.Event()

    def slow(host, port, **kwargs):
        answer.wait(10)
        return []
    policy = LocationPolicy(resolve=slow, resolve_timeout=0.1)
    try:
        with pytest.raises(Invalid, match="cannot be resolved"):
            policy.check_location("http://slow.example.com/x")
    finally:
        answer.set()


def test_look_ups_left_behind_are_bounded():
    answer = threading.Event()

    def stuck(host, port, **kwargs):
        answer.wait(10)
        return []
    resolve = BoundedResolver(0.01, stuck, max_pending=2)
    try:
        for _ in range(2):
            with pytest.raises(TimeoutError):
                resolve("a", 80)
        with pytest.raises(TimeoutError, match="too many"):
            resolve("b", 80)
    finally:
        answer.set()


def test_a_bounded_look_up_passes_answers_and_errors_through():
    resolve = BoundedResolver(5, fake_resolver({"a.example": ["93.184.216.34"]}))
    assert resolve("a.example", 80)[0][4] == ("93.184.216.34", 80)
    with pytest.raises(socket.gaierror):
        resolve("b.example", 80)
