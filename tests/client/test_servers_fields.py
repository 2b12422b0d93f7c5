"""The fields of contract revision 2 through the client and the real
servers: protected, min_disk, min_ram, virtual_size, proposed UUID ids,
properties replaced or merged, the property quota (413).

The servers run in `noauth` mode (every caller an admin without a tenant);
each test tags its images with a unique property.
"""

import uuid

import pytest

from glance import client as gc
from tests.client.helpers import add, same_image

pytestmark = pytest.mark.functional


def test_new_fields_are_stored_and_read_back_typed(client, tag):
    image = add(client, tag, b"abc", protected=True, min_disk=20, min_ram=512)
    meta = client.get_image_meta(image["id"])
    assert (meta["protected"], meta["min_disk"], meta["min_ram"]) == (True, 20, 512)
    assert (image["protected"], image["min_disk"], image["min_ram"]) == (True, 20, 512)
    listed, = client.get_images_detailed(property_tag=tag)
    assert same_image(meta, listed)
    client.update_image(image["id"], {"protected": False})


def test_new_fields_have_their_defaults(client, tag):
    meta = client.get_image_meta(add(client, tag)["id"])
    assert (meta["protected"], meta["min_disk"], meta["min_ram"]) == (False, 0, 0)
    assert meta["virtual_size"] is None         # left out of the answer: null


def test_virtual_size_of_a_raw_image_is_its_size(client, tag):
    meta = client.get_image_meta(add(client, tag, b"12345")["id"])
    assert meta["virtual_size"] == 5


def test_a_protected_image_cannot_be_deleted(client, tag):
    image = add(client, tag, protected=True)
    with pytest.raises(gc.NotAuthorized) as info:
        client.delete_image(image["id"])
    assert info.value.status == 403 and "protected" in info.value.message.lower()
    client.update_image(image["id"], {"protected": False})
    assert client.delete_image(image["id"]) is True


def test_min_disk_out_of_range_is_invalid_naming_it(client, tag):
    with pytest.raises(gc.Invalid) as info:
        add(client, tag, min_disk=2**31)
    assert "min_disk" in info.value.message


def test_a_proposed_id_that_is_no_uuid_is_invalid(client, tag):
    with pytest.raises(gc.Invalid):
        add(client, tag, id="12345")


def test_a_taken_uuid_is_duplicate(client, tag):
    taken = str(uuid.uuid4())
    add(client, tag, id=taken)
    with pytest.raises(gc.Duplicate) as info:
        add(client, tag, id=taken)
    assert info.value.status == 409


def test_update_merges_properties_although_the_server_replaces_by_default(client, tag):
    image = add(client, tag, properties={"tag": tag, "a": "1"})
    client.update_image(image["id"], {"name": "renamed"})
    assert client.get_image_meta(image["id"])["properties"] == {"tag": tag, "a": "1"}


def test_too_many_properties_is_limit_exceeded(client, tag):
    properties = {f"p{i}": "v" for i in range(200)}   # the default quota is 128
    with pytest.raises(gc.LimitExceeded) as info:
        add(client, tag, properties={"tag": tag, **properties})
    assert info.value.status == 413 and "Maximum" in info.value.message
