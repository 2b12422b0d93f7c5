"""Error answers become the client's exceptions, with the server's message."""

import json

import pytest

from glance import client as gc


@pytest.mark.parametrize("status, cls", [(400, gc.Invalid), (401, gc.NotAuthorized),
                                         (403, gc.NotAuthorized), (404, gc.NotFound),
                                         (409, gc.Duplicate), (500, gc.ClientError),
                                         (503, gc.ClientError)])
def test_error_class_follows_status(status, cls):
    error = gc.error_from_response(status, "Reason", b"{}")
    assert type(error) is cls and error.status == status


def test_error_carries_the_json_message_and_code():
    error = gc.error_from_response(404, "Not Found",
                                   b'{"code": "image.not_found", "message": "no image 9"}')
    assert (error.message, error.code, str(error)) == ("no image 9", "image.not_found",
                                                        "no image 9")


def test_error_reads_the_contracts_nested_shape():
    body = json.dumps({"error": {"code": 404, "title": "Not Found", "message": "no image 9",
                                 "type": "image.not_found"}}).encode()
    error = gc.error_from_response(404, "Not Found", body)
    assert (type(error), error.message, error.code, str(error)) == \
        (gc.NotFound, "no image 9", "image.not_found", "no image 9")


def test_the_nested_status_is_not_taken_for_the_machine_code():
    body = json.dumps({"error": {"code": 409, "message": "taken"}}).encode()
    assert gc.error_from_response(409, "Conflict", body).code is None


def test_error_falls_back_to_body_text():
    assert gc.error_from_response(502, "Bad Gateway", b" upstream down\n").message == \
        "upstream down"


def test_error_falls_back_to_status_line_for_empty_body():
    assert gc.error_from_response(500, "Internal Server Error", b"").message == \
        "500 Internal Server Error"
