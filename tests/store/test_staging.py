"""The staging area of v2 imports (`glance.store.staging`): staged data by
image id, written atomically, made on first use, out of the file store's
reach."""

import os

import pytest

from glance.common import config, exception
from glance.store import FilesystemStore, Stores, StagingArea

IMAGE = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"


@pytest.fixture
def conf(tmp_path):
    return config.load(environ={"GLANCE_FILESYSTEM_STORE_DATADIR": str(tmp_path / "images"),
                                "GLANCE_CHUNK_SIZE": "64K", "GLANCE_STORE_MIN_FREE": "0"})


@pytest.fixture
def staging(conf):
    return StagingArea(conf)


def read_all(data):
    with data:
        return b"".join(data)


def test_staged_data_is_read_back_and_discarded(staging):
    staging.add(IMAGE, [b"abc", b"def"])
    assert read_all(staging.open(IMAGE)) == b"abcdef"
    assert staging.staged_files() == [(IMAGE, os.path.join(staging.datadir, IMAGE))]
    assert staging.discard(IMAGE) is True
    assert staging.discard(IMAGE) is False
    with pytest.raises(exception.NotFound):
        staging.open(IMAGE)


def test_the_directory_is_made_by_the_first_stage(conf, staging):
    assert staging.staged_files() == [] and staging.temp_files() == []
    assert not os.path.exists(staging.datadir)
    Stores(conf).staging.staged_files()
    assert not os.path.exists(staging.datadir)
    staging.add(IMAGE, [b"x"])
    assert os.path.dirname(staging.datadir) == conf.filesystem_store_datadir


def test_a_failed_stage_leaves_nothing(staging):
    def failing():
        yield b"x" * 100
        raise exception.ClientDisconnected("gone")
    with pytest.raises(exception.ClientDisconnected):
        staging.add(IMAGE, failing())
    assert os.listdir(staging.datadir) == []


def test_staged_data_is_not_replaced(staging):
    staging.add(IMAGE, [b"first"])
    with pytest.raises(exception.Duplicate):
        staging.add(IMAGE, [b"second"])
    assert read_all(staging.open(IMAGE)) == b"first"


def test_the_file_store_neither_sees_nor_serves_staged_data(conf, staging):
    store = FilesystemStore(conf)
    location = staging.add(IMAGE, [b"secret"])
    assert store.image_files() == [] and store.temp_files() == []
    with pytest.raises(exception.Forbidden):
        store.get(location, image_id=IMAGE)
    with pytest.raises(exception.Forbidden):
        store.delete(location, image_id=IMAGE)


def test_only_image_ids_are_staged(staging):
    with pytest.raises(exception.Invalid):
        staging.add("../escape", [b"x"])
    with pytest.raises(exception.Invalid):
        staging.discard("../escape")
