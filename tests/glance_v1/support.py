"""Helpers the ported tests share (the upstream `glance.tests.utils` ones they used)."""

import time

FIVE_KB = 5 * 1024

# Keys of a v1 brief list entry that contract §10 adds to Glance's six on
# purpose ("uri and type included: founding docs, deliberate").  The upstream
# tests compare brief entries whole; we compare them without these keys,
# which real Glance never sends, so the comparison is unchanged against it.
CONTRACT_BRIEF_EXTRAS = ("uri", "type")


def minimal_headers(name, public=True):
    """The headers of `glance.tests.utils.minimal_headers`."""
    headers = {
        "Content-Type": "application/octet-stream",
        "X-Image-Meta-Name": name,
        "X-Image-Meta-disk_format": "raw",
        "X-Image-Meta-container_format": "ovf",
    }
    if public:
        headers["X-Image-Meta-Is-Public"] = "True"
    return headers


def brief(listing):
    """A `{"images": [...]}` brief list without the contract's deliberate extras."""
    return {"images": [{k: v for k, v in entry.items() if k not in CONTRACT_BRIEF_EXTRAS}
                       for entry in listing["images"]]}


def await_status(target, path, expected, deadline=10.0):
    """HEAD `path` until its status is `expected`; every HEAD must answer 200.

    Upstream polled 100 times at 10 ms; the bound here is a liveness limit
    for a loaded machine, not a timing assertion.
    """
    stop = time.monotonic() + deadline
    while True:
        answer = target.request("HEAD", path)
        assert answer.status == 200, answer.describe()
        status = answer["x-image-meta-status"]
        if status == expected:
            return
        assert time.monotonic() < stop, f"unexpected image status {status}"
        time.sleep(0.05)


def assert_headers(answer, expected):
    """Each expected header has exactly the expected value."""
    for key, value in expected.items():
        got = answer.get(key)
        assert got == value, (f"For key '{key}' expected header value '{value}'. "
                              f"Got '{got}'")
