"""The swift and s3 stores without an engine: locations, configuration, the
upload chunk source, registration in `Stores`, and secrets kept out of every
message and log line (against a fake server that echoes them back)."""

import logging

import pytest

from glance.common import config, exception
from glance.store import Stores, transfer
from glance.store.s3 import S3Store
from glance.store.s3 import parse_location as parse_s3
from glance.store.swift import SwiftStore
from glance.store.swift import parse_location as parse_swift
from tests.fixtureapps.tattler import TOKEN, Tattler
from tests.store.conftest import make_conf

SWIFT_KEY = "swift-key-NEVER-SHOWN"
S3_SECRET = "s3-secret-NEVER-SHOWN"


def swift_conf(tmp_path, auth="http://127.0.0.1:1/auth/v1.0", **extra):
    return make_conf(tmp_path, swift_store_auth_address=auth, swift_store_user="test:tester",
                     swift_store_key=SWIFT_KEY, **extra)


def s3_conf(tmp_path, host="http://127.0.0.1:1", **extra):
    return make_conf(tmp_path, s3_store_host=host, s3_store_access_key="AKIDTEST",
                     s3_store_secret_key=S3_SECRET, **extra)


# -- locations --------------------------------------------------------------------

def test_swift_locations_name_container_and_object_only(tmp_path):
    store = SwiftStore(swift_conf(tmp_path, swift_store_container="images"))
    assert store.location_for(42) == "swift://images/42"
    assert parse_swift("swift://images/42") == ("images", "42")


@pytest.mark.parametrize("location", ["swift://images", "swift:///42", "swift://u:k@images/42",
                                      "swift://images/a/b", "s3://images/42", None])
def test_bad_swift_locations_are_invalid(location):
    with pytest.raises(exception.Invalid):
        parse_swift(location)


def test_s3_locations_name_bucket_and_key_only(tmp_path):
    store = S3Store(s3_conf(tmp_path, s3_store_bucket="images"))
    assert store.location_for(42) == "s3://images/42"
    assert parse_s3("s3://images/42") == ("images", "42")


@pytest.mark.parametrize("location", ["s3://images", "s3://AKID:secret@images/42",
                                      "s3://x/42", "s3://images/42?versionId=1",
                                      "swift://images/42", 7])
def test_bad_s3_locations_are_invalid(location):
    with pytest.raises(exception.Invalid):
        parse_s3(location)


# -- configuration ----------------------------------------------------------------------

def test_a_bare_s3_host_means_https(tmp_path):
    store = S3Store(s3_conf(tmp_path, host="s3.eu-west-1.amazonaws.com"))
    assert (store.scheme, store.host, store.port) == ("https", "s3.eu-west-1.amazonaws.com", 443)


def test_auto_addressing_is_virtual_for_dns_named_https_endpoints(tmp_path):
    store = S3Store(s3_conf(tmp_path, host="s3.amazonaws.com", s3_store_bucket="images"))
    assert store.virtual
    assert store._address("images", "42")[1:] == ("images.s3.amazonaws.com", "/42")


def test_auto_addressing_is_path_style_for_a_loopback_endpoint(tmp_path):
    store = S3Store(s3_conf(tmp_path, host="http://127.0.0.1:18080", s3_store_bucket="images"))
    assert not store.virtual
    assert store._address("images", "42")[1:] == ("127.0.0.1:18080", "/images/42")


def test_virtual_addressing_can_be_forced(tmp_path):
    store = S3Store(s3_conf(tmp_path, host="http://s3.localhost:8080", s3_store_bucket="images",
                            s3_store_bucket_url_format="virtual"))
    assert store._address("images", "42") == ("images.s3.localhost", "images.s3.localhost:8080",
                                              "/42")


@pytest.mark.parametrize("options, option", [
    ({"s3_store_part_size": "1M"}, "s3_store_part_size"),
    ({"s3_store_bucket": "Not_A_Bucket"}, "s3_store_bucket"),
    ({"s3_store_host": "ftp://x"}, "s3_store_host"),
    ({"s3_store_host": "http://AKID:secret@host"}, "s3_store_host"),
    ({"s3_store_secret_key": ""}, "s3_store_secret_key"),
])
def test_bad_s3_options_are_refused_naming_them(tmp_path, options, option):
    with pytest.raises(exception.ConfigError, match=option) as caught:
        S3Store(make_conf(tmp_path, **{**dict(s3_store_host="http://127.0.0.1:1",
                                              s3_store_access_key="AKID",
                                              s3_store_secret_key=S3_SECRET), **options}))
    assert "secret" not in caught.value.message.replace("secret_key", "")


def test_a_swift_store_without_key_is_refused(tmp_path):
    with pytest.raises(exception.ConfigError, match="swift_store_key"):
        SwiftStore(make_conf(tmp_path, swift_store_auth_address="http://127.0.0.1:1/auth/v1.0",
                             swift_store_user="u"))


def test_default_store_accepts_the_object_stores():
    assert config.load(environ={"GLANCE_DEFAULT_STORE": "swift"}).default_store == "swift"
    with pytest.raises(exception.ConfigError, match="default_store"):
        config.load(environ={"GLANCE_DEFAULT_STORE": "ceph"})


def test_secret_options_never_show_in_the_config(tmp_path):
    conf = swift_conf(tmp_path, s3_store_secret_key=S3_SECRET,
                      sql_connection="postgresql://glance:pg-PASSWORD@db/glance")
    text = repr(conf)
    assert SWIFT_KEY not in text and S3_SECRET not in text and "pg-PASSWORD" not in text
    assert config.shown_value("sql_connection", conf.sql_connection) == \
        "postgresql://glance:***@db/glance"


# -- Stores --------------------------------------------------------------------------

def test_object_stores_are_off_until_configured(conf):
    stores = Stores(conf)
    assert stores.names == ["file", "http"]
    with pytest.raises(exception.UnknownScheme, match="swift_store_auth_address"):
        stores.for_name("swift")
    with pytest.raises(exception.UnknownScheme, match="s3_store_host"):
        stores.for_name("s3")
    with pytest.raises(exception.StoreError, match="not configured"):
        stores.for_location("swift://glance/1")


def test_configured_object_stores_are_found_by_name_and_scheme(tmp_path):
    stores = Stores(s3_conf(tmp_path, swift_store_auth_address="http://127.0.0.1:1/auth",
                            swift_store_user="u", swift_store_key=SWIFT_KEY))
    assert isinstance(stores.for_name("swift"), SwiftStore)
    assert isinstance(stores.for_location("swift://glance/1"), SwiftStore)
    assert isinstance(stores.for_name("s3"), S3Store)
    assert isinstance(stores.for_location("s3://glance/1"), S3Store)


def test_a_default_store_that_is_not_configured_stops_the_server(tmp_path):
    with pytest.raises(exception.ConfigError, match="swift_store_auth_address"):
        Stores(make_conf(tmp_path, default_store="swift"))


# -- the chunk source -----------------------------------------------------------------

class Boom(Exception):
    pass


def chunks(*parts, fail_at_end=False):
    yield from parts
    if fail_at_end:
        raise Boom("checksum mismatch")


def test_take_splits_at_the_limit_and_keeps_the_rest():
    source = transfer.ChunkSource(chunks(b"abcd", b"efgh"))
    assert list(source.take(6)) == [b"abcd", b"ef"]
    assert list(source.take()) == [b"gh"]
    assert source.exhausted() and source.taken == 8


def test_the_last_piece_waits_until_the_source_ended_cleanly():
    source = transfer.ChunkSource(chunks(b"abcd", b"efgh", fail_at_end=True))
    released = []
    with pytest.raises(Boom) as caught:
        for piece in source.take():
            released.append(piece)
    assert released == [b"abcd"]               # b"efgh" never went out
    assert caught.value is source.error


def test_exact_refuses_a_short_source_before_its_end():
    source = transfer.ChunkSource(chunks(b"abcd"))
    with pytest.raises(exception.StoreError, match="short"):
        list(source.take(6, exact=True))


def test_exact_refuses_a_long_source_before_the_last_piece():
    source = transfer.ChunkSource(chunks(b"abcd", b"ef"))
    released = []
    with pytest.raises(exception.StoreError, match="longer"):
        for piece in source.take(4, exact=True):
            released.append(piece)
    assert released == []


def test_exact_zero_still_runs_the_source_to_its_end():
    source = transfer.ChunkSource(chunks(fail_at_end=True))
    with pytest.raises(Boom):
        list(source.take(0, exact=True))


def test_read_gathers_one_part():
    source = transfer.ChunkSource(chunks(b"ab", b"cd", b"ef"))
    assert source.read(5) == bytearray(b"abcde") and not source.exhausted()


# -- secrets never leave ---------------------------------------------------------------

class Sized:
    """An upload body of declared size, like the API's VerifiedBody."""

    def __init__(self, data):
        self.data = data
        self.size_hint = len(data)

    def __iter__(self):
        yield self.data


def _assert_no_secret(text, *secrets):
    for secret in secrets:
        assert secret not in text


def _exercise(store, location):
    """Every operation against a server that fails them all -> the messages."""
    messages = []
    for operation in (lambda: store.add(5, Sized(b"x" * 100)),
                      lambda: store.get(location, image_id=5),
                      lambda: store.get_size(location, image_id=5),
                      lambda: store.delete(location, image_id=5),
                      lambda: store.get_from(location, 10, image_id=5)):
        with pytest.raises(exception.GlanceError) as caught:
            operation()
        assert location not in caught.value.message      # CONTRACT §9: to the log only
        messages += [caught.value.message, caught.value.detail or ""]
    return messages


@pytest.mark.parametrize("status", ["500 Internal Server Error", "403 Forbidden",
                                    "401 Unauthorized", "404 Not Found"])
def test_swift_errors_and_logs_hold_no_key_or_token(tmp_path, caplog, status):
    caplog.set_level(logging.DEBUG)
    with Tattler(status) as server:
        store = SwiftStore(swift_conf(tmp_path, auth=f"{server.url}/auth/v1.0",
                                      swift_store_create_container_on_put="true"))
        messages = _exercise(store, "swift://glance/5")
    assert any(TOKEN in str(headers) for _, _, headers in server.requests)   # it was sent
    for text in messages + [caplog.text]:
        _assert_no_secret(text, TOKEN, SWIFT_KEY)
    assert all(message.startswith("swift store") for message in messages[::2]), messages


@pytest.mark.parametrize("status", ["500 Internal Server Error", "403 Forbidden",
                                    "404 Not Found"])
def test_s3_errors_and_logs_hold_no_secret_or_signature(tmp_path, caplog, status):
    caplog.set_level(logging.DEBUG)
    with Tattler(status) as server:
        store = S3Store(s3_conf(tmp_path, host=server.url, s3_store_create_bucket_on_put="true"))
        messages = _exercise(store, "s3://glance/5")
    signatures = [headers["Authorization"].rsplit("Signature=", 1)[1]
                  for _, _, headers in server.requests if "Authorization" in headers]
    assert signatures
    for text in messages + [caplog.text]:
        _assert_no_secret(text, S3_SECRET, "AKIDTEST", *signatures)


def test_a_refused_swift_login_names_the_options_not_their_values(tmp_path):
    with Tattler("401 Unauthorized") as server:
        store = SwiftStore(swift_conf(tmp_path, auth=f"{server.url}/login"))
        with pytest.raises(exception.StoreError, match="swift_store_key") as caught:
            store.get("swift://glance/1", image_id=1)
    _assert_no_secret(caught.value.message, SWIFT_KEY, "test:tester")


def test_an_unreachable_store_is_a_store_error(tmp_path):
    with pytest.raises(exception.StoreError, match="connection refused"):
        SwiftStore(swift_conf(tmp_path)).get("swift://glance/1", image_id=1)
    with pytest.raises(exception.StoreError, match="connection refused"):
        S3Store(s3_conf(tmp_path)).get("s3://glance/1", image_id=1)


# -- only an image's own object (issue 15, item 1) ----------------------------------------

OTHERS = {"swift": ["swift://glance/6", "swift://other/5", "swift://glance/5-00001",
                    "swift://glance/05", "swift://glance", "swift://[/5", "s3://glance/5"],
          "s3": ["s3://glance/6", "s3://other/5", "s3://glance/5-00001", "s3://glance/05",
                 "s3://glance", "s3://[/5", "swift://glance/5"]}


@pytest.mark.parametrize("kind", ["swift", "s3"])
@pytest.mark.parametrize("operation", ["get", "get_size", "delete", "get_from"])
def test_another_images_object_is_refused_without_asking_the_store(tmp_path, kind, operation):
    with Tattler("200 OK") as server:
        store = (SwiftStore(swift_conf(tmp_path, auth=f"{server.url}/auth/v1.0"))
                 if kind == "swift" else S3Store(s3_conf(tmp_path, host=server.url)))
        for location in OTHERS[kind]:
            args = (location, 3) if operation == "get_from" else (location,)
            with pytest.raises(exception.Forbidden) as caught:
                getattr(store, operation)(*args, image_id=5)
            assert location not in caught.value.message and location in caught.value.detail
        assert server.requests == []
