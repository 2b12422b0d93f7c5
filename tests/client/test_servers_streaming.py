"""The client against the real servers: big images in flat memory, the
README example, and resuming with `get_image(offset=N)`.

The servers run in `noauth` mode, where the caller is an admin without a
tenant: lists show public images by default, so most images here are public,
and each test tags its images with a unique property so it sees only its own.
"""

import hashlib
import os
import resource

import pytest

from glance import client as gc
from tests.client.helpers import add
from tests.functional.services import ROOT

pytestmark = pytest.mark.functional

# -- big images, flat memory -------------------------------------------------------------------


def _max_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # KiB on Linux


def test_512_mib_round_trip_streams_with_flat_memory(client, tag, tmp_path):
    size, block = 512 * 2**20, os.urandom(2**20)
    source, target = tmp_path / "big.img", tmp_path / "big.out"
    md5 = hashlib.md5()
    with open(source, "wb") as f:
        for i in range(size // len(block)):
            piece = i.to_bytes(8, "big") + block[8:]     # every MiB differs
            md5.update(piece)
            f.write(piece)
    before = _max_rss()
    with open(source, "rb") as f:
        image = add(client, tag, f)
    meta, chunks = client.get_image(image["id"], checksum=True)
    with open(target, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
    growth = _max_rss() - before
    assert (image["size"], image["checksum"]) == (size, md5.hexdigest())
    assert os.path.getsize(target) == size
    assert growth < 64 * 2**20, f"client memory grew by {growth >> 20} MiB"


# -- the README example ------------------------------------------------------------------------


def test_readme_example_runs(services, capsys):
    snippet = os.path.join(ROOT, "README.md")
    with open(snippet, encoding="utf-8") as f:
        section = f.read().split("## Using the client", 1)[1]
        code = section.split("```python\n", 1)[1].split("```", 1)[0]
    code = code.replace('Client("127.0.0.1", 9292)',
                        f'Client("{services.api_host}", {services.api_port})')
    exec(compile(code, snippet, "exec"), {})
    assert capsys.readouterr().out.splitlines()[-1].startswith("404 ")


# -- resuming: get_image(offset=N) -------------------------------------------------------------


def test_get_image_from_an_offset_sends_the_rest(client, tag):
    data = os.urandom(300_000)
    image = add(client, tag, data)
    meta, chunks = client.get_image(image["id"], offset=123_456)
    assert chunks.offset == 123_456 and meta["size"] == len(data)
    assert b"".join(chunks) == data[123_456:]


def test_get_image_from_an_offset_with_the_right_if_range(client, tag):
    data = os.urandom(1000)
    image = add(client, tag, data)
    _, chunks = client.get_image(image["id"], offset=10, if_range=image["checksum"])
    assert chunks.offset == 10 and b"".join(chunks) == data[10:]


def test_get_image_with_another_if_range_sends_everything_and_verifies_it(client, tag):
    data = os.urandom(1000)
    image = add(client, tag, data)
    _, chunks = client.get_image(image["id"], checksum=True, offset=10, if_range="0" * 32)
    assert chunks.offset == 0 and b"".join(chunks) == data


def test_get_image_from_the_end_is_416(client, tag):
    image = add(client, tag, b"abc")
    with pytest.raises(gc.ClientError) as caught:
        client.get_image(image["id"], offset=3)
    assert caught.value.status == 416 and caught.value.code == "image.range_not_satisfiable"


def test_get_image_from_an_offset_cannot_verify_a_checksum(client, tag):
    image = add(client, tag, b"abcdef")
    _, chunks = client.get_image(image["id"], checksum=True, offset=2)
    assert b"".join(chunks) == b"cdef"


def test_head_and_get_say_ranges_are_accepted(client, services, tag):
    import http.client
    image = add(client, tag, b"abc")
    conn = http.client.HTTPConnection(services.api_host, services.api_port, timeout=10)
    try:
        conn.request("HEAD", f"/v1/images/{image['id']}")
        assert conn.getresponse().getheader("Accept-Ranges") == "bytes"
    finally:
        conn.close()


def test_a_middle_range_from_the_real_server_is_exact(client, services, tag):
    import http.client
    data = os.urandom(3 << 20)
    image = add(client, tag, data)
    conn = http.client.HTTPConnection(services.api_host, services.api_port, timeout=10)
    try:
        for first, last in ((10, 19), (1 << 20, (2 << 20) + 5), (0, 0)):
            conn.request("GET", f"/v1/images/{image['id']}",
                         headers={"Range": f"bytes={first}-{last}"})
            response = conn.getresponse()
            assert response.status == 206
            assert response.read() == data[first:last + 1]
            assert response.getheader("Content-Range") == f"bytes {first}-{last}/{len(data)}"
    finally:
        conn.close()
