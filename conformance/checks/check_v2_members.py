"""Images API v2 members: adding, reading and removing them, their status, who may do what (§4).

The routes and their refusals are judged with made-up member ids; what a
member itself sees and may do needs a second tenant (--alt-auth-token, a
non-admin).
"""

import pytest

from conformance import expect, expect_v2

clause = pytest.mark.clause
pytestmark = pytest.mark.writes


@pytest.fixture
def alt(suite):
    """The second tenant's client: a token of another tenant (none without token auth)."""
    suite.capabilities.need("auth")
    suite.capabilities.need("second-tenant")
    return suite.alt


def members_path(v2, iid, member=None):
    return v2.path(iid, "/members" + (f"/{member}" if member is not None else ""))


def add(api, v, v2, iid, member, clause_="V2-MEM-1"):
    res = api.post(members_path(v2, iid), json_body={"member": member})
    expect.require_status(v, clause_, res, 200, f"POST {members_path(v2, iid)}")
    return expect_v2.member(v, expect_v2.json_of(v, clause_, res, "POST members"), v2,
                            "POST members")


def listed_members(api, v, v2, iid, what, clause_="V2-MEM-1"):
    res = api.get(members_path(v2, iid))
    expect.require_status(v, clause_, res, 200, what)
    doc = expect_v2.json_of(v, clause_, res, what)
    v.require(clause_, isinstance(doc, dict) and isinstance(doc.get("members"), list),
              f"{what}: not {{\"members\": [...]}}: {str(doc)[:200]}")
    v.check(clause_, doc.get("schema") == "/v2/schemas/members",
            f"{what}: schema is {doc.get('schema')!r}, not '/v2/schemas/members'")
    return [expect_v2.member(v, m, v2, what) for m in doc["members"]]


@clause("V2-MEM-1", "V2-MEM-3", "V2-MEM-5", "V2-SCH-7", "ERR-1", "ERR-2", "ERR-3")
def test_member_lifecycle(api, v, v2, suite):
    """Add (pending), list, read, add again (409), bad bodies (400), remove (204), 404s."""
    img, _ = v2.create(v, "members")
    tenant = f"{suite.prefix}-tenant"
    m = add(api, v, v2, img["id"], tenant)
    v.check("V2-MEM-1", m.get("member_id") == tenant and m.get("image_id") == img["id"]
            and m.get("status") == "pending", f"the new member is {m!r}")
    got = listed_members(api, v, v2, img["id"], "GET members")
    v.check("V2-MEM-1", [x.get("member_id") for x in got] == [tenant],
            f"the member list is {[x.get('member_id') for x in got]}")
    res = api.get(members_path(v2, img["id"], tenant))
    expect.require_status(v, "V2-MEM-1", res, 200, "GET the member")
    one = expect_v2.member(v, expect_v2.json_of(v, "V2-MEM-1", res, "GET member"), v2,
                           "GET member")
    v.check("V2-MEM-1", one.get("member_id") == tenant, f"GET the member answered {one!r}")
    expect.error(v, "V2-MEM-3", api.post(members_path(v2, img["id"]),
                                         json_body={"member": tenant}), 409,
                 "POST the same member again")
    for body in ({}, {"member": ""}, {"members": tenant}):
        expect.error(v, "V2-MEM-3", api.post(members_path(v2, img["id"]), json_body=body),
                     400, f"POST members {body}")
    stranger = f"{suite.prefix}-stranger"
    expect.error(v, "V2-MEM-5", api.get(members_path(v2, img["id"], stranger)), 404,
                 "GET a tenant that is not a member")
    expect.error(v, "V2-MEM-5", api.delete(members_path(v2, img["id"], stranger)), 404,
                 "DELETE a tenant that is not a member")
    res = api.delete(members_path(v2, img["id"], tenant))
    v.check("V2-MEM-5", res.status_int == 204, f"DELETE the member answered {res.status}")
    expect.error(v, "V2-MEM-5", api.get(members_path(v2, img["id"], tenant)), 404,
                 "GET the removed member")


@clause("V2-MEM-2", "ERR-1", "ERR-2", "ERR-3")
def test_members_only_on_shared_images(api, v, v2, suite):
    """A private (and a public) image has no members: POST and GET answer 403."""
    images = [v2.create(v, "private", {"visibility": "private"})[0]]
    public = v2.public(v, "public")
    if public is not None:
        images.append(public)
    for img in images:
        what = f"a {img.get('visibility')} image"
        expect.error(v, "V2-MEM-2", api.post(members_path(v2, img["id"]), json_body={
            "member": f"{suite.prefix}-x"}), 403, f"POST members of {what}")
        expect.error(v, "V2-MEM-2", api.get(members_path(v2, img["id"])), 403,
                     f"GET members of {what}")


@clause("V2-MEM-4")
def test_member_must_be_a_string(api, v, v2):
    """A member that is not a string answers 400."""
    img, _ = v2.create(v, "member-type")
    res = api.post(members_path(v2, img["id"]), json_body={"member": 5})
    v.check("V2-MEM-4", res.status_int == 400,
            f"POST members {{\"member\": 5}} answered {res.status}, not 400")


@clause("V2-MEM-6", "V2-MEM-7", "V2-LIST-3", "ERR-1", "ERR-2", "ERR-3")
def test_what_a_member_sees_and_does(api, v, v2, suite, alt):
    """The member sees the image, lists only itself, sets its status; nothing else."""
    mark = {suite.run_property: suite.tag("v2-member")}
    img, _ = v2.create(v, "shared", mark)
    other = f"{suite.prefix}-other"
    add(api, v, v2, img["id"], other)
    me = v2.tenant(alt)
    add(api, v, v2, img["id"], me)
    res = alt.get(v2.path(img["id"]))
    v.check("V2-MEM-6", res.status_int == 200, f"the pending member's GET answered "
                                               f"{res.status}")
    got = listed_members(alt, v, v2, img["id"], "the member's GET members", "V2-MEM-6")
    v.check("V2-MEM-6", [m.get("member_id") for m in got] == [me],
            f"the member lists {[m.get('member_id') for m in got]}, not only itself")

    def alt_lists(**query):
        res = alt.get("/v2/images", query={**mark, **query})
        return [i.get("id") for i in expect_v2.listing(v, res, f"the member's list {query}",
                                                       v2)["images"]]
    v.check("V2-MEM-7", img["id"] not in alt_lists(), "the default list shows a pending share")
    v.check("V2-MEM-7", img["id"] in alt_lists(member_status="pending"),
            "member_status=pending does not show a pending share")
    v.check("V2-LIST-3", img["id"] in alt_lists(member_status="all"),
            "member_status=all does not show a pending share")
    res = alt.put(members_path(v2, img["id"], me), json_body={"status": "bogus"})
    expect.error(v, "V2-MEM-6", res, 400, "the member's PUT of status bogus")
    res = alt.put(members_path(v2, img["id"], me), json_body={"status": "accepted"})
    expect.require_status(v, "V2-MEM-6", res, 200, "the member's PUT of status accepted")
    m = expect_v2.member(v, expect_v2.json_of(v, "V2-MEM-6", res, "PUT status"), v2,
                         "PUT status", "V2-MEM-6")
    v.check("V2-MEM-6", m.get("status") == "accepted", f"after accepting: {m!r}")
    v.check("V2-MEM-7", img["id"] in alt_lists(), "the default list hides an accepted share")
    v.check("V2-LIST-3", img["id"] not in alt_lists(member_status="rejected"),
            "member_status=rejected shows an accepted share")
    refused = [("PATCH", v2.patch(img["id"], [{"op": "replace", "path": "/name",
                                                "value": "x"}], client=alt)),
               ("DELETE", alt.delete(v2.path(img["id"]))),
               ("POST members", alt.post(members_path(v2, img["id"]),
                                         json_body={"member": f"{suite.prefix}-third"})),
               ("DELETE another member", alt.delete(members_path(v2, img["id"], other)))]
    for what, res in refused:
        expect.error(v, "V2-MEM-6", res, 403, f"the member's {what}")


@clause("V2-MEM-8", "ERR-1", "ERR-2", "ERR-3")
def test_owner_status_and_removal(api, v, v2, suite, alt):
    """A non-admin owner may not set a member's status; a removed member gets 404."""
    img, _ = v2.create(v, "alt-owned", client=alt)
    mine = v2.tenant(api)
    if mine is None:
        pytest.skip("the caller has no tenant: it cannot be made a member")
    add(alt, v, v2, img["id"], mine, "V2-MEM-8")
    res = alt.put(members_path(v2, img["id"], mine), json_body={"status": "accepted"})
    expect.error(v, "V2-MEM-8", res, 403, "the non-admin owner's PUT of a member's status")
    shared, _ = v2.create(v, "removed")
    add(api, v, v2, shared["id"], v2.tenant(alt), "V2-MEM-8")
    v.require("V2-MEM-8", alt.get(v2.path(shared["id"])).status_int == 200,
              "the member cannot see the shared image")
    res = api.delete(members_path(v2, shared["id"], v2.tenant(alt)))
    expect.require_status(v, "V2-MEM-8", res, 204, "DELETE the membership")
    expect.error(v, "V2-MEM-8", alt.get(v2.path(shared["id"])), 404,
                 "the former member's GET")
