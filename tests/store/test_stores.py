"""Stores, the registry that picks a backend by location scheme or by name."""

import os

import pytest

from glance.common import exception
from glance.store import FilesystemStore, HttpStore, Store, Stores


@pytest.fixture
def stores(conf):
    return Stores(conf)


def test_default_backends_are_file_and_http(stores):
    assert stores.names == ["file", "http"]


def test_building_stores_creates_the_datadir(conf):
    Stores(conf)
    assert os.path.isdir(conf.filesystem_store_datadir)


def test_file_location_goes_to_the_filesystem_store(stores):
    assert isinstance(stores.for_location("file:///var/lib/glance/images/1"), FilesystemStore)


@pytest.mark.parametrize("uri", ["http://example.com/x", "https://example.com/x",
                                 "HTTPS://example.com/x"])
def test_http_and_https_locations_go_to_the_http_store(stores, uri):
    assert isinstance(stores.for_location(uri), HttpStore)


def test_unknown_scheme_is_refused_naming_it(stores):
    with pytest.raises(exception.UnknownScheme, match="unknown store scheme 'ftp'"):
        stores.for_location("ftp://example.com/x")


def test_unknown_scheme_is_a_400_kind_of_error():
    assert issubclass(exception.UnknownScheme, exception.Invalid)


def test_unknown_scheme_message_hides_credentials(stores):
    with pytest.raises(exception.UnknownScheme) as caught:
        stores.for_location("ftp://bob:hunter2@example.com/x")
    assert "hunter2" not in caught.value.message


@pytest.mark.parametrize("uri", ["", "/var/lib/glance/images/1", None, 42])
def test_location_without_scheme_is_refused(stores, uri):
    with pytest.raises(exception.UnknownScheme):
        stores.for_location(uri)


@pytest.mark.parametrize("name, cls", [("file", FilesystemStore), ("http", HttpStore),
                                       ("https", HttpStore), ("FILE", FilesystemStore),
                                       (" http ", HttpStore)])
def test_for_name_finds_the_backend(stores, name, cls):
    assert isinstance(stores.for_name(name), cls)


def test_https_and_http_names_are_the_same_store(stores):
    assert stores.for_name("https") is stores.for_name("http")


def test_unknown_name_is_refused_naming_it(stores):
    with pytest.raises(exception.UnknownScheme, match="'swift'"):
        stores.for_name("swift")


class FakeStore(Store):
    name = "fake"
    schemes = ("fake", "fakes")


def test_explicit_backends_replace_the_defaults(conf):
    fake = FakeStore()
    stores = Stores(conf, backends=[fake])
    assert stores.names == ["fake"]
    assert stores.for_location("fakes://x") is fake
    with pytest.raises(exception.UnknownScheme):
        stores.for_location("file:///x")


def test_two_backends_with_one_name_are_refused(conf):
    with pytest.raises(ValueError):
        Stores(conf, backends=[FakeStore(), FakeStore()])


def test_iterating_gives_the_backends(conf):
    fake = FakeStore()
    assert list(Stores(conf, backends=[fake])) == [fake]


def test_base_store_is_read_only():
    with pytest.raises(exception.Invalid, match="read-only"):
        FakeStore().add(1, [b"x"])


def test_base_store_has_no_free_space_limit():
    assert FakeStore().free_space() is None
