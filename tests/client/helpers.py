"""What the client's tests against the real servers share."""

import io
import time

COPYING = ("queued", "saving")


def add(client, tag, data=None, **fields):
    """A public raw/bare image tagged with `tag`, with `data` if given."""
    copy_from = fields.pop("copy_from", None)
    meta = {"name": "img", "is_public": True, "disk_format": "raw",
            "container_format": "bare", "properties": {"tag": tag}}
    meta.update(fields)
    if copy_from is not None:
        return client.add_image(meta, data, copy_from=copy_from)
    return client.add_image(meta, data)


def settled(client, image_id, timeout=60.0, start_limit=10.0):
    """The image's metadata once a server-side copy has ended (`active` or
    `killed`), or as it is when the wait gives up (the test then fails on
    its status): after `timeout` seconds, or when it is still `queued`
    after `start_limit` (a server that copies starts at once).  Bounded
    either way, never timed."""
    started = time.monotonic()
    while True:
        meta = client.get_image_meta(image_id)
        waited = time.monotonic() - started
        if meta["status"] not in COPYING or waited > timeout \
                or (meta["status"] == "queued" and waited > start_limit):
            return meta
        time.sleep(0.1)


def same_image(head_meta, json_image):
    """A HEAD's metadata equals a JSON image on every field a HEAD carries
    (JSON has a few more, e.g. `status_reason`), and carries them all."""
    assert set(head_meta) <= set(json_image), set(head_meta) - set(json_image)
    return head_meta == {key: json_image[key] for key in head_meta}


class NoWholeReads(io.BytesIO):
    """A file that fails if anyone tries to read it whole."""

    def read(self, size=-1):
        assert size is not None and size > 0, "read() of the whole file"
        return super().read(size)
