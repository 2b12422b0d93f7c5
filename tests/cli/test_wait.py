"""`glance.cli.wait.until_settled` with a fake client, clock and sleep: when
it asks, what it reports, when it gives up."""

import pytest

from glance import client as gc
from glance.cli import wait


class FakeClient:
    """Answers `get_image_meta` with the statuses given, one per call (the
    last repeats); an exception in the list is raised instead."""

    def __init__(self, *statuses):
        self.statuses = list(statuses)
        self.calls = 0

    def get_image_meta(self, image_id):
        self.calls += 1
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if isinstance(status, Exception):
            raise status
        return {"id": image_id, "status": status}


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def settle(client, **kwargs):
    fake = FakeTime()
    seen = []
    meta = wait.until_settled(client, "1", seen.append, clock=fake.clock, sleep=fake.sleep,
                              **kwargs)
    return meta, seen, fake


def test_waits_until_active_and_reports_each_status_once():
    meta, seen, _ = settle(FakeClient("queued", "saving", "saving", "active"))
    assert meta["status"] == "active" and seen == ["queued", "saving", "active"]


def test_killed_ends_the_wait_too():
    meta, seen, _ = settle(FakeClient("saving", "killed"))
    assert meta["status"] == "killed" and seen == ["saving", "killed"]


def test_an_image_that_is_not_copying_is_returned_at_once():
    client = FakeClient("active")
    meta, _, fake = settle(client)
    assert client.calls == 1 and fake.sleeps == []


def test_asks_less_and_less_often_up_to_five_seconds():
    _, _, fake = settle(FakeClient(*["saving"] * 12, "active"))
    assert fake.sleeps[0] == wait.FIRST_DELAY
    assert fake.sleeps == sorted(fake.sleeps) and max(fake.sleeps) == wait.MAX_DELAY


def test_gives_up_after_the_timeout_without_overshooting_it():
    meta, _, fake = settle(FakeClient("saving"), timeout=12)
    assert meta["status"] == "saving" and fake.now == 12


def test_gives_up_on_an_image_still_queued_after_the_start_limit():
    meta, _, fake = settle(FakeClient("queued"), start_limit=3)
    assert meta["status"] == "queued" and fake.now == 3


def test_a_copy_that_started_is_not_bound_by_the_start_limit():
    meta, _, fake = settle(FakeClient("queued", *["saving"] * 30, "active"), start_limit=1)
    assert meta["status"] == "active" and fake.now > 1


def test_errors_of_the_client_propagate():
    with pytest.raises(gc.NotFound):
        settle(FakeClient("saving", gc.NotFound("gone", 404)))
