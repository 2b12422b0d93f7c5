"""The error table: every domain error has one row, and the renderer and its
reader agree (CONTRACT §9)."""

import inspect
import json
import re

import pytest

from glance.common import exception, faults

DOMAIN_ERRORS = [cls for _, cls in inspect.getmembers(exception, inspect.isclass)
                 if issubclass(cls, exception.GlanceError)]


@pytest.mark.parametrize("cls", DOMAIN_ERRORS, ids=lambda cls: cls.__name__)
def test_every_domain_error_has_its_own_row(cls):
    assert cls in faults.ERRORS


def test_machine_codes_are_unique_and_well_formed():
    codes = [code for _, code in faults.ERRORS.values()]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z0-9_.]+", code), code


def test_the_table_names_no_class_outside_the_domain_errors():
    assert set(faults.ERRORS) == set(DOMAIN_ERRORS)


@pytest.mark.parametrize("cls, status", [
    (exception.UnsupportedMediaType, 415),
    (exception.HeadersTooLarge, 431),
    (exception.InsufficientStorage, 507),
    (exception.OriginUnavailable, 502),
    (exception.NoImageData, 404),
])
def test_the_most_specific_row_wins(cls, status):
    assert faults.fault_of(cls("x"))[0] == status


def test_a_subclass_without_a_row_answers_as_its_parent():
    class Narrower(exception.Conflict):
        pass
    assert faults.fault_of(Narrower("x")) == faults.ERRORS[exception.Conflict]


def test_extra_headers_come_from_the_exception():
    line, headers, _ = faults.render(exception.MethodNotAllowed(["GET", "HEAD"]))
    assert line == "405 Method Not Allowed"
    assert ("Allow", "GET, HEAD") in headers
    _, headers, _ = faults.render(exception.RangeNotSatisfiable("past the end", size=10))
    assert ("Content-Range", "bytes */10") in headers
    _, headers, _ = faults.render(exception.NotAuthenticated("who?"))
    assert any(name == "WWW-Authenticate" for name, _ in headers)


def test_render_writes_json_with_its_length():
    _, headers, body = faults.render(exception.Invalid("size must be an integer"))
    assert ("Content-Type", "application/json") in headers
    assert ("Content-Length", str(len(body))) in headers
    assert json.loads(body)["error"]["message"] == "size must be an integer"


def test_the_document_is_the_contracts_nested_shape_and_nothing_else():
    _, _, body = faults.render(exception.Conflict("image 7 is active", image_id=7))
    assert body == (b'{"error": {"code": 409, "title": "Conflict", '
                    b'"message": "image 7 is active", "type": "image.conflict"}}')


def test_raw_response_closes_the_connection():
    raw = faults.raw_response(exception.HeadersTooLarge("too big"))
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert b"\r\nConnection: close" in head
    assert json.loads(body)["error"]["message"] == "too big"


@pytest.mark.parametrize("exc", [
    exception.Invalid("bad"), exception.Forbidden("no"), exception.NotFound("gone"),
    exception.Duplicate("taken"), exception.Conflict("immutable"),
    exception.TooLarge("big"), exception.NotAuthenticated("who"),
], ids=lambda exc: type(exc).__name__)
def test_error_from_reads_back_what_render_wrote(exc):
    line, _, body = faults.render(exc)
    back = faults.error_from(int(line.split()[0]), body)
    assert type(back) is type(exc)
    assert back.message == exc.message


def test_error_from_without_a_body_falls_back_to_the_status():
    assert type(faults.error_from(404, b"<html>not found</html>")) is exception.NotFound
    assert type(faults.error_from(500, b"")) is exception.RegistryUnavailable


def test_error_from_ignores_a_code_that_contradicts_the_status():
    body = json.dumps({"code": "image.not_found", "message": "?"}).encode()
    assert type(faults.error_from(400, body)) is exception.Invalid


def test_error_from_reads_the_contracts_nested_shape():
    body = json.dumps({"error": {"code": 409, "title": "Conflict", "message": "immutable",
                                 "type": "image.conflict", "image_id": 3}}).encode()
    back = faults.error_from(409, body)
    assert (type(back), back.message, back.image_id) == (exception.Conflict, "immutable", 3)
