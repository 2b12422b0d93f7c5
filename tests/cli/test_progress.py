"""Human sizes and durations, and the transfer progress bar of `glance`."""

import io

import pytest

from glance.cli.progress import ProgressBar, human_duration, human_size, render


@pytest.mark.parametrize("n, text", [
    (0, "0 B"), (1, "1 B"), (512, "512 B"), (1023, "1023 B"), (1024, "1.0 KiB"),
    (1536, "1.5 KiB"), (10 * 2**20, "10.0 MiB"), (2 * 2**30, "2.0 GiB"),
    (5 * 2**40, "5.0 TiB"), (None, "-"),
])
def test_human_size(n, text):
    assert human_size(n) == text


@pytest.mark.parametrize("seconds, text", [(0, "0:00"), (7, "0:07"), (754, "12:34"),
                                           (3723, "1:02:03")])
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_render_shows_bytes_percent_rate_and_eta():
    line = render(256 * 2**20, 512 * 2**20, 4.0)
    assert "50%" in line
    assert "256.0 MiB / 512.0 MiB" in line
    assert "64.0 MiB/s" in line
    assert "ETA 0:04" in line


def test_render_without_total_shows_bytes_and_rate_only():
    line = render(3 * 2**20, None, 1.0)
    assert line == "3.0 MiB  3.0 MiB/s"


def test_render_at_the_end_shows_elapsed_time():
    line = render(100, 100, 65.0)
    assert "100%" in line and "in 1:05" in line


def test_render_bar_fills_in_proportion():
    assert "[#####               ]" in render(25, 100, 1.0, width=20)


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_bar_disabled_writes_nothing():
    out = io.StringIO()
    bar = ProgressBar(out, 10, enabled=False)
    bar.update(5)
    bar.finish()
    assert out.getvalue() == ""


def test_progress_bar_redraws_at_most_ten_times_a_second():
    out, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(out, 1000, clock=clock)
    for _ in range(100):            # 100 updates within 0.5 s
        clock.now += 0.005
        bar.update(1)
    assert 1 <= out.getvalue().count("\r") <= 6


def test_progress_bar_finish_draws_final_state_and_newline():
    out, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(out, 10, clock=clock)
    bar.update(4)
    clock.now += 0.01
    bar.update(6)
    bar.finish()
    assert out.getvalue().endswith("\n")
    assert "100%" in out.getvalue().rsplit("\r", 1)[1]


def test_progress_bar_wrap_counts_and_passes_chunks():
    bar = ProgressBar(io.StringIO(), None, enabled=False)
    assert list(bar.wrap([b"ab", b"cde"])) == [b"ab", b"cde"]
    assert bar.done == 5
