"""AWS Signature Version 4, header form, with the standard library only.

Pure functions: the S3 store hands in a request (method, path, query pairs,
headers, payload hash) and gets back the `Authorization` header value.  The
canonical form follows S3's rules, which are also those of AWS's published
test suite for unnormalised paths: the path is URI-encoded once and never
normalised (`//a/./b` is signed as it is sent).
"""

import hashlib
import hmac
from collections import namedtuple
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# Signs headers and URL but not the body: for streamed bodies whose hash is
# not known before they are sent (integrity then rests on TLS and on the
# checksums Glance computes on the way through).
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

Signed = namedtuple("Signed", "authorization signature canonical_request string_to_sign "
                              "signed_headers scope")


def uri_encode(text, keep_slash=False):
    """RFC 3986 percent-encoding of UTF-8, upper-case hex; only A-Z a-z 0-9 - _ . ~
    (and `/` when `keep_slash`) stay literal."""
    return quote(text, safe="-_.~/" if keep_slash else "-_.~")


def canonical_uri(path):
    """The path as S3 signs it: each byte encoded once, nothing normalised."""
    if not path:
        return "/"
    if not path.startswith("/"):
        path = "/" + path
    return uri_encode(path, keep_slash=True)


def canonical_query(params):
    """`params` (name, value) pairs, encoded, sorted by name then value, `&`-joined.

    A parameter without a value is signed as `name=`.
    """
    encoded = sorted((uri_encode(str(name)), uri_encode(str(value)))
                     for name, value in params)
    return "&".join(f"{name}={value}" for name, value in encoded)


def _trimmed(value):
    # Leading/trailing space and runs of space or tab inside collapse to one
    # space (AWS's "trimall"); other bytes, even non-ASCII spaces, are kept.
    return " ".join(part for part in str(value).replace("\t", " ").split(" ") if part)


def canonical_headers(headers):
    """(canonical headers block, signed headers list) of `headers` pairs.

    Names are lower-cased and sorted; the values of a repeated name are
    joined with commas in the order given.
    """
    grouped = {}
    for name, value in headers:
        grouped.setdefault(name.strip().lower(), []).append(_trimmed(value))
    names = sorted(grouped)
    block = "".join(f"{name}:{','.join(grouped[name])}\n" for name in names)
    return block, ";".join(names)


def canonical_request(method, path, params, headers, payload_hash):
    block, signed = canonical_headers(headers)
    return "\n".join([method.upper(), canonical_uri(path), canonical_query(params),
                      block, signed, payload_hash])


def credential_scope(amz_date, region, service):
    return f"{amz_date[:8]}/{region}/{service}/aws4_request"


def string_to_sign(amz_date, scope, canonical):
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "\n".join([ALGORITHM, amz_date, scope, digest])


def signing_key(secret_key, date, region, service):
    """HMAC chain AWS4+secret -> date -> region -> service -> aws4_request."""
    key = ("AWS4" + secret_key).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def sign(method, path, params, headers, payload_hash, access_key, secret_key,
         region, service, amz_date):
    """Sign one request; `headers` must already hold every header to be signed
    (at least `host` and `x-amz-date`, and `x-amz-content-sha256` for S3).

    `amz_date` is the request time as `YYYYMMDDTHHMMSSZ` (the x-amz-date value).
    """
    canonical = canonical_request(method, path, params, headers, payload_hash)
    scope = credential_scope(amz_date, region, service)
    to_sign = string_to_sign(amz_date, scope, canonical)
    key = signing_key(secret_key, amz_date[:8], region, service)
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    signed_headers = canonical_headers(headers)[1]
    authorization = (f"{ALGORITHM} Credential={access_key}/{scope}, "
                     f"SignedHeaders={signed_headers}, Signature={signature}")
    return Signed(authorization, signature, canonical, to_sign, signed_headers, scope)
