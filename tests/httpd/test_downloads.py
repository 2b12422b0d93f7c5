"""Answers sent from files (sendfile), and the run slots: long transfers give
theirs back, busy_threads bounds the requests in app code."""

import hashlib
import http.client
import io
import os
import queue
import socket
import threading
import time

from tests.fixtureapps.httpd_apps import CountingFile, file_app
from tests.httpd.helpers import TIMEOUT, fetch, request, running


def test_file_wrapper_sends_20_mib_byte_exact_with_sendfile(big_file):
    path, data = big_file
    CountingFile.reads = 0
    with running(file_app(path)) as server:
        status, body = fetch(server)
    assert hashlib.md5(body).digest() == hashlib.md5(data).digest()
    assert CountingFile.reads == 0      # the bytes went through sendfile


def test_sent_files_follow_each_other_on_one_connection(big_file):
    """Each file goes out corked (`Connection.sendfile`), its head in front:
    answers on one kept-alive connection arrive whole, one after another."""
    path, data = big_file
    with running(file_app(path)) as server:
        client = server.connect()
        for _ in range(3):
            client.send(request("GET", "/"))
            status, _, body = client.response()
            assert status == 200 and body == data


def test_sendfile_corks_the_head_with_the_file_and_uncorks_after(tmp_path):
    from glance.httpd.connection import Connection
    path = tmp_path / "file"
    path.write_bytes(b"x" * 100_000)
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    accepted, addr = listener.accept()
    conn = Connection(accepted, addr, tick=5.0)
    with open(path, "rb") as source:
        assert conn.sendfile(source.fileno(), 10, 99_990, head=b"HEAD\r\n") == 99_990
    assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK) == 0
    received = b""
    while len(received) < 6 + 99_990:
        received += client.recv(1 << 20)
    assert received == b"HEAD\r\n" + b"x" * 99_990
    for sock in (client, accepted, listener):
        sock.close()


def test_a_client_that_stops_reading_a_download_frees_its_worker(big_file):
    path, _ = big_file
    with running(file_app(path), server_threads=1, max_threads=1, read_timeout=0.3) as server:
        stalled = server.connect()
        stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.send(request("GET", "/"))       # and never reads the answer
        time.sleep(0.2)
        started = time.monotonic()
        other = server.connect()
        other.send(request("GET", "/small"))
        status, _, body = other.response()
    assert status == 200 and len(body) == len(big_file[1])
    assert time.monotonic() - started < TIMEOUT


def test_file_wrapper_sends_from_the_files_offset(big_file):
    path, data = big_file
    with running(file_app(path, offset=12345, length=3 << 20)) as server:
        _, body = fetch(server)
    assert body == data[12345:12345 + (3 << 20)]


def test_file_wrapper_without_fileno_is_iterated():
    data = os.urandom(200_000)
    with running(file_app("-", length=len(data), opener=lambda _: io.BytesIO(data))) as server:
        _, body = fetch(server)
    assert body == data


# --- run slots (busy_threads) -------------------------------------------------

def test_busy_threads_bounds_how_many_requests_run_app_code_at_once():
    running_now, most = [0], [0]
    lock = threading.Lock()

    def app(environ, start_response):
        with lock:
            running_now[0] += 1
            most[0] = max(most[0], running_now[0])
        time.sleep(0.05)
        with lock:
            running_now[0] -= 1
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]
    with running(app, server_threads=8, busy_threads=2) as server:
        answers = queue.Queue()

        def fetch_one():
            conn = http.client.HTTPConnection(*server.address, timeout=TIMEOUT)
            conn.request("GET", "/")
            answers.put(conn.getresponse().status)
            conn.close()
        clients = [threading.Thread(target=fetch_one) for _ in range(8)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(TIMEOUT)
    assert [answers.get(timeout=TIMEOUT) for _ in range(8)] == [200] * 8
    assert most[0] == 2


def test_a_long_upload_gives_its_run_slot_back_to_short_requests():
    upload_started = threading.Event()

    def app(environ, start_response):
        body = environ["wsgi.input"]
        if environ["REQUEST_METHOD"] == "PUT":
            size = len(body.read(65536))
            upload_started.set()
            while block := body.read(65536):
                size += len(block)
            data = str(size).encode()
        else:
            data = b"short"
        start_response("200 OK", [("Content-Length", str(len(data)))])
        return [data]
    with running(app, server_threads=4, busy_threads=1) as server:
        uploader = server.connect()
        uploader.send(request("PUT", "/", os.urandom(65536), {"Content-Length": str(4 << 20)}))
        assert upload_started.wait(TIMEOUT)     # the upload is in the app, mid-body
        assert fetch(server) == (200, b"short")  # answered while the upload waits
        uploader.send(os.urandom((4 << 20) - 65536))
        status, _, body = uploader.response()
    assert (status, body) == (200, str(4 << 20).encode())


def test_a_long_download_gives_its_run_slot_back(big_file):
    path, data = big_file
    served = file_app(path)

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/small":
            start_response("200 OK", [("Content-Length", "5")])
            return [b"small"]
        return served(environ, start_response)
    with running(app, server_threads=2, busy_threads=1, read_timeout=30) as server:
        stalled = server.connect()
        stalled.send(request("GET", "/"))       # 20 MiB: more than the buffers hold
        time.sleep(0.2)                         # ...until we read it, below
        started = time.monotonic()
        assert fetch(server, "/small") == (200, b"small")
        assert time.monotonic() - started < 5   # not after the download's timeout
        assert stalled.response()[2] == data


def test_a_file_shorter_than_its_length_closes_the_connection(tmp_path):
    path = tmp_path / "short"
    path.write_bytes(b"x" * 1000)
    with running(file_app(path, length=5000)) as server:
        client = server.connect()
        client.send(request("GET", "/") + request("GET", "/again"))
        status_line = client.rfile.readline()
        assert status_line.startswith(b"HTTP/1.1 200")
        assert client.rfile.read().count(b"x") == 1000     # then the close, no second answer
