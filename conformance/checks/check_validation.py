"""Validation: formats, the AMI rule, names, property keys and quotas (§1, §10).

Every refusal must be a 4xx naming the cause and must leave no record
behind.  Refusals of input real Glance v1 accepted are extensions.
"""

import pytest

from conformance import expect
from conformance.context import V1

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes
MIX = "Invalid mix of disk and container formats"
QUOTA = "The limit has been exceeded on the number of allowed image properties"
DISK_FORMATS = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                "ploop"]
CONTAINER_FORMATS = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker"]


def refused(api, v, suite, cid, what, headers, names=None, status=400):
    name = suite.name("val")
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", name), suite.run_header]
                   + list(headers))
    ok = expect.error(v, cid, res, status, what, names=names)
    left = suite.find(api, name=name)
    for image in left:
        suite.ledger.add(image.get("id"))
    if ok:
        v.check("API-POST-12" if cid in ("VAL-1", "VAL-2", "VAL-4") else cid,
                not left, f"{what}: the refusal left records {[i.get('id') for i in left]}")
    return res


@clause("VAL-1", "API-POST-12", "ERR-1")
@pytest.mark.parametrize("field,value", [("disk_format", "floppy7"),
                                         ("container_format", "crate7")])
def test_unknown_format(api, v, suite, field, value):
    """An unknown disk_format or container_format answers 400 naming the value."""
    refused(api, v, suite, "VAL-1", f"POST with {field}={value}",
            [(f"x-image-meta-{field}", value)], names=value)


@clause("VAL-10")
def test_unknown_type(api, v, suite):
    """An unknown type answers 400 naming the value (founding docs' field)."""
    refused(api, v, suite, "VAL-10", "POST with type=toaster7",
            [("x-image-meta-type", "toaster7")], names="toaster7")


@clause("VAL-9")
@pytest.mark.parametrize("field,values", [("disk_format", DISK_FORMATS),
                                          ("container_format", CONTAINER_FORMATS)])
def test_known_formats(api, v, suite, field, values):
    """Every format §1 lists is accepted (the AMI family in matching pairs)."""
    for value in values:
        headers = [(f"x-image-meta-{field}", value)]
        if value in ("ami", "ari", "aki"):
            headers = [("x-image-meta-disk_format", value),
                       ("x-image-meta-container_format", value)]
        res = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("fmt")),
                                                suite.run_header, *headers])
        if res.status_int == 201:
            suite.ledger.add(res.json["image"].get("id"))
            got = res.json["image"].get(field)
            v.check("VAL-9", got == value, f"{field}={value} gave {got!r}")
        else:
            v.check("VAL-9", False, f"{field}={value} answered {res.status}")


@clause("VAL-12")
def test_compressed_container(api, v, suite):
    """The container format compressed is accepted."""
    image, _ = suite.create(v, "compressed", clause="VAL-12",
                            headers=[("x-image-meta-container_format", "compressed")])
    v.check("VAL-12", image.get("container_format") == "compressed",
            f"container_format compressed gave {image.get('container_format')!r}")


@clause("VAL-2")
@pytest.mark.parametrize("disk,container", [("ami", "ari"), ("aki", "bare"), ("raw", "ari"),
                                            ("ari", "ovf")])
def test_ami_rule_refuses(api, v, suite, disk, container):
    """If either format is ami/ari/aki both must be equal."""
    headers = [("x-image-meta-disk_format", disk), ("x-image-meta-container_format", container)]
    refused(api, v, suite, "VAL-2", f"POST with disk_format={disk} container_format={container}",
            headers, names=MIX)


@clause("VAL-8")
@pytest.mark.parametrize("field", ["disk_format", "container_format"])
def test_ami_rule_is_literal(api, v, suite, field):
    """ami in one format and nothing in the other is refused (null is not ami)."""
    refused(api, v, suite, "VAL-8", f"POST with {field}=ami alone",
            [(f"x-image-meta-{field}", "ami")], names=MIX)


@clause("VAL-2")
@pytest.mark.parametrize("fmt", ["ami", "ari", "aki"])
def test_ami_rule_accepts_equal(api, v, suite, fmt):
    """Both formats equal to ami, ari or aki in one request is accepted."""
    image, _ = suite.create(v, "ami", headers=[("x-image-meta-disk_format", fmt),
                                               ("x-image-meta-container_format", fmt)],
                            clause="VAL-2")
    v.check("VAL-2", image.get("disk_format") == fmt and image.get("container_format") == fmt,
            f"{fmt}/{fmt} gave {image.get('disk_format')!r}/{image.get('container_format')!r}")


@clause("VAL-4")
def test_name_length(api, v, suite):
    """A name of 255 characters is accepted, 256 is refused with 400."""
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", "n" * 255), suite.run_header])
    expect.require_status(v, "VAL-4", res, 201, "POST with a 255-character name")
    suite.ledger.add(expect.image_of(v, "VAL-4", res, "POST").get("id"))
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", "n" * 256), suite.run_header])
    if not expect.error(v, "VAL-4", res, 400, "POST with a 256-character name") \
            and res.status_int == 201:
        suite.ledger.add(res.json.get("image", {}).get("id"))


@clause("VAL-5")
@pytest.mark.parametrize("key", ["bad!key", "bad$key", "k" * 256])
def test_bad_property_key(api, v, suite, key):
    """A property key outside [A-Za-z0-9_.-]{1,255} answers 400."""
    refused(api, v, suite, "VAL-5", f"POST with property key {key[:20]!r}…",
            [(f"x-image-meta-property-{key}", "v")])


@clause("VAL-5", "HDR-5")
def test_good_property_keys(api, v, suite):
    """Keys made of letters, digits, _ . - up to 255 characters are accepted."""
    keys = ["a.b_c_d", "x" * 255, "0"]
    image, _ = suite.create(v, "keys", headers=[(f"x-image-meta-property-{k}", "v")
                                                for k in keys], clause="HDR-5")
    props = image.get("properties") or {}
    v.check("HDR-5", all(props.get(k) == "v" for k in keys),
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
    res = api.post(V1 + "/images", headers=headers + [suite.run_header])
    if res.status_int == 201:
        suite.ledger.add(res.json.get("image", {}).get("id"))
    v.check("VAL-6", res.status_int == 400,
            f"POST with {where} containing {char!r} answered {res.status}, not 400")


@clause("VAL-7")
def test_integer_overflow(api, v, suite):
    """A size beyond 2^63−1 answers 400."""
    name = suite.name("big")
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", name), suite.run_header,
                                            ("x-image-meta-size", str(2 ** 63)),
                                            ("x-image-meta-disk_format", "raw"),
                                            ("x-image-meta-container_format", "bare")],
                   body=b"data", content_type=expect.OCTETS)
    v.check("VAL-7", res.status_int == 400, f"POST with size={2 ** 63} answered {res.status}")
    for image in suite.find(api, name=name):
        suite.ledger.add(image.get("id"))


def grow(api, v, suite, image, total, step, what):
    """Merge properties into `image` in steps until `total` or a refusal; return that answer."""
    n = len(image.get("properties") or {})
    res = None
    while n < total:
        batch = [(f"x-image-meta-property-q{i}", "v") for i in range(n, min(total, n + step))]
        res = api.put(f"{V1}/images/{image['id']}",
                      headers=[("x-glance-registry-purge-props", "false"), *batch])
        if res.status_int != 200:
            return res
        n += len(batch)
    return res


@clause("QUOTA-1", "ERR-3")
def test_property_quota(api, v, suite):
    """A resulting set over the property quota answers 413 with Glance's text."""
    image, _ = suite.create(v, "quota")
    res = grow(api, v, suite, image, 129, 43, "grow to 129 properties")
    if res is not None and res.status_int == 200:
        pytest.skip("the server accepts 130 properties: its image_property_quota is above "
                    "the contract's default 128 (not judged)")
    expect.error(v, "QUOTA-1", res, 413, "PUT over the property quota", names=QUOTA,
                 types=("quota.exceeded",))
    res = api.head(f"{V1}/images/{image['id']}")
    _, props, _ = expect.meta_headers(res)
    v.check("QUOTA-1", len(props) <= 129, f"the refused PUT left {len(props)} properties")


@clause("QUOTA-2")
def test_property_bytes_cap(api, v, suite):
    """Properties of more than 64 KiB in all answer 413; the image is unchanged."""
    image, _ = suite.create(v, "bytes")
    # Nine values of 8000 bytes: over 64 KiB in all, under any count quota of 10
    # (real Glance's functional configuration) and under 8 KiB a header line.
    chunk = "x" * 8000
    res = None
    for i in range(9):
        res = api.put(f"{V1}/images/{image['id']}", headers=[
            ("x-glance-registry-purge-props", "false"), (f"x-image-meta-property-big{i}", chunk)])
        if res.status_int != 200:
            break
    v.check("QUOTA-2", res is not None and res.status_int == 413,
            f"properties of 72 000 bytes answered {res.status if res is not None else None}, "
            "not 413")
