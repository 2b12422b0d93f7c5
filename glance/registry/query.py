"""`ImageQuery`: one list request, in explicit fields both APIs can say.

A list is "the images of these *scopes*, narrowed by these filters, in this
order, from this marker".  The scopes are the ways an image can be in a
caller's lists (CONTRACT §1, §2, §4):

- ``public``: images whose visibility is ``public``;
- ``community``: images whose visibility is ``community``;
- ``own``: images the caller's tenant owns (any visibility);
- ``member``: ``shared`` images the caller's tenant is a member of, with a
  member status in `member_status`;
- ``all``: every image the caller may see (an admin: every image).

Whatever the query says, an image the caller may not see is never listed.
Each API translates its own parameters: v1's `from_v1_params` is here, v2's
parser is `glance.api.v2.listing.parse`; the registry server takes the
fields themselves as query parameters (`from_params` / `to_params`,
documented in docs/registry.rst).
"""

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone

from glance.common import exception, fields
from glance.registry import records, validation
from glance.registry.validation import shown

SCOPES = ("public", "community", "own", "member", "all")
DEFAULT_SCOPE = ("public", "own", "member")
MEMBER_STATUSES = validation.MEMBER_STATUSES + ("all",)
TIME_FIELDS = ("created_at", "updated_at")
TIME_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "=", "neq": "<>"}
# field name -> the field it sorts by (`uri` sorts as `id`)
SORT_KEYS = {row.name: "id" if row.sort == fields.AS_ID else row.name
             for row in fields.FIELDS if row.sort}
EXACT_FILTERS = fields.names(filter=fields.EXACT)
RANGE_FILTERS = tuple(f"{name}_{end}" for name in fields.names(filter=fields.RANGE)
                      for end in ("min", "max"))
DEFAULT_LIMIT = 25
MAX_LIMIT = 1000


@dataclass
class ImageQuery:
    """Which images a list shows, in which order, which page."""

    scope: tuple = DEFAULT_SCOPE
    member_status: str = "all"          # the member statuses the `member` scope takes
    visibility: tuple | None = None     # only images with one of these visibilities
    include_deleted: bool = False       # deleted images too (v1 changes-since)
    equal: dict = field(default_factory=dict)       # EXACT field -> value
    ranges: dict = field(default_factory=dict)      # `size_min`/`size_max` -> int, inclusive
    tags: tuple = ()                                # every one of them
    properties: dict = field(default_factory=dict)  # key -> exact value
    times: tuple = ()                   # (created_at|updated_at, TIME_OPS key, timestamp)
    sort: tuple = (("created_at", "desc"),)         # (SORT_KEYS key, asc|desc), ...
    limit: int = DEFAULT_LIMIT
    marker: str | None = None

    def __post_init__(self):
        self.check()

    def check(self):
        """Invalid for a field that holds something no list can mean."""
        if not self.scope or any(scope not in SCOPES for scope in self.scope):
            raise exception.Invalid(f"scope must be some of {', '.join(SCOPES)}, "
                                    f"got {shown(','.join(map(str, self.scope)))}")
        if self.member_status not in MEMBER_STATUSES:
            raise exception.Invalid(f"member_status must be one of {', '.join(MEMBER_STATUSES)}, "
                                    f"got {shown(self.member_status)}")
        for name in self.visibility or ():
            if name not in fields.VISIBILITIES:
                raise exception.Invalid(f"Invalid visibility {shown(name)}")
        for name in self.equal:
            if name not in EXACT_FILTERS:
                raise exception.Invalid(f"{shown(name)} is not a filter")
        for name in self.ranges:
            if name not in RANGE_FILTERS:
                raise exception.Invalid(f"{shown(name)} is not a range filter")
        for name, op, _ in self.times:
            if name not in TIME_FIELDS or op not in TIME_OPS:
                raise exception.Invalid(f"Invalid time filter {shown(name)} {shown(op)}")
        if not self.sort:
            raise exception.Invalid("a list needs at least one sort key")
        for key, direction in self.sort:
            if key not in SORT_KEYS:
                raise exception.Invalid(f"sort_key {shown(key)} is not a sortable field")
            if direction not in ("asc", "desc"):
                raise exception.Invalid(f"sort_dir must be asc or desc, got {shown(direction)}")
        if not isinstance(self.limit, int) or self.limit < 0:
            raise exception.Invalid(f"limit must be a non-negative integer, got {shown(self.limit)}")
        self.limit = min(self.limit, MAX_LIMIT)


# -- values ---------------------------------------------------------------------

def parse_count(name, text, maximum=fields.MAX_INT):
    text = str(text).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > maximum:
        raise exception.Invalid(f"{name} must be a non-negative integer, got {shown(text)}")
    return int(text)


def parse_timestamp(text, what="timestamp"):
    """An ISO 8601 time (any offset; none means UTC) in the stored form."""
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise exception.Invalid(f"Invalid {what} {shown(text)}: use ISO 8601") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return records.timestamp(moment)


def _marker(text):
    marker = fields.parse_image_id(str(text).strip())
    if marker is None:
        raise exception.Invalid(f"marker must be the id of an image, got {shown(text)}")
    return marker


def _filter_value(name, text):
    """An exact filter's value as the column holds it (booleans as 0/1)."""
    row = fields.BY_NAME[name]
    if row.kind == fields.INT:
        return parse_count(name, text, row.maximum)
    if row.kind == fields.BOOL:
        return int(validation.boolean(name, text))
    return validation.check_text(name, str(text))


def _property_filter(key, value):
    if not validation.PROPERTY_KEY.match(key):
        raise exception.Invalid(f"Invalid property filter {shown(key)}")
    return validation.check_text(f"property {key!r}", str(value))


def _words(text):
    return tuple(word.strip() for word in str(text).split(",") if word.strip())


# -- the registry's own parameters ------------------------------------------------

def from_params(pairs):
    """The query the registry server's list parameters name (a list of
    (name, value) pairs; repeatable: `tag`, `created_at`, `updated_at`).
    Unknown parameters are Invalid: only the API calls the registry."""
    values = {}
    for name, value in pairs:
        if name.startswith("property-"):
            key = name[len("property-"):]
            values.setdefault("properties", {})[key] = _property_filter(key, value)
        elif name in EXACT_FILTERS:
            values.setdefault("equal", {})[name] = _filter_value(name, value)
        elif name in RANGE_FILTERS:
            values.setdefault("ranges", {})[name] = parse_count(name, value)
        elif name == "tag":
            values["tags"] = values.get("tags", ()) + (validation.tag(value),)
        elif name in TIME_FIELDS:
            op, _, moment = str(value).partition(":")
            values["times"] = values.get("times", ()) + (
                (name, op, parse_timestamp(moment, name)),)
        elif name in ("scope", "visibility"):
            values[name] = _words(value)
        elif name == "member_status":
            values[name] = value
        elif name == "include_deleted":
            values[name] = validation.boolean(name, value)
        elif name == "sort":
            values["sort"] = tuple(tuple(word.partition(":")[::2]) for word in _words(value))
        elif name == "limit":
            values["limit"] = parse_count("limit", value)
        elif name == "marker":
            values["marker"] = _marker(value)
        else:
            raise exception.Invalid(f"unknown list parameter {shown(name)}")
    return ImageQuery(**values)


def to_params(query):
    """The (name, value) pairs `from_params` reads back as `query`."""
    pairs = [("scope", ",".join(query.scope)), ("member_status", query.member_status)]
    if query.visibility is not None:
        pairs.append(("visibility", ",".join(query.visibility)))
    if query.include_deleted:
        pairs.append(("include_deleted", "true"))
    for name, value in query.equal.items():
        if fields.BY_NAME[name].kind == fields.BOOL:
            value = "true" if value else "false"
        pairs.append((name, str(value)))
    pairs += [(name, str(value)) for name, value in query.ranges.items()]
    pairs += [("tag", tag) for tag in query.tags]
    pairs += [(f"property-{key}", value) for key, value in query.properties.items()]
    pairs += [(name, f"{op}:{moment}") for name, op, moment in query.times]
    pairs.append(("sort", ",".join(f"{key}:{direction}" for key, direction in query.sort)))
    pairs.append(("limit", str(query.limit)))
    if query.marker is not None:
        pairs.append(("marker", query.marker))
    return pairs


# -- Images API v1 (CONTRACT §2 "Which images a list shows", §10 Lists) -----------

V1_EQUAL = tuple(name for name in EXACT_FILTERS if name not in ("owner", "os_hidden"))


def from_v1_params(params, context):
    """The query of a v1 list's parameters (a dict, last value wins).

    Names are normalised like header names (lower case, `-` as `_`);
    unknown ones are ignored, as Glance v1 did.
    """
    query = ImageQuery()
    is_public = None
    for raw_name, value in (params or {}).items():
        name = str(raw_name).lower().replace("-", "_")
        value = "" if value is None else str(value)
        if name.startswith("property_"):
            key = name[len("property_"):]
            query.properties[key] = _property_filter(key, value)
        elif name in V1_EQUAL:
            query.equal[name] = _filter_value(name, value)
        elif name in RANGE_FILTERS:
            query.ranges[name] = parse_count(name, value)
        elif name == "is_public":
            is_public = value.strip().lower()
            if is_public not in ("true", "false", "none"):
                raise exception.Invalid(f"is_public must be true, false or none, got {shown(value)}")
        elif name == "changes_since":
            try:
                since = parse_timestamp(value)
            except exception.Invalid:
                raise exception.Invalid(
                    f"Unrecognized changes-since value {shown(value)}") from None
            query.times += (("updated_at", "gt", since),)
            query.include_deleted = True
        elif name == "sort_key":
            key = value.strip().lower()
            if key not in SORT_KEYS or (fields.ADMIN in fields.BY_NAME[key].roles
                                        and not context.is_admin):
                raise exception.Invalid(f"sort_key {shown(value)} is not a sortable field")
            query.sort = ((SORT_KEYS[key], query.sort[0][1]),)
        elif name == "sort_dir":
            direction = value.strip().lower()
            if direction not in ("asc", "desc"):
                raise exception.Invalid(f"sort_dir must be asc or desc, got {shown(value)}")
            query.sort = ((query.sort[0][0], direction),)
        elif name == "limit":
            query.limit = parse_count("limit", value)
        elif name == "marker":
            query.marker = _marker(value)
    if is_public == "true":
        query.visibility = ("public",)
    elif is_public == "false":
        query.visibility = ("private", "shared", "community")
    if context.is_admin and is_public in ("false", "none"):
        query.scope = ("all",)
    query.check()
    return query


def replace(query, **changes):
    """A copy of `query` with some fields changed (and checked again)."""
    return dataclasses.replace(query, **changes)
