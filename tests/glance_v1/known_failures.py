"""Ported Glance v1 tests our own servers are expected to fail, and why.

Applied by conftest.py as `xfail(strict=True)` to our own target only (never
to another target such as the real Glance): a listed test that starts
passing fails loudly and must be removed from its list.

KNOWN_FAILURES is the to-do list of contract revision 2: each reason names
what the contract requires and our servers do not do yet (every cause a test
meets, in the order it meets them, not only the first).  It is empty: our
servers pass every ported test but the deliberate ones.  DELIBERATE lists
the upstream assertions the contract departs from on purpose; those stay
failing by design.
"""

KNOWN_FAILURES = {}

DELIBERATE = {
    "test_get_images_path":
        "deliberate, contract §2: unversioned paths are served as v1 (founding "
        "docs); Glance answered GET /images with 300",
    "test_get_images_path_with_openstack_header":
        "deliberate, contract §2: on an unversioned path any Accept other than "
        "images-vN routes to v1; Glance answered Accept compute-v1 with 300",
}

EXPECTED_TO_FAIL = {**KNOWN_FAILURES, **DELIBERATE}
