"""Images API v2 interoperable import: `PUT …/stage`, `POST …/import` (glance-direct,
web-download) (§4 Import).

Which methods are judged is read from `/v2/info/import`; web-download also
needs a server that reaches the suite's origin (capability
`v2-web-download-origin`: the server on another machine, or a policy that
refuses the origin's address, is a skip with that evidence).
"""

import hashlib
import time

import pytest

from conformance import expect
from conformance.v2 import WAIT

clause = pytest.mark.clause
pytestmark = pytest.mark.writes
STAGED = b"staged image data\n" * 64
WEB = b"web-download image data\n" * 64


def import_(v2, iid, method, client=None, validation_data=None, **extra):
    """`POST …/import`; `validation_data` goes beside `method` in the body, with the
    request's other options (Glance's `stores`, `all_stores`), not among the method's
    own parameters."""
    body = {"method": {"name": method, **extra}}
    if validation_data is not None:
        body["validation_data"] = validation_data
    return v2.client(client).post(v2.path(iid, "/import"), json_body=body)


# Glance 33 marks an image whose import task runs with this property (the image stays
# `queued` through a web-download's first steps).
TASK_MARK = "os_glance_import_task"


def settled(v2, iid, res):
    """`res` as it is, once an import it started (202) has ended: an import the check
    expected refused must not run on behind it, into the checks that follow (Glance 33
    on sqlite then answers their writes with 500 "database is locked")."""
    if res.status_int != 202:
        return res
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        img = v2.read(iid)
        if img is None or (img.get("status") != "importing" and TASK_MARK not in img):
            break
        time.sleep(0.2)
    return res


@pytest.fixture
def glance_direct(v2):
    v2.need_method("glance-direct")


@pytest.fixture
def web_download(v2):
    v2.need_method("web-download")


@clause("V2-IMP-1", "ERR-1", "ERR-2", "ERR-3")
def test_stage(api, v, v2, glance_direct):
    """PUT …/stage: 415 for another type, 204 and uploading, then 409 (not queued)."""
    img, _ = v2.create(v, "stage", formats=True)
    res = v2.upload(img["id"], STAGED, tail="/stage", content_type="text/plain")
    expect.error(v, "V2-IMP-1", res, 415, "PUT …/stage as text/plain")
    res = v2.upload(img["id"], STAGED, tail="/stage")
    expect.require_status(v, "V2-IMP-1", res, 204, "PUT …/stage")
    after = v2.read(img["id"]) or {}
    v.check("V2-IMP-1", after.get("status") == "uploading",
            f"after staging the image is {after.get('status')!r}, not uploading")
    res = v2.upload(img["id"], STAGED, tail="/stage")
    expect.error(v, "V2-IMP-1", res, 409, "PUT …/stage of an uploading image")
    res = api.get(v2.path(img["id"], "/file"))
    v.check("V2-DATA-2", res.status_int == 204, f"GET …/file of an uploading image answered "
                                                f"{res.status}, not 204")


@clause("V2-IMP-2", "V2-IMP-3", "ERR-1", "ERR-2", "ERR-3")
def test_glance_direct(api, v, v2, glance_direct):
    """glance-direct: 409 before staging, 202 after; the image ends active with the data."""
    img, _ = v2.create(v, "direct", formats=True)
    expect.error(v, "V2-IMP-3", import_(v2, img["id"], "glance-direct"), 409,
                 "glance-direct on a queued image")
    expect.error(v, "V2-IMP-3", import_(v2, img["id"], "no-such-method"), 400,
                 "an unknown import method")
    expect.require_status(v, "V2-IMP-1", v2.upload(img["id"], STAGED, tail="/stage"), 204,
                          "PUT …/stage")
    res = import_(v2, img["id"], "glance-direct")
    expect.require_status(v, "V2-IMP-2", res, 202, "POST …/import glance-direct")
    after = v2.wait(img["id"], ("uploading", "importing"))
    v.require("V2-IMP-2", after is not None and after.get("status") == "active",
              f"the import ended {after and after.get('status')!r}, not active")
    v.check("V2-IMP-2", after.get("size") == len(STAGED) and after.get("checksum") ==
            expect.md5(STAGED), f"imported size {after.get('size')!r}, checksum "
                                f"{after.get('checksum')!r}")
    res = api.get(v2.path(img["id"], "/file"))
    v.check("V2-IMP-2", res.status_int == 200 and res.body == STAGED,
            f"GET …/file after the import answered {res.status}, {len(res.body)} bytes")


@clause("V2-IMP-4", "ERR-1", "ERR-2", "ERR-3")
@pytest.mark.parametrize("uri", [None, "ftp://example.com/image", "file:///etc/passwd"],
                         ids=["no-uri", "ftp", "file"])
def test_web_download_refuses_bad_uris(api, v, v2, web_download, uri):
    """web-download without uri or with another scheme answers 400."""
    img, _ = v2.create(v, "web-bad", formats=True)
    extra = {} if uri is None else {"uri": uri}
    expect.error(v, "V2-IMP-4", import_(v2, img["id"], "web-download", **extra), 400,
                 f"web-download with uri {uri!r}")


@clause("V2-IMP-7")
def test_web_download_refuses_metadata_address(api, v, v2, web_download):
    """A URI on a link-local or metadata address answers 400."""
    img, _ = v2.create(v, "web-metadata", formats=True)
    res = settled(v2, img["id"], import_(v2, img["id"], "web-download",
                                         uri="http://169.254.169.254/latest"))
    v.check("V2-IMP-7", res.status_int == 400,
            f"web-download from 169.254.169.254 answered {res.status}, not 400")


@clause("V2-IMP-5", "V2-IMP-3", "ERR-1", "ERR-2", "ERR-3")
def test_web_download(api, v, v2, suite):
    """web-download from the suite's origin: 202, then active with the origin's bytes."""
    origin = v2.web_origin(v)
    url, md5 = origin.add(f"/{suite.prefix}/v2-web", WEB)
    img, _ = v2.create(v, "web", formats=True)
    res = import_(v2, img["id"], "web-download", uri=url)
    expect.require_status(v, "V2-IMP-5", res, 202, "POST …/import web-download")
    after = v2.wait(img["id"], ("queued", "importing"))
    v.require("V2-IMP-5", after is not None and after.get("status") == "active",
              f"the web-download ended {after and after.get('status')!r}, not active")
    v.check("V2-IMP-5", after.get("checksum") == md5 and after.get("size") == len(WEB),
            f"imported size {after.get('size')!r}, checksum {after.get('checksum')!r}")
    expect.error(v, "V2-IMP-3", import_(v2, img["id"], "web-download", uri=url), 409,
                 "web-download on an active image")


@clause("V2-IMP-6")
def test_web_download_validation_data(api, v, v2, suite):
    """validation_data: sha256 matching imports, a mismatch fails, md5 is 400."""
    origin = v2.web_origin(v)
    url, _ = origin.add(f"/{suite.prefix}/v2-web-checked", WEB)
    good = hashlib.sha256(WEB).hexdigest()
    img, _ = v2.create(v, "web-md5", formats=True)
    res = settled(v2, img["id"], import_(
        v2, img["id"], "web-download", uri=url,
        validation_data={"os_hash_algo": "md5", "os_hash_value": expect.md5(WEB)}))
    v.require("V2-IMP-6", res.status_int == 400,
              f"validation_data with md5 answered {res.status}, not 400")
    img, _ = v2.create(v, "web-mismatch", formats=True)
    res = import_(v2, img["id"], "web-download", uri=url,
                  validation_data={"os_hash_algo": "sha256", "os_hash_value": "0" * 64})
    v.require("V2-IMP-6", res.status_int == 202, f"a sha256 validation_data answered "
                                                 f"{res.status}, not 202")
    deadline = time.monotonic() + 30
    while not origin.hits_for(f"/{suite.prefix}/v2-web-checked") and \
            time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    after = v2.wait(img["id"], ("importing",)) or {}
    v.check("V2-IMP-6", after.get("status") == "queued" and after.get("size") in (None, 0),
            f"a mismatching import left the image {after.get('status')!r}, size "
            f"{after.get('size')!r}")
    img, _ = v2.create(v, "web-match", formats=True)
    res = import_(v2, img["id"], "web-download", uri=url,
                  validation_data={"os_hash_algo": "sha256", "os_hash_value": good})
    v.require("V2-IMP-6", res.status_int == 202, f"a matching validation_data answered "
                                                 f"{res.status}")
    after = v2.wait(img["id"], ("queued", "importing")) or {}
    v.check("V2-IMP-6", after.get("status") == "active",
            f"a matching import ended {after.get('status')!r}, not active")
