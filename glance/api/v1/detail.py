"""The detail list's body, image by image, each entry's JSON memoized by
the text the registry stored.

`GET /images/detail?limit=25` is the commonest list (every `glance
image-list` of a v1 client asks for it), and presenting and encoding 25
images was half its time (40 us and 90 us of ~300).  An entry is made of
the registry's record alone and of its view: the list's URL (its `uri`),
whether the caller is an admin (`location`), and what the registry showed
this caller (`sees_location`).  A record unpacked from the database
carries the text it came from (`records.Record.packed`), so (text, view)
names its entry exactly: a change to the image changes the text (at
least `updated_at`), and nothing is ever invalidated or stale — every
list is still a query.  Records without a text (read over HTTP, or too
large to memoize) are encoded each time.
"""

import threading

from glance.common import wsgi

MEMO_SIZE = 1024        # entries per process: ~1.5 KB each for a typical image

_memo = {}
_memo_lock = threading.Lock()


def body(images, present, view):
    """The JSON of `{"images": [present(image), ...]}`, byte for byte what
    `wsgi.encode_json` makes of it.  `view` is hashable and holds what
    `present` depends on besides the image."""
    parts = []
    for image in images:
        packed = getattr(image, "packed", None)
        if packed is None:
            parts.append(wsgi.encode_json(present(image)))
            continue
        key = (packed, view)
        part = _memo.get(key)
        if part is None:
            part = wsgi.encode_json(present(image))
            _remember(key, part)
        parts.append(part)
    return b'{"images": [' + b", ".join(parts) + b"]}"


def _remember(key, part):
    """Keep `part`; past MEMO_SIZE entries the oldest goes."""
    with _memo_lock:
        _memo[key] = part
        while len(_memo) > MEMO_SIZE:
            del _memo[next(iter(_memo))]


def memo_size():
    """How many entries the memo holds now (for tests)."""
    return len(_memo)
