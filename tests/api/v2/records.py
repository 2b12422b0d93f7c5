"""Registry records as the v2 modules receive them, and hypothesis
strategies that generate any record the registry may hold."""

import string

from hypothesis import strategies as st

from glance.api.v2 import schemas
from glance.common import fields
from glance.common.context import RequestContext

IMAGE_ID = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"
OTHER_ID = "0c5a1d39-57c4-4f1e-9a7e-3e4c8a2b6f10"
OWNER = RequestContext(tenant="tenant-a", user="u", roles=("member",))
STRANGER = RequestContext(tenant="tenant-b", user="v", roles=("member",))
ADMIN = RequestContext(tenant="admin-tenant", user="root", roles=("admin",), is_admin=True)


def record(**overrides):
    """A queued image of `tenant-a`, as the registry returns it."""
    image = {
        "id": IMAGE_ID, "name": "cirros", "type": None, "disk_format": None,
        "container_format": None, "size": None, "virtual_size": None, "checksum": None,
        "os_hash_algo": None, "os_hash_value": None, "store": None, "location": None,
        "status": "queued", "status_reason": None, "visibility": "shared",
        "is_public": False, "protected": False, "min_disk": 0, "min_ram": 0,
        "os_hidden": False, "tags": [], "owner": "tenant-a",
        "created_at": "2026-12-03T18:38:16.123456", "updated_at": "2026-12-03T18:38:17.000001",
        "deleted_at": None, "deleted": False, "properties": {},
    }
    image.update(overrides)
    return image


def active(**overrides):
    data = {"status": "active", "size": 12716032, "virtual_size": 12716032,
            "checksum": "443b7623e27ecf03dc9e01ee93f67afe", "os_hash_algo": "sha256",
            "os_hash_value": "6513f2" + "0" * 58, "disk_format": "raw",
            "container_format": "bare", "store": "file",
            "location": "file:///var/lib/glance/images/" + IMAGE_ID}
    data.update(overrides)
    return record(**data)


def _text(max_size):
    return st.text(max_size=max_size)


def _nullable(strategy):
    return st.none() | strategy


_sizes = _nullable(st.integers(min_value=0, max_value=2**63 - 1))
_moments = st.datetimes().map(lambda moment: moment.isoformat())
_ids = (st.uuids().map(str)
        | st.integers(min_value=1, max_value=2**63 - 1).map(str))
_hashes = st.one_of(st.tuples(st.none(), st.none()),
                    st.tuples(st.sampled_from(["sha256", "sha512", "md5"]),
                              st.text(string.hexdigits.lower(), min_size=1, max_size=128)))
# Property names and values as they may come out of the registry: v1 let
# clients set almost anything, nulls and base attribute names included.
_property_keys = st.text(min_size=1, max_size=40) | st.sampled_from(
    ["name", "status", "type", "location", "direct_url", "is_public", "self",
     "os_glance_stage_host", "hw_disk_bus"])


@st.composite
def records(draw):
    """Any record the registry may hold (status `deleted` aside)."""
    algo, value = draw(_hashes)
    return record(
        id=draw(_ids),
        name=draw(_nullable(_text(255))),
        type=draw(st.sampled_from((None, *fields.TYPES))),
        disk_format=draw(st.sampled_from((None, *fields.DISK_FORMATS))),
        container_format=draw(st.sampled_from((None, *fields.CONTAINER_FORMATS))),
        size=draw(_sizes), virtual_size=draw(_sizes),
        checksum=draw(_nullable(st.text(string.hexdigits.lower(), max_size=32))),
        os_hash_algo=algo, os_hash_value=value,
        location=draw(_nullable(_text(50))), store=draw(st.sampled_from([None, "file", "http"])),
        status=draw(st.sampled_from([s for s in schemas.STATUSES if s != "deleted"])),
        visibility=draw(st.sampled_from(schemas.VISIBILITIES)),
        protected=draw(st.booleans()), os_hidden=draw(st.booleans()),
        min_disk=draw(st.integers(0, 2**31 - 1)), min_ram=draw(st.integers(0, 2**31 - 1)),
        tags=draw(st.lists(_text(255).filter(bool), max_size=5, unique=True)),
        owner=draw(_nullable(_text(255))),
        created_at=draw(_moments), updated_at=draw(_moments),
        properties=draw(st.dictionaries(_property_keys, _nullable(_text(30)), max_size=8)),
    )
