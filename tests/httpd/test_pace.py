"""The minimum transfer rate over windows of waiting, and the stall limit."""

import pytest

from glance.httpd.pace import Pace, TooSlow


def test_a_slow_client_is_cut_after_the_first_window():
    pace = Pace(min_rate=1000, window=10, stall=60)
    for _ in range(9):
        pace.waited(1.0, 10)        # 10 bytes a second: within the grace period
    with pytest.raises(TooSlow, match="under the minimum of 1000 bytes/s"):
        pace.waited(1.0, 10)


def test_a_client_at_the_rate_goes_on_window_after_window():
    pace = Pace(min_rate=1000, window=10, stall=60)
    for _ in range(100):
        pace.waited(1.0, 1000)


def test_each_window_is_measured_on_its_own():
    pace = Pace(min_rate=1000, window=10, stall=60)
    pace.waited(10.0, 1_000_000)    # a fast first window does not pay for a slow second
    for _ in range(9):
        pace.waited(1.0, 0 if _ % 2 else 1)
    with pytest.raises(TooSlow):
        pace.waited(1.0, 1)


def test_time_not_spent_waiting_does_not_count():
    pace = Pace(min_rate=1000, window=10, stall=60)
    for _ in range(1000):
        pace.waited(0.001, 64)      # 64 KB/s while waited on; idle app time is not told


def test_a_stall_ends_even_without_a_rate():
    pace = Pace(min_rate=0, window=10, stall=3)
    pace.waited(2.0, 0)
    pace.waited(0.5, 1)             # a byte resets the stall
    pace.waited(2.9, 0)
    with pytest.raises(TooSlow, match="nothing for 3 s"):
        pace.waited(0.2, 0)


def test_without_a_rate_slow_bytes_are_fine():
    pace = Pace(min_rate=0, window=1, stall=5)
    for _ in range(100):
        pace.waited(4.0, 1)


def test_too_slow_is_a_timeout():
    assert issubclass(TooSlow, TimeoutError)
