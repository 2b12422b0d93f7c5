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

IDS = "§1 ids are lower-case UUID strings (we hand out integers)"
TIMES = "§2 timestamps with microseconds (we send whole seconds)"
NEW_FIELDS = "§1 the fields protected, min_disk, min_ram, virtual_size do not exist yet"
MEMBERS = "§2 members routes (/v1/images/<id>/members, /v1/shared-images/<T>) do not exist yet"
COPY_FROM = ("§2 POST 4: x-glance-api-copy-from is ignored (201, the image stays queued, "
             "nothing copied, nothing refused)")
VERSIONS = ("§2 versions document and negotiation: /versions → 200, v1.1 and v1.0 "
            "DEPRECATED, unknown version segments and Accept versions → 300")

KNOWN_FAILURES = {
    "VER-1": VERSIONS, "VER-2": VERSIONS, "VER-3": VERSIONS,
    "JSON-2": "§2 JSON with json.dumps' default separators (we send compact JSON)",
    "ERR-2": "§9 the nested error shape {\"error\": {code, title, message, type}} (we send "
             "the flat {code, message})",
    "REQ-1": "§6 x-openstack-request-id on every answer (we send none)",
    "REQ-2": "§6 x-openstack-request-id on the versions document (we send none)",
    "IMG-1": NEW_FIELDS, "IMG-16": NEW_FIELDS, "API-PUT-12": NEW_FIELDS,
    "HDR-3": NEW_FIELDS, "HDR-6": NEW_FIELDS, "HDR-7": NEW_FIELDS, "HDR-14": NEW_FIELDS,
    "HDR-17": NEW_FIELDS, "HDR-18": NEW_FIELDS,
    "FLT-6": "§2 the min_disk/min_ram filters (non-integer values are not refused)",
    "FLT-7": "§2 the min_disk, min_ram and protected filters",
    "FLT-10": "§2 the min_disk filter (non-integer values are not refused)",
    "HDR-11": "§3 the protected header is not read yet, so no typo in it is refused",
    "API-LIST-10": "§2 HEAD /v1/images/detail → 405 with Allow: GET (we answer 404)",
    "API-DEL-4": "§2 protected images (DELETE answers 200: the field does not exist yet)",
    "IMG-5": TIMES,
    "IMG-13": "§10 updated_at is never ahead of the clock (the registry's _next_update puts "
              "each status transition a second after the previous change: an upload ends "
              "two seconds in the future)", "API-LIST-11": TIMES + "; §2 changes-since is not implemented",
    "IMG-10": IDS, "API-POST-11": IDS + "; x-image-meta-id must be a UUID",
    "IMG-15": "§2 status_reason is missing from the v1 image",
    "IMG-17": "§1 virtual_size is not set when a raw image is activated",
    "HDR-1": "§3 null fields are sent as empty headers (they must be left out); "
             + NEW_FIELDS,
    "HDR-12": "§3 a checksum over 32 characters: refused before the body with \"Invalid "
              "checksum '<v>': can't exceed 32 characters\" (we compare it after the "
              "upload)",
    "HDR-13": "§3 a non-hexadecimal checksum is refused only after the upload",
    "API-POST-12": "§3 the checksum length is checked only after the body (a record is "
                   "left behind)",
    "HDR-15": "§3 Glance's text \"Invalid disk format '<x>'\" (we say \"Invalid "
              "disk_format '<x>'\")",
    "API-POST-14": "§2 admins may set owner (we ignore it)",
    "API-PUT-3": "§2 PUT replaces the properties unless purge-props is false (we merge)",
    "API-PUT-13": "§2 an empty or None purge-props counts as absent: replace (we merge)",
    "API-PUT-7": "§2 a location on a non-queued image: \"Attempted to update Location field "
                 "for an image not in queued status.\" (we say \"image data is immutable\")",
    "API-PUT-8": "§2 a status change on PUT → 403 (we ignore it: 200)",
    "LOC-6": "§10 the location policy at registration when the size is given (we check "
             "the address only at download)",
    "COPY-1": COPY_FROM, "COPY-2": COPY_FROM, "COPY-3": COPY_FROM, "COPY-4": COPY_FROM,
    "COPY-5": COPY_FROM, "COPY-6": COPY_FROM, "COPY-7": COPY_FROM, "COPY-8": COPY_FROM,
    "VAL-5": "§10 property keys with `:` are still accepted (registry)",
    "VAL-9": "§1 the wider format lists (vhdx, ploop; ova, docker)",
    "VAL-12": "§1 the container format compressed",
    "QUOTA-1": "§10 the property quota answers 413 with Glance's text (we answer 400)",
    "QUOTA-2": "§10 the property bytes cap (image_property_bytes_max) does not exist yet",
    "MEM-1": MEMBERS, "MEM-2": MEMBERS, "MEM-3": MEMBERS, "MEM-4": MEMBERS,
    "MEM-5": MEMBERS, "MEM-7": MEMBERS,
    "REG-11": "§5 registry members routes do not exist yet",
    "REG-13": "§5 the registry's image JSON lacks visibility, os_hidden and tags",
    "REG-12": "§10 a JSON body nested too deep to parse answers 500 (must be 400)",
}

# Only seen with two tenants' tokens (test_targets.py::test_token_mode_…), where
# the caller is no admin.  Checked strictly too: each must still fail there.
NONE_403 = "§2 is_public=none from a non-admin gives its ordinary list (we answer 403)"
KNOWN_FAILURES_TOKEN_MODE = {
    "API-LIST-1": NONE_403, "API-LIST-3": NONE_403, "API-LIST-6": NONE_403,
    "MEM-8": MEMBERS, "MEM-9": MEMBERS,
}
