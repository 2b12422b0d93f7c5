"""Request heads parsed from bytes, no socket: the request line, header
lines, folding, limits, the header hygiene of CONTRACT §6 and the framing
rules of §10."""

import pytest

from glance.common import exception
from glance.httpd import request

BASE = {"SERVER_NAME": "127.0.0.1", "SERVER_PORT": "9292", "SCRIPT_NAME": ""}
REMOTE = ("10.0.0.7", 40000)


def parse(head):
    """(environ, body length) of a head given as bytes, blank line included."""
    return request.parse(head, BASE, REMOTE)


def head(*header_lines, line=b"GET /images HTTP/1.1"):
    return b"\r\n".join([line, *header_lines]) + b"\r\n\r\n"


def environ(*header_lines, **kwargs):
    return parse(head(*header_lines, **kwargs))[0]


# --- finding the end of a head ------------------------------------------------

def test_head_end_is_just_past_the_blank_line():
    data = head(b"Host: x") + b"BODY"
    assert request.head_end(data, 16384) == (len(data) - 4, len(data) - 4)


@pytest.mark.parametrize("data", [b"GET / HTTP/1.1\n\n", b"GET / HTTP/1.1\r\nHost: x\n\r\n"])
def test_bare_lf_line_ends_are_recognised(data):
    end, _ = request.head_end(data, 16384)
    assert end == len(data)


def test_an_incomplete_head_says_how_far_it_was_searched():
    assert request.head_end(b"GET / HTTP/1.1\r\nHost: x\r\n", 16384) == (None, 25)


def test_a_head_trickled_byte_by_byte_is_found_once_complete():
    data, searched = head(b"Host: x", b"X-A: b"), 0
    for size in range(1, len(data)):
        end, searched = request.head_end(data[:size], 16384, searched)
        assert end is None
    assert request.head_end(data, 16384, searched)[0] == len(data)


def test_a_head_over_the_limit_is_431():
    with pytest.raises(exception.HeadersTooLarge):
        request.head_end(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 2000, 1024)


def test_a_head_just_within_the_limit_is_taken():
    data = head(b"X-Big: " + b"a" * 100)
    assert request.head_end(data, len(data))[0] == len(data)
    with pytest.raises(exception.HeadersTooLarge):
        request.head_end(data, len(data) - 1)


def test_empty_lines_before_a_request_are_skipped():
    assert request.skip_blank_lines(b"\r\n\r\n\nGET") == 5


# --- the request line ---------------------------------------------------------

def test_request_line_and_target_fill_the_environ():
    env, length = parse(head(line=b"PUT /images/a%20b/%C3%A9?x=%41&y HTTP/1.0"))
    assert env["REQUEST_METHOD"] == "PUT"
    assert env["SERVER_PROTOCOL"] == "HTTP/1.0"
    assert env["PATH_INFO"] == "/images/a b/\u00c3\u00a9"
    assert env["QUERY_STRING"] == "x=%41&y"
    assert env["REQUEST_URI"] == "/images/a%20b/%C3%A9?x=%41&y"
    assert (env["REMOTE_ADDR"], env["REMOTE_PORT"]) == ("10.0.0.7", "40000")
    assert length == 0


def test_absolute_form_target_keeps_the_path():
    assert environ(line=b"GET http://glance:9292/images?x=1 HTTP/1.1")["PATH_INFO"] == "/images"


def test_options_asterisk_is_accepted():
    assert environ(line=b"OPTIONS * HTTP/1.1")["PATH_INFO"] == "*"


@pytest.mark.parametrize("line", [
    b"GARBAGE", b"GET / HTTP/1.1 extra", b"GET  / HTTP/1.1", b"GET / HTTP/9.9",
    b"G@T / HTTP/1.1", b"GET images HTTP/1.1", b"GET /a\tb HTTP/1.1", b"GET /a\x00 HTTP/1.1",
    b"GET /a\x1b[31m HTTP/1.1", b"GET /\x7f HTTP/1.1", b"GET /a\rb HTTP/1.1",
])
def test_malformed_request_line_is_400(line):
    with pytest.raises(exception.MalformedRequest):
        parse(head(line=line))


# --- header lines -------------------------------------------------------------

def test_headers_become_cgi_keys():
    env = environ(b"Content-Type: text/plain", b"Content-Length: 3", b"X-Image-Meta-Name: a")
    assert env["CONTENT_TYPE"] == "text/plain"
    assert env["CONTENT_LENGTH"] == "3"
    assert env["HTTP_X_IMAGE_META_NAME"] == "a"


def test_values_are_trimmed_of_spaces_and_tabs_only():
    assert environ(b"X-A: \t v a l \t ")["HTTP_X_A"] == "v a l"


def test_repeated_headers_are_joined_with_commas_and_cookies_with_semicolons():
    env = environ(b"X-Thing: a", b"X-Thing: b", b"Cookie: c=1", b"Cookie: d=2")
    assert env["HTTP_X_THING"] == "a,b"
    assert env["HTTP_COOKIE"] == "c=1; d=2"


def test_non_ascii_values_are_read_as_latin1():
    assert environ("X-A: é".encode("utf-8"))["HTTP_X_A"] == "é".encode("utf-8").decode("latin-1")


def test_obsolete_line_folding_is_400():
    with pytest.raises(exception.MalformedRequest, match="folding"):
        parse(head(b"X-A: one", b" two"))


@pytest.mark.parametrize("line", [b"no colon here", b"X A: b", b"X-A : b", b": empty name",
                                  b"X-\xe9: b", b"X-A: b\rc"])
def test_malformed_header_line_is_400(line):
    with pytest.raises(exception.MalformedRequest):
        parse(head(line))


@pytest.mark.parametrize("code", [c for c in range(32) if c not in (9, 10, 13)] + [127])
def test_a_control_character_in_a_value_is_400(code):
    with pytest.raises(exception.MalformedRequest, match="control character"):
        parse(head(b"X-A: a" + bytes([code]) + b"b"))


def test_htab_inside_a_value_is_kept():
    assert environ(b"X-A: a\tb")["HTTP_X_A"] == "a\tb"


# --- names with "_", identity headers (CONTRACT §6) ---------------------------

@pytest.mark.parametrize("name", [b"X_Roles", b"X_Tenant_Id", b"x_user_id", b"Content_Length",
                                  b"Transfer_Encoding", b"X-Auth_Token", b"X_Service-Token"])
def test_header_names_with_underscores_are_dropped(name):
    env, length = parse(head(name + b": 5"))
    assert not [key for key in env if key.startswith("HTTP_") or key == "CONTENT_LENGTH"]
    assert length == 0


def test_an_underscore_spelling_does_not_join_the_real_header():
    assert environ(b"X-Roles: member", b"X_Roles: admin")["HTTP_X_ROLES"] == "member"


@pytest.mark.parametrize("name", [b"x-image-meta-is_public", b"X-Image-Meta-Property-foo_bar",
                                  b"x-glance-registry-purge_props", b"X-GLANCE-API_COPY-FROM"])
def test_the_v1_codecs_own_names_keep_their_underscores(name):
    env = environ(name + b": v")
    assert env["HTTP_" + name.decode().upper().replace("-", "_")] == "v"


@pytest.mark.parametrize("name", ["X-Tenant-Id", "X-User-Id", "X-Roles", "X-Service-Token",
                                  "x-roles"])
def test_a_repeated_identity_header_is_400(name):
    with pytest.raises(exception.MalformedRequest, match="more than once") as caught:
        parse(head(f"{name}: a".encode(), f"{name.upper()}: b".encode()))
    assert type(caught.value) is exception.MalformedRequest


def test_a_repeated_auth_token_is_401_with_www_authenticate():
    with pytest.raises(exception.NotAuthenticated) as caught:
        parse(head(b"X-Auth-Token: a", b"x-auth-token: b"))
    assert ("WWW-Authenticate", 'Token realm="glance"') in caught.value.headers


def test_identity_headers_once_each_are_kept():
    env = environ(b"X-Tenant-Id: t", b"X-User-Id: u", b"X-Roles: member,admin",
                  b"X-Service-Token: s", b"X-Auth-Token: a")
    assert (env["HTTP_X_TENANT_ID"], env["HTTP_X_ROLES"]) == ("t", "member,admin")


# --- body framing (CONTRACT §10 "HTTP framing") -------------------------------

def length_of(*header_lines):
    return parse(head(*header_lines, line=b"PUT /images HTTP/1.1"))[1]


def test_content_length_gives_the_body_length():
    assert length_of(b"Content-Length: 0012") == 12


@pytest.mark.parametrize("value", [b"chunked", b"Chunked", b"CHUNKED", b" chunked\t"])
def test_chunked_in_any_case_is_chunked(value):
    assert length_of(b"Transfer-Encoding: " + value) is request.CHUNKED


@pytest.mark.parametrize("value", [b"chunked\x0b", b"chunked\x0c", b"chunked\x85", b"chunked\xa0",
                                   b"\xa0chunked", b"chunked;q=1", b"chunk ed", b"chunked, chunked",
                                   b"", b"\"chunked\""])
def test_anything_but_exactly_chunked_is_400(value):
    with pytest.raises(exception.MalformedRequest):
        length_of(b"Transfer-Encoding: " + value)


def test_chunked_twice_in_two_headers_is_400():
    with pytest.raises(exception.MalformedRequest):
        length_of(b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked")


@pytest.mark.parametrize("value", [b"gzip", b"gzip, chunked", b"chunked, identity"])
def test_an_unknown_coding_is_501(value):
    with pytest.raises(exception.UnsupportedTransferCoding):
        length_of(b"Transfer-Encoding: " + value)


def test_transfer_encoding_with_content_length_is_400():
    with pytest.raises(exception.MalformedRequest, match="both"):
        length_of(b"Content-Length: 3", b"Transfer-Encoding: chunked")


@pytest.mark.parametrize("value", [b"abc", b"-5", b"+5", b"5 5", b"5,5", b"0x10", b"\xd9\xa3", b""])
def test_malformed_content_length_is_400(value):
    with pytest.raises(exception.MalformedRequest):
        length_of(b"Content-Length: " + value)


def test_two_equal_content_lengths_are_still_refused():
    with pytest.raises(exception.MalformedRequest):
        length_of(b"Content-Length: 5", b"Content-Length: 5")


@pytest.mark.parametrize("value", [b"9223372036854775808", b"9" * 5000])
def test_a_content_length_beyond_any_image_is_413(value):
    with pytest.raises(exception.TooLarge):
        length_of(b"Content-Length: " + value)
