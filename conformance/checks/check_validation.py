"""Validation errors: formats, the AMI rule, names, property keys, control characters (§1, §8).

Every refusal must be a 400 naming the cause, in the error document shape,
and must leave no record behind.
"""

import pytest

from conformance import expect

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes
MIX = "Invalid mix of disk and container formats"


def refused(api, v, suite, cid, what, headers, names=None):
    name = suite.name("val")
    res = api.post("/images", headers=[("x-image-meta-name", name), suite.run_header]
                   + list(headers))
    ok = expect.error(v, cid, res, 400, what, names=names)
    left = suite.find(api, name=name)
    for image in left:
        suite.ledger.add(image.get("id"))
    if ok:
        v.check("API-POST-12", not left,
                f"{what}: the 400 left records {[i.get('id') for i in left]}")
    return res


def accepted(v, suite, what, headers, cid):
    image, _ = suite.create(v, "ok", headers=headers, clause=cid)
    return image


@clause("VAL-1", "API-POST-12", "ERR-1")
@pytest.mark.parametrize("field,value", [("disk_format", "floppy7"),
                                         ("container_format", "crate7"),
                                         ("type", "toaster7")])
def test_unknown_enum_value(api, v, suite, field, value):
    """An unknown disk_format, container_format or type answers 400 naming the value."""
    refused(api, v, suite, "VAL-1", f"POST with {field}={value}",
            [(f"x-image-meta-{field}", value)], names=value)


@clause("VAL-1")
@pytest.mark.parametrize("field,values", [
    ("disk_format", ["raw", "qcow2", "vhd", "vmdk", "vdi", "iso"]),
    ("container_format", ["bare", "ovf"]),
    ("type", ["machine", "kernel", "ramdisk", "raw"])])
def test_known_enum_values(api, v, suite, field, values):
    """Every value the contract lists is accepted."""
    for value in values:
        image = accepted(v, suite, f"{field}={value}", [(f"x-image-meta-{field}", value)],
                         "VAL-1")
        v.check("VAL-1", image.get(field) == value, f"{field}={value} gave {image.get(field)!r}")


@clause("VAL-2")
@pytest.mark.parametrize("disk,container", [("ami", None), (None, "ami"), ("ami", "ari"),
                                            ("aki", "bare"), ("raw", "ari")])
def test_ami_rule_refuses(api, v, suite, disk, container):
    """If either format is ami/ari/aki both must be equal (null is not ami)."""
    headers = [(f"x-image-meta-{f}", x) for f, x in (("disk_format", disk),
                                                     ("container_format", container)) if x]
    refused(api, v, suite, "VAL-2", f"POST with disk_format={disk} container_format={container}",
            headers, names=MIX)


@clause("VAL-2")
@pytest.mark.parametrize("fmt", ["ami", "ari", "aki"])
def test_ami_rule_accepts_equal(api, v, suite, fmt):
    """Both formats equal to ami, ari or aki in one request is accepted."""
    image = accepted(v, suite, fmt, [("x-image-meta-disk_format", fmt),
                                     ("x-image-meta-container_format", fmt)], "VAL-2")
    v.check("VAL-2", image.get("disk_format") == fmt and image.get("container_format") == fmt,
            f"{fmt}/{fmt} gave {image.get('disk_format')!r}/{image.get('container_format')!r}")


@clause("VAL-4")
def test_name_length(api, v, suite):
    """A name of 255 characters is accepted, 256 is refused with 400."""
    res = api.post("/images", headers=[("x-image-meta-name", "n" * 255), suite.run_header])
    expect.require_status(v, "VAL-4", res, 201, "POST with a 255-character name")
    suite.ledger.add(expect.image_of(v, "VAL-4", res, "POST").get("id"))
    res = api.post("/images", headers=[("x-image-meta-name", "n" * 256), suite.run_header])
    if not expect.error(v, "VAL-4", res, 400, "POST with a 256-character name") \
            and res.status_int == 201:
        suite.ledger.add(res.json.get("image", {}).get("id"))


@clause("VAL-5", "HDR-5")
@pytest.mark.parametrize("key", ["bad!key", "bad$key", "k" * 256])
def test_bad_property_key(api, v, suite, key):
    """A property key outside [a-z0-9_.:-]{1,255} (after lower-casing) answers 400."""
    refused(api, v, suite, "VAL-5", f"POST with property key {key[:20]!r}…",
            [(f"x-image-meta-property-{key}", "v")])


@clause("VAL-5")
def test_good_property_keys(api, v, suite):
    """Keys made of a-z 0-9 _ . : - up to 255 characters are accepted."""
    keys = ["a.b-c_d", "x" * 255, "0"]  # ":" cannot travel in a header name
    image = accepted(v, suite, "keys", [(f"x-image-meta-property-{k}", "v") for k in keys],
                     "VAL-5")
    props = image.get("properties") or {}
    v.check("VAL-5", all(props.get(k.replace("-", "_")) == "v" for k in keys),
            f"properties {sorted(props)} lack some of {keys}")


@clause("VAL-6")
@pytest.mark.parametrize("where", ["name", "property"])
@pytest.mark.parametrize("char", ["\x01", "\x1f", "\x7f"], ids=["SOH", "US", "DEL"])
def test_control_characters(api, v, suite, where, char):
    """Names and values with control characters answer 400."""
    header = "x-image-meta-name" if where == "name" else "x-image-meta-property-ctl"
    name = suite.name("ctl")
    headers = [(header, f"bad{char}value")] + ([("x-image-meta-name", name)]
                                                if where != "name" else [])
    res = api.post("/images", headers=headers + [suite.run_header])
    if res.status_int == 201:
        suite.ledger.add(res.json.get("image", {}).get("id"))
    v.check("VAL-6", res.status_int == 400,
            f"POST with {where} containing {char!r} answered {res.status}, not 400")


@clause("VAL-7", "HDR-6")
@pytest.mark.parametrize("field", ["id", "size"])
def test_integer_overflow(api, v, suite, field):
    """Integers beyond 2^63−1 answer 400."""
    name = suite.name("big")
    res = api.post("/images", headers=[("x-image-meta-name", name), suite.run_header,
                                       (f"x-image-meta-{field}", str(2 ** 63))],
                   body=b"data" if field == "size" else None,
                   content_type=expect.OCTETS if field == "size" else None)
    expect.error(v, "VAL-7", res, 400, f"POST with {field}={2 ** 63}")
    for image in suite.find(api, name=name):
        suite.ledger.add(image.get("id"))
