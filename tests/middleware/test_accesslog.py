"""One access-log line per request, with a request id."""

import logging

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
