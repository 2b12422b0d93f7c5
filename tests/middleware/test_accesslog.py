"""One access-log line per request, a fresh request id on every answer (CONTRACT §6),
control characters escaped."""

import logging
import re
import uuid

import pytest
import webtest

from glance.middleware import accesslog
from glance.middleware.accesslog import AccessLog


def hello(environ, start_response):
    start_response("201 Created", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


REQUEST_ID = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                        r"[0-9a-f]{12}\Z")


def no_content(environ, start_response):
    start_response("204 No Content", [])
    return []


@pytest.mark.parametrize("app,method,status", [(hello, "GET", 201), (hello, "HEAD", 201),
                                               (no_content, "DELETE", 204)])
def test_every_response_gets_an_openstack_request_id(app, method, status):
    res = webtest.TestApp(AccessLog(app)).request("/x", method=method, status=status)
    assert REQUEST_ID.match(res.headers["x-openstack-request-id"])
    assert res.headers["X-Request-Id"] == res.headers["x-openstack-request-id"]


def test_the_request_id_is_a_version_4_uuid():
    for _ in range(200):
        request_id = accesslog.new_request_id()
        assert REQUEST_ID.match(request_id)
        assert uuid.UUID(request_id[4:]).version == 4


def test_each_request_gets_a_fresh_id():
    app = webtest.TestApp(AccessLog(hello))
    ids = {app.get("/x", status=201).headers["x-openstack-request-id"] for _ in range(50)}
    assert len(ids) == 50


@pytest.mark.parametrize("header", ["X-OpenStack-Request-ID", "X-Request-Id"])
def test_a_callers_request_id_is_not_echoed(header):
    res = webtest.TestApp(AccessLog(hello)).get("/x", headers={header: "req-abc-1"},
                                                status=201)
    assert REQUEST_ID.match(res.headers["x-openstack-request-id"])
    assert "req-abc-1" not in res.headers.values()


def test_one_line_names_method_path_status_bytes_and_both_ids(caplog):
    with caplog.at_level(logging.INFO, logger="glance.access"):
        res = webtest.TestApp(AccessLog(hello)).post(
            "/images?x=1", headers={"X-OpenStack-Request-ID": "req-nova-42"}, status=201)
    lines = [r.getMessage() for r in caplog.records if r.name == "glance.access"]
    assert len(lines) == 1
    method, path, status, sent, ms, request_id, callers = lines[0].split()
    assert (method, path, status, sent) == ("POST", "/images", "201", "5")
    assert ms.endswith("ms") and request_id == res.headers["x-openstack-request-id"]
    assert callers == "req-nova-42"


@pytest.mark.parametrize("headers,logged", [({}, "-"), ({"X-Request-Id": "abc-1"}, "abc-1"),
                                            ({"X-OpenStack-Request-ID": "a b\x01"}, "?"),
                                            ({"X-OpenStack-Request-ID": "x" * 65}, "?")])
def test_the_callers_id_is_logged_when_well_formed(caplog, headers, logged):
    with caplog.at_level(logging.INFO, logger="glance.access"):
        webtest.TestApp(AccessLog(hello)).get("/x", headers=headers, status=201)
    [line] = [r.getMessage() for r in caplog.records if r.name == "glance.access"]
    assert line.split()[-1] == logged


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
