"""Tests of the client and the `glance` command that fail on this tree
today, and why: the one list of both test directories.

Each test listed here checks what contract revision 2 asks of our client
and CLI (issue 13) but meets a part of the servers, or of the shared field
table, that other branches are bringing to revision 2 right now.  They are
marked `xfail(strict=True)` by tests/client/conftest.py and
tests/cli/conftest.py (`mark`): a listed test that starts passing fails
loudly and must be removed.  Once those branches are merged the list must
be empty.  Keys are `<directory>/<module>::<test function>` under tests/;
every parametrisation of a listed function is excused.

Checked by overlaying this branch's client and CLI on the registry branch
(every ID_PARSER, FIELD_ROWS, SERVER_IDS and PROPERTY_QUOTA test passes
there) and on the v1api branch (every COPY_FROM test passes there); MEMBERS
and CLI_LABELS remain.
"""

import os

import pytest

# The causes, each naming the missing piece and where it is being made.
ID_PARSER = (
    "§1 ids are strings: glance.common.fields.parse_image_id still reads only "
    "revision-1 integer ids, so a UUID is 'not an image id' (the registry branch "
    "changes the parser)")
FIELD_ROWS = (
    "§1 new fields: the field table (glance.common.fields) has no rows protected, "
    "min_disk, min_ram, virtual_size yet, so the header codec neither sends nor types "
    "them, the CLI takes protected=… for a property, and the servers neither store nor "
    "check them (a protected image is deleted); the registry branch adds the rows and "
    "their behaviour")
CLI_LABELS = (
    "the field table's rows for protected, min_disk, min_ram, virtual_size need a "
    "`label` and `cli_show` so that `glance show`/`details` print them (not in the "
    "registry branch either: asked of the lead)")
SERVER_IDS = (
    "§1 UUID ids: the servers take integer ids only (a proposed UUID → 400) and accept "
    "'12345' as a proposed id (registry branch)")
PROPERTY_QUOTA = (
    "§10 property quota: 200 properties are stored (201), no 413 (registry branch)")
MEMBERS = (
    "§2 Members (v1): the API serves no /v1/images/<id>/members or "
    "/v1/shared-images/<tenant> routes (404 'no such resource'); the registry branch "
    "keeps members, the v1 app must route them (not yet in the v1api branch)")
COPY_FROM = (
    "§2 POST 4 copy-from: the API ignores x-glance-api-copy-from (201, stays queued, "
    "never copied; no 400/404 for refused URLs); the v1api branch copies")


def _each(module, cause, *tests):
    return {f"{module}::{test}": cause for test in tests}


KNOWN_FAILURES = {
    # -- the client on its own (scripted peers) -----------------------------------------
    **_each("client/test_arguments.py", ID_PARSER,
            "test_image_id_of_accepts_uuids_and_their_uris"),
    **_each("client/test_metadata.py", FIELD_ROWS,
            "test_meta_from_headers_types_the_new_fields",
            "test_meta_from_headers_reads_absent_new_fields_as_null",
            "test_meta_headers_send_the_new_fields"),
    # -- the client against the real servers --------------------------------------------
    **_each("client/test_servers.py", SERVER_IDS,
            "test_add_image_with_a_chosen_id"),
    **_each("client/test_servers_fields.py", FIELD_ROWS,
            "test_new_fields_are_stored_and_read_back_typed",
            "test_new_fields_have_their_defaults",
            "test_virtual_size_of_a_raw_image_is_its_size",
            "test_a_protected_image_cannot_be_deleted",
            "test_min_disk_out_of_range_is_invalid_naming_it"),
    **_each("client/test_servers_fields.py", SERVER_IDS,
            "test_a_proposed_id_that_is_no_uuid_is_invalid",
            "test_a_taken_uuid_is_duplicate"),
    **_each("client/test_servers_fields.py", PROPERTY_QUOTA,
            "test_too_many_properties_is_limit_exceeded"),
    **_each("client/test_servers_members.py", MEMBERS,
            "test_an_image_has_no_members_at_first",
            "test_add_member_then_list_members",
            "test_add_member_without_can_share_keeps_an_existing_members_right",
            "test_member_images_lists_what_is_shared_with_a_tenant",
            "test_replace_members_sets_the_whole_set",
            "test_delete_member_removes_it_and_a_second_delete_is_not_found",
            "test_more_members_than_the_quota_is_limit_exceeded",
            "test_a_member_sees_the_shared_image_until_it_is_unshared",
            "test_a_member_may_not_change_or_share_the_image",
            "test_a_member_allowed_to_share_may_add_members"),
    **_each("client/test_servers_copy_from.py", COPY_FROM,
            "test_copy_from_answers_at_once_then_the_image_becomes_active",
            "test_copy_from_into_a_queued_image_with_update",
            "test_a_copy_whose_origin_breaks_off_is_killed",
            "test_a_size_that_does_not_match_the_copy_kills_it",
            "test_a_copy_from_another_scheme_is_refused_without_a_record",
            "test_a_copy_from_an_origin_without_the_image_is_not_found_without_a_record",
            "test_a_copy_into_an_active_image_is_a_conflict"),
    # -- the glance command on its own ---------------------------------------------------
    **_each("cli/test_format.py", FIELD_ROWS,
            "test_parse_fields_types_the_new_fields",
            "test_parse_fields_refuses_bad_new_field_values"),
    **_each("cli/test_format.py", CLI_LABELS,
            "test_print_block_shows_the_new_fields"),
    # -- the glance command against the real servers -------------------------------------
    **_each("cli/test_servers_revision2.py", MEMBERS,
            "test_member_add_then_image_members_lists_it",
            "test_member_images_lists_the_images_shared_with_a_tenant",
            "test_members_replace_and_member_delete",
            "test_client_sees_the_cli_shared_image_as_a_member_list"),
    **_each("cli/test_servers_revision2.py", COPY_FROM,
            "test_add_copy_from_with_wait_ends_active_with_the_origins_bytes",
            "test_add_copy_from_a_broken_origin_with_wait_exits_1",
            "test_add_copy_from_a_refused_scheme_exits_1_without_a_record"),
    **_each("cli/test_servers_revision2.py", FIELD_ROWS,
            "test_delete_of_a_protected_image_exits_1"),
    **_each("cli/test_servers_revision2.py", FIELD_ROWS + "; and " + CLI_LABELS,
            "test_add_sets_the_new_fields_and_show_prints_them"),
}

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)


def key_of(item):
    """The key of a collected test: `<directory>/<module>::<function>`."""
    module = os.path.relpath(str(item.path), TESTS).replace(os.sep, "/")
    return f"{module}::{getattr(item, 'originalname', item.name)}"


def mark(items, directory):
    """Mark the listed tests among `items` that live under `directory`."""
    for item in items:
        if not str(item.path).startswith(directory + os.sep):
            continue
        reason = KNOWN_FAILURES.get(key_of(item))
        if reason:
            item.add_marker(pytest.mark.xfail(strict=True, reason=reason))
