"""What the server under test offers, read from the server itself, never guessed.

A `Capabilities` holds one row per capability: offered (True/False, or None
while not probed) and the evidence ("the versions document lists v1.1,
v1.0", "no --registry-url given").  Checks that need a capability call
`need(name)`, which skips the test with that evidence as the reason when the
server does not offer it.  The rows go into every report as the capability
matrix.

`read_versions` is the one place that decides which APIs a server serves: its
versions document (`GET /versions`, else `GET /`), and only when it has none,
whether `GET /v1/images` answers a list.
"""

import json
from dataclasses import dataclass

import pytest

# name: the title shown in the reports, in the order shown.
TITLES = {
    "api-v1": "Images API v1",
    "api-v2": "Images API v2",
    "registry": "Registry server (§5)",
    "auth": "Token authentication (§6)",
    "second-tenant": "A second tenant (cross-tenant checks)",
    "admin": "The caller is an admin",
    "publicize": "The caller may publish images",
    "http-origin": "The server reaches the suite's http origin (locations)",
    "copy-from": "Copy-from (x-glance-api-copy-from) from the suite's origin",
}


@dataclass
class Capability:
    name: str
    offered: object = None  # True, False, or None: not probed
    how: str = "not probed in this run"

    @property
    def title(self):
        return TITLES.get(self.name, self.name)

    def as_dict(self):
        return {"name": self.name, "title": self.title, "offered": self.offered,
                "how": self.how}


class Capabilities:
    def __init__(self):
        self.rows = {name: Capability(name) for name in TITLES}

    def record(self, name, offered, how):
        row = self.rows.setdefault(name, Capability(name))
        row.offered, row.how = offered, how
        return offered

    def offered(self, name):
        return self.rows[name].offered if name in self.rows else None

    def need(self, name):
        """Skip the running test, with the evidence, unless `name` is offered."""
        row = self.rows.get(name)
        if row is None or row.offered is not True:
            pytest.skip(f"{TITLES.get(name, name)}: not offered ({row.how if row else 'unknown'})")

    def as_list(self):
        return [row.as_dict() for row in self.rows.values()]


def version_ids(res):
    """The version ids of a versions document answer, or None if it is not one."""
    if res.status_int not in (200, 300):
        return None
    try:
        doc = json.loads(res.body.decode("utf-8"))
        return [v["id"] for v in doc["versions"] if isinstance(v.get("id"), str)]
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return None


def read_versions(client, caps):
    """Record api-v1 and api-v2 from the server's versions document.

    Without a readable document (`GET /versions`, then `GET /`), v1 counts as
    offered when `GET /v1/images` answers 200, and v2 as not offered.
    """
    ids, where = None, None
    for path in ("/versions", "/"):
        ids = version_ids(client.get(path))
        if ids is not None:
            where = f"GET {path} lists {', '.join(ids) or 'nothing'}"
            break
    for major in ("1", "2"):
        name = f"api-v{major}"
        if ids is not None:
            listed = [i for i in ids if i.startswith(f"v{major}.") or i == f"v{major}"]
            caps.record(name, bool(listed), where)
        elif major == "1":
            res = client.get("/v1/images", query={"limit": "1"})
            caps.record(name, res.status_int == 200,
                        f"no versions document; GET /v1/images answers {res.status}")
        else:
            caps.record(name, False, "no versions document")
