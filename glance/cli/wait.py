"""Waiting for a server-side copy to end (`glance add copy_from=URL --wait`).

A copy-from answer comes at once, with the image `queued`; the server then
copies in the background: `saving`, then `active` or `killed` (CONTRACT §2,
POST 4).  `until_settled` asks for the status with HEAD, first after a
quarter of a second and then less and less often (at most every 5 s: a
copy of gigabytes takes minutes, and polling faster only loads the API).

It gives up on its own in two cases rather than wait forever: after
`timeout` seconds, if the caller set one, and when the image is still
`queued` after `start_limit` seconds: a server of contract revision 1
accepted the copy-from header and never copied (issue 13), and a server
that copies starts within moments (it refuses, with 503, copies it has no
room for).  The clock and the sleep are parameters, the tests' seam.
"""

import time

COPYING = ("queued", "saving")
FIRST_DELAY, MAX_DELAY, GROWTH = 0.25, 5.0, 1.5
START_LIMIT = 30.0


def until_settled(client, image_id, on_status=None, timeout=None, start_limit=START_LIMIT,
                  clock=time.monotonic, sleep=time.sleep):
    """Poll until the image leaves `queued`/`saving` → its metadata.

    `on_status(status)` is called with the first status seen and every
    change.  The metadata returned has a copying status when the wait gave
    up (`timeout`, or still `queued` after `start_limit`); errors of the
    client (the image was deleted meanwhile: `NotFound`) propagate.
    """
    started = clock()
    delay, last = FIRST_DELAY, None
    while True:
        meta = client.get_image_meta(image_id)
        status = meta.get("status")
        if status != last and on_status is not None:
            on_status(status)
        last = status
        if status not in COPYING:
            return meta
        waited = clock() - started
        limits = [start_limit] if status == "queued" else []
        limits += [timeout] if timeout is not None else []
        left = min(limits, default=None)
        if left is not None:
            left -= waited
            if left <= 0:
                return meta
        sleep(delay if left is None else min(delay, left))
        delay = min(delay * GROWTH, MAX_DELAY)
