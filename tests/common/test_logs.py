"""Log lines a client cannot forge: escape() and the EscapingFormatter."""

import logging

import pytest

from glance.common import logs

UNSAFE = [chr(c) for c in [*range(0x20), *range(0x7f, 0xa0), 0x2028, 0x2029,
                           *range(0x202a, 0x202f), *range(0x2066, 0x206a)]]


@pytest.mark.parametrize("char", UNSAFE, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_is_escaped(char):
    escaped = logs.escape(f"a{char}b")
    assert char not in escaped
    assert escaped == (f"a\\x{ord(char):02x}b" if ord(char) < 0x100 else f"a\\u{ord(char):04x}b")


def test_printable_text_is_unchanged_and_escaping_is_idempotent():
    text = "GET /images/é 日本 \\x0a 'quoted' \"too\""
    assert logs.escape(text) == text
    once = logs.escape("a\r\nb\x1b[31m")
    assert logs.escape(once) == once


def test_non_strings_are_escaped_as_their_str():
    assert logs.escape(ValueError("bad\nthing")) == "bad\\x0athing"


def record(message, *args, exc_info=None):
    return logging.LogRecord("glance.test", logging.WARNING, __file__, 1, message, args, exc_info)


def test_the_formatter_escapes_the_message_and_its_arguments():
    formatter = logs.EscapingFormatter("%(levelname)s %(name)s: %(message)s")
    line = formatter.format(record("origin answered %s %r", "502 Bad\r\nGateway", "x\x00"))
    assert line == "WARNING glance.test: origin answered 502 Bad\\x0d\\x0aGateway 'x\\x00'"


def test_a_traceback_keeps_its_lines_but_none_starts_at_the_margin():
    try:
        raise ValueError("message\n2024-01-01 INFO glance.access: forged\x1b[2K")
    except ValueError:
        import sys
        line = logs.EscapingFormatter("%(message)s").format(record("failed", exc_info=sys.exc_info()))
    first, *rest = line.split("\n")
    assert first == "failed"
    assert rest and all(part.startswith("  ") for part in rest)
    assert any("forged\\x1b[2K" in part for part in rest)


def test_the_shared_record_is_left_for_other_handlers():
    rec = record("a\nb")
    logs.EscapingFormatter("%(message)s").format(rec)
    assert logging.Formatter("%(message)s").format(rec) == "a\nb"


def test_escape_handlers_keeps_each_handlers_format():
    logger = logging.getLogger("glance.test.escape_handlers")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("{levelname}: {message}", style="{"))
    logger.addHandler(handler)
    try:
        logs.escape_handlers(logger)
        assert isinstance(handler.formatter, logs.EscapingFormatter)
        assert handler.formatter.format(record("x\ry")) == "WARNING: x\\x0dy"
    finally:
        logger.removeHandler(handler)
