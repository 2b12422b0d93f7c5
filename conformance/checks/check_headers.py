"""The `x-image-meta-*` headers: names, value spellings, parsing and round trips (§3)."""

import random

import pytest

from conformance import expect
from conformance.expect import wire

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes


def head(api, v, image_id, cid="API-HEAD-1", prefix=""):
    res = api.head(f"{prefix}/images/{image_id}")
    expect.require_status(v, cid, res, 200, f"HEAD {prefix}/images/{image_id}")
    return res


@clause("HDR-1", "HDR-2", "HDR-3", "HDR-8", "HDR-10", "API-HEAD-1", "API-HEAD-4")
@pytest.mark.parametrize("prefix", ["", "/v1"])
def test_head_carries_every_field(api, v, suite, prefix):
    """HEAD sends every core field as x-image-meta-<field> and every property, empty body."""
    res = api.post(f"{prefix}/images", headers=[
        ("x-image-meta-name", suite.name("head")), suite.run_header,
        ("x-image-meta-disk_format", "raw"), ("x-image-meta-container_format", "bare"),
        ("x-image-meta-type", "machine"), ("x-image-meta-property-distro", "debian"),
        ("x-image-meta-property-version", "12")])
    expect.require_status(v, "API-POST-1", res, 201, f"POST {prefix}/images")
    image = expect.image_of(v, "API-POST-1", res, "POST")
    suite.ledger.add(image.get("id"))
    got = head(api, v, image["id"], prefix=prefix)
    v.check("API-HEAD-1", got.body == b"", f"HEAD answered with a body: {got.body[:80]!r}")
    expect.metadata_headers(v, got, image, suite, f"HEAD {prefix}/images/{image['id']}",
                            versioned=bool(prefix))
    v.check("API-HEAD-4", expect.header(got, "Location") == image.get("uri"),
            f"Location {expect.header(got, 'Location')!r} is not the uri {image.get('uri')!r}")
    v.check("API-HEAD-2", expect.header(got, "ETag") is None,
            f"a queued image (checksum null) has ETag {expect.header(got, 'ETag')!r}")


@clause("HDR-3")
def test_value_spellings(api, v, suite):
    """null → left out, booleans → True/False, integers → decimal digits."""
    image, _ = suite.create(v, "spell")
    core, _ = expect.meta_headers(head(api, v, image["id"]))[:2]
    for field, want in (("is_public", "False"), ("deleted", "False"), ("size", "0"),
                        ("checksum", None), ("deleted_at", None), ("id", str(image["id"]))):
        v.check("HDR-3", core.get(field) == want,
                f"x-image-meta-{field} is {core.get(field)!r}, expected {want!r}")
    if suite.can_publish is not False:
        pub, _ = suite.create(v, "spell-pub", public=True)
        if suite.can_publish:
            core, _ = expect.meta_headers(head(api, v, pub["id"]))[:2]
            v.check("HDR-3", core.get("is_public") == "True",
                    f"x-image-meta-is_public of a public image is {core.get('is_public')!r}")


@clause("HDR-4", "HDR-8")
def test_non_ascii_round_trip(api, v, suite):
    """Non-ASCII text travels as UTF-8 bytes and comes back unchanged."""
    name = suite.name("ünïcødé-Ωμέγα-日本語")
    value = "café ☕ naïve"
    res = api.post("/images", headers=[("x-image-meta-name", wire(name)), suite.run_header,
                                       ("x-image-meta-property-note", wire(value))])
    expect.require_status(v, "API-POST-1", res, 201, "POST with UTF-8 name")
    image = expect.image_of(v, "API-POST-1", res, "POST")
    suite.ledger.add(image.get("id"))
    v.check("HDR-4", image.get("name") == name,
            f"JSON name is {image.get('name')!r}, sent {name!r}")
    v.check("HDR-4", (image.get("properties") or {}).get("note") == value,
            f"JSON property note is {(image.get('properties') or {}).get('note')!r}, "
            f"sent {value!r}")
    core, props, _ = expect.meta_headers(head(api, v, image["id"]))
    v.check("HDR-4", core.get("name") == name,
            f"x-image-meta-name comes back as {core.get('name')!r}, sent {name!r}")
    v.check("HDR-4", props.get("note") == value,
            f"x-image-meta-property-note comes back as {props.get('note')!r}, sent {value!r}")


@clause("HDR-5")
def test_header_names_case_and_dash(api, v, suite):
    """Names are case-insensitive, - equals _, property keys are lower-cased with - → _."""
    image, _ = suite.create(v, "names", headers=[
        ("X-Image-Meta-Disk-Format", "qcow2"), ("X-IMAGE-META-CONTAINER_FORMAT", "ovf"),
        ("X-Image-Meta-Property-My-Key", "v1"), ("x-image-meta-property-UPPER_case", "v2")])
    v.check("HDR-5", image.get("disk_format") == "qcow2",
            f"X-Image-Meta-Disk-Format: qcow2 gave disk_format {image.get('disk_format')!r}")
    v.check("HDR-5", image.get("container_format") == "ovf",
            f"X-IMAGE-META-CONTAINER_FORMAT: ovf gave {image.get('container_format')!r}")
    props = image.get("properties") or {}
    v.check("HDR-5", props.get("my_key") == "v1" and props.get("upper_case") == "v2",
            f"property keys must be lower-cased with - → _: got {props}")


@clause("HDR-6")
@pytest.mark.parametrize("spelling", ["true", "TRUE", "tRuE", "false", "FALSE", "False"])
def test_boolean_spellings(api, v, suite, spelling):
    """is_public accepts true/false in any case."""
    want = spelling.lower() == "true"
    if want and suite.can_publish is False:
        pytest.skip("publishing is restricted to admins for this caller (403)")
    res = api.post("/images", headers=[("x-image-meta-name", suite.name("bool")),
                                       suite.run_header, ("x-image-meta-is_public", spelling)])
    if want and res.status_int == 403 and not suite.is_admin:
        suite.can_publish = False
        pytest.skip("publishing is restricted to admins for this caller (403)")
    expect.require_status(v, "HDR-6", res, 201, f"POST with x-image-meta-is_public: {spelling}")
    image = expect.image_of(v, "HDR-6", res, "POST")
    suite.ledger.add(image.get("id"))
    v.check("HDR-6", image.get("is_public") is want,
            f"is_public: {spelling} gave {image.get('is_public')!r}")


BAD_VALUES = [("x-image-meta-is_public", "yes"), ("x-image-meta-is_public", "1"),
              ("x-image-meta-id", "abc"), ("x-image-meta-id", "-5"),
              ("x-image-meta-id", "1.5")]


@clause("HDR-6", "API-POST-12", "ERR-1")
@pytest.mark.parametrize("name,value", BAD_VALUES, ids=[f"{n[13:]}={x}" for n, x in BAD_VALUES])
def test_bad_typed_values(api, v, suite, name, value):
    """A malformed boolean or integer header answers 400 and creates nothing."""
    label = suite.name("badval")
    res = api.post("/images", headers=[("x-image-meta-name", label), suite.run_header,
                                       (name, value)])
    if expect.error(v, "HDR-6", res, 400, f"POST with {name}: {value}"):
        left = suite.find(api, name=label)
        for image in left:
            suite.ledger.add(image.get("id"))
        v.check("API-POST-12", not left, f"the refused POST left records {ids_of(left)}")
    elif res.status_int == 201:
        suite.ledger.add(res.json.get("image", {}).get("id"))


def ids_of(images):
    return [i.get("id") for i in images]


@clause("HDR-6")
@pytest.mark.parametrize("value", ["abc", "-3", "1e3"])
def test_bad_size_with_data(api, v, suite, value):
    """x-image-meta-size that is not a decimal integer ≥ 0 answers 400."""
    label = suite.name("badsize")
    res = api.post("/images", headers=[("x-image-meta-name", label),
                                       suite.run_header, ("x-image-meta-size", value)],
                   body=b"abc", content_type=expect.OCTETS)
    expect.error(v, "HDR-6", res, 400, f"POST with x-image-meta-size: {value}")
    for image in suite.find(api, name=label):
        suite.ledger.add(image.get("id"))


@clause("HDR-7")
def test_empty_values(api, v, suite):
    """An empty header means null (name), not given (is_public, size); '' for properties."""
    res = api.post("/images", headers=[("x-image-meta-name", ""), suite.run_header,
                                       ("x-image-meta-is_public", ""),
                                       ("x-image-meta-disk_format", ""),
                                       ("x-image-meta-property-empty", "")])
    expect.require_status(v, "HDR-7", res, 201, "POST with empty header values")
    image = expect.image_of(v, "HDR-7", res, "POST")
    suite.ledger.add(image.get("id"))
    v.check("HDR-7", image.get("name") is None, f"empty name gave {image.get('name')!r}, not null")
    v.check("HDR-7", image.get("disk_format") is None,
            f"empty disk_format gave {image.get('disk_format')!r}, not null")
    v.check("HDR-7", image.get("is_public") is False,
            f"empty is_public (not given) gave {image.get('is_public')!r}, not the default false")
    v.check("HDR-7", (image.get("properties") or {}).get("empty") == "",
            f"an empty property must be kept as '': got {image.get('properties')}")
    sized = api.post("/images", headers=[("x-image-meta-name", suite.name("emptysize")),
                                         suite.run_header, ("x-image-meta-size", "")],
                     body=b"12345", content_type=expect.OCTETS)
    expect.require_status(v, "HDR-7", sized, 201, "POST with an empty size and 5 bytes")
    image = expect.image_of(v, "HDR-7", sized, "POST")
    suite.ledger.add(image.get("id"))
    v.check("HDR-7", image.get("size") == 5 and image.get("status") == "active",
            f"an empty size is 'not given': expected active, size 5, got "
            f"{image.get('status')!r}, {image.get('size')!r}")


@clause("HDR-9")
def test_whitespace_stripped(api, v, suite):
    """Leading and trailing whitespace of header values is stripped."""
    image, _ = suite.create(v, "ws", headers=[("x-image-meta-disk_format", "  raw  "),
                                              ("x-image-meta-property-pad", "  padded  ")])
    v.check("HDR-9", image.get("disk_format") == "raw",
            f"'  raw  ' gave disk_format {image.get('disk_format')!r}")
    v.check("HDR-9", (image.get("properties") or {}).get("pad") == "padded",
            f"'  padded  ' gave property {(image.get('properties') or {}).get('pad')!r}")


@clause("HDR-8", "HDR-2")
def test_random_properties_round_trip(api, v, suite):
    """Headers → record → headers: arbitrary property keys and values come back unchanged."""
    rng = random.Random(suite.prefix)
    key_chars = "abcdefghijklmnopqrstuvwxyz0123456789_."  # no ":" in a header name
    value_chars = "abcXYZ 0123456789-_.:/=+,;!@#$%^&*()[]{}<>?|~'\"éüñ€日本"
    props = {}
    for n in range(8):
        key = "k" + "".join(rng.choice(key_chars) for _ in range(rng.randint(1, 20))) + str(n)
        value = "".join(rng.choice(value_chars) for _ in range(rng.randint(1, 40))).strip()
        props[key] = value
    image, _ = suite.create(v, "rt", headers=[(f"x-image-meta-property-{k}", wire(x))
                                              for k, x in props.items()])
    got = image.get("properties") or {}
    for k, x in props.items():
        v.check("HDR-8", got.get(k) == x, f"property {k!r}: sent {x!r}, record has {got.get(k)!r}")
    _, headers, _ = expect.meta_headers(head(api, v, image["id"]))
    for k, x in props.items():
        v.check("HDR-8", headers.get(k) == x,
                f"x-image-meta-property-{k}: sent {x!r}, HEAD gives {headers.get(k)!r}")
