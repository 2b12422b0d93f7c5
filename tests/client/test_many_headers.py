"""Issue 15 item 14: an image with hundreds of properties can be read.

http.client refuses more than 100 header lines; a v1 HEAD or GET carries one
`x-image-meta-property-*` header per property.  The client reads up to
`httpclient.MAX_HEADERS` without changing http.client's limit for the rest
of the process.
"""

import http.client

import pytest

from glance import client as gc
from tests.fixtureapps.crowded_image import DATA, CrowdedImage


@pytest.fixture(scope="module")
def crowded():
    with CrowdedImage(properties=300) as server:
        yield server


@pytest.fixture
def client(crowded):
    with gc.Client("127.0.0.1", crowded.port, timeout=10) as c:
        yield c


def test_get_image_meta_returns_all_300_properties(client, crowded):
    meta = client.get_image_meta(1)
    assert meta["properties"] == crowded.properties and len(meta["properties"]) == 300
    assert meta["name"] == "crowded"


def test_get_image_returns_all_300_properties_and_the_data(client, crowded):
    meta, chunks = client.get_image(1, checksum=True)
    assert meta["properties"] == crowded.properties
    assert b"".join(chunks) == DATA


def test_http_client_keeps_its_own_limit_for_everyone_else(client, crowded):
    client.get_image_meta(1)
    conn = http.client.HTTPConnection("127.0.0.1", crowded.port, timeout=10)
    try:
        conn.request("HEAD", "/v1/images/1")
        with pytest.raises(http.client.HTTPException, match="100 headers"):
            conn.getresponse()
    finally:
        conn.close()
