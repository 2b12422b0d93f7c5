"""Images API v2 for the checks: making, changing and removing images, and what the server offers.

`V2Run` hangs off the run's `Suite` (``suite.v2``).  It makes every v2
image of the run (named ``<prefix>-<label>-<n>``, carrying the custom
property ``conformance_run=<prefix>``, remembered with the client that made
it), reads the schemas the server publishes, and detects, from the server's
own answers, what a check may rely on: the import methods `/v2/info/import`
lists, whether the caller is an admin (an `owner` it may set), whether it
may publish, the second tenant's id, and whether the server reaches the
suite's origin by web-download.  At the end of the run it deletes what it
made (lifting `protected`, reactivating) and sweeps the lists for anything
else carrying the run's mark.
"""

import json
import time

from conformance import expect, expect_v2

V2 = "/v2"
PATCH_21 = "application/openstack-images-v2.1-json-patch"
OCTETS = "application/octet-stream"
RAW = {"disk_format": "raw", "container_format": "bare"}
WAIT = 60.0  # seconds for a background import to end


class V2Run:
    def __init__(self, suite):
        self.suite = suite
        self.made = []  # [(image id, client)] in the order made
        self.gone = set()
        self._schemas = {}
        self._methods = None
        self._tenant = {}
        self.can_publish = None

    # -- paths and plain requests -----------------------------------------------------
    @staticmethod
    def path(iid, tail=""):
        return f"{V2}/images/{iid}{tail}"

    def client(self, client=None):
        return client or self.suite.api

    def get(self, iid, client=None):
        return self.client(client).get(self.path(iid))

    def patch(self, iid, ops, client=None, content_type=PATCH_21, raw=None):
        body = raw if raw is not None else json.dumps(ops).encode("utf-8")
        return self.client(client).request("PATCH", self.path(iid), body=body,
                                           content_type=content_type)

    def upload(self, iid, data, client=None, content_type=OCTETS, chunked=False, tail="/file",
               headers=()):
        return self.client(client).put(self.path(iid, tail), body=data, chunked=chunked,
                                       content_type=content_type, headers=list(headers))

    def read(self, iid, client=None):
        """The image as the server shows it now, or None (not 200 or not JSON)."""
        res = self.get(iid, client)
        try:
            return res.json if res.status_int == 200 and isinstance(res.json, dict) else None
        except ValueError:
            return None

    # -- the published schemas ----------------------------------------------------------
    def schema(self, name):
        """The schema `/v2/schemas/<name>` as a dict, or None when it is unusable."""
        if name not in self._schemas:
            res = self.suite.api.get(f"{V2}/schemas/{name}")
            try:
                doc = res.json if res.status_int == 200 else None
            except ValueError:
                doc = None
            self._schemas[name] = doc if isinstance(doc, dict) else None
        return self._schemas[name]

    def schema_properties(self, name):
        schema = self.schema(name) or {}
        props = schema.get("properties")
        return set(props) if isinstance(props, dict) else set()

    # -- making images ----------------------------------------------------------------------
    def body(self, label="img", extra=None, formats=False, tag=True):
        doc = {"name": self.suite.name(label)}
        if tag:
            doc[self.suite.run_property] = self.suite.prefix
        if formats:
            doc.update(RAW)
        doc.update(extra or {})
        return doc

    def remember(self, iid, client=None):
        if isinstance(iid, str) and all(iid != i for i, _ in self.made):
            self.made.append((iid, self.client(client)))

    def create(self, v, label="img", extra=None, client=None, clause="V2-POST-1",
               formats=False, tag=True):
        """POST /v2/images; require 201 and return (image, response)."""
        client = self.client(client)
        res = client.post(V2 + "/images", json_body=self.body(label, extra, formats, tag))
        what = f"POST {V2}/images ({label})"
        expect.require_status(v, clause, res, 201, what)
        img = expect_v2.image_of(v, clause, res, what, self)
        self.remember(img["id"], client)
        if "owner" not in (extra or {}):
            self._tenant.setdefault(client.name, img.get("owner"))
        return img, res

    def active(self, v, label="data", data=b"v2 image data\n", extra=None, client=None,
               clause="V2-FILE-1"):
        """An active image holding `data`: created with formats, uploaded by PUT …/file."""
        img, _ = self.create(v, label, extra, client, formats=True)
        res = self.upload(img["id"], data, client)
        expect.require_status(v, clause, res, 204, f"PUT {self.path(img['id'], '/file')}")
        now = self.read(img["id"], client)
        v.require(clause, isinstance(now, dict) and now.get("status") == "active",
                  f"after PUT …/file the image is {now and now.get('status')!r}, not active")
        return now

    def public(self, v, label="public", extra=None, client=None):
        """A public image, or None (recorded as the publicize capability) when refused."""
        client = self.client(client)
        res = client.post(V2 + "/images",
                          json_body=self.body(label, {**(extra or {}), "visibility": "public"},
                                              formats=True))
        caps = self.suite.capabilities
        if res.status_int == 403:
            self.can_publish = False
            caps.record("publicize", False, "POST /v2/images with visibility public answered "
                                            "403")
            return None
        expect.require_status(v, "V2-POST-1", res, 201, f"POST {V2}/images (public)")
        img = expect_v2.image_of(v, "V2-POST-1", res, f"POST {V2}/images (public)", self)
        self.remember(img["id"], client)
        self.can_publish = True
        caps.record("publicize", True, "POST /v2/images with visibility public was accepted")
        return img

    def wait(self, iid, leaving, client=None, timeout=WAIT):
        """Poll until the image's status is not in `leaving`; return the image (or None)."""
        deadline = time.monotonic() + timeout
        img = None
        while time.monotonic() < deadline:
            img = self.read(iid, client)
            if img is None or img.get("status") not in leaving:
                return img
            time.sleep(0.2)
        return img

    # -- what the server offers ----------------------------------------------------------------
    def import_methods(self):
        """The methods `/v2/info/import` lists (recorded as capabilities), or []."""
        if self._methods is None:
            res = self.suite.api.get(V2 + "/info/import")
            try:
                value = res.json["import-methods"]["value"] if res.status_int == 200 else None
            except (ValueError, KeyError, TypeError):
                value = None
            self._methods = [m for m in value if isinstance(m, str)] \
                if isinstance(value, list) else []
            where = (f"GET /v2/info/import lists {', '.join(self._methods) or 'nothing'}"
                     if isinstance(value, list) else f"GET /v2/info/import answered "
                                                      f"{res.status}")
            for method in ("glance-direct", "web-download"):
                self.suite.capabilities.record(f"v2-{method}", method in self._methods, where)
        return self._methods

    def need_method(self, method):
        self.import_methods()
        self.suite.capabilities.need(f"v2-{method}")

    def tenant(self, client):
        """The tenant a client's images are owned by (made once, by a probe image)."""
        if client.name not in self._tenant:
            res = client.post(V2 + "/images", json_body=self.body("tenant-probe"))
            try:
                img = res.json if res.status_int == 201 else {}
            except ValueError:
                img = {}
            self.remember(img.get("id"), client)
            self._tenant[client.name] = img.get("owner")
        return self._tenant[client.name]

    def detect_admin(self):
        """Is the caller an admin?  Only admins may set another `owner` (§4 create)."""
        caps = self.suite.capabilities
        wanted = f"{self.suite.prefix}-owner-probe"
        res = self.suite.api.post(V2 + "/images", json_body=self.body(
            "admin-probe", {"owner": wanted}))
        try:
            img = res.json if res.status_int == 201 else None
        except ValueError:
            img = None
        if isinstance(img, dict):
            self.remember(img.get("id"))
            if img.get("owner") == wanted:
                return caps.record("admin", True, "POST /v2/images stored another owner "
                                                  "(only admins may set it)")
            return caps.record("admin", False, "POST /v2/images ignored another owner")
        if res.status_int == 403:
            return caps.record("admin", False, "POST /v2/images with another owner "
                                               "answered 403")
        return caps.record("admin", None, f"unknown: the v2 probe answered {res.status}")

    def web_origin(self, v):
        """Skip unless the server imports by web-download from the suite's origin."""
        self.need_method("web-download")
        caps = self.suite.capabilities
        if caps.offered("v2-web-download-origin") is None:
            origin = self.suite.origin
            path = f"/{self.suite.prefix}/v2-probe"
            url, _ = origin.add(path, b"v2 probe data\n")
            img, _ = self.create(v, "web-probe", formats=True)
            res = self.suite.api.post(self.path(img["id"], "/import"), json_body={
                "method": {"name": "web-download", "uri": url}})
            where = f"http://{origin.host}:{origin.port}/"
            deadline = time.monotonic() + (30 if res.status_int == 202 else 0)
            while not origin.hits_for(path) and time.monotonic() < deadline:
                time.sleep(0.2)
            if origin.hits_for(path):
                caps.record("v2-web-download-origin", True,
                            f"a web-download from {where} reached the origin")
            elif 400 <= res.status_int < 500:
                caps.record("v2-web-download-origin", False,
                            f"the server refuses web-download from the suite's origin {where} "
                            f"({res.status}: {res.body[:160].decode('utf-8', 'replace')}); "
                            "allow that address in the server's import filter, or give "
                            "--origin-host")
            elif not self.suite.target_is_local:
                caps.record("v2-web-download-origin", False,
                            f"the server never contacted the suite's origin at {where}: give "
                            "--origin-host with an address of this machine it can reach")
            else:
                caps.record("v2-web-download-origin", True,
                            "the server is on this machine but never contacted the suite's "
                            "origin (judged: the web-download checks fail)")
        caps.need("v2-web-download-origin")
        return self.suite.origin

    # -- cleanup -------------------------------------------------------------------------------
    def delete(self, iid, client=None):
        """DELETE an image of this run: lift `protected`, reactivate, then delete."""
        client = self.client(client)
        res = client.delete(self.path(iid))
        if res.status_int == 403:
            self.patch(iid, [{"op": "replace", "path": "/protected", "value": False}], client)
            res = client.delete(self.path(iid))
        if res.status_int == 403 and client is not self.suite.api:
            return self.delete(iid, self.suite.api)
        return res

    def cleanup(self):
        """Remove what the run made through v2; return what could not be removed."""
        leftovers = []
        for iid, client in self.made:
            if iid in self.gone:
                continue
            res = self.delete(iid, client)
            if res.status_int not in (204, 200, 404):
                leftovers.append({"target": client.name, "id": iid,
                                  "why": f"DELETE {V2} answered {res.status}"})
        swept = self.suite.capabilities.offered("api-v2") and "2" in self.suite.api_versions
        for client in (self.suite.api, self.suite.alt) if swept else ():
            if client is None:
                continue
            for iid in self.marked(client):
                res = self.delete(iid, client)
                if res.status_int not in (204, 200, 404):
                    leftovers.append({"target": client.name, "id": iid,
                                      "why": f"DELETE {V2} answered {res.status}"})
        return leftovers

    def marked(self, client):
        """Ids of the images carrying this run's mark that `client` can see."""
        found = set()
        for value in sorted(self.suite.tags):
            for extra in ({}, {"os_hidden": "true"}):
                query = {self.suite.run_property: value, "visibility": "all",
                         "member_status": "all", "limit": "1000", **extra}
                res = client.get(V2 + "/images", query=query)
                try:
                    images = res.json.get("images", []) if res.status_int == 200 else []
                except (ValueError, AttributeError):
                    images = []
                for img in images:
                    if isinstance(img, dict) and img.get(self.suite.run_property) in \
                            self.suite.tags:
                        found.add(img.get("id"))
        return sorted(i for i in found if isinstance(i, str))
