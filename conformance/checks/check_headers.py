"""The `x-image-meta-*` headers: names, value spellings, parsing and round trips (§3)."""

import random
import uuid

import pytest

from conformance import clauses, expect
from conformance.context import V1
from conformance.expect import wire

clause = pytest.mark.clause
writes = pytest.mark.writes
pytestmark = writes


def head(api, v, image_id, cid="API-HEAD-1", prefix=V1):
    res = api.head(f"{prefix}/images/{image_id}")
    expect.require_status(v, cid, res, 200, f"HEAD {prefix}/images/{image_id}")
    return res


@clause("HDR-1", "HDR-2", "HDR-3", "HDR-8", "HDR-10", "API-HEAD-1", "API-HEAD-4", "IMG-15")
def test_head_carries_every_field(api, v, suite):
    """HEAD sends every non-null core field as x-image-meta-<field> and every property."""
    res = api.post(f"{V1}/images", headers=[
        ("x-image-meta-name", suite.name("head")), suite.run_header,
        ("x-image-meta-disk_format", "raw"), ("x-image-meta-container_format", "bare"),
        ("x-image-meta-min_disk", "2"), ("x-image-meta-property-distro", "debian"),
        ("x-image-meta-property-version", "12")])
    expect.require_status(v, "API-POST-1", res, 201, f"POST {V1}/images")
    image = expect.image_of(v, "API-POST-1", res, "POST")
    suite.ledger.add(image.get("id"))
    got = head(api, v, image["id"])
    v.check("API-HEAD-1", got.body == b"", f"HEAD answered with a body: {got.body[:80]!r}")
    expect.metadata_headers(v, got, image, suite, f"HEAD {V1}/images/{image['id']}")
    v.check("API-HEAD-4", "uri" in image and expect.header(got, "Location") == image.get("uri"),
            f"Location {expect.header(got, 'Location')!r} is not the uri {image.get('uri')!r}")
    v.check("API-HEAD-2", expect.header(got, "ETag") is None,
            f"a queued image (checksum null) has ETag {expect.header(got, 'ETag')!r}")


@clause("HDR-1", "HDR-3", "IMG-16")
def test_value_spellings(api, v, suite):
    """Null fields are left out, booleans True/False, integers decimal; the defaults."""
    image, _ = suite.create(v, "spell")
    core, _ = expect.meta_headers(head(api, v, image["id"]))[:2]
    for field, want in (("is_public", "False"), ("deleted", "False"), ("size", "0"),
                        ("protected", "False"), ("min_disk", "0"), ("min_ram", "0"),
                        ("checksum", None), ("deleted_at", None), ("virtual_size", None),
                        ("id", str(image["id"]))):
        clause = "HDR-1" if want is None else "HDR-3"
        v.check(clause, core.get(field) == want,
                f"x-image-meta-{field} is {core.get(field)!r}, expected "
                f"{'no header' if want is None else repr(want)}")
    for field, want in (("protected", False), ("min_disk", 0), ("min_ram", 0),
                        ("deleted", False), ("deleted_at", None), ("virtual_size", None)):
        v.check("IMG-16", image.get(field, "absent") == want,
                f"a new image's {field} is {image.get(field, 'absent')!r}, not {want!r}")
    if suite.can_publish is not False:
        pub, _ = suite.create(v, "spell-pub", public=True)
        if suite.can_publish:
            core, _ = expect.meta_headers(head(api, v, pub["id"]))[:2]
            v.check("HDR-3", core.get("is_public") == "True",
                    f"x-image-meta-is_public of a public image is {core.get('is_public')!r}")


@clause("HDR-4", "HDR-16")
def test_non_ascii_round_trip(api, v, suite):
    """Non-ASCII text travels as UTF-8 bytes and comes back unchanged."""
    name = suite.name("ünïcødé-Ωμέγα-日本語")
    value = "café ☕ naïve"
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", wire(name)),
                                            suite.run_header,
                                            ("x-image-meta-property-note", wire(value))])
    expect.require_status(v, "API-POST-1", res, 201, "POST with UTF-8 name")
    image = expect.image_of(v, "API-POST-1", res, "POST")
    suite.ledger.add(image.get("id"))
    v.check("HDR-16", image.get("name") == name,
            f"JSON name is {image.get('name')!r}, sent {name!r}")
    v.check("HDR-16", (image.get("properties") or {}).get("note") == value,
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
@pytest.mark.parametrize("field", ["is_public", "protected"])
@pytest.mark.parametrize("spelling", ["true", "TRUE", "tRuE", "false", "FALSE", "False"])
def test_boolean_spellings(api, v, suite, field, spelling):
    """is_public and protected accept true/false in any case."""
    want = spelling.lower() == "true"
    if field == "is_public" and want and suite.can_publish is False:
        pytest.skip("publishing is restricted to admins for this caller (403)")
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("bool")),
                                            suite.run_header, (f"x-image-meta-{field}",
                                                               spelling)])
    if field == "is_public" and want and res.status_int == 403 and not suite.is_admin:
        suite.can_publish = False
        pytest.skip("publishing is restricted to admins for this caller (403)")
    expect.require_status(v, "HDR-6", res, 201, f"POST with x-image-meta-{field}: {spelling}")
    image = expect.image_of(v, "HDR-6", res, "POST")
    suite.ledger.add(image.get("id"))
    v.check("HDR-6", image.get(field) is want,
            f"{field}: {spelling} gave {image.get(field)!r}")


@clause("HDR-6", "HDR-17")
@pytest.mark.parametrize("spelling", ["None", "none", ""])
def test_none_means_not_given(api, v, suite, spelling):
    """`None` (any case) and empty booleans are "not given" (glanceclient sends None)."""
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("none")),
                                            suite.run_header,
                                            ("x-image-meta-is_public", spelling),
                                            ("x-image-meta-protected", spelling)])
    expect.require_status(v, "HDR-6", res, 201,
                          f"POST with x-image-meta-is_public/protected: {spelling!r}")
    image = expect.image_of(v, "HDR-6", res, "POST")
    suite.ledger.add(image.get("id"))
    v.check("HDR-6", image.get("is_public") is False and image.get("protected") is False,
            f"{spelling!r} must mean not given (defaults false), got is_public "
            f"{image.get('is_public')!r}, protected {image.get('protected')!r}")
    got = api.put(f"{V1}/images/{image['id']}", headers=[
        ("x-image-meta-protected", "True"), ("x-glance-registry-purge-props", "false")])
    expect.require_status(v, "API-PUT-12", got, 200, "PUT protected True")
    res = api.put(f"{V1}/images/{image['id']}", headers=[
        ("x-image-meta-protected", spelling), ("x-glance-registry-purge-props", "false")])
    expect.require_status(v, "HDR-17", res, 200,
                          f"PUT with x-image-meta-protected: {spelling!r}")
    v.check("HDR-17", expect.image_of(v, "HDR-17", res, "PUT").get("protected") is True,
            f"PUT protected {spelling!r} must leave protected true (not given)")


BAD_IDS = ["abc", "-5", "1.5", "123", str(uuid.uuid4()).upper().replace("-", "")[:31]]


@clause("HDR-6", "API-POST-11", "API-POST-12", "ERR-1")
@pytest.mark.parametrize("value", BAD_IDS, ids=["abc", "negative", "decimal-point",
                                                "integer", "not-uuid-hex"])
def test_bad_ids(api, v, suite, value):
    """An x-image-meta-id that is not a UUID answers 400 and creates nothing."""
    refused(api, v, suite, "HDR-6", "x-image-meta-id", value)


@clause("HDR-11", "API-POST-12")
@pytest.mark.parametrize("field", ["is_public", "protected"])
@pytest.mark.parametrize("value", ["yes", "1", "ture"])
def test_bad_booleans(api, v, suite, field, value):
    """A boolean header other than true/false/None/empty answers 400 naming the field."""
    refused(api, v, suite, "HDR-11", f"x-image-meta-{field}", value, names=field)


def refused(api, v, suite, cid, name, value, names=None, body=None):
    """POST with one bad header: judge the 400, then that no record was left."""
    label = suite.name("badval")
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", label), suite.run_header,
                                            (name, value)],
                   body=body, content_type=expect.OCTETS if body is not None else None)
    ok = expect.error(v, cid, res, 400, f"POST with {name}: {value}", names=names)
    left = suite.find(api, name=label)
    for image in left:
        suite.ledger.add(image.get("id"))
    if ok:
        v.check("API-POST-12" if clauses.get(cid).is_must else cid, not left,
                f"the refused POST left records {ids_of(left)}")
    return res


def ids_of(images):
    return [i.get("id") for i in images]


@clause("HDR-6")
@pytest.mark.parametrize("value", ["abc", "-3", "1e3"])
def test_bad_size_with_data(api, v, suite, value):
    """x-image-meta-size that is not a decimal integer ≥ 0 answers 400."""
    refused(api, v, suite, "HDR-6", "x-image-meta-size", value, body=b"abc")


@clause("HDR-14", "API-POST-12")
@pytest.mark.parametrize("field", ["min_disk", "min_ram"])
@pytest.mark.parametrize("value", ["-1", str(2 ** 31), "abc"])
def test_min_values(api, v, suite, field, value):
    """min_disk/min_ram outside 0…2^31−1 or not decimal answer 400."""
    names = f"'{field}' value out of range" if value == str(2 ** 31) else None
    refused(api, v, suite, "HDR-14", f"x-image-meta-{field}", value, names=names)


@clause("HDR-14", "API-PUT-12")
def test_min_values_accepted(api, v, suite):
    """min_disk and min_ram up to 2^31−1 are stored and shown."""
    top = str(2 ** 31 - 1)
    image, _ = suite.create(v, "mins", headers=[("x-image-meta-min_disk", top),
                                                ("x-image-meta-min_ram", "512")],
                            clause="HDR-14")
    v.check("HDR-14", image.get("min_disk") == 2 ** 31 - 1 and image.get("min_ram") == 512,
            f"min_disk {top}, min_ram 512 gave {image.get('min_disk')!r}, "
            f"{image.get('min_ram')!r}")
    core, _, _ = expect.meta_headers(head(api, v, image["id"]))
    v.check("HDR-14", core.get("min_disk") == top and core.get("min_ram") == "512",
            f"headers give min_disk {core.get('min_disk')!r}, min_ram {core.get('min_ram')!r}")


@clause("HDR-12", "API-POST-12")
def test_checksum_too_long(api, v, suite):
    """A checksum over 32 characters answers 400 "Invalid checksum …: can't exceed 32 …"."""
    value = "a" * 42
    refused(api, v, suite, "HDR-12", "x-image-meta-checksum", value, body=b"data",
            names=f"Invalid checksum '{value}': can't exceed 32 characters")


@clause("HDR-13", "API-POST-12")
def test_checksum_not_hex(api, v, suite):
    """A non-hexadecimal checksum answers 400 "… is not hexadecimal"."""
    refused(api, v, suite, "HDR-13", "x-image-meta-checksum", "z" * 32, body=b"data",
            names="is not hexadecimal")


@clause("HDR-15", "VAL-1", "API-POST-12")
@pytest.mark.parametrize("field,text", [("disk_format", "Invalid disk format"),
                                        ("container_format", "Invalid container format")])
def test_unknown_format_texts(api, v, suite, field, text):
    """An unknown format answers 400 with Glance's text."""
    refused(api, v, suite, "HDR-15", f"x-image-meta-{field}", "floppy9",
            names=f"{text} 'floppy9'")


@clause("HDR-7", "HDR-18")
def test_empty_values(api, v, suite):
    """Empty is_public and protected are "not given"; '' properties are kept (ext.)."""
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("empty")),
                                            suite.run_header,
                                            ("x-image-meta-is_public", ""),
                                            ("x-image-meta-protected", ""),
                                            ("x-image-meta-property-empty", "")])
    expect.require_status(v, "HDR-7", res, 201, "POST with empty header values")
    image = expect.image_of(v, "HDR-7", res, "POST")
    suite.ledger.add(image.get("id"))
    v.check("HDR-7", image.get("is_public") is False and image.get("protected") is False,
            f"empty values (not given) gave is_public {image.get('is_public')!r}, protected "
            f"{image.get('protected')!r}")
    v.check("HDR-18", (image.get("properties") or {}).get("empty") == "",
            f"an empty property must be kept as '': got {image.get('properties')}")


@clause("HDR-18")
def test_empty_integers(api, v, suite):
    """Empty size, min_disk and min_ram are "not given"."""
    res = api.post(V1 + "/images", headers=[("x-image-meta-name", suite.name("emptysize")),
                                            suite.run_header, ("x-image-meta-size", ""),
                                            ("x-image-meta-min_disk", ""),
                                            ("x-image-meta-min_ram", ""),
                                            ("x-image-meta-disk_format", "raw"),
                                            ("x-image-meta-container_format", "bare")],
                   body=b"12345", content_type=expect.OCTETS)
    if res.status_int == 201:
        suite.ledger.add(res.json["image"].get("id"))
    expect.require_status(v, "HDR-18", res, 201, "POST with empty integers and 5 bytes")
    image = expect.image_of(v, "HDR-18", res, "POST")
    v.check("HDR-18", image.get("size") == 5 and image.get("status") == "active"
            and image.get("min_disk") == 0 and image.get("min_ram") == 0,
            f"empty integers are 'not given': expected active, size 5, min_* 0, got "
            f"{image.get('status')!r}, {image.get('size')!r}, {image.get('min_disk')!r}, "
            f"{image.get('min_ram')!r}")


@clause("HDR-9")
def test_whitespace_stripped(api, v, suite):
    """Leading and trailing whitespace of header values is stripped."""
    image, _ = suite.create(v, "ws", headers=[("x-image-meta-disk_format", "  raw  "),
                                              ("x-image-meta-property-pad", "  padded  ")])
    v.check("HDR-9", image.get("disk_format") == "raw",
            f"'  raw  ' gave disk_format {image.get('disk_format')!r}")
    v.check("HDR-9", (image.get("properties") or {}).get("pad") == "padded",
            f"'  padded  ' gave property {(image.get('properties') or {}).get('pad')!r}")


@clause("HDR-8", "HDR-2", "HDR-16")
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
        v.check("HDR-8" if x.isascii() or k not in got else "HDR-16",
                got.get(k) == x, f"property {k!r}: sent {x!r}, record has {got.get(k)!r}")
    _, headers, _ = expect.meta_headers(head(api, v, image["id"]))
    for k, x in props.items():
        v.check("HDR-8", headers.get(k) == x,
                f"x-image-meta-property-{k}: sent {x!r}, HEAD gives {headers.get(k)!r}")
