"""No sequence of requests by one tenant reveals another tenant's private image.

Hypothesis drives tenant B through random requests (lists with random
filters and sort keys, HEAD/GET/PUT/DELETE on random ids, markers, creates)
against a deployment holding tenant A's private image with a distinctive
name, size, property and data.  Nothing B sees may contain any of them, and
A's image must be unchanged afterwards.
"""

import hashlib
import uuid

from hypothesis import HealthCheck, given, settings, strategies as st

SECRET_NAME = "zz-secret-name-4711"
SECRET_DATA = b"top-secret-data-" * 37          # 592 bytes: a distinctive size
SECRET_PROPERTY = "classified-value-9"

list_params = st.fixed_dictionaries({}, optional={
    "name": st.sampled_from([SECRET_NAME, "x", ""]),
    "size_min": st.sampled_from(["0", "592", "593"]),
    "size_max": st.sampled_from(["592", "591", "100000"]),
    "sort_key": st.sampled_from(["name", "size", "id", "created_at", "owner", "checksum"]),
    "sort_dir": st.sampled_from(["asc", "desc"]),
    "is_public": st.sampled_from(["true", "false", "none"]),
    "property-tag": st.sampled_from([SECRET_PROPERTY, "other"]),
    "status": st.sampled_from(["active", "queued"]),
})

requests = st.one_of(
    st.tuples(st.just("list"), st.sampled_from(["/images", "/images/detail"]), list_params,
              st.integers(0, 6)),
    st.tuples(st.sampled_from(["HEAD", "GET", "PUT", "DELETE"]), st.integers(1, 6)),
    st.tuples(st.just("POST"), st.sampled_from(["pub", "priv"])),
)


def neighbour(image_id, offset):
    """The secret id itself (offset 0), or another id: ids are random UUIDs,
    so a neighbour is any other one."""
    return image_id if offset == 0 else str(uuid.UUID(int=(uuid.UUID(image_id).int + offset)
                                                      % (1 << 128)))


def leaks(res):
    body = res.body
    texts = [SECRET_NAME.encode(), SECRET_PROPERTY.encode(), SECRET_DATA[:16],
             hashlib.md5(SECRET_DATA).hexdigest().encode()]
    headers = " ".join(f"{k}:{v}" for k, v in res.headerlist).encode("latin-1", "replace")
    return (any(text in body or text in headers for text in texts)
            or b"x-image-meta-size:592" in headers.lower() or b"\"size\":592" in body)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(requests, min_size=1, max_size=12))
def test_tenant_b_learns_nothing_about_tenant_a(token_deployment, steps):
    dep = token_deployment
    res = dep.request("owner", "POST", "/images", body=SECRET_DATA, headers={
        "Content-Type": "application/octet-stream", "x-image-meta-name": SECRET_NAME,
        "x-image-meta-property-tag": SECRET_PROPERTY})
    assert res.status_int == 201
    secret = res.json["image"]
    try:
        for step in steps:
            if step[0] == "list":
                _, path, params, marker_offset = step
                if marker_offset:
                    params = dict(params, marker=neighbour(secret["id"], marker_offset - 3))
                res = dep.request("other", "GET", path, params=params)
                if res.status_int == 200:
                    assert secret["id"] not in [e["id"] for e in res.json["images"]]
            elif step[0] == "POST":
                res = dep.request("other", "POST", "/images", headers={
                    "x-image-meta-name": step[1]})
            else:
                method, offset = step
                target = secret["id"] if offset == 1 else neighbour(secret["id"], offset)
                res = dep.request("other", method, f"/images/{target}",
                                  headers={"x-image-meta-name": "hijack"})
                if target == secret["id"]:
                    assert res.status_int == 404
            assert not leaks(res), (step, res.status, res.body[:200])
            assert res.status_int < 500
        after = dep.request("owner", "GET", f"/images/{secret['id']}")
        assert after.status_int == 200 and after.body == SECRET_DATA
        assert after.headers["x-image-meta-name"] == SECRET_NAME
    finally:
        dep.request("admin", "DELETE", f"/images/{secret['id']}")
