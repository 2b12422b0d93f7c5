"""One access-log line per request, with a request id, control characters escaped."""

import logging

import pytest
import webtest

from glance.middleware.accesslog import AccessLog


def hello(environ, start_response):
    start_response("201 Created", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


def test_every_response_gets_a_request_id():
    res = webtest.TestApp(AccessLog(hello)).get("/x", status=201)
    assert res.headers["X-Request-Id"].startswith("req-")


def test_a_well_formed_caller_request_id_is_kept():
    res = webtest.TestApp(AccessLog(hello)).get("/x", headers={"X-Request-Id": "abc-1"},
                                                status=201)
    assert res.headers["X-Request-Id"] == "abc-1"


def test_a_malformed_caller_request_id_is_replaced():
    res = webtest.TestApp(AccessLog(hello)).get("/x", headers={"X-Request-Id": "a b\x01"},
                                                status=201)
    assert res.headers["X-Request-Id"].startswith("req-")


def test_one_line_names_method_path_status_bytes_and_id(caplog):
    with caplog.at_level(logging.INFO, logger="glance.access"):
        res = webtest.TestApp(AccessLog(hello)).post("/images?x=1", status=201)
    lines = [r.getMessage() for r in caplog.records if r.name == "glance.access"]
    assert len(lines) == 1
    method, path, status, sent, ms, request_id = lines[0].split()
    assert (method, path, status, sent) == ("POST", "/images", "201", "5")
    assert ms.endswith("ms") and request_id == res.headers["X-Request-Id"]


def test_disabled_log_writes_nothing(caplog):
    with caplog.at_level(logging.INFO, logger="glance.access"):
        webtest.TestApp(AccessLog(hello, enabled=False)).get("/x", status=201)
    assert not [r for r in caplog.records if r.name == "glance.access"]


CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7f, 0xa0)]]


def logged_line(caplog, path, method="GET"):
    environ = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path}
    with caplog.at_level(logging.INFO, logger="glance.access"):
        body = AccessLog(hello)(environ, lambda status, headers, exc_info=None: None)
        body.close()
    [line] = [r.getMessage() for r in caplog.records if r.name == "glance.access"]
    return line


@pytest.mark.parametrize("char", CONTROLS, ids=lambda c: f"{ord(c):#04x}")
def test_control_characters_in_the_path_are_escaped(caplog, char):
    line = logged_line(caplog, f"/images/a{char}b")
    assert not any(c in line for c in CONTROLS)
    assert f"/images/a\\x{ord(char):02x}b" in line


def test_a_forged_line_stays_on_its_line(caplog):
    line = logged_line(caplog, "/x\r\n2024-01-01 INFO glance.access: GET /admin 200\x1b[2K\x00")
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\x00" not in line
    assert line.split()[1].startswith("/x\\x0d\\x0a2024-01-01")


def test_the_method_is_escaped_too(caplog):
    assert logged_line(caplog, "/", method="GE\nT").startswith("GE\\x0aT /")
