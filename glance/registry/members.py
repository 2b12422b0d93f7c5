"""Image members (sharing) and tags: the `ImageRegistry` methods for both.

Members (CONTRACT §1, §2 Members, §4 Members): a member is a tenant an
image is shared with, with `can_share` (v1) and a `status` (`pending`,
`accepted`, `rejected`; v2).  Membership makes a `shared` image visible to
that tenant whatever its status; on images of any other visibility it
grants nothing (the registry keeps members on any image, as Glance v1 did;
the v2 app refuses members on non-shared images itself).

Who may do what, here (each API may narrow it further):

- list: the owner and admins see every member; a member sees itself;
  others who can see the image see none;
- add, replace, remove, change `can_share`: the owner, admins, and members
  whose `can_share` is true (Glance v1's rule; v2 allows only the first two);
- change a member's `status`: that member itself, or an admin.

Tags (v2): a set of strings per image, changed by its owner or admins.
"""

from glance.common import exception
from glance.registry import records, validation

_MEMBER = "image_id, member, can_share, status, created_at, updated_at"


def _member(row):
    return {"image_id": row[0], "member_id": row[1], "can_share": bool(row[2]),
            "status": row[3], "created_at": row[4], "updated_at": row[5]}


def _members(conn, image_id):
    rows = conn.execute(f"SELECT {_MEMBER} FROM image_members WHERE image_id = ? "
                        "ORDER BY member", (image_id,)).fetchall()
    return {row[1]: _member(row) for row in rows}


def _may_share(context, record, members):
    if records.may_change(context, record):
        return True
    mine = members.get(context.tenant) if context.tenant is not None else None
    return bool(mine and mine["can_share"])


def _sharing(conn, context, image_id):
    """(record, members) of an image the caller may share; NotFound when it
    cannot see it, Forbidden when it may not share it."""
    record = records.read(conn, context, image_id, lock=True)
    members = _members(conn, image_id)
    if not _may_share(context, record, members):
        raise exception.Forbidden("No permission to share that image", image_id=image_id)
    return record, members


def _can_share(value):
    return None if value is None else validation.boolean("can_share", value)


class MembersMixin:
    """The member and tag methods of `ImageRegistry` (see the module docstring)."""

    # -- members -------------------------------------------------------------

    def list_members(self, context, image_id):
        """The members of an image the caller can see, by tenant (see the
        module docstring for whom it shows); NotFound otherwise."""
        image_id = validation.parse_image_id(image_id)
        with self.db.transaction() as conn:
            record = records.read(conn, context, image_id)
            found = _members(conn, image_id)
        if records.may_change(context, record):
            return list(found.values())
        return [found[context.tenant]] if context.tenant in found else []

    def get_member(self, context, image_id, member):
        """One member: to the owner, admins and that member; NotFound for
        anyone else, and when it is not a member."""
        image_id = validation.parse_image_id(image_id)
        member = validation.member_id(member)
        with self.db.transaction() as conn:
            record = records.read(conn, context, image_id)
            found = _members(conn, image_id).get(member)
        if found is None or not (records.may_change(context, record)
                                 or context.tenant == member):
            raise exception.NotFound(f"{member} is not a member of image {image_id}",
                                     image_id=image_id)
        return found

    def add_member(self, context, image_id, member, can_share=False):
        """A new member (`pending`); Duplicate when it is one already,
        QuotaExceeded over `image_member_quota`."""
        image_id = validation.parse_image_id(image_id)
        member = validation.member_id(member)
        can_share = bool(_can_share(can_share))
        with self.db.transaction(write=True) as conn:
            _, members = _sharing(conn, context, image_id)
            if member in members:
                raise exception.Duplicate(f"{member} is already a member of image {image_id}",
                                          image_id=image_id)
            validation.check_members_quota(len(members) + 1, self.limits)
            return self._insert_member(conn, image_id, member, can_share)

    def set_member(self, context, image_id, member, can_share=None, status=None):
        """Add `member` (when new: `pending`, `can_share` false unless given)
        or change what is given of an existing one; the member after.

        Setting only `status` needs the member itself or an admin, and an
        existing member (NotFound otherwise); anything else needs the right
        to share.  QuotaExceeded when a new member is one too many.
        """
        image_id = validation.parse_image_id(image_id)
        member = validation.member_id(member)
        can_share = _can_share(can_share)
        status = None if status is None else validation.member_status(status)
        status_only = can_share is None and status is not None
        with self.db.transaction(write=True) as conn:
            if status_only:
                records.read(conn, context, image_id, lock=True)
                members = _members(conn, image_id)
            else:
                _, members = _sharing(conn, context, image_id)
            if status is not None and not (context.is_admin or context.tenant == member):
                raise exception.Forbidden("only the member itself may change its status",
                                          image_id=image_id)
            found = members.get(member)
            if found is None:
                if status_only:
                    raise exception.NotFound(f"{member} is not a member of image {image_id}",
                                             image_id=image_id)
                validation.check_members_quota(len(members) + 1, self.limits)
                found = self._insert_member(conn, image_id, member, bool(can_share))
                if status is None:
                    return found
            elif can_share is None and status is None:
                return found
            conn.execute("UPDATE image_members SET can_share = ?, status = ?, updated_at = ? "
                         "WHERE image_id = ? AND member = ?",
                         (int(found["can_share"] if can_share is None else can_share),
                          status or found["status"], self._now(), image_id, member))
            return _members(conn, image_id)[member]

    def replace_members(self, context, image_id, memberships):
        """Make `memberships` ([{"member_id", "can_share"?}, ...]) the member
        set: members not named are removed, new ones added (`pending`); an
        omitted `can_share` keeps the old value (false for a new member).
        The members after."""
        image_id = validation.parse_image_id(image_id)
        if not isinstance(memberships, list):
            raise exception.Invalid("memberships must be an array")
        wanted = {}
        for entry in memberships:
            if not isinstance(entry, dict) or "member_id" not in entry:
                raise exception.Invalid('each membership is {"member_id", "can_share"?}')
            wanted[validation.member_id(entry["member_id"])] = _can_share(entry.get("can_share"))
        with self.db.transaction(write=True) as conn:
            _, members = _sharing(conn, context, image_id)
            # After who-may: a caller that may not share learns nothing more.
            validation.check_members_quota(len(wanted), self.limits)
            now = self._now()
            gone = [(image_id, member) for member in members if member not in wanted]
            conn.executemany("DELETE FROM image_members WHERE image_id = ? AND member = ?", gone)
            for member, can_share in wanted.items():
                if member not in members:
                    self._insert_member(conn, image_id, member, bool(can_share), now)
                elif can_share is not None and can_share != members[member]["can_share"]:
                    conn.execute("UPDATE image_members SET can_share = ?, updated_at = ? "
                                 "WHERE image_id = ? AND member = ?",
                                 (int(can_share), now, image_id, member))
            return list(_members(conn, image_id).values())

    def delete_member(self, context, image_id, member):
        """Remove a member; NotFound when it is not one."""
        image_id = validation.parse_image_id(image_id)
        member = validation.member_id(member)
        with self.db.transaction(write=True) as conn:
            _, members = _sharing(conn, context, image_id)
            if member not in members:
                raise exception.NotFound(f"{member} is not a member of image {image_id}",
                                         image_id=image_id)
            conn.execute("DELETE FROM image_members WHERE image_id = ? AND member = ?",
                         (image_id, member))

    def shared_images(self, context, member):
        """The memberships of tenant `member` on images not deleted, by
        image id; a non-admin sees those of its own images and its own."""
        member = validation.member_id(member)
        sql = (f"SELECT {', '.join('m.' + c.strip() for c in _MEMBER.split(','))} "
               "FROM image_members m JOIN images i ON i.id = m.image_id "
               "WHERE m.member = ? AND i.deleted = 0")
        args = [member]
        if not context.is_admin:
            if context.tenant is None:
                return []
            if context.tenant != member:
                sql += " AND i.owner = ?"
                args.append(context.tenant)
        with self.db.transaction() as conn:
            return [_member(row) for row in conn.execute(sql + " ORDER BY m.image_id", args)]

    def _insert_member(self, conn, image_id, member, can_share, now=None):
        now = now or self._now()
        conn.execute("INSERT INTO image_members (image_id, member, can_share, status, "
                     "created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?)",
                     (image_id, member, int(can_share), now, now))
        return {"image_id": image_id, "member_id": member, "can_share": can_share,
                "status": "pending", "created_at": now, "updated_at": now}

    # -- tags ------------------------------------------------------------------

    def add_tag(self, context, image_id, tag):
        """Add a tag (already there: nothing changes); QuotaExceeded over
        `image_tag_quota`.  The image after."""
        image_id = validation.parse_image_id(image_id)
        tag = validation.tag(tag)
        with self.db.transaction(write=True) as conn:
            record = records.read_writable(conn, context, image_id)
            if tag not in record["tags"]:
                validation.check_tags_quota(len(record["tags"]) + 1, self.limits)
                conn.execute("INSERT INTO image_tags (image_id, tag) VALUES (?, ?)",
                             (image_id, tag))
                conn.execute("UPDATE images SET updated_at = ? WHERE id = ?",
                             (self._now(), image_id))
            return records.full(records.read(conn, None, image_id), context)

    def delete_tag(self, context, image_id, tag):
        """Remove a tag; NotFound when the image does not have it.  The image after."""
        image_id = validation.parse_image_id(image_id)
        with self.db.transaction(write=True) as conn:
            record = records.read_writable(conn, context, image_id)
            if tag not in record["tags"]:
                raise exception.NotFound(f"image {image_id} has no tag {validation.shown(tag)}",
                                         image_id=image_id)
            conn.execute("DELETE FROM image_tags WHERE image_id = ? AND tag = ?",
                         (image_id, tag))
            conn.execute("UPDATE images SET updated_at = ? WHERE id = ?", (self._now(), image_id))
            return records.full(records.read(conn, None, image_id), context)
