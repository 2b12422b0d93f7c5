"""An image origin that honours `Range: bytes=a-` (the plain `Origin` ignores it).

    /ranged/<n>        n bytes of `pattern(n)`; `Range: bytes=a-` → 206 from a
    /ranged/<n>?wrong=1   ... but a 206 that starts at the wrong byte
Every other path is `Origin`'s.
"""

import re

from tests.fixtureapps.origin import Origin, pattern

_OPEN_RANGE = re.compile(r"bytes=(\d+)-\Z")


class RangedOrigin(Origin):
    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/ranged/"):
            return super().app(environ, start_response)
        self.requests.append({"method": environ["REQUEST_METHOD"], "path": path,
                              "query": environ.get("QUERY_STRING", ""),
                              "range": environ.get("HTTP_RANGE")})
        size = int(path.rsplit("/", 1)[1])
        match = _OPEN_RANGE.match(environ.get("HTTP_RANGE", ""))
        if not match or int(match.group(1)) >= size:
            start_response("200 OK", [("Content-Length", str(size))])
            return [pattern(size)]
        first = int(match.group(1))
        shown = first + 1 if "wrong=1" in environ.get("QUERY_STRING", "") else first
        start_response("206 Partial Content", [
            ("Content-Length", str(size - first)),
            ("Content-Range", f"bytes {shown}-{size - 1}/{size}")])
        return [pattern(size - first, first)]
