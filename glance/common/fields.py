"""The image fields (CONTRACT §1-§5): one row per field, declared once.

Every other list of fields (the v1 header codec's, the API's brief entries
and client-settable fields, the registry's columns, writable fields, sort
keys and filters, the CLI's block and table, the docs' field table) is
derived from `FIELDS` with `names()` or by reading the rows.  Adding a
field is one row here plus its behaviour; no other list needs an edit.

A row says what a field *is* (its kind, range, choices, default) and which
*roles* it plays; what a role means is written once, in `Role`.  The same
place holds the behaviour that belongs to one field wherever it is used:
the image-id parsers (`parse_image_id`, `parse_new_image_id`) and the v1
view of `visibility` (`is_public`, `visibility_for_is_public`).
"""

import enum
import re
import uuid
from dataclasses import dataclass

# The largest 64-bit signed integer: sizes, and migrated revision-1 ids (CONTRACT §1, §3).
MAX_INT = 2**63 - 1
# The largest 32-bit signed integer: min_disk, min_ram.
MAX_INT32 = 2**31 - 1

# Kinds of value.  In `x-image-meta-*` headers, every kind but INT and BOOL
# travels as text; the registry checks ENUM choices on the merged record.
TEXT = "text"
INT = "integer"
BOOL = "boolean"
TIMESTAMP = "timestamp"
ENUM = "enum"
ID = "image id"             # a lower-case UUID, or a migrated revision-1 decimal id
SET = "set of strings"      # not a column: stored in a table of its own

# How a sortable field orders a list (`glance.registry.db.sort_expression`).
BY_VALUE = "value"                # the column as it is (never null)
TEXT_OR_NULL = "text or null"     # null first, then text bytewise
INT_OR_NULL = "integer or null"   # null first, then by value (integers >= 0)
AS_ID = "as id"                   # `uri` is the id with a fixed prefix
AS_PUBLIC = "as public"           # `is_public`: false before true (from `visibility`)

# Which list filter a field has.
EXACT = "exact"     # `<name>=<value>`: the field equals the value
RANGE = "range"     # `<name>_min`, `<name>_max`: inclusive bounds


class Role(enum.Flag):
    """What a field takes part in; a row's `roles` combine these."""

    CREATE = enum.auto()       # a client may set it when creating an image
    UPDATE = enum.auto()       # a client may set it when updating an image
    SERVER = enum.auto()       # only the API service sets it, through the registry;
    #                            a v1 client's value is ignored (or only checked)
    HEADER = enum.auto()       # travels as `x-image-meta-<name>` (v1)
    BRIEF = enum.auto()        # in the entries of the v1 brief list (`GET /images`)
    DETAIL = enum.auto()       # in the v1 image JSON (detail lists, answers)
    ADMIN = enum.auto()        # shown to, and sortable by, admins and the API only
    V2_READONLY = enum.auto()  # in v2: shown, but a client setting it gets 403
    COLUMN = enum.auto()       # a column of the registry's `images` table
    RECORD = enum.auto()       # in the registry's image JSON, which both APIs build on


CREATE, UPDATE, SERVER = Role.CREATE, Role.UPDATE, Role.SERVER
HEADER, BRIEF, DETAIL = Role.HEADER, Role.BRIEF, Role.DETAIL
ADMIN, V2_READONLY, COLUMN, RECORD = Role.ADMIN, Role.V2_READONLY, Role.COLUMN, Role.RECORD
CLIENT = CREATE | UPDATE


@dataclass(frozen=True)
class Field:
    """One image field.  `label`, `cli_show` and `cli_index` are how the
    `glance` command presents it: the label of its line in `glance show`,
    that line's position, the title of its column in `glance index`."""

    name: str
    kind: str
    roles: Role
    doc: str                           # one sentence for the docs
    nullable: bool = True
    default: object = None             # what the registry stores when not given
    choices: tuple = ()                # ENUM: the allowed values
    minimum: int | None = None         # INT: inclusive range
    maximum: int | None = None
    max_length: int | None = None      # TEXT: characters
    sort: str | None = None            # BY_VALUE, TEXT_OR_NULL, INT_OR_NULL, AS_ID,
    #                                    AS_PUBLIC; None: not a sort key
    filter: str | None = None          # EXACT, RANGE; None: no list filter of its own
    v2: str | None = None              # its key in v2 image JSON; None: not shown in v2
    unit: str | None = None            # "bytes", "GB", "MB"
    label: str | None = None
    cli_show: int | None = None
    cli_index: str | None = None

    @property
    def header(self):
        """Its v1 header name, or None when it is not a v1 header."""
        return HEADER_PREFIX + self.name if HEADER in self.roles else None

    @property
    def numeric(self):
        """Stored as a number (integers and booleans)."""
        return self.kind in (INT, BOOL)

    @property
    def stored(self):
        """Kept by the registry: a column of `images`, or a table of its own."""
        return bool(COLUMN in self.roles or self.kind == SET)


HEADER_PREFIX = "x-image-meta-"
# `deleted` only through DELETE; Glance 33's v2 schema lists `pending_delete`
# too, a status this service never uses (V2_SCHEMA_STATUSES).
STATUSES = ("queued", "saving", "active", "killed", "deleted", "deactivated",
            "uploading", "importing")
V2_SCHEMA_STATUSES = STATUSES + ("pending_delete",)
DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso",
                "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
TYPES = ("machine", "kernel", "ramdisk", "raw")
VISIBILITIES = ("public", "private", "shared", "community")

# In the order of the v1 image JSON (CONTRACT §2), then the registry's own
# additions (visibility, os_hidden, tags: CONTRACT §5).
FIELDS = (
    Field("id", ID, CREATE | HEADER | BRIEF | DETAIL | COLUMN | RECORD,
          nullable=False, sort=BY_VALUE, v2="id",
          label="Id", cli_show=2, cli_index="ID",
          doc="A lower-case UUID the registry draws; a client may propose one on create "
              "(a taken id, also a deleted image's, is refused with 409).  Images "
              "migrated from revision 1 keep their decimal ids, as strings."),
    Field("uri", TEXT, HEADER | BRIEF | DETAIL,
          nullable=False, sort=AS_ID, label="URI", cli_show=1,
          doc="Where this server serves the image, ``<scheme>://<host>[:port][/v1]"
              "/images/<id>``; added by the API server, never stored."),
    Field("name", TEXT, CLIENT | HEADER | BRIEF | DETAIL | COLUMN | RECORD,
          max_length=255, sort=TEXT_OR_NULL, filter=EXACT, v2="name",
          label="Name", cli_show=5, cli_index="Name",
          doc="Free text."),
    Field("type", ENUM, CLIENT | HEADER | BRIEF | DETAIL | COLUMN | RECORD,
          choices=TYPES, sort=TEXT_OR_NULL, filter=EXACT, v2="type",
          label="Type", cli_show=13,
          doc="What the image boots as (founding docs)."),
    Field("disk_format", ENUM, CLIENT | HEADER | BRIEF | DETAIL | COLUMN | RECORD,
          choices=DISK_FORMATS, sort=TEXT_OR_NULL, filter=EXACT, v2="disk_format",
          label="Disk format", cli_show=9, cli_index="Disk Format",
          doc="The format of the disk image.  The Amazon formats (``ami``, ``ari``, "
              "``aki``) go in pairs: if either format is one, both must be equal."),
    Field("container_format", ENUM, CLIENT | HEADER | BRIEF | DETAIL | COLUMN | RECORD,
          choices=CONTAINER_FORMATS, sort=TEXT_OR_NULL, filter=EXACT, v2="container_format",
          label="Container format", cli_show=10, cli_index="Container Format",
          doc="The container the disk image comes in."),
    Field("size", INT, SERVER | HEADER | BRIEF | DETAIL | COLUMN | RECORD | V2_READONLY,
          minimum=0, maximum=MAX_INT, sort=INT_OR_NULL,
          filter=RANGE, v2="size", unit="bytes",
          label="Size", cli_show=7, cli_index="Size",
          doc="Bytes of data; null until known (v1 shows null as 0).  A client's value "
              "is a check on its upload, or the size of a location it registers."),
    Field("virtual_size", INT, SERVER | HEADER | DETAIL | COLUMN | RECORD | V2_READONLY,
          minimum=0, maximum=MAX_INT, sort=INT_OR_NULL, v2="virtual_size", unit="bytes",
          label="Virtual size", cli_show=8,
          doc="The size of the virtual disk: the registry sets it to ``size`` when a "
              "``raw`` image becomes active; else null."),
    Field("checksum", TEXT, SERVER | HEADER | BRIEF | DETAIL | COLUMN | RECORD | V2_READONLY,
          sort=TEXT_OR_NULL, v2="checksum",
          label="Checksum", cli_show=14,
          doc="MD5 of the data, in hex; null until data is stored.  A client's "
              "value is a check on its upload."),
    Field("os_hash_algo", TEXT, SERVER | HEADER | DETAIL | COLUMN | RECORD | V2_READONLY,
          v2="os_hash_algo",
          doc="The algorithm of ``os_hash_value`` (``sha256``)."),
    Field("os_hash_value", TEXT, SERVER | HEADER | DETAIL | COLUMN | RECORD | V2_READONLY,
          v2="os_hash_value",
          doc="A stronger digest of the data, computed on the same pass as the MD5."),
    Field("store", TEXT, SERVER | HEADER | DETAIL | COLUMN | RECORD,
          sort=TEXT_OR_NULL,
          label="Store", cli_show=15,
          doc="The backend holding the data (``file``, ``http``, ...); a client's "
              "value chooses the backend of its upload."),
    Field("location", TEXT, SERVER | ADMIN | HEADER | DETAIL | COLUMN | RECORD,
          sort=TEXT_OR_NULL,
          label="Location", cli_show=16,
          doc="Where the data is; admins only, as it can reveal internal paths.  "
              "A client may register an http(s) location on a queued image."),
    Field("status", ENUM, SERVER | HEADER | DETAIL | COLUMN | RECORD | V2_READONLY,
          nullable=False, default="active", choices=STATUSES, sort=BY_VALUE,
          filter=EXACT, v2="status",
          label="Status", cli_show=6,
          doc="Where the image is in its life (see below).  The registry's "
              "default is ``active``; the API always gives one."),
    Field("status_reason", TEXT, SERVER | DETAIL | COLUMN | RECORD,
          max_length=255,
          label="Status reason", cli_show=21,
          doc="Why the image has its status, e.g. why an upload was killed; never "
              "names a host, path, URL or process."),
    Field("is_public", BOOL, CLIENT | HEADER | DETAIL | RECORD,
          nullable=False, default=False, sort=AS_PUBLIC,
          label="Public", cli_show=3,
          doc="The v1 view of ``visibility``: true exactly when it is ``public``; "
              "setting it maps onto ``visibility``.  Its list filter takes ``true``, "
              "``false`` or ``none``."),
    Field("protected", BOOL, CLIENT | HEADER | DETAIL | COLUMN | RECORD,
          nullable=False, default=False, sort=BY_VALUE, filter=EXACT, v2="protected",
          label="Protected", cli_show=4,
          doc="True: DELETE is refused with 403; image and data are kept."),
    Field("min_disk", INT, CLIENT | HEADER | DETAIL | COLUMN | RECORD,
          nullable=False, default=0, minimum=0, maximum=MAX_INT32, sort=BY_VALUE,
          filter=EXACT, v2="min_disk", unit="GB",
          label="Minimum disk", cli_show=11,
          doc="Disk space needed to boot the image."),
    Field("min_ram", INT, CLIENT | HEADER | DETAIL | COLUMN | RECORD,
          nullable=False, default=0, minimum=0, maximum=MAX_INT32, sort=BY_VALUE,
          filter=EXACT, v2="min_ram", unit="MB",
          label="Minimum RAM", cli_show=12,
          doc="Memory needed to boot the image."),
    Field("owner", TEXT, SERVER | HEADER | DETAIL | COLUMN | RECORD,
          max_length=255, sort=TEXT_OR_NULL, filter=EXACT, v2="owner",
          label="Owner", cli_show=17,
          doc="The tenant that created it; admins may set another."),
    Field("created_at", TIMESTAMP, HEADER | DETAIL | COLUMN | RECORD | V2_READONLY,
          nullable=False, sort=BY_VALUE, v2="created_at",
          label="Created at", cli_show=18,
          doc="When the record was created (UTC, microseconds)."),
    Field("updated_at", TIMESTAMP, HEADER | DETAIL | COLUMN | RECORD | V2_READONLY,
          nullable=False, sort=BY_VALUE, v2="updated_at",
          label="Updated at", cli_show=19,
          doc="Starts equal to ``created_at``; the true time of every change (status "
              "transitions included), never ahead of the clock, never moved by a read."),
    Field("deleted_at", TIMESTAMP, HEADER | DETAIL | COLUMN | RECORD,
          label="Deleted at", cli_show=20,
          doc="When the image was deleted."),
    Field("deleted", BOOL, HEADER | DETAIL | COLUMN | RECORD,
          nullable=False, default=False,
          doc="The soft-delete flag; true only in lists of changes."),
    Field("visibility", ENUM, CLIENT | COLUMN | RECORD,
          nullable=False, default="shared", choices=VISIBILITIES, sort=BY_VALUE,
          v2="visibility",
          doc="Who sees it: ``public`` and ``community`` everyone, ``shared`` its owner "
              "and members, ``private`` its owner (admins see every image)."),
    Field("os_hidden", BOOL, CLIENT | COLUMN | RECORD,
          nullable=False, default=False, filter=EXACT, v2="os_hidden",
          doc="Hidden from default v2 lists."),
    Field("tags", SET, CLIENT | RECORD,
          nullable=False, default=(), max_length=255, v2="tags",
          doc="Free-form tags (v2): each 1-255 characters, no ``/``, no control "
              "characters."),
)

BY_NAME = {field.name: field for field in FIELDS}


def names(roles=Role(0), table=FIELDS, **attributes):
    """The names of the fields (in table order) that play every one of
    `roles` and whose attributes equal `attributes`."""
    return tuple(field.name for field in table
                 if roles in field.roles
                 and all(getattr(field, key) == wanted for key, wanted in attributes.items()))


def with_any(roles, table=FIELDS):
    """The names of the fields that play at least one of `roles`."""
    return tuple(field.name for field in table if field.roles & roles)


# A new id: a lower-case UUID, 8-4-4-4-12 hex digits (`str(uuid.uuid4())`).
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
# A migrated revision-1 id: its decimal digits, as revision 1 wrote them.
_DECIMAL = re.compile(r"[1-9][0-9]{0,18}\Z")


def new_image_id():
    """A fresh id for an image the caller did not name."""
    return str(uuid.uuid4())


def parse_new_image_id(value):
    """`value` when it is a lower-case UUID (the only id a caller may
    propose, CONTRACT §1), else None."""
    return value if isinstance(value, str) and _UUID.match(value) else None


def parse_image_id(value):
    """The image id that `value` (text from a path, a marker or a command
    line, or an int for a migrated id) names, or None when it cannot name
    an image.

    An id is a lower-case UUID, or the decimal string of an id revision 1
    assigned (1 … 2^63−1, no leading zeros: as it was written).  Callers
    say what None means for them (404 for a path, 400 for a marker, a
    usage error on a command line).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    if _UUID.match(value) or (_DECIMAL.match(value) and int(value) <= MAX_INT):
        return value
    return None


def is_public(visibility):
    """The v1 view of a visibility: true exactly for `public`."""
    return visibility == "public"


def visibility_for_is_public(is_public, current=None):
    """The visibility a v1 `is_public` sets (CONTRACT §1), on create
    (`current` None) or on an image that has `current`.

    True makes an image `public`.  False makes it `shared` on create and on
    a public image, and leaves `private`, `shared` and `community` as they
    are (v1 cannot tell those apart).  None (not given) changes nothing.
    """
    if is_public is None:
        return current or BY_NAME["visibility"].default
    if is_public:
        return "public"
    if current is None or current == "public":
        return "shared"
    return current
