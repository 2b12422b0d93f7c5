"""Unit tests of the CLI's helpers and the progress bar (the client's own are
in tests/client/)."""

import io
import os

import pytest

from glance import cli, client as gc
from glance.cli_format import (UsageError, parse_fields, parse_filters, print_block,
                               print_table)
from glance.cli_progress import ProgressBar, human_duration, human_size, render

# -- human sizes, durations, progress --------------------------------------------


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


# -- CLI helpers ------------------------------------------------------------------------


def test_parse_fields_types_core_fields_and_collects_properties():
    meta = parse_fields(["name=Ubuntu 22", "is_public=true", "size=10", "Disk-Format=raw",
                         "distro=ubuntu", "property-name=x", "location=http://o/i"])
    assert meta == {"name": "Ubuntu 22", "is_public": True, "size": 10,
                    "disk_format": "raw", "location": "http://o/i",
                    "properties": {"distro": "ubuntu", "name": "x"}}


def test_parse_fields_keeps_equal_signs_in_values():
    assert parse_fields(["note=a=b"]) == {"properties": {"note": "a=b"}}


@pytest.mark.parametrize("bad", ["name", "=x", "size=-1", "size=ten", "is_public=maybe"])
def test_parse_fields_refuses_bad_words(bad):
    with pytest.raises(UsageError):
        parse_fields([bad])


def test_parse_filters_splits_core_and_property_filters():
    assert parse_filters(["disk_format=raw", "size_min=5", "distro=ubuntu"]) == {
        "disk_format": "raw", "size_min": 5, "properties": {"distro": "ubuntu"}}


def test_print_table_aligns_columns():
    lines = []
    print_table(lines.append, [
        {"id": 1, "name": "a", "disk_format": "raw", "container_format": "bare", "size": 0},
        {"id": 123, "name": "longer name", "disk_format": None,
         "container_format": "ovf", "size": 3 * 2**20}])
    assert lines == [" ID  Name         Disk Format  Container Format     Size",
                     "---  -----------  -----------  ----------------  -------",
                     "  1  a            raw          bare                  0 B",
                     "123  longer name               ovf               3.0 MiB"]


def test_print_block_shows_labels_and_properties_and_skips_nulls():
    lines = []
    print_block(lines.append, {"id": 2, "name": "n", "is_public": False, "size": 1536,
                               "owner": None, "properties": {"b": "2", "a": "1"}})
    assert lines == ["Id: 2", "Public: No", "Name: n", "Size: 1536 (1.5 KiB)",
                     "Property 'a': 1", "Property 'b': 2"]


def test_write_atomically_replaces_only_when_complete(tmp_path):
    target = tmp_path / "image"
    cli.write_atomically(str(target), iter([b"ab", b"cd"]))
    assert target.read_bytes() == b"abcd"


def test_write_atomically_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "image"

    def failing():
        yield b"partial"
        raise gc.ChecksumMismatch("bad")
    with pytest.raises(gc.ChecksumMismatch):
        cli.write_atomically(str(target), failing())
    assert os.listdir(tmp_path) == []


def test_write_atomically_honours_umask(tmp_path):
    old = os.umask(0o027)
    try:
        cli.write_atomically(str(tmp_path / "f"), iter([b"x"]))
    finally:
        os.umask(old)
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("meta, name", [({"id": 3, "name": "ubuntu.img"}, "ubuntu.img"),
                                        ({"id": 3, "name": None}, "3"),
                                        ({"id": 3, "name": "../etc/passwd"}, ".._etc_passwd"),
                                        ({"id": 3, "name": ".."}, "3")])
def test_default_download_name(meta, name):
    assert cli._default_name(meta) == name
