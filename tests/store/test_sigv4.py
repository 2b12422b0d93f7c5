"""SigV4 against AWS's published examples.

The first table is AWS's "aws-sig-v4-test-suite" (header form, context:
AKIDEXAMPLE, service `service`, us-east-1, 20150830T123600Z): every case
checks the canonical request, the string to sign and the signature, so a
mistake shows up at the stage where it happens.  The unnormalised path cases
are the ones S3 follows.  The second table is the S3 documentation's worked
examples (examplebucket, 20130524T000000Z), which sign with service `s3`.
"""

import pytest

from glance.store import sigv4

SUITE_KEY = ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_DATE = "20150830T123600Z"
EMPTY = sigv4.EMPTY_SHA256
HOST = ("Host", "example.amazonaws.com")
DATE = ("X-Amz-Date", SUITE_DATE)
UNRESERVED = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
FORM_HASH = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"

# name, method, path, query pairs, headers, payload hash,
# canonical request, string-to-sign digest, signature
SUITE = [
    ("get-vanilla", "GET", "/", [], [HOST, DATE], EMPTY,
     "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
     + EMPTY,
     "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    ("get-vanilla-query-order-key-case", "GET", "/",
     [("Param2", "value2"), ("Param1", "value1")], [HOST, DATE], EMPTY,
     "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + EMPTY,
     "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    ("get-vanilla-query-unreserved", "GET", "/", [(UNRESERVED, UNRESERVED)], [HOST, DATE],
     EMPTY,
     f"GET\n/\n{UNRESERVED}={UNRESERVED}\nhost:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + EMPTY,
     "c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
    ("get-vanilla-utf8-query", "GET", "/", [("\u1234", "bar")], [HOST, DATE], EMPTY,
     "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" + EMPTY,
     "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
    ("get-header-key-duplicate", "GET", "/", [],
     [HOST, ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1"),
      DATE], EMPTY,
     "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\n"
     "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" + EMPTY,
     "dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
    ("get-header-value-order", "GET", "/", [],
     [HOST, ("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"),
      ("My-Header1", "value2"), DATE], EMPTY,
     "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\n"
     "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" + EMPTY,
     "31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86",
     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
    ("get-header-value-trim", "GET", "/", [],
     [HOST, ("My-Header1", " value1"), ("My-Header2", ' "a   b   c"'), DATE], EMPTY,
     'GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:"a b c"\n'
     "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" + EMPTY,
     "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    ("get-unreserved", "GET", "/" + UNRESERVED, [], [HOST, DATE], EMPTY,
     f"GET\n/{UNRESERVED}\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" + EMPTY,
     "6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
     "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
    ("get-utf8", "GET", "/\u1234", [], [HOST, DATE], EMPTY,
     "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" + EMPTY,
     "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
    ("get-space-unnormalized", "GET", "/example space/", [], [HOST, DATE], EMPTY,
     "GET\n/example%20space/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" + EMPTY,
     "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
     "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
    ("get-slashes-unnormalized", "GET", "//example//", [], [HOST, DATE], EMPTY,
     "GET\n//example//\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" + EMPTY,
     "528ec3105ee1f34ab014bb0a1a45da0ed2742a4fea3555149e5b4d5d201eb240",
     "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5"),
    ("post-vanilla", "POST", "/", [], [HOST, DATE], EMPTY,
     "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" + EMPTY,
     "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ("post-vanilla-query", "POST", "/", [("Param1", "value1")], [HOST, DATE], EMPTY,
     "POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" + EMPTY,
     "9d659678c1756bb3113e2ce898845a0a79dbbc57b740555917687f1b3340fbbd",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
    ("post-header-key-sort", "POST", "/", [], [HOST, ("My-Header1", "value1"), DATE], EMPTY,
     "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\n"
     "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" + EMPTY,
     "9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65",
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
    ("post-x-www-form-urlencoded", "POST", "/", [],
     [("Content-Type", "application/x-www-form-urlencoded"), HOST, ("Content-Length", "13"),
      DATE, ("X-Amz-Content-Sha256", FORM_HASH)], FORM_HASH,
     "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\n"
     f"host:example.amazonaws.com\nx-amz-content-sha256:{FORM_HASH}\n"
     "x-amz-date:20150830T123600Z\n\n"
     f"content-length;content-type;host;x-amz-content-sha256;x-amz-date\n{FORM_HASH}",
     "b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb",
     "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),
]


def _suite_sign(case):
    _, method, path, params, headers, payload, *_ = case
    return sigv4.sign(method, path, params, headers, payload, *SUITE_KEY,
                      "us-east-1", "service", SUITE_DATE)


@pytest.mark.parametrize("case", SUITE, ids=[case[0] for case in SUITE])
def test_aws_suite_canonical_request(case):
    assert _suite_sign(case).canonical_request == case[6]


@pytest.mark.parametrize("case", SUITE, ids=[case[0] for case in SUITE])
def test_aws_suite_string_to_sign(case):
    assert _suite_sign(case).string_to_sign == (
        f"AWS4-HMAC-SHA256\n{SUITE_DATE}\n20150830/us-east-1/service/aws4_request\n{case[7]}")


@pytest.mark.parametrize("case", SUITE, ids=[case[0] for case in SUITE])
def test_aws_suite_signature(case):
    signed = _suite_sign(case)
    assert signed.signature == case[8]
    assert signed.authorization == (
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
        f"SignedHeaders={signed.signed_headers}, Signature={case[8]}")


# -- the S3 documentation's examples (service s3) --------------------------------

S3_KEY = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
S3_DATE = "20130524T000000Z"
S3_HOST = ("Host", "examplebucket.s3.amazonaws.com")
PUT_HASH = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"

S3_EXAMPLES = [
    ("GET object with a range", "GET", "/test.txt", [],
     [S3_HOST, ("Range", "bytes=0-9"), ("x-amz-content-sha256", EMPTY),
      ("x-amz-date", S3_DATE)], EMPTY,
     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
    ("PUT object", "PUT", "/test$file.text", [],
     [("Date", "Fri, 24 May 2013 00:00:00 GMT"), S3_HOST,
      ("x-amz-content-sha256", PUT_HASH), ("x-amz-date", S3_DATE),
      ("x-amz-storage-class", "REDUCED_REDUNDANCY")], PUT_HASH,
     "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
    ("GET bucket lifecycle", "GET", "/", [("lifecycle", "")],
     [S3_HOST, ("x-amz-content-sha256", EMPTY), ("x-amz-date", S3_DATE)], EMPTY,
     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
    ("GET bucket list", "GET", "/", [("max-keys", "2"), ("prefix", "J")],
     [S3_HOST, ("x-amz-content-sha256", EMPTY), ("x-amz-date", S3_DATE)], EMPTY,
     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
]


@pytest.mark.parametrize("case", S3_EXAMPLES, ids=[case[0] for case in S3_EXAMPLES])
def test_s3_documentation_examples(case):
    _, method, path, params, headers, payload, signature = case
    signed = sigv4.sign(method, path, params, headers, payload, *S3_KEY,
                        "us-east-1", "s3", S3_DATE)
    assert signed.signature == signature
    assert signed.scope == "20130524/us-east-1/s3/aws4_request"


# -- the encoding rules, one by one ------------------------------------------------

def test_the_path_is_encoded_once_and_not_normalised():
    assert sigv4.canonical_uri("/a b/./../c//\u00fc") == "/a%20b/./../c//%C3%BC"


def test_an_empty_path_is_the_root():
    assert sigv4.canonical_uri("") == "/"


def test_sub_delimiters_are_encoded():
    assert sigv4.uri_encode("a!b'c(d)e*f+g=h&i") == "a%21b%27c%28d%29e%2Af%2Bg%3Dh%26i"


def test_a_parameter_without_a_value_signs_with_an_equals_sign():
    assert sigv4.canonical_query([("uploads", "")]) == "uploads="


def test_query_values_sort_after_names():
    assert (sigv4.canonical_query([("b", "2"), ("a", "z"), ("a", "y")])
            == "a=y&a=z&b=2")


def test_the_secret_never_appears_in_what_is_sent():
    signed = sigv4.sign("GET", "/", [], [HOST, DATE], EMPTY, *SUITE_KEY,
                        "us-east-1", "s3", SUITE_DATE)
    for text in (signed.authorization, signed.canonical_request, signed.string_to_sign):
        assert SUITE_KEY[1] not in text
