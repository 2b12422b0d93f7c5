"""JSON-patch documents on v2 images (`glance.api.v2.patch`)."""

import copy

import pytest
from hypothesis import given, strategies as st

from glance.api.v2 import patch, schemas, validator, view
from glance.common import exception, faults
from tests.api.v2.records import ADMIN, OWNER, active, record, records

V21, V20 = patch.V21, patch.V20


def update(image, document, caller=OWNER, content_type=V21):
    return patch.update(image, document, content_type, caller)


def refused(image, document, caller=OWNER, content_type=V21):
    """(status, message) of a patch that must fail, and proof that it left
    the image as it was."""
    before = copy.deepcopy(image)
    with pytest.raises(exception.GlanceError) as caught:
        update(image, document, caller, content_type)
    assert image == before
    return faults.fault_of(caught.value)[0], caught.value.message


def op(name, path, value=None, **extra):
    operation = {"op": name, "path": path, **extra}
    if name != "remove":
        operation["value"] = value
    return operation


# -- media types -----------------------------------------------------------------

@pytest.mark.parametrize("content_type,media", [
    (V21, V21), (V20, V20), (V21 + "; charset=UTF-8", V21), (V21.upper(), V21),
    (" " + V20 + " ", V20),
])
def test_the_two_patch_media_types(content_type, media):
    assert patch.media_type(content_type) == media


@pytest.mark.parametrize("content_type", [
    "application/json", "", None, "application/json-patch+json", V21 + "x", "text/plain"])
def test_any_other_media_type_is_415_with_accept_patch(content_type):
    with pytest.raises(exception.UnsupportedMediaType) as caught:
        patch.media_type(content_type)
    assert caught.value.headers == [("Accept-Patch", patch.ACCEPT_PATCH)]
    assert faults.fault_of(caught.value)[0] == 415
    _, headers, _ = faults.render(caught.value)
    assert ("Accept-Patch", f"{V20}, {V21}") in headers


# -- the document: 400 -------------------------------------------------------------

@pytest.mark.parametrize("document,says", [
    ({"op": "add"}, "JSON array"), ("x", "JSON array"), (None, "JSON array"),
    ([1], "JSON objects"), ([[]], "JSON objects"),
    ([{"path": "/name", "value": "x"}], "Invalid operation"),
    ([op("move", "/name", "x")], "Invalid operation"),
    ([op("test", "/name", "x")], "Invalid operation"),
    ([{"op": ["add"], "path": "/name", "value": "x"}], "Invalid operation"),
    ([{"op": "add", "value": "x"}], "'path'"),
    ([op("add", "name", "x")], "start with '/'"),
    ([op("add", "", "x")], "start with '/'"),
    ([op("add", 5, "x")], "start with '/'"),
    ([op("add", None, "x")], "start with '/'"),
    ([op("add", "/name/x", "x")], "for this resource"),
    ([op("add", "//", "x")], "for this resource"),
    ([op("add", "/name/", "x")], "for this resource"),
    ([op("add", "/locations/0", "x")], "for this resource"),
    ([op("add", "/a~2b", "x")], "escape"),
    ([op("add", "/a~", "x")], "escape"),
    ([{"op": "add", "path": "/name"}], "'value'"),
    ([{"op": "replace", "path": "/name"}], "'value'"),
])
def test_malformed_documents_are_400(document, says):
    status, message = refused(record(), document)
    assert status == 400
    assert says in message


@pytest.mark.parametrize("document,says", [
    ([{"add": "/bar", "replace": "/x", "value": "x"}], "exactly one"),
    ([{"path": "/bar", "value": "x"}], "exactly one"),
    ([op("add", "/bar", "x")], "exactly one"),       # the v2.1 form
    ([{"add": "/bar"}], "'value'"),
])
def test_malformed_v20_documents_are_400(document, says):
    status, message = refused(record(), document, content_type=V20)
    assert status == 400 and says in message


@pytest.mark.parametrize("operation,named", [
    (op("replace", "/name", 5), "'name'"), (op("replace", "/name", "n" * 256), "'name'"),
    (op("add", "/visibility", "x"), "'visibility'"), (op("add", "/protected", "true"),
                                                      "'protected'"),
    (op("add", "/min_ram", -1), "'min_ram'"), (op("add", "/min_ram", 2**31), "'min_ram'"),
    (op("add", "/min_disk", 1.5), "'min_disk'"), (op("add", "/tags", "c"), "'tags'"),
    (op("add", "/tags", ["a/b"]), "tag"), (op("add", "/tags", [""]), "tag"),
    (op("add", "/type", "zzz"), "'type'"), (op("add", "/foo", 1), "'foo'"),
    (op("add", "/foo", None), "'foo'"), (op("add", "/", "x"), "property name"),
    (op("add", "/ foo ", "x"), "property name"), (op("add", "/a:b", "x"), "property name"),
    (op("add", "/disk_format", "foo"), "'disk_format'"),
])
def test_bad_values_are_400_naming_the_attribute(operation, named):
    status, message = refused(record(), [operation], ADMIN)
    assert status == 400 and named in message


# -- the document: 403 -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/status", "/id", "/size", "/checksum", "/os_hash_algo",
                                  "/os_hash_value", "/created_at", "/updated_at", "/self",
                                  "/file", "/schema", "/stores", "/locations", "/direct_url",
                                  "/virtual_size"])
@pytest.mark.parametrize("name", ["add", "replace", "remove"])
def test_read_only_paths_are_403(path, name):
    assert refused(record(), [op(name, path, "x")], ADMIN) == (
        403, f"Attribute '{path[1:]}' is read-only.")


@pytest.mark.parametrize("path", ["/location", "/deleted", "/deleted_at", "/os_glance_foo"])
def test_reserved_paths_are_403(path):
    assert refused(record(), [op("add", path, "x")], ADMIN) == (
        403, f"Attribute '{path[1:]}' is reserved.")


def test_syntax_is_checked_for_the_whole_document_before_anything_applies():
    # Glance too: the 403 of the second operation wins over the 409 of the first.
    document = [op("replace", "/absent", "x"), op("add", "/status", "active")]
    assert refused(record(), document)[0] == 403


# -- applying ------------------------------------------------------------------------

def test_add_replace_and_remove_custom_properties():
    image = record(properties={"a": "1", "b": "2"})
    changes = update(image, [op("add", "/c", "3"), op("replace", "/a", "x"),
                             op("remove", "/b"), op("add", "/c", "4")])
    assert changes == {"properties": {"a": "x", "c": "4"}}


@pytest.mark.parametrize("path,name", [
    ("/a~1b~0c", "a/b~c"), ("/d~01", "d~1"), ("/~1", "/"), ("/", ""), ("/name", "name")])
def test_pointer_escapes(path, name):
    assert patch.pointer(path) == name


def test_an_escaped_name_still_follows_the_property_rules():
    # `/` and `~` are no property-key characters (CONTRACT §10).
    assert refused(record(), [op("add", "/a~1b", "x")])[0] == 400


def test_base_attributes_are_set_by_add_or_replace():
    changes = update(record(), [op("add", "/name", "n"), op("replace", "/min_ram", 128),
                                op("replace", "/visibility", "community"),
                                op("add", "/os_hidden", True), op("replace", "/name", None)])
    assert changes == {"name": None, "min_ram": 128, "visibility": "community",
                       "os_hidden": True}


def test_tags_take_the_whole_list_as_a_set():
    image = record(tags=["old"])
    assert update(image, [op("replace", "/tags", ["b", "a", "b"])]) == {"tags": ["a", "b"]}
    assert update(image, [op("add", "/tags", [])]) == {"tags": []}
    assert update(record(tags={"b", "a"}), [op("replace", "/tags", ["a", "b"])]) == {}


def test_type_is_absent_while_null_and_removed_to_null():
    assert update(record(type=None), [op("add", "/type", "kernel")]) == {"type": "kernel"}
    assert update(record(type="kernel"), [op("replace", "/type", "ramdisk")]) == \
        {"type": "ramdisk"}
    assert update(record(type="kernel"), [op("remove", "/type")]) == {"type": None}
    assert refused(record(type=None), [op("remove", "/type")]) == (
        409, "Property 'type' does not exist.")
    assert refused(record(type=None), [op("replace", "/type", "raw")])[0] == 409


def test_replacing_or_removing_an_absent_property_is_409():
    assert refused(record(), [op("replace", "/nope", "x")]) == (
        409, "Property 'nope' does not exist.")
    assert refused(record(), [op("remove", "/nope")]) == (
        409, "Property 'nope' does not exist.")


@pytest.mark.parametrize("name", ["name", "visibility", "protected", "os_hidden", "owner",
                                  "container_format", "disk_format", "tags", "min_ram",
                                  "min_disk"])
def test_removing_a_base_attribute_is_403(name):
    assert refused(record(), [op("remove", f"/{name}")], ADMIN) == (
        403, f"Property '{name}' may not be removed.")


def test_operations_apply_in_order_and_atomically():
    image = record(properties={"a": "1"})
    # The first operations would succeed; the last fails: nothing changes.
    status, _ = refused(image, [op("add", "/zz", "1"), op("remove", "/a"),
                                op("replace", "/name", "new"), op("remove", "/a")])
    assert status == 409
    # In order: a property added earlier in the document can be replaced.
    assert update(image, [op("add", "/n1", "x"), op("replace", "/n1", "y")]) == \
        {"properties": {"a": "1", "n1": "y"}}


def test_an_empty_document_changes_nothing():
    assert update(record(), []) == {}


def test_setting_a_value_it_already_has_is_no_change():
    image = record(properties={"a": "1"}, min_ram=5)
    assert update(image, [op("replace", "/a", "1"), op("replace", "/min_ram", 5)]) == {}


# -- formats, permissions, AMI -------------------------------------------------------

def test_formats_change_while_queued():
    changes = update(record(), [op("replace", "/disk_format", "raw"),
                                op("add", "/container_format", "bare")])
    assert changes == {"disk_format": "raw", "container_format": "bare"}


@pytest.mark.parametrize("status", ["active", "saving", "uploading", "importing",
                                    "deactivated", "killed"])
def test_formats_are_fixed_once_the_image_left_queued(status):
    image = active(status=status)
    for name, value in (("disk_format", "qcow2"), ("container_format", "bare")):
        assert refused(image, [op("replace", f"/{name}", value)], ADMIN) == (
            403, f"Attribute {name} can be only replaced for a queued image.")


def test_the_amazon_formats_go_in_pairs():
    assert refused(record(), [op("replace", "/disk_format", "ami")])[0] == 400
    assert update(record(), [op("replace", "/disk_format", "ami"),
                             op("replace", "/container_format", "ami")]) == \
        {"disk_format": "ami", "container_format": "ami"}


def test_an_old_mismatch_does_not_block_other_changes():
    image = active(disk_format="ami", container_format="bare")
    assert update(image, [op("replace", "/name", "n")]) == {"name": "n"}


def test_only_admins_make_images_public():
    assert refused(record(), [op("replace", "/visibility", "public")])[0] == 403
    assert update(record(), [op("replace", "/visibility", "public")], ADMIN) == \
        {"visibility": "public"}


def test_only_admins_change_the_owner():
    assert refused(record(), [op("replace", "/owner", "tenant-z")])[0] == 403
    assert refused(record(), [op("replace", "/owner", "tenant-a")])[0] == 403
    assert update(record(), [op("replace", "/owner", "tenant-z")], ADMIN) == \
        {"owner": "tenant-z"}


# -- the v2.0 form --------------------------------------------------------------------

def test_the_v20_form():
    image = record(properties={"a": "1"})
    assert update(image, [{"add": "/b", "value": "2"}, {"replace": "/a", "value": "x"},
                          {"remove": "/b"}, {"replace": "/name", "value": "n"}],
                  content_type=V20) == {"name": "n", "properties": {"a": "x"}}


@pytest.mark.parametrize("path", ["/a", "/name", "/type"])
def test_v20_add_of_what_is_already_there_is_409(path):
    image = record(properties={"a": "1"}, type="kernel")
    assert refused(image, [{"add": path, "value": "raw"}], content_type=V20) == (
        409, f"Property '{path[1:]}' already present.")


# -- hostile input --------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6)
PATHS = st.one_of(st.sampled_from(
    ["/name", "/tags", "/type", "/visibility", "/owner", "/min_ram", "/disk_format",
     "/status", "/a", "/b~1c", "/", "//", "/os_glance_x", "/protected"]),
    st.text(max_size=12), st.integers())
OPERATIONS = st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "replace", "remove", "move", None]), "path": PATHS},
    optional={"value": JSON_VALUES})


@given(records(), st.lists(OPERATIONS, max_size=5), st.booleans())
def test_any_patch_gives_values_that_render_valid_or_a_4xx(image, document, admin):
    before = copy.deepcopy(image)
    try:
        changes = update(image, document, ADMIN if admin else OWNER)
    except exception.GlanceError as error:
        assert faults.fault_of(error)[0] in (400, 403, 409)
        assert image == before
        return
    assert image == before
    after = dict(image, **changes)
    assert validator.is_valid(view.image(after), schemas.SCHEMAS["image"])
