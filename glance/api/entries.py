"""List bodies, entry by entry, each entry's JSON memoized by the text the
registry stored: v1's `GET /images/detail` and v2's `GET /v2/images`.

These are the commonest lists (every v1 `image-list`, every `openstack
image list`), and presenting and encoding 25 images was most of their
time (v1: 40 + 90 us of ~300; v2: 240 + 80 of ~380, its timestamps
reformatted one by one).  An entry is made of the registry's record alone
and of its *view*: whatever else the presenting function reads (v1: the
list's URL and whether the caller is an admin; both: what the registry
showed this caller, `sees_location`).  A record unpacked from the database
carries the text it came from (`records.Record.packed`), so (text, view)
names its entry exactly: a change to the image changes the text (at least
`updated_at`), and nothing is ever invalidated or stale — every list is
still a query.  Records without a text (read over HTTP, or too large to
memoize) are presented and encoded each time.
"""

import threading

from glance.common import wsgi

MEMO_SIZE = 2048        # entries per process: ~1.5 KB each for a typical image

_memo = {}
_memo_lock = threading.Lock()


def document(key, records, present, view, rest=None):
    """The JSON of `{key: [present(record), ...], **rest}`, byte for byte
    what `wsgi.encode_json` makes of that document.  `view` is hashable
    and holds everything `present` depends on besides the record."""
    parts = []
    for record in records:
        packed = getattr(record, "packed", None)
        if packed is None:
            parts.append(wsgi.encode_json(present(record)))
            continue
        memo_key = (packed, view)
        part = _memo.get(memo_key)
        if part is None:
            part = wsgi.encode_json(present(record))
            _remember(memo_key, part)
        parts.append(part)
    listed = b"{" + wsgi.encode_json(key) + b": [" + b", ".join(parts) + b"]"
    # The rest as encode_json writes an object's members, after ", ".
    return listed + (b", " + wsgi.encode_json(rest)[1:] if rest else b"}")


def _remember(key, part):
    """Keep `part`; past MEMO_SIZE entries the oldest goes."""
    with _memo_lock:
        _memo[key] = part
        while len(_memo) > MEMO_SIZE:
            del _memo[next(iter(_memo))]


def memo_size():
    """How many entries the memo holds now (for tests)."""
    return len(_memo)
