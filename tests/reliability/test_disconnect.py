"""Clients that go away: mid-upload, mid-download, or stalled, against the real servers.

An upload whose client disconnects ends `killed` (with a reason) within
seconds and leaves no file; a download whose client goes away costs the
server nothing; a stalled upload holds one worker and nobody else.
"""

import os
import socket

import pytest

from tests.functional.services import running_services
from tests.reliability.helpers import (RawConnection, all_images, check_invariants, chunk,
                                       client_for, md5, request_head, temp_files, upload_head,
                                       wait_for)

pytestmark = pytest.mark.functional


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    with running_services(tmp_path_factory.mktemp("disconnect")) as running:
        yield running


def status_of(services, name):
    for image in all_images(services):
        if image["name"] == name:
            return image
    return None


def killed_soon(services, name):
    image = wait_for(lambda: (status_of(services, name) or {}).get("status") == "killed"
                     and status_of(services, name), timeout=10)
    assert image, f"{name} is {status_of(services, name)}"
    return image


def test_a_client_gone_mid_body_leaves_a_killed_image_and_no_file(services):
    conn = RawConnection(services.api_host, services.api_port)
    conn.send(upload_head(10 << 20, "gone-length"))
    conn.send(os.urandom(3 << 20))
    conn.close()
    image = killed_soon(services, "gone-length")
    assert "upload failed" in image["status_reason"]
    assert wait_for(lambda: temp_files(services) == [])


def test_a_client_gone_mid_chunk_leaves_a_killed_image(services):
    conn = RawConnection(services.api_host, services.api_port)
    conn.send(upload_head(None, "gone-chunked"))
    conn.send(chunk(os.urandom(1 << 20)) + b"100000\r\n" + os.urandom(1000))
    conn.close()
    killed_soon(services, "gone-chunked")


def test_a_reset_connection_leaves_a_killed_image(services):
    conn = RawConnection(services.api_host, services.api_port)
    conn.send(upload_head(1 << 20, "gone-reset"))
    conn.send(os.urandom(1000))
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
    conn.close()
    killed_soon(services, "gone-reset")


def test_a_stalled_upload_does_not_block_other_clients(services):
    stalled = RawConnection(services.api_host, services.api_port)
    try:
        stalled.send(upload_head(1 << 20, "stalled"))
        stalled.send(b"x" * 1000)
        assert wait_for(lambda: (status_of(services, "stalled") or {}).get("status")
                        == "saving")
        with client_for(services) as client:
            image = client.add_image({"name": "meanwhile"}, b"data while another stalls")
            assert image["status"] == "active"
    finally:
        stalled.close()
    killed_soon(services, "stalled")


def test_a_client_gone_mid_download_costs_nothing(services):
    data = os.urandom(8 << 20)
    with client_for(services) as client:
        image = client.add_image({"name": "big"}, data)
    for _ in range(5):
        conn = RawConnection(services.api_host, services.api_port)
        conn.send(request_head("GET", f"/v1/images/{image['id']}"))
        conn.sock.recv(65536)
        conn.close()
    with client_for(services) as client:
        _, chunks = client.get_image(image["id"], checksum=True)
        assert md5(b"".join(chunks)) == md5(data)


def test_garbage_after_the_body_does_not_change_the_image(services):
    data = b"exactly this"
    conn = RawConnection(services.api_host, services.api_port)
    try:
        conn.send(upload_head(len(data), "trailing") + data + b"GARBAGE GARBAGE\r\n\r\n")
        status, _, _, _ = conn.response("POST")
    finally:
        conn.close()
    assert status == 201
    image = status_of(services, "trailing")
    assert image["checksum"] == md5(data) and image["size"] == len(data)


def test_the_invariants_hold_after_all_this(services):
    assert check_invariants(services) == []


def test_a_client_gone_mid_body_with_an_in_process_registry(tmp_path):
    with running_services(tmp_path, in_process_registry=True) as services:
        conn = RawConnection(services.api_host, services.api_port)
        conn.send(upload_head(5 << 20, "gone-inproc"))
        conn.send(os.urandom(1 << 20))
        conn.close()
        killed_soon(services, "gone-inproc")
        assert check_invariants(services) == []
