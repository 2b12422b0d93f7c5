"""Fixtures of the server's tests."""

import os

import pytest


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """A 20 MiB file of random bytes: (path, its bytes)."""
    path = tmp_path_factory.mktemp("files") / "image"
    data = os.urandom(20 << 20)
    path.write_bytes(data)
    return path, data
