"""Which addresses an image location may point at (SSRF protection)."""

import ipaddress
import socket

import pytest

from glance.common.exception import Invalid
from glance.common.netpolicy import LocationPolicy


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
