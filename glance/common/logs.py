"""Log lines a client cannot forge: control characters in logged values are escaped.

Paths (`%0d%0a` decodes to CR LF), header values, origin reason phrases and
exception messages reach the log.  Written raw, a CR LF starts a line that
looks like a record of its own, ESC sequences repaint a terminal, NUL cuts
a line short for some readers.  `escape()` writes every control character
(C0, DEL, C1 including NEL), the Unicode line and paragraph separators and
the bidirectional overrides as `\\xNN` or `\\uNNNN`.  Backslashes are kept:
escaping is then idempotent, so a value escaped by its writer (the access
log) and again by the formatter reads the same.

`EscapingFormatter` is the formatter of paste.ini and of `glance-api` and
`glance-registry`: the message of every record is escaped, and the lines
of a traceback keep their line breaks but are indented, so that no line
but a record's first ever starts at the margin.
"""

import logging
import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e"
                                 "\u2066-\u2069]")


def _escaped(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(value):
    """`value` (any object: str() of it) with its control characters escaped."""
    text = value if isinstance(value, str) else str(value)
    return _UNSAFE.sub(_escaped, text)


def _continuation(text):
    """Lines after a record's first: escaped, and indented off the margin."""
    return "\n".join("  " + _UNSAFE_BUT_NEWLINE.sub(_escaped, line)
                     for line in text.split("\n"))


class EscapingFormatter(logging.Formatter):
    """A `logging.Formatter` whose output cannot pass for another record."""

    def format(self, record):
        # Every formatter sets record.message afresh: escaping it here
        # changes nothing for the record's other handlers.
        record.message = escape(record.getMessage())
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text += "\n" + _continuation(record.exc_text)
        if record.stack_info:
            text += "\n" + _continuation(self.formatStack(record.stack_info))
        return text


def escape_handlers(*loggers):
    """Give every handler of `loggers` an EscapingFormatter with its own
    format (a logging configuration that names another formatter class)."""
    for logger in loggers:
        for handler in logger.handlers:
            current = handler.formatter
            if isinstance(current, EscapingFormatter):
                continue
            if current is None:
                handler.setFormatter(EscapingFormatter())
                continue
            style = next((key for key, (cls, _) in logging._STYLES.items()
                          if type(current._style) is cls), "%")
            handler.setFormatter(EscapingFormatter(current._fmt, current.datefmt, style))
