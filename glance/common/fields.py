"""The image fields (CONTRACT §1-§5): one row per field, declared once.

Every other list of fields (the v1 header codec's, the API's brief entries
and client-settable fields, the registry's columns, writable fields, sort
keys and filters, the CLI's block and table, the docs' field table) is
derived from `FIELDS` with `names()` or by reading the rows.  Adding a
field is one row here plus its behaviour; no other list needs an edit.

A row says what a field *is* (its kind, range, choices, default) and which
*roles* it plays; what a role means is written once, in `Role`.  The same
place holds the one parser of image ids (`parse_image_id`), whose format is
the `id` row's.
"""

import enum
from dataclasses import dataclass

# The largest 64-bit signed integer: ids and sizes (CONTRACT §1, §3).
MAX_INT = 2**63 - 1

# Kinds of value.  In `x-image-meta-*` headers, every kind but INT and BOOL
# travels as text; the registry checks ENUM choices on the merged record.
TEXT = "text"
INT = "integer"
BOOL = "boolean"
TIMESTAMP = "timestamp"
ENUM = "enum"
SET = "set of strings"      # not a column: stored in a table of its own

# How a sortable field orders a list (`glance.registry.db.sort_expression`).
BY_VALUE = "value"                # the column as it is (never null)
TEXT_OR_NULL = "text or null"     # null first, then text bytewise
AS_ID = "as id"                   # `uri` is the id with a fixed prefix

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
    IF_SET = enum.auto()       # in the v1 image JSON only when not null
    ADMIN = enum.auto()        # shown to, and sortable by, admins and the API only
    V2_READONLY = enum.auto()  # in v2: shown, but a client setting it gets 403
    COLUMN = enum.auto()       # a column of the registry's `images` table


CREATE, UPDATE, SERVER = Role.CREATE, Role.UPDATE, Role.SERVER
HEADER, BRIEF, DETAIL, IF_SET = Role.HEADER, Role.BRIEF, Role.DETAIL, Role.IF_SET
ADMIN, V2_READONLY, COLUMN = Role.ADMIN, Role.V2_READONLY, Role.COLUMN
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
    sort: str | None = None            # BY_VALUE, TEXT_OR_NULL, AS_ID; None: not a sort key
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


HEADER_PREFIX = "x-image-meta-"
STATUSES = ("queued", "saving", "active", "killed")
DISK_FORMATS = ("raw", "qcow2", "vhd", "vmdk", "vdi", "iso", "ami", "ari", "aki")
CONTAINER_FORMATS = ("bare", "ovf", "ami", "ari", "aki")
TYPES = ("machine", "kernel", "ramdisk", "raw")

# In the order of the v1 image JSON (CONTRACT §2).
FIELDS = (
    Field("id", INT, CREATE | HEADER | BRIEF | DETAIL | COLUMN,
          nullable=False, minimum=1, maximum=MAX_INT, sort=BY_VALUE, v2="id",
          label="Id", cli_show=2, cli_index="ID",
          doc="Assigned by the registry; a client may choose it on create "
              "(a taken id, also a deleted image's, is refused with 409)."),
    Field("uri", TEXT, HEADER | BRIEF | DETAIL,
          nullable=False, sort=AS_ID, label="URI", cli_show=1,
          doc="Where this server serves the image, ``<scheme>://<host>[:port][/v1]"
              "/images/<id>``; added by the API server, never stored."),
    Field("name", TEXT, CLIENT | HEADER | BRIEF | DETAIL | COLUMN,
          max_length=255, sort=TEXT_OR_NULL, filter=EXACT, v2="name",
          label="Name", cli_show=4, cli_index="Name",
          doc="Free text."),
    Field("type", ENUM, CLIENT | HEADER | BRIEF | DETAIL | COLUMN,
          choices=TYPES, sort=TEXT_OR_NULL, filter=EXACT, v2="type",
          label="Type", cli_show=9,
          doc="What the image boots as (founding docs)."),
    Field("disk_format", ENUM, CLIENT | HEADER | BRIEF | DETAIL | COLUMN,
          choices=DISK_FORMATS, sort=TEXT_OR_NULL, filter=EXACT, v2="disk_format",
          label="Disk format", cli_show=7, cli_index="Disk Format",
          doc="The format of the disk image.  The Amazon formats (``ami``, ``ari``, "
              "``aki``) go in pairs: if either format is one, both must be equal."),
    Field("container_format", ENUM, CLIENT | HEADER | BRIEF | DETAIL | COLUMN,
          choices=CONTAINER_FORMATS, sort=TEXT_OR_NULL, filter=EXACT, v2="container_format",
          label="Container format", cli_show=8, cli_index="Container Format",
          doc="The container the disk image comes in."),
    Field("size", INT, SERVER | HEADER | BRIEF | DETAIL | COLUMN | V2_READONLY,
          nullable=False, default=0, minimum=0, maximum=MAX_INT, sort=BY_VALUE,
          filter=RANGE, v2="size", unit="bytes",
          label="Size", cli_show=6, cli_index="Size",
          doc="Bytes of data, 0 while there is none.  A client's value is a check "
              "on its upload, or the size of a location it registers."),
    Field("checksum", TEXT, SERVER | HEADER | BRIEF | DETAIL | COLUMN | V2_READONLY,
          sort=TEXT_OR_NULL, v2="checksum",
          label="Checksum", cli_show=10,
          doc="MD5 of the data, in hex; null until data is stored.  A client's "
              "value is a check on its upload."),
    Field("os_hash_algo", TEXT, SERVER | HEADER | DETAIL | COLUMN | V2_READONLY,
          v2="os_hash_algo",
          doc="The algorithm of ``os_hash_value`` (``sha256``)."),
    Field("os_hash_value", TEXT, SERVER | HEADER | DETAIL | COLUMN | V2_READONLY,
          v2="os_hash_value",
          doc="A stronger digest of the data, computed on the same pass as the MD5."),
    Field("store", TEXT, SERVER | HEADER | DETAIL | COLUMN,
          sort=TEXT_OR_NULL,
          label="Store", cli_show=11,
          doc="The backend holding the data (``file``, ``http``, ...); a client's "
              "value chooses the backend of its upload."),
    Field("location", TEXT, SERVER | ADMIN | HEADER | DETAIL | COLUMN,
          sort=TEXT_OR_NULL,
          label="Location", cli_show=12,
          doc="Where the data is; admins only, as it can reveal internal paths.  "
              "A client may register an http(s) location on a queued image."),
    Field("status", ENUM, SERVER | HEADER | DETAIL | COLUMN | V2_READONLY,
          nullable=False, default="active", choices=STATUSES, sort=BY_VALUE,
          filter=EXACT, v2="status",
          label="Status", cli_show=5,
          doc="Where the image is in its life (see below).  The registry's "
              "default is ``active``; the API always gives one."),
    Field("status_reason", TEXT, SERVER | IF_SET | COLUMN,
          doc="Why the image has its status, e.g. why an upload was killed; "
              "shown only when there is one."),
    Field("is_public", BOOL, CLIENT | HEADER | DETAIL | COLUMN,
          nullable=False, default=False, sort=BY_VALUE,
          label="Public", cli_show=3,
          doc="Whether every caller may see and download it.  Its list filter "
              "takes ``true``, ``false`` or ``none``."),
    Field("owner", TEXT, HEADER | DETAIL | COLUMN,
          sort=TEXT_OR_NULL, v2="owner",
          label="Owner", cli_show=13,
          doc="The tenant that created it."),
    Field("created_at", TIMESTAMP, HEADER | DETAIL | COLUMN | V2_READONLY,
          nullable=False, sort=BY_VALUE, v2="created_at",
          label="Created at", cli_show=14,
          doc="When the record was created (UTC)."),
    Field("updated_at", TIMESTAMP, HEADER | DETAIL | COLUMN | V2_READONLY,
          nullable=False, sort=BY_VALUE, v2="updated_at",
          label="Updated at", cli_show=15,
          doc="Starts equal to ``created_at``; moves on every change, never on a read."),
    Field("deleted_at", TIMESTAMP, HEADER | DETAIL | COLUMN,
          label="Deleted at", cli_show=16,
          doc="When the image was deleted."),
    Field("deleted", BOOL, HEADER | DETAIL | COLUMN,
          nullable=False, default=False,
          doc="The soft-delete flag; always false in answers."),
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


def parse_image_id(value):
    """The image id that `value` (an int, or text from a path, a marker or a
    command line) names, or None when it cannot name an image.

    Today an id is an integer 1 … 2^63−1, written in 1-19 ASCII digits
    (CONTRACT revision 1); callers say what None means for them (404 for a
    path, 400 for a marker, a usage error on a command line).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and 0 < len(value) <= 19 and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_INT else None
