"""Saving image data (v1): the shared saving path (`glance.api.saving`) with
v1's answer to a failure.

A v1 upload or copy that fails leaves its image `killed` with a
`status_reason` (CONTRACT §2), where v2 puts it back to `queued`; the
steps, the lease and the checks are the same for both.
"""

from glance.api import saving


class Saver(saving.Saver):
    def __init__(self, conf, registry, stores, keeper):
        super().__init__(conf, registry, stores, keeper, fallback="killed")

    def kill(self, ctx, image_id, cause, what="upload"):
        """Mark the image `killed` with why."""
        self.fail(ctx, image_id, cause, what)
