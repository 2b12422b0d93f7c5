"""The floor: the least a threaded standard-library HTTP server does per request.

`http.server.ThreadingHTTPServer` answering every GET or HEAD with the same
small body, HTTP/1.1 keep-alive, `TCP_NODELAY` and the head and body written
in one send.  Nothing Glance does per request (routing, middleware, the
registry) is here, so its req/s is the ceiling a Python WSGI stack on this
machine can approach.

    python bench/floor.py [PORT]      # prints "floor: serving on http://127.0.0.1:PORT"
"""

import http.server
import sys

BODY = b"x" * 512       # a small file


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = 64 << 10     # head and body leave in one send, at the flush

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(BODY)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main(port=0):
    server = Server(("127.0.0.1", port), Handler)
    print(f"floor: serving on http://127.0.0.1:{server.server_address[1]}",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
