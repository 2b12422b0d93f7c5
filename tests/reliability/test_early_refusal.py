"""Early refusal: 413, 507 and 400 come before the body, and without 100 Continue.

A client that sends `Expect: 100-continue` with a huge Content-Length and
then waits must get the final answer without ever sending a byte of the body.
"""

import socket

import pytest

from tests.functional.services import running_services
from tests.reliability.helpers import RawConnection, all_images, md5, upload_head

pytestmark = pytest.mark.functional

CAP = 1_000_000 << 40           # image_size_cap = 1000000T, about 1.1e18 bytes
HUGE = 2 * CAP                  # over the cap: 413
BIG = CAP // 2                  # under the cap, over any disk: 507


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    with running_services(tmp_path_factory.mktemp("early"),
                          extra_env={"GLANCE_IMAGE_SIZE_CAP": "1000000T"}) as running:
        yield running


def refused(services, length, extra=(), content_type="application/octet-stream"):
    """Send the head only, with Expect: 100-continue; → (status, body)."""
    conn = RawConnection(services.api_host, services.api_port, timeout=5)
    try:
        head = upload_head(length, "early", [("Expect", "100-continue"), *extra])
        conn.send(head.replace(b"application/octet-stream", content_type.encode()))
        first = conn.sock.recv(12, socket.MSG_PEEK)
        assert not first.startswith(b"HTTP/1.1 100"), "the server asked for the body"
        status, headers, body, _ = conn.response("POST")
        return status, body
    finally:
        conn.close()


def test_a_body_over_the_cap_is_413_before_100_continue(services):
    status, body = refused(services, HUGE)
    assert status == 413 and b"image.too_large" in body


def test_a_declared_size_over_the_cap_is_413_for_a_chunked_body(services):
    assert refused(services, None, [("x-image-meta-size", str(HUGE))])[0] == 413


def test_a_body_larger_than_the_free_space_is_507_before_100_continue(services):
    status, body = refused(services, BIG)
    assert status == 507 and b"store.full" in body


def test_a_declared_size_larger_than_the_free_space_is_507(services):
    assert refused(services, None, [("x-image-meta-size", str(BIG))])[0] == 507


def test_a_bad_content_type_is_400_before_100_continue(services):
    assert refused(services, 1 << 30, content_type="text/plain")[0] == 400


def test_an_unsupported_hash_algorithm_is_400_before_100_continue(services):
    status, body = refused(services, 1 << 30, [("x-image-meta-os_hash_algo", "sha512"),
                                               ("x-image-meta-os_hash_value", "ab" * 64)])
    assert status == 400 and b"sha512" in body


def test_a_malformed_sha256_is_400_before_100_continue(services):
    assert refused(services, 1 << 30, [("x-image-meta-os_hash_value", "xyz")])[0] == 400


def test_refusals_leave_no_record(services):
    before = {image["id"] for image in all_images(services)}
    refused(services, HUGE)
    refused(services, BIG)
    assert {image["id"] for image in all_images(services)} == before


def test_an_acceptable_upload_gets_100_continue_then_201(services):
    data = b"hello continue"
    conn = RawConnection(services.api_host, services.api_port, timeout=5)
    try:
        conn.send(upload_head(len(data), "ok", [("Expect", "100-continue")]))
        assert conn.read_continue() == b"HTTP/1.1 100 Continue"
        conn.send(data)
        status, _, body, _ = conn.response("POST")
    finally:
        conn.close()
    assert status == 201 and md5(data).encode() in body


def test_the_free_space_reserve_refuses_chunked_uploads(tmp_path):
    env = {"GLANCE_STORE_MIN_FREE": "1000000T"}
    with running_services(tmp_path, extra_env=env, in_process_registry=True) as services:
        assert refused(services, None)[0] == 507
        assert refused(services, 10)[0] == 507
