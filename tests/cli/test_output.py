"""Files the `glance` command writes: whole or not at all, named safely."""

import os

import pytest

from glance import client as gc
from glance.cli.output import default_name, write_atomically


def test_write_atomically_replaces_only_when_complete(tmp_path):
    target = tmp_path / "image"
    write_atomically(str(target), iter([b"ab", b"cd"]))
    assert target.read_bytes() == b"abcd"


def test_write_atomically_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "image"

    def failing():
        yield b"partial"
        raise gc.ChecksumMismatch("bad")
    with pytest.raises(gc.ChecksumMismatch):
        write_atomically(str(target), failing())
    assert os.listdir(tmp_path) == []


def test_write_atomically_honours_umask(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomically(str(tmp_path / "f"), iter([b"x"]))
    finally:
        os.umask(old)
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("meta, name", [({"id": 3, "name": "ubuntu.img"}, "ubuntu.img"),
                                        ({"id": 3, "name": None}, "3"),
                                        ({"id": 3, "name": "../etc/passwd"}, ".._etc_passwd"),
                                        ({"id": 3, "name": ".."}, "3")])
def test_default_download_name(meta, name):
    assert default_name(meta) == name
