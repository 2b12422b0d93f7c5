"""The sharing calls of `Client` (CONTRACT §2, "Members (v1)"): whom an
image is shared with, what is shared with a tenant, and changing that.

The names and arguments are early Glance's client's (`get_image_members`,
`get_member_images`, `add_member`, `replace_members`, `delete_member`), so
code written for it reads the same; a member is a tenant id (any non-empty
string).  Who may share is the server's rule: the owner, an admin, or a
member whose `can_share` is true; anyone else gets `NotAuthorized` (403) or
`NotFound` (404, an image it cannot see).
"""

import json

from glance.client.arguments import member_segment, memberships_body
from glance.client.errors import ClientError

JSON_BODY = (("Content-Type", "application/json"),)


class Members:
    """Mixed into `Client`; uses its `base_path`, `_image_path`, `_request`,
    `_read` and `_json`."""

    def get_image_members(self, image_id):
        """`[{"member_id": tenant, "can_share": bool}, ...]`: the tenants the
        image is shared with."""
        path = self._image_path(image_id) + "/members"
        return _entries(self._json(*self._request("GET", path), "members"), "members")

    def get_member_images(self, member_id):
        """`[{"image_id": id, "can_share": bool}, ...]`: the images shared
        with tenant `member_id` (for a non-admin, only those it owns or that
        name itself: CONTRACT §2).  Ids are strings, as everywhere."""
        path = f"{self.base_path}/shared-images/{member_segment(member_id)}"
        entries = _entries(self._json(*self._request("GET", path), "shared_images"),
                           "shared_images")
        for entry in entries:
            if entry.get("image_id") is not None:
                entry["image_id"] = str(entry["image_id"])
        return entries

    def add_member(self, image_id, member_id, can_share=None):
        """Share the image with `member_id`. → True

        `can_share` None sends no body: a new member gets `can_share` false
        and an existing one keeps its value; True or False sets it.
        """
        body, headers = None, ()
        if can_share is not None:
            body = json.dumps({"member": {"can_share": bool(can_share)}}).encode()
            headers = JSON_BODY
        self._read(*self._request("PUT", self._member_path(image_id, member_id),
                                  headers, body))
        return True

    def replace_members(self, image_id, memberships):
        """Make `memberships` the image's whole member set. → True

        Each membership is a tenant id or `{"member_id": tenant,
        "can_share": bool}`; a `can_share` left out keeps an existing
        member's value (false for a new member).  An empty list removes
        every member.
        """
        body = memberships_body(memberships)
        path = self._image_path(image_id) + "/members"
        self._read(*self._request("PUT", path, JSON_BODY, body))
        return True

    def delete_member(self, image_id, member_id):
        """Stop sharing the image with `member_id` (not a member: `NotFound`). → True"""
        self._read(*self._request("DELETE", self._member_path(image_id, member_id)))
        return True

    def _member_path(self, image_id, member_id):
        return f"{self._image_path(image_id)}/members/{member_segment(member_id)}"


def _entries(value, key):
    """A JSON list of objects, or the `ClientError` of an unexpected answer."""
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise ClientError(f"the server sent unexpected JSON: {key!r} is not a list "
                          "of objects")
    return value
