"""Images API v2 deactivate and reactivate (§4): admins only, from `active`/`deactivated`.

The caller must be an admin (capability `admin`); what a non-admin meets
needs a second tenant.  Images are made active by `PUT …/file`, never by an
import: a background import still writing its record can make the next
change of the image fail on a server with a single-writer database.
"""

import pytest

from conformance import expect

clause = pytest.mark.clause
pytestmark = pytest.mark.writes
DATA = b"deactivate me\n"


@pytest.fixture
def admin(suite):
    if suite.is_admin is not True:
        suite.capabilities.need("admin")


@pytest.fixture
def alt(suite):
    """The second tenant's client: a token of another tenant (none without token auth)."""
    suite.capabilities.need("auth")
    suite.capabilities.need("second-tenant")
    return suite.alt


def action(v2, iid, name, client=None):
    return v2.client(client).post(v2.path(iid, f"/actions/{name}"))


@clause("V2-ACT-1")
def test_deactivate_and_reactivate(api, v, v2, admin):
    """deactivate → 204 deactivated (again 204); reactivate → 204 active (again 204);
    the admin still downloads a deactivated image."""
    img = v2.active(v, "deactivate", DATA)
    for name, status in (("deactivate", "deactivated"), ("reactivate", "active")):
        for n in (1, 2):
            res = action(v2, img["id"], name)
            v.check("V2-ACT-1", res.status_int == 204,
                    f"{name} (#{n}) answered {res.status}, not 204")
            now = v2.read(img["id"]) or {}
            v.check("V2-ACT-1", now.get("status") == status,
                    f"after {name} (#{n}) the image is {now.get('status')!r}, not {status}")
        if name == "deactivate":
            res = api.get(v2.path(img["id"], "/file"))
            v.check("V2-ACT-3", res.status_int == 200 and res.body == DATA,
                    f"an admin's GET …/file of a deactivated image answered {res.status}")


@clause("V2-ACT-2")
@pytest.mark.parametrize("name", ["deactivate", "reactivate"])
def test_action_on_queued_image(api, v, v2, admin, name):
    """From queued: 400 (the contract) or 403 (Glance 33), and nothing changes."""
    img, _ = v2.create(v, "queued-action", formats=True)
    res = action(v2, img["id"], name)
    expect.error(v, "V2-ACT-2", res, (400, 403), f"{name} of a queued image")
    v.check("V2-ACT-2", (v2.read(img["id"]) or {}).get("status") == "queued",
            f"{name} of a queued image changed its status")


@clause("V2-ACT-3", "V2-ACT-4", "ERR-1", "ERR-2", "ERR-3")
def test_non_admin_and_deactivated_images(api, v, v2, suite, admin, alt):
    """Another tenant who sees the image: 403 on the actions and on a deactivated image's data."""
    img = v2.public(v, "deactivated-public")
    if img is None:
        img = v2.active(v, "deactivated-shared", DATA)
        res = api.post(v2.path(img["id"], "/members"), json_body={"member": v2.tenant(alt)})
        expect.require_status(v, "V2-ACT-3", res, 200, "POST members (to show it to alt)")
    else:
        expect.require_status(v, "V2-ACT-3", v2.upload(img["id"], DATA), 204, "PUT …/file")
    v.require("V2-ACT-3", alt.get(v2.path(img["id"])).status_int == 200,
              "the second tenant cannot see the image it should be refused")
    for name in ("deactivate", "reactivate"):
        expect.error(v, "V2-ACT-4", action(v2, img["id"], name, alt), 403,
                     f"another tenant's {name}")
    expect.require_status(v, "V2-ACT-1", action(v2, img["id"], "deactivate"), 204,
                          "the admin's deactivate")
    expect.error(v, "V2-ACT-3", alt.get(v2.path(img["id"], "/file")), 403,
                 "a non-admin's GET …/file of a deactivated image")
    expect.require_status(v, "V2-ACT-1", action(v2, img["id"], "reactivate"), 204,
                          "the admin's reactivate")


@clause("V2-ACT-5")
def test_owner_is_not_admin(api, v, v2, alt):
    """A non-admin owner's deactivate of its own image answers 403."""
    img = v2.active(v, "owner-deactivate", DATA, client=alt)
    res = action(v2, img["id"], "deactivate", alt)
    if res.status_int == 204:
        action(v2, img["id"], "reactivate", alt)
    v.check("V2-ACT-5", res.status_int == 403,
            f"a non-admin owner's deactivate answered {res.status}, not 403")
