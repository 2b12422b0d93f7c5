"""Unit tests of the client, the CLI's helpers and the progress bar.

Pure functions are tested directly; the client's HTTP behaviour (keep-alive,
chunked uploads, error mapping, checksum checks, broken connections) is
tested against `ScriptedPeer`, a tiny HTTP/1.1 server on a free loopback port
whose every answer the test decides.
"""

import hashlib
import http.server
import io
import json
import os
import socket
import threading

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


# -- ids, uris, URLs, query strings ---------------------------------------------


@pytest.mark.parametrize("given, expected", [
    (7, 7), ("7", 7), (" 12 ", 12),
    ("http://glance.example:9292/v1/images/42", 42),
    ("https://h/images/5/", 5),
])
def test_image_id_of_accepts_ids_and_uris(given, expected):
    assert gc.image_id_of(given) == expected


@pytest.mark.parametrize("bad", ["abc", "http://h/v1/images/", "http://h/other/3", -1, True, ""])
def test_image_id_of_refuses_other_things(bad):
    with pytest.raises(ValueError):
        gc.image_id_of(bad)


@pytest.mark.parametrize("url, host, port, ssl, base", [
    ("http://127.0.0.1:9292", "127.0.0.1", 9292, False, "/v1"),
    ("http://h:1/v1/", "h", 1, False, "/v1"),
    ("https://h", "h", 443, True, "/v1"),
    ("http://h/glance", "h", 80, False, "/glance/v1"),
])
def test_client_from_url(url, host, port, ssl, base):
    client = gc.Client.from_url(url, auth_tok="t")
    assert (client.host, client.port, client.use_ssl, client.base_path,
            client.auth_tok) == (host, port, ssl, base, "t")


@pytest.mark.parametrize("url", ["ftp://h/", "127.0.0.1:9292", "http://h:notaport/"])
def test_client_from_url_refuses_non_http_urls(url):
    with pytest.raises(ValueError):
        gc.Client.from_url(url)


def test_query_string_spells_booleans_and_properties():
    query = gc.query_string({"is_public": False, "marker": None, "limit": 5,
                             "properties": {"distro": "ubuntu"}, "property_arch": "x86"})
    assert query == "is_public=false&limit=5&property-distro=ubuntu&property-arch=x86"


# -- metadata codec as the client uses it ------------------------------------------


def test_meta_headers_refuses_unknown_top_level_keys():
    with pytest.raises(ValueError, match="distro"):
        gc.meta_headers({"name": "a", "distro": "ubuntu"})


def test_meta_headers_types_values_as_the_contract_says():
    headers = dict(gc.meta_headers({"is_public": True, "size": 5, "name": None,
                                    "properties": {"k": "v"}}))
    assert headers == {"x-image-meta-is_public": "True", "x-image-meta-size": "5",
                       "x-image-meta-name": "", "x-image-meta-property-k": "v"}


def test_meta_headers_send_non_ascii_as_utf8_bytes():
    (name, value), = gc.meta_headers({"name": "Ubuntu é"})
    assert value.encode("latin-1") == "Ubuntu é".encode("utf-8")


def test_meta_from_headers_types_values_and_redecodes_utf8():
    wire = lambda text: text.encode("utf-8").decode("latin-1")   # as http.client gives it
    meta = gc.meta_from_headers([
        ("x-image-meta-id", "3"), ("x-image-meta-size", "1024"),
        ("x-image-meta-is_public", "True"), ("x-image-meta-deleted", "False"),
        ("x-image-meta-name", wire("Debian ü")), ("x-image-meta-checksum", ""),
        ("x-image-meta-property-distro", wire("ä")), ("ETag", '"abc"'),
    ])
    assert meta == {"id": 3, "size": 1024, "is_public": True, "deleted": False,
                    "name": "Debian ü", "checksum": None, "properties": {"distro": "ä"}}


def test_meta_from_headers_refuses_malformed_server_metadata():
    with pytest.raises(gc.ClientError, match="malformed"):
        gc.meta_from_headers([("x-image-meta-size", "lots")])


# -- error bodies ---------------------------------------------------------------


@pytest.mark.parametrize("status, cls", [(400, gc.Invalid), (401, gc.NotAuthorized),
                                         (403, gc.NotAuthorized), (404, gc.NotFound),
                                         (409, gc.Duplicate), (500, gc.ClientError),
                                         (503, gc.ClientError)])
def test_error_class_follows_status(status, cls):
    error = gc.error_from_response(status, "Reason", b"{}")
    assert type(error) is cls and error.status == status


def test_error_carries_the_json_message_and_code():
    error = gc.error_from_response(404, "Not Found",
                                   b'{"code": "image.not_found", "message": "no image 9"}')
    assert (error.message, error.code, str(error)) == ("no image 9", "image.not_found",
                                                        "no image 9")


def test_error_falls_back_to_body_text():
    assert gc.error_from_response(502, "Bad Gateway", b" upstream down\n").message == \
        "upstream down"


def test_error_falls_back_to_status_line_for_empty_body():
    assert gc.error_from_response(500, "Internal Server Error", b"").message == \
        "500 Internal Server Error"


# -- upload chunks --------------------------------------------------------------------


class NoWholeReads(io.BytesIO):
    """A file that fails if anyone tries to read it whole."""

    def __init__(self, data):
        super().__init__(data)
        self.sizes = []

    def read(self, size=-1):
        assert size is not None and size > 0, "read() of the whole file"
        self.sizes.append(size)
        return super().read(size)


def test_upload_chunks_read_files_in_one_mib_pieces():
    f = NoWholeReads(b"x" * (3 * 2**20 + 5))
    chunks = list(gc.upload_chunks(f))
    assert [len(c) for c in chunks] == [2**20, 2**20, 2**20, 5]
    assert set(f.sizes) == {2**20}


def test_upload_chunks_pass_iterables_through():
    assert list(gc.upload_chunks(iter([b"a", b"bc"]))) == [b"a", b"bc"]


def test_upload_chunks_of_empty_bytes_is_nothing():
    assert list(gc.upload_chunks(b"")) == []


def test_upload_chunks_refuse_text():
    with pytest.raises(TypeError):
        list(gc.upload_chunks("text"))


def test_upload_chunks_refuse_text_files():
    with pytest.raises(TypeError, match="binary"):
        list(gc.upload_chunks(io.StringIO("text")))


# -- unreachable servers --------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_refused_connection_names_host_and_port():
    port = free_port()
    with pytest.raises(gc.ClientConnectionError) as info:
        gc.Client("127.0.0.1", port, timeout=5).get_images()
    assert info.value.status is None
    assert info.value.message.startswith(f"cannot connect to 127.0.0.1:{port}: ")


def test_dns_failure_names_host_and_port():
    with pytest.raises(gc.ClientConnectionError, match="no-such-host.invalid:9292"):
        gc.Client("no-such-host.invalid", timeout=5).get_image_meta(1)


# -- the client against a scripted peer ---------------------------------------------


class ScriptedPeer:
    """HTTP/1.1 on a free loopback port.  `answer(request)` returns
    (status, headers, body) or, to break the connection after sending part
    of the body, (status, headers, body, "drop")."""

    def __init__(self, answer):
        self.answer = answer
        self.requests = []
        self.client_ports = []
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _any(self):
                peer.client_ports.append(self.client_address[1])
                body = self._body()
                request = {"method": self.command, "path": self.path,
                           "headers": self.headers, "body": body}
                peer.requests.append(request)
                status, headers, payload, *drop = peer.answer(request)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                if not any(n.lower() == "content-length" for n, _ in headers):
                    self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)
                self.wfile.flush()
                if drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)

            def _body(self):
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        chunk = self.rfile.read(size + 2)[:size]
                        if size == 0:
                            return data
                        data += chunk
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def client(self, **kwargs):
        return gc.Client("127.0.0.1", self.port, timeout=5, **kwargs)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def peer_factory():
    peers = []

    def make(answer):
        peers.append(ScriptedPeer(answer))
        return peers[-1]
    yield make
    for p in peers:
        p.close()


IMAGE_JSON = json.dumps({"image": {"id": 1, "properties": {}}}).encode()
JSON = [("Content-Type", "application/json")]


def image_answer(data, checksum):
    return (200, [("x-image-meta-id", "1"), ("x-image-meta-checksum", checksum),
                  ("x-image-meta-size", str(len(data))),
                  ("Content-Type", "application/octet-stream")], data)


def test_auth_token_is_sent_as_x_auth_token(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"images": []}'))
    peer.client(auth_tok="secret").get_images()
    assert peer.requests[0]["headers"]["X-Auth-Token"] == "secret"


def test_lists_use_the_v1_paths_and_filters(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"images": []}'))
    peer.client().get_images_detailed(name="a b", limit=2)
    assert peer.requests[0]["path"] == "/v1/images/detail?name=a+b&limit=2"


def test_file_upload_is_chunked_without_content_length(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({"name": "a"}, io.BytesIO(b"z" * 3_000_000))
    request = peer.requests[0]
    assert request["headers"]["Transfer-Encoding"] == "chunked"
    assert "Content-Length" not in request["headers"]
    assert request["body"] == b"z" * 3_000_000
    assert request["headers"]["Content-Type"] == "application/octet-stream"


def test_bytes_upload_has_content_length(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({}, b"abc")
    assert peer.requests[0]["headers"]["Content-Length"] == "3"


def test_empty_bytes_upload_is_an_empty_chunked_body(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({}, b"")
    assert peer.requests[0]["headers"]["Transfer-Encoding"] == "chunked"


def test_metadata_only_request_has_no_content_type(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({"name": "a"})
    assert "Content-Type" not in peer.requests[0]["headers"]


def test_non_ascii_metadata_travels_as_utf8(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    peer.client().add_image({"name": "Łódź"})
    raw = peer.requests[0]["headers"]["x-image-meta-name"].encode("latin-1")
    assert raw == "Łódź".encode("utf-8")


def test_purge_props_sends_the_registry_header(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, IMAGE_JSON))
    peer.client().update_image(1, {"properties": {}}, purge_props=True)
    assert peer.requests[0]["headers"]["x-glance-registry-purge-props"] == "true"


def test_update_without_purge_sends_no_purge_header(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, IMAGE_JSON))
    peer.client().update_image(1, {"name": "b"})
    assert "x-glance-registry-purge-props" not in peer.requests[0]["headers"]


def test_connection_is_kept_alive_between_calls(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"images": []}'))
    client = peer.client()
    for _ in range(3):
        client.get_images()
    assert len(set(peer.client_ports)) == 1


def test_connection_closed_by_the_server_is_replaced(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"images": []}', "drop"))
    client = peer.client()
    client.get_images()
    client.get_images()           # the kept connection is dead by now
    assert len(set(peer.client_ports)) == 2


def test_error_answers_raise_with_status_and_server_message(peer_factory):
    peer = peer_factory(lambda r: (403, JSON, b'{"code": "auth.forbidden", "message": "no"}'))
    with pytest.raises(gc.NotAuthorized) as info:
        peer.client().delete_image(4)
    assert (info.value.status, info.value.message) == (403, "no")


def test_html_error_body_becomes_the_message(peer_factory):
    peer = peer_factory(lambda r: (502, [("Content-Type", "text/html")], b"proxy broke"))
    with pytest.raises(gc.ClientError) as info:
        peer.client().get_images()
    assert (info.value.status, info.value.message) == (502, "proxy broke")


def test_head_error_message_is_fetched_with_get(peer_factory):
    peer = peer_factory(lambda r: (404, JSON, b'{"message": "no image 4"}'))
    with pytest.raises(gc.NotFound) as info:
        peer.client().get_image_meta(4)
    assert info.value.message == "no image 4"
    assert [r["method"] for r in peer.requests] == ["HEAD", "GET"]


def test_head_error_keeps_its_status_if_get_answers_otherwise(peer_factory):
    answers = iter([(403, JSON, b""), (200, [], b"data")])
    peer = peer_factory(lambda r: next(answers))
    with pytest.raises(gc.NotAuthorized) as info:
        peer.client().get_image_meta(4)
    assert (info.value.status, info.value.message) == (403, "403 Forbidden")


def test_non_json_list_answer_is_a_client_error(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b"<html>"))
    with pytest.raises(gc.ClientError, match="unexpected JSON"):
        peer.client().get_images()


def test_too_many_headers_is_a_client_error_not_a_connection_error(peer_factory):
    many = [(f"x-image-meta-property-p{i}", "v") for i in range(120)]
    peer = peer_factory(lambda r: (200, many, b""))
    with pytest.raises(gc.ClientError) as info:
        peer.client().get_image_meta(1)
    assert type(info.value) is gc.ClientError and "headers" in info.value.message


def test_json_without_the_expected_key_is_a_client_error(peer_factory):
    peer = peer_factory(lambda r: (200, JSON, b'{"imgs": []}'))
    with pytest.raises(gc.ClientError, match="unexpected JSON"):
        peer.client().get_images()


def test_bad_upload_data_closes_the_connection_and_raises(peer_factory):
    peer = peer_factory(lambda r: (201, JSON, IMAGE_JSON))
    client = peer.client()
    with pytest.raises(TypeError):
        client.add_image({}, ["not bytes"])
    client.add_image({}, b"fine")             # a fresh connection works
    assert peer.requests[-1]["body"] == b"fine"


def test_checksum_mismatch_raises_at_the_end_of_the_data(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"data", "0" * 32))
    meta, chunks = peer.client().get_image(1, checksum=True)
    with pytest.raises(gc.ChecksumMismatch):
        list(chunks)


def test_checksum_is_not_checked_unless_asked(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"data", "0" * 32))
    meta, chunks = peer.client().get_image(1)
    assert b"".join(chunks) == b"data"


def test_checksum_compares_case_insensitively(peer_factory):
    digest = hashlib.md5(b"data").hexdigest().upper()
    peer = peer_factory(lambda r: image_answer(b"data", digest))
    meta, chunks = peer.client().get_image(1, checksum=True)
    assert b"".join(chunks) == b"data"


def test_truncated_download_is_a_connection_error(peer_factory):
    def answer(request):
        status, headers, data = image_answer(b"x" * 1000, "")
        return status, headers + [("Content-Length", "5000")], data, "drop"
    peer = peer_factory(answer)
    meta, chunks = peer.client().get_image(1)
    with pytest.raises(gc.ClientConnectionError, match="lost"):
        list(chunks)


def test_download_chunks_are_chunk_size_long(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"y" * 200_000, ""))
    meta, chunks = peer.client().get_image(1, chunk_size=65536)
    assert [len(c) for c in chunks] == [65536, 65536, 65536, 200_000 - 3 * 65536]


def test_abandoned_download_closes_its_connection(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"y" * 500_000, ""))
    client = peer.client()
    meta, chunks = client.get_image(1)
    next(chunks)
    chunks.close()
    meta, chunks = client.get_image(1)
    assert len(b"".join(chunks)) == 500_000
    assert len(set(peer.client_ports)) == 2


def test_finished_download_gives_its_connection_back(peer_factory):
    peer = peer_factory(lambda r: image_answer(b"y" * 100, ""))
    client = peer.client()
    meta, chunks = client.get_image(1)
    list(chunks)
    client.get_image_meta(1)
    assert len(set(peer.client_ports)) == 1


def test_iter_images_follows_markers_until_a_short_page(peer_factory):
    ids = list(range(10, 0, -1))

    def answer(request):
        query = dict(p.split("=") for p in request["path"].split("?")[1].split("&"))
        start = ids.index(int(query["marker"])) + 1 if "marker" in query else 0
        page = ids[start:start + int(query["limit"])]
        return 200, JSON, json.dumps({"images": [{"id": i} for i in page]}).encode()
    peer = peer_factory(answer)
    assert [i["id"] for i in peer.client().iter_images(page_size=3)] == ids
    assert len(peer.requests) == 4          # 3 + 3 + 3 + 1


def test_iter_images_refuses_limit():
    with pytest.raises(TypeError, match="page_size"):
        next(gc.Client("127.0.0.1").iter_images(limit=5))


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
