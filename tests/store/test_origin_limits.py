"""Origins that never answer cannot hold the http store for long, nor often
(issue 15, item 4): the first-byte deadline, and the caps on concurrent
fetches per origin and per tenant (the image's owner)."""

import gc
import threading

import pytest

from glance.common import config, exception, faults
from glance.store.http import HttpStore
from glance.store.limits import FetchLimits
from tests.fixtureapps.origin import pattern
from tests.fixtureapps.tarpit import Tarpit
from tests.store.conftest import make_conf


def read_all(data):
    return b"".join(data)


class Fetches:
    """Fetches running in threads, each remembering the error it ended with."""

    def __init__(self, http):
        self.http = http
        self.threads = []
        self.errors = []

    def start(self, url, tenant, image_id=1):
        def run():
            try:
                read_all(self.http.get(url, image_id=image_id, tenant=tenant))
            except exception.GlanceError as exc:
                self.errors.append(exc)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def join(self):
        for thread in self.threads:
            thread.join(20)
        return not any(thread.is_alive() for thread in self.threads)


def waiting_store(tmp_path, **caps):
    """An http store whose fetches wait on a tarpit until the test releases it."""
    return HttpStore(make_conf(tmp_path, http_store_first_byte_timeout="30", **caps))


def test_a_head_trickled_byte_by_byte_is_cut_off_at_the_deadline(conf):
    # One byte every 0.1 s never trips the 0.5 s per-read timeout; the
    # 1 s first-byte deadline ends it (the tarpit itself gives up after 20 s).
    with Tarpit(trickle=0.1, hold=20) as tarpit:
        with pytest.raises(exception.OriginUnavailable) as caught:
            HttpStore(conf).get(tarpit.url(), image_id=1)
    assert "no answer within 1 seconds" in caught.value.detail


def test_an_origin_that_never_answers_is_cut_off_at_the_deadline(conf):
    with Tarpit(hold=20) as tarpit:
        with pytest.raises(exception.OriginUnavailable) as caught:
            HttpStore(conf).get_size(tarpit.url(), image_id=1)
    assert "no answer within 1 seconds" in caught.value.detail


def test_fetches_from_one_origin_are_capped(tmp_path):
    http = waiting_store(tmp_path, http_store_max_fetches_per_origin="3",
                         http_store_max_fetches_per_tenant="0")
    fetches = Fetches(http)
    with Tarpit() as tarpit:
        port = tarpit.port
        try:
            for tenant in ("a", "b", "c"):
                fetches.start(tarpit.url(), tenant)
            assert tarpit.wait_for(3)
            with pytest.raises(exception.OriginBusy) as caught:
                http.get(tarpit.url(), image_id=2, tenant="d")
            assert tarpit.most == 3 and tarpit.accepted == 3
        finally:
            tarpit.release()
            assert fetches.join()
    busy = caught.value
    assert faults.fault_of(busy) == (503, "store.origin_busy")
    assert ("Retry-After", "30") in busy.headers
    assert "127.0.0.1" not in busy.message and f"127.0.0.1:{port}" in busy.detail
    assert all(isinstance(e, exception.OriginUnavailable) for e in fetches.errors)
    assert http.limits.in_progress(origin=("127.0.0.1", port)) == 0


def test_fetches_for_one_owner_are_capped_whatever_the_origin(tmp_path):
    http = waiting_store(tmp_path, http_store_max_fetches_per_origin="0",
                         http_store_max_fetches_per_tenant="2")
    fetches = Fetches(http)
    with Tarpit() as first, Tarpit() as second:
        try:
            fetches.start(first.url(), "greedy")
            fetches.start(second.url(), "greedy")
            assert first.wait_for(1) and second.wait_for(1)
            with pytest.raises(exception.OriginBusy) as caught:
                http.get(second.url(), image_id=2, tenant="greedy")
            fetches.start(second.url(), "modest")     # another owner still gets through
            assert second.wait_for(2)
        finally:
            first.release()
            second.release()
            assert fetches.join()
    assert "owner" in caught.value.message and "greedy" in caught.value.detail
    assert http.limits.in_progress(tenant="greedy") == 0


def test_size_probes_count_against_the_caps(tmp_path):
    http = waiting_store(tmp_path, http_store_max_fetches_per_origin="1")
    fetches = Fetches(http)
    with Tarpit() as tarpit:
        try:
            fetches.start(tarpit.url(), "a")
            assert tarpit.wait_for(1)
            with pytest.raises(exception.OriginBusy):
                http.get_size(tarpit.url(), tenant="b")
        finally:
            tarpit.release()
            assert fetches.join()


def test_a_refused_fetch_gives_its_owners_permit_back(tmp_path):
    http = waiting_store(tmp_path, http_store_max_fetches_per_origin="1",
                         http_store_max_fetches_per_tenant="5")
    fetches = Fetches(http)
    with Tarpit() as tarpit:
        try:
            fetches.start(tarpit.url(), "a")
            assert tarpit.wait_for(1)
            for _ in range(10):
                with pytest.raises(exception.OriginBusy):
                    http.get(tarpit.url(), image_id=2, tenant="b")
            assert http.limits.in_progress(tenant="b") == 0
        finally:
            tarpit.release()
            assert fetches.join()


# -- permits come back however a fetch ends ------------------------------------------

@pytest.fixture
def capped(tmp_path):
    return HttpStore(make_conf(tmp_path, http_store_max_fetches_per_origin="1",
                               http_store_max_fetches_per_tenant="1"))


def in_progress(http, origin):
    return (http.limits.in_progress(origin=("127.0.0.1", origin.port)),
            http.limits.in_progress(tenant="t"))


def test_permits_come_back_when_the_data_is_read(capped, origin):
    for _ in range(3):
        assert read_all(capped.get(origin.url("/bytes/10"), image_id=1, tenant="t")) == \
            pattern(10)
    assert in_progress(capped, origin) == (0, 0)


def test_permits_come_back_when_the_data_is_closed_unread(capped, origin):
    capped.get(origin.url("/bytes/10"), image_id=1, tenant="t").close()
    assert in_progress(capped, origin) == (0, 0)


def test_permits_come_back_when_the_data_is_lost_unclosed(capped, origin):
    data = capped.get(origin.url("/bytes/10"), image_id=1, tenant="t")
    assert in_progress(capped, origin) == (1, 1)
    del data
    gc.collect()
    assert in_progress(capped, origin) == (0, 0)


def test_permits_are_held_while_the_data_is_open(capped, origin):
    with capped.get(origin.url("/bytes/10"), image_id=1, tenant="t"):
        assert in_progress(capped, origin) == (1, 1)


@pytest.mark.parametrize("path", ["/status/404", "/drop/10?of=20", "/redirect/6/bytes/1"])
def test_permits_come_back_when_the_origin_fails(capped, origin, path):
    with pytest.raises(exception.OriginUnavailable):
        read_all(capped.get(origin.url(path), image_id=1, tenant="t"))
    assert in_progress(capped, origin) == (0, 0)


def test_permits_come_back_after_a_size_probe(capped, origin):
    assert capped.get_size(origin.url("/bytes/1234?nohead=1"), tenant="t") == 1234
    assert in_progress(capped, origin) == (0, 0)


def test_a_redirect_moves_the_fetch_to_its_next_origin(capped, origin):
    # With one permit per origin, hops to the same origin must not count twice.
    assert read_all(capped.get(origin.url("/redirect/3/bytes/5"), image_id=1,
                               tenant="t")) == pattern(5)


def test_ranged_reads_count_too(capped, origin):
    with capped.get_from(origin.url("/bytes/100"), 10, image_id=1, tenant="t") as data:
        assert in_progress(capped, origin) == (1, 1)
        assert read_all(data) == pattern(100)[10:]
    assert in_progress(capped, origin) == (0, 0)


# -- the limits themselves -------------------------------------------------------------

def test_no_cap_means_no_cap():
    limits = FetchLimits(0, 0)
    fetches = [limits.begin("t") for _ in range(100)]
    for fetch in fetches:
        fetch.enter(("h", 80))
    assert limits.in_progress(origin=("h", 80)) == 100
    for fetch in fetches:
        fetch.end()
        fetch.end()
    assert limits.in_progress(origin=("h", 80)) == limits.in_progress(tenant="t") == 0


def test_owners_without_a_tenant_share_one_allowance():
    limits = FetchLimits(0, 1)
    limits.begin(None)
    with pytest.raises(exception.OriginBusy):
        limits.begin(None)


@pytest.mark.parametrize("option", ["http_store_max_fetches_per_origin",
                                    "http_store_max_fetches_per_tenant"])
def test_a_negative_cap_is_a_config_error(tmp_path, option):
    with pytest.raises(exception.ConfigError, match=option):
        FetchLimits.from_conf(make_conf(tmp_path, **{option: "-1"}))


def test_the_defaults_leave_most_server_threads_to_other_requests():
    conf = config.load(environ={})
    assert conf.http_store_max_fetches_per_tenant < conf.server_threads
    assert conf.http_store_first_byte_timeout < conf.http_store_read_timeout
