"""The access log's background writer: every record reaches the configured
handlers, with one write per stream handler for a whole batch."""

import logging
import time

import pytest

from glance.middleware.accesslog import BackgroundWriter


class CountingStream:
    def __init__(self):
        self.writes = []

    def write(self, text):
        self.writes.append(text)

    def flush(self):
        pass


class Collecting(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def logger(request):
    log = logging.getLogger(f"glance.test.{request.node.name}")
    log.setLevel(logging.INFO)
    log.propagate = False
    yield log
    log.handlers.clear()


def record(logger, text, level=logging.INFO):
    return logger.makeRecord(logger.name, level, __file__, 0, text, (), None)


def test_a_batch_goes_to_a_stream_handler_in_one_write(logger):
    stream = CountingStream()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    writer = BackgroundWriter(logger, thread=False)     # flushed by hand
    for n in range(5):
        writer(record(logger, f"line {n}"))
    writer.flush()
    assert stream.writes == ["".join(f"line {n}\n" for n in range(5))]


def test_levels_filters_and_other_handlers_are_honoured(logger):
    stream = CountingStream()
    quiet = logging.StreamHandler(stream)
    quiet.setLevel(logging.WARNING)
    collecting = Collecting()
    collecting.addFilter(lambda r: "secret" not in r.getMessage())
    logger.addHandler(quiet)
    logger.addHandler(collecting)
    writer = BackgroundWriter(logger, thread=False)
    writer(record(logger, "plain"))
    writer(record(logger, "secret"))
    writer(record(logger, "loud", logging.WARNING))
    writer.flush()
    assert [r.getMessage() for r in collecting.records] == ["plain", "loud"]
    assert stream.writes == ["loud\n"]


def test_the_thread_writes_what_was_queued(logger):
    stream = CountingStream()
    logger.addHandler(logging.StreamHandler(stream))
    writer = BackgroundWriter(logger)
    for n in range(3):
        writer(record(logger, f"r{n}"))
    deadline = time.monotonic() + 5
    while not stream.writes and time.monotonic() < deadline:
        time.sleep(0.01)
    writer.flush()
    assert "".join(stream.writes) == "r0\nr1\nr2\n"
