"""The minimum transfer rate over windows of waiting, and the stall limit."""

import pytest

from glance.httpd.pace import Pace, TooSlow


class Client:
    """Feeds a Pace waits and the running total of bytes moved."""

    def __init__(self, pace):
        self.pace, self.total = pace, 0

    def wait(self, seconds, moved):
        self.total += moved
        self.pace.waited(seconds, self.total)


def test_a_slow_client_is_cut_after_the_first_window():
    client = Client(Pace(min_rate=1000, window=10, stall=60))
    for _ in range(9):
        client.wait(1.0, 10)        # 10 bytes a second: within the grace period
    with pytest.raises(TooSlow, match="under the minimum of 1000 bytes/s"):
        client.wait(1.0, 10)


def test_a_client_at_the_rate_goes_on_window_after_window():
    client = Client(Pace(min_rate=1000, window=10, stall=60))
    for _ in range(100):
        client.wait(1.0, 1000)


def test_each_window_is_measured_on_its_own():
    client = Client(Pace(min_rate=1000, window=10, stall=60))
    client.wait(10.0, 1_000_000)    # a fast first window does not pay for a slow second
    for n in range(9):
        client.wait(1.0, n % 2)
    with pytest.raises(TooSlow):
        client.wait(1.0, 1)


def test_bytes_moved_without_waiting_count():
    pace = Pace(min_rate=1000, window=10, stall=60)
    pace.waited(10.0, 50_000)       # a burst sent at once, then a long wait: 5 KB/s
    with pytest.raises(TooSlow):
        pace.waited(10.0, 50_000)   # ...but the next window moved nothing


def test_time_not_spent_waiting_does_not_count():
    client = Client(Pace(min_rate=1000, window=10, stall=60))
    for _ in range(1000):
        client.wait(0.001, 64)      # 64 KB/s while waited on; idle app time is not told


def test_a_stall_ends_even_without_a_rate():
    client = Client(Pace(min_rate=0, window=10, stall=3))
    client.wait(2.0, 0)
    client.wait(0.5, 1)             # a byte resets the stall
    client.wait(2.9, 0)
    with pytest.raises(TooSlow, match="nothing for 3 s"):
        client.wait(0.2, 0)


def test_without_a_rate_slow_bytes_are_fine():
    client = Client(Pace(min_rate=0, window=1, stall=5))
    for _ in range(100):
        client.wait(4.0, 1)


def test_too_slow_is_a_timeout():
    assert issubclass(TooSlow, TimeoutError)
