"""Contract clauses our own servers do not keep yet, and the feature each one waits for.

The suite judges our servers with every extension required (as MUST).  A
clause listed here is expected to fail on them: `test_ours.py` marks its
check `xfail(strict=True)`, so the day the feature lands the clause passes,
the xfail fails loudly, and its line must go.  The same list excuses a
mutant whose clause our server already breaks (`test_mutants.py`): it cannot
be told apart from the server until the feature exists.  Every reason names
the contract section and what is missing.  The list shrinks to nothing as
contract revision 2 lands (issue 13); it never excuses a clause by weakening
it.
"""

MEMBERS = "§2 members routes (/v1/images/<id>/members, /v1/shared-images/<T>) do not exist yet"
REQUEST_ID = "§6 x-openstack-request-id on every answer (we send only X-Request-Id)"

KNOWN_FAILURES = {
    "REQ-1": REQUEST_ID,
    "REQ-2": "§6 x-openstack-request-id on the versions document (we send none)",
    "HDR-14": "§3 a min_disk/min_ram out of range must be refused with Glance's text",
    "API-DEL-4": "§2 a protected image: DELETE → 403 \"Image is protected\"",
    "IMG-15": "§2 status_reason is missing from the v1 image",
    "HDR-15": "§3 Glance's text \"Invalid disk format '<x>'\" (we say \"Invalid disk_format '<x>'\")",
    "API-POST-14": "§2 admins may set owner (we ignore it)",
    "LOC-6": ("§10 the location policy at registration when the size is given (we check the "
              "address only at download)"),
    "MEM-1": MEMBERS, "MEM-2": MEMBERS, "MEM-3": MEMBERS, "MEM-4": MEMBERS, "MEM-5": MEMBERS,
    "MEM-7": MEMBERS,
}

# The token-mode run (two tenants, one admin) breaks these as well.
KNOWN_FAILURES_TOKEN_MODE = {
    "MEM-8": MEMBERS, "MEM-9": MEMBERS,
}
