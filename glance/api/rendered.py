"""What the APIs render of a stored record alone — a list entry's JSON,
HEAD's headers — memoized by the text the registry stored and the view.

These are the commonest answers: every v1 `image-list` asks for the
detail list, every `openstack image list` for v2's list, and clients
HEAD an image before and after everything.  Rendering was most of their
app time (a list of 25: v1 40 + 90 us of ~300 presenting and encoding,
v2 240 + 80 of ~380, its timestamps reformatted one by one; a HEAD, ~35
of ~86 us encoding some twenty `x-image-meta-*` headers).

A rendering is made of the registry's record and of its *view*: whatever
else the rendering function reads (v1: the images URL, whether the caller
is an admin; all: what the registry showed this caller, `sees_location`).
A record unpacked from the database carries the text it came from
(`records.Record.packed`), so (text, view) names its rendering exactly: a
change to the image changes the text (at least `updated_at`), and nothing
is ever invalidated or stale — every answer still starts with a query.
Records without a text (read over HTTP, or too large to memoize) are
rendered each time.  Renderings must be immutable (bytes, tuples).
"""

import threading

from glance.common import wsgi

MEMO_SIZE = 2048        # renderings per process: ~1.5 KB each for a typical image

_memo = {}
_memo_lock = threading.Lock()


def rendered(record, view, render):
    """`render(record)`, memoized by the record's stored text and `view`
    (hashable: everything `render` depends on besides the record)."""
    packed = getattr(record, "packed", None)
    if packed is None:
        return render(record)
    key = (packed, view)
    found = _memo.get(key)
    if found is None:
        found = render(record)
        _remember(key, found)
    return found


def document(key, records, present, view, rest=None):
    """The JSON of `{key: [present(record), ...], **rest}`, byte for byte
    what `wsgi.encode_json` makes of that document, each entry `rendered`."""
    def encode(record):
        return wsgi.encode_json(present(record))
    parts = [rendered(record, view, encode) for record in records]
    listed = b"{" + wsgi.encode_json(key) + b": [" + b", ".join(parts) + b"]"
    # The rest as encode_json writes an object's members, after ", ".
    return listed + (b", " + wsgi.encode_json(rest)[1:] if rest else b"}")


def _remember(key, value):
    """Keep `value`; past MEMO_SIZE renderings the oldest goes."""
    with _memo_lock:
        _memo[key] = value
        while len(_memo) > MEMO_SIZE:
            del _memo[next(iter(_memo))]


def memo_size():
    """How many renderings the memo holds now (for tests)."""
    return len(_memo)
