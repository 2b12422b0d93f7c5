"""What the client's tests against the real servers share."""

import io


def add(client, tag, data=None, **fields):
    """A public raw/bare image tagged with `tag`, with `data` if given."""
    meta = {"name": "img", "is_public": True, "disk_format": "raw",
            "container_format": "bare", "properties": {"tag": tag}}
    meta.update(fields)
    return client.add_image(meta, data)


class NoWholeReads(io.BytesIO):
    """A file that fails if anyone tries to read it whole."""

    def read(self, size=-1):
        assert size is not None and size > 0, "read() of the whole file"
        return super().read(size)
