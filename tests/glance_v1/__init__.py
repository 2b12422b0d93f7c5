"""OpenStack Glance's own v1 functional tests, as our own portable test modules.

The HTTP-level tests of `glance/tests/functional/v1/` (test_api,
test_copy_to_file, test_misc, test_multiprocessing) and the version
negotiation tests of `glance/tests/functional/test_api.py` (here
test_versions), as last present in openstack/glance at 9df90bd538e8 (before
"Remove v1 tests"): one test per upstream method, the same requests and the
same assertions, over `http.client` against a *target* (target.py): our own
servers by default, or any running server (tools/glance-v1-tests.sh runs
them against the real Glance v1, Queens).

Each module's docstring lists the upstream tests it leaves out and why
(upstream-only machinery: policy files, process signals, a v2-only server).
known_failures.py lists what our servers do not pass yet.
"""
