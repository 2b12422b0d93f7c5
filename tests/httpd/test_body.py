"""Request bodies read from bytes (io.BytesIO), no socket: Content-Length
and chunked framing, strict chunk-size lines, trailers, where a body ends."""

import io

import pytest

from glance.httpd import body, request
from tests.httpd.helpers import chunked


def reader(data, length=request.CHUNKED):
    stream = io.BytesIO(data)
    return body.reader(stream, length), stream


def read_all(wsgi_input, how):
    if how == "read":
        return wsgi_input.read()
    if how == "blocks":
        return b"".join(iter(lambda: wsgi_input.read(7), b""))
    if how == "readinto":
        out, buffer = bytearray(), bytearray(5)
        while got := wsgi_input.readinto(buffer):
            out += buffer[:got]
        return bytes(out)
    return b"".join(wsgi_input)     # readline


HOW = ["read", "blocks", "readinto", "lines"]


# --- Content-Length ------------------------------------------------------------

@pytest.mark.parametrize("how", HOW)
def test_length_body_stops_at_its_end(how):
    wsgi_input, stream = reader(b"one\ntwo\nthrNEXT", 11)
    assert read_all(wsgi_input, how) == b"one\ntwo\nthr"
    assert wsgi_input.finished
    assert stream.read() == b"NEXT"


def test_empty_length_body_is_finished_from_the_start():
    wsgi_input, _ = reader(b"GET", 0)
    assert wsgi_input.finished and wsgi_input.read() == b""


@pytest.mark.parametrize("how", HOW)
def test_a_short_length_body_is_a_body_error(how):
    wsgi_input, _ = reader(b"only ten b", 1000)
    with pytest.raises(body.BodyError):
        read_all(wsgi_input, how)


def test_drain_reads_what_the_app_left_within_the_limit():
    wsgi_input, stream = reader(b"x" * 100 + b"NEXT", 100)
    wsgi_input.read(10)
    assert wsgi_input.drain(1000)
    assert stream.read() == b"NEXT"


def test_drain_refuses_a_body_over_the_limit():
    wsgi_input, _ = reader(b"x" * 100, 100)
    assert not wsgi_input.drain(50)


# --- chunked -------------------------------------------------------------------

@pytest.mark.parametrize("size", [1, 3, 7, 64, 1000])
@pytest.mark.parametrize("how", HOW)
def test_chunked_body_is_dechunked_whatever_the_chunk_and_read_sizes(size, how):
    data = bytes(range(256)) * 3 + b"\nlast line\n"
    wsgi_input, stream = reader(chunked(data, size) + b"NEXT")
    assert read_all(wsgi_input, how) == data
    assert wsgi_input.finished
    assert stream.read() == b"NEXT"


def test_empty_chunked_body():
    wsgi_input, stream = reader(b"0\r\n\r\nNEXT")
    assert wsgi_input.read() == b""
    assert wsgi_input.finished and stream.read() == b"NEXT"


@pytest.mark.parametrize("line", [b"A", b"a", b"00000000000a", b"a;name=value", b"a;x",
                                  b'a;n="quoted;"', b"a;n=v\tw"])
def test_well_formed_chunk_size_lines(line):
    wsgi_input, _ = reader(line + b"\r\n0123456789\r\n0\r\n\r\n")
    assert wsgi_input.read() == b"0123456789"


@pytest.mark.parametrize("line", [
    b"", b"zz", b"0x5", b"-5", b"+5", b" 5", b"5 ", b"5\t", b"5\x0b", b"5\x0c", b"5\xa0",
    b"\xd9\xa3", b"5 ;ext", b"5;ext\x00", b"5;ext\x1b", b"1" + b"0" * 16, b"5\r5",
])
def test_malformed_chunk_size_line_is_a_body_error(line):
    wsgi_input, _ = reader(line + b"\r\nhello\r\n0\r\n\r\n")
    with pytest.raises(body.BodyError):
        wsgi_input.read()


def test_a_chunk_size_line_ended_by_bare_lf_is_a_body_error():
    wsgi_input, _ = reader(b"5\nhello\r\n0\r\n\r\n")
    with pytest.raises(body.BodyError, match="CRLF"):
        wsgi_input.read()


@pytest.mark.parametrize("after", [b"X\r\n", b"\n0\r\n\r\n", b"\r0\r\n\r\n"])
def test_chunk_data_must_be_followed_by_crlf(after):
    wsgi_input, _ = reader(b"5\r\nhello" + after + b"0\r\n\r\n")
    with pytest.raises(body.BodyError):
        wsgi_input.read()


def test_an_overlong_chunk_size_line_is_a_body_error():
    wsgi_input, _ = reader(b"5;" + b"x" * (body.MAX_LINE + 10) + b"\r\nhello\r\n0\r\n\r\n")
    with pytest.raises(body.BodyError, match="longer"):
        wsgi_input.read()


@pytest.mark.parametrize("data", [b"5\r\nhello\r\n", b"5\r\nhel", b"5\r\n", b"5", b""])
def test_a_truncated_chunked_body_is_a_body_error(data):
    wsgi_input, _ = reader(data)
    with pytest.raises(body.BodyError):
        wsgi_input.read()


def test_trailers_are_read_and_dropped():
    wsgi_input, stream = reader(b"3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\nNEXT")
    assert wsgi_input.read() == b"abc"
    assert stream.read() == b"NEXT"


def test_trailers_past_their_budget_are_a_body_error():
    line = b"X-T: " + b"a" * 1000 + b"\r\n"
    count = body.MAX_TRAILER_BYTES // len(line) + 2
    wsgi_input, _ = reader(b"0\r\n" + line * count + b"\r\n")
    with pytest.raises(body.BodyError, match="trailers"):
        wsgi_input.read()


def test_a_trailer_line_ended_by_bare_lf_is_a_body_error():
    wsgi_input, _ = reader(b"0\r\nX-T: 1\n\r\n")
    with pytest.raises(body.BodyError):
        wsgi_input.read()


def test_readline_honours_its_size_across_chunks():
    wsgi_input, _ = reader(chunked(b"abcdef\nghi", 2))
    assert wsgi_input.readline(4) == b"abcd"
    assert wsgi_input.readline() == b"ef\n"
    assert wsgi_input.readline() == b"ghi"
    assert wsgi_input.readline() == b""


def test_before_read_runs_once_before_the_first_byte():
    calls = []
    wsgi_input, _ = reader(chunked(b"abcdef", 2))
    wsgi_input.before_read = lambda: calls.append(1)
    wsgi_input.read(0)
    assert calls == []
    wsgi_input.read(1)
    wsgi_input.read()
    assert calls == [1]
