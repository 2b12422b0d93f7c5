"""The state of one conformance run: targets, run prefix, capabilities, cleanup.

`Suite` owns the clients for the API and (optionally) the registry, the
unique prefix that marks every image this run makes, the ledger of those
images, and the capabilities it has detected (`conformance.capabilities`: is
the caller an admin? may it publish? can the server reach our origin?).
Nothing here assumes an empty server or particular ids.  Every v1 request
goes under `/v1` (`V1`): the versioned path is the one every Glance serves;
unversioned paths are an extension (VER-8) with checks of their own.
"""

import ipaddress
import secrets
import time
from urllib.parse import urlsplit

from conformance import expect
from conformance.capabilities import Capabilities
from conformance.client import Client
from conformance.httpproxy import HTTPProxy
from conformance.v2 import V2Run

RUN_PROPERTY = "conformance_run"
INPROCESS_BASE = "http://localhost"
V1 = "/v1"
# Real Glance v1 refuses to activate an image without both formats (400 "Disk
# format is not specified."): every upload, location and copy-from the suite
# makes names them, unless a test is about their absence (API-POST-15).
FORMATS = [("x-image-meta-disk_format", "raw"), ("x-image-meta-container_format", "bare")]


def new_prefix():
    return "cf" + time.strftime("%m%d%H%M%S") + secrets.token_hex(3)


class Ledger:
    """Every image the run made, so that it can remove them all at the end."""

    def __init__(self):
        self.api_ids = []
        self.registry_ids = []
        self.gone = set()

    def add(self, image_id, registry=False):
        ids = self.registry_ids if registry else self.api_ids
        if image_id not in ids:
            ids.append(image_id)

    def deleted(self, image_id):
        self.gone.add(image_id)


class Suite:
    def __init__(self, api_app, api_base, registry_app=None, registry_base=None, kind="wsgi",
                 auth_token=None, registry_token=None, alt_token=None, prefix=None,
                 origin_host=None, timeout=30.0, lint=False, api_versions=("1", "2"),
                 require_extensions=False, read_only=False):
        self.kind = kind
        self.read_only = read_only
        self.capabilities = Capabilities()
        self.api_versions = tuple(api_versions)
        self.require_extensions = require_extensions
        self.api_base = api_base.rstrip("/")
        self.registry_base = registry_base.rstrip("/") if registry_base else None
        self.auth_token = auth_token
        self.alt_token = alt_token
        secrets_ = [auth_token, registry_token, alt_token]
        token_header = [("X-Auth-Token", auth_token)] if auth_token else []
        self.api = Client(api_app, self.api_base, "api", token_header, secrets_, lint)
        self.alt = (Client(api_app, self.api_base, "api (alt token)",
                           [("X-Auth-Token", alt_token)], secrets_, lint)
                    if alt_token else None)
        self.registry = None
        if registry_app is not None:
            reg_token = registry_token or auth_token
            self.registry = Client(registry_app, self.registry_base, "registry",
                                   [("X-Auth-Token", reg_token)] if reg_token else [],
                                   secrets_, lint)
        self.prefix = prefix or new_prefix()
        self.ledger = Ledger()
        self.origin_host = origin_host
        self.timeout = timeout
        self._origin = None
        self.origin_reachable = None
        self._counter = 0
        self._admin = "unknown"
        self.can_publish = None
        self.owner = "unknown"
        self.tags = {self.prefix}
        self.run_property = RUN_PROPERTY
        self.v2 = V2Run(self)
        self._record_given()

    def _record_given(self):
        caps = self.capabilities
        caps.record("registry", self.registry is not None,
                    "a registry target was given" if self.registry is not None
                    else "no --registry-url given (nor a [pipeline:registry] in the paste "
                         "config)")
        caps.record("auth", bool(self.auth_token),
                    "--auth-token given" if self.auth_token
                    else "no --auth-token given: the server is taken to run without auth")
        caps.record("second-tenant", self.alt is not None,
                    "--alt-auth-token given" if self.alt is not None
                    else "no --alt-auth-token given: cross-tenant checks need a second "
                         "tenant's non-admin token")

    @classmethod
    def over_http(cls, api_url, registry_url=None, timeout=30.0, **kw):
        registry = HTTPProxy(registry_url, timeout) if registry_url else None
        return cls(HTTPProxy(api_url, timeout), api_url, registry, registry_url,
                   kind="http", timeout=timeout, **kw)

    # -- logging: each exchange goes to the test that is running -----------
    def route_log(self, log):
        for client in (self.api, self.alt, self.registry):
            if client is not None:
                client.log = log

    # -- names ------------------------------------------------------------
    def name(self, label):
        self._counter += 1
        return f"{self.prefix}-{label}-{self._counter}"

    def run_filter(self, subset=None):
        """The list filter that finds this run's images (or one data set of it)."""
        return {"property-" + RUN_PROPERTY: self.tag(subset)}

    def tag(self, subset=None):
        value = self.prefix if subset is None else f"{self.prefix}-{subset}"
        self.tags.add(value)
        return value

    @property
    def run_header(self):
        return ("x-image-meta-property-" + RUN_PROPERTY, self.prefix)

    def set_header(self, subset):
        return ("x-image-meta-property-" + RUN_PROPERTY, self.tag(subset))

    # -- capabilities --------------------------------------------------------
    @property
    def is_admin(self):
        """True/False once known, else None: see `detect_admin`."""
        if self._admin == "unknown":
            self._admin = self.detect_admin()
        return self._admin

    def detect_admin(self):
        """Is the caller an admin?  Read from one probe image (§2 POST 1; v2: §4).

        Admins may set `owner`; anyone else's `x-image-meta-owner` is ignored.
        A `location` key shown to the caller also marks an admin (nobody else
        may see it).  Without creating an image (--read-only) it stays unknown,
        and the checks that depend on it are not judged.
        """
        caps = self.capabilities
        if self.read_only:
            caps.record("admin", None, "unknown: --read-only creates no probe image")
            return None
        if not (caps.offered("api-v1") and "1" in self.api_versions) \
                and caps.offered("api-v2"):
            return self.v2.detect_admin()
        wanted = f"{self.prefix}-owner-probe"
        res = self.api.post(V1 + "/images", headers=[
            ("x-image-meta-name", self.name("admin-probe")), self.run_header,
            ("x-image-meta-owner", wanted)])
        try:
            image = res.json["image"] if res.status_int == 201 else None
        except (ValueError, KeyError, TypeError):
            image = None
        if not isinstance(image, dict):
            caps.record("admin", None, f"unknown: the probe POST answered {res.status}")
            return None
        self.ledger.add(image.get("id"))
        if image.get("owner") == wanted:
            return caps.record("admin", True, "x-image-meta-owner was stored as sent "
                                              "(only admins may set it)")
        if "location" in image:
            return caps.record("admin", True, "the image JSON shows `location` (admins "
                                              "only), though x-image-meta-owner was ignored")
        return caps.record("admin", False, "x-image-meta-owner was ignored and `location` is "
                                           "not shown")

    @property
    def target_is_local(self):
        if self.kind == "wsgi":
            return True
        host = urlsplit(self.api_base).hostname or ""
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def origin(self):
        if self._origin is None:
            from conformance.origin import Origin
            host = self.origin_host or "127.0.0.1"
            self._origin = Origin(host)
        return self._origin

    def visibility_queries(self):
        """Query variants that together show every image of this run the caller may see.

        `changes-since` (§2) also shows `killed` images, which real Glance v1
        hid from every other list; its deleted images are dropped by `find`.
        """
        since = "2000-01-01T00:00:00"
        return [{"is_public": "none"}, {}, {"is_public": "false"},
                {"changes-since": since, "is_public": "none"}, {"changes-since": since}]

    def find(self, client, **filters):
        """All visible images matching `filters` (detail), whatever their visibility."""
        found = {}
        path = "/images/detail" if client is self.registry else V1 + "/images/detail"
        for extra in self.visibility_queries():
            if client is self.registry and "changes-since" in extra:
                continue
            res = client.get(path, query={**filters, **extra, "limit": "1000"})
            if res.status_int == 200 and expect.is_json_type(res):
                try:
                    for image in res.json.get("images", []):
                        if not (image.get("deleted") is True or image.get("status") == "deleted"):
                            found[image.get("id")] = image
                except (ValueError, AttributeError):
                    pass
        return list(found.values())

    def disconnected_upload(self, headers, declared, data):
        """Start an upload of `declared` bytes, send only `data`, then go away."""
        if self.kind == "wsgi":
            # In-process the closest thing to a disconnect: the input ends early.
            import io
            return self.api.post(V1 + "/images", headers=headers, body_stream=io.BytesIO(data),
                                 content_length=declared,
                                 content_type=expect.OCTETS)
        import socket
        parts = urlsplit(self.api_base)
        https = parts.scheme == "https"
        sock = socket.create_connection((parts.hostname, parts.port or (443 if https else 80)),
                                        self.timeout)
        if https:
            import ssl
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        try:
            lines = [f"POST {parts.path.rstrip('/')}{V1}/images HTTP/1.1",
                     f"Host: {parts.netloc}",
                     "Content-Type: application/octet-stream", f"Content-Length: {declared}"]
            lines += [f"{n}: {v}" for n, v in self.api.default_headers + list(headers)]
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
            time.sleep(0.2)
        finally:
            sock.close()
        return None

    # -- making images ----------------------------------------------------------
    def scope(self):
        """The list query that shows this run's published-or-private datasets."""
        return {} if self.can_publish else {"is_public": "false"}

    def create(self, v, label="img", headers=(), body=None, public=False,
               clause="API-POST-1", content_type=expect.OCTETS,
               chunked=False, tag=True, client=None, formats=None):
        """POST an image through the API; require 201 and return (image, response).

        `formats` (default: when there is data) adds disk_format raw and
        container_format bare unless `headers` name formats already.
        """
        client = client or self.api
        hdrs = [("x-image-meta-name", self.name(label))]
        if tag is True:
            hdrs.append(self.run_header)
        elif tag:
            hdrs.append(self.set_header(tag))
        hdrs += list(headers)
        sources = ("x-image-meta-location", "x-glance-api-copy-from")
        if formats is None:
            formats = body is not None or chunked or any(n.lower() in sources for n, _ in hdrs)
        named = {n.lower() for n, _ in hdrs}
        if formats:
            hdrs += [(n, x) for n, x in FORMATS if n not in named]
        publish = public and self.can_publish is not False
        ctype = content_type if (body is not None or chunked) else None

        def post(extra):
            return client.post(V1 + "/images", headers=hdrs + extra, body=body,
                               content_type=ctype, chunked=chunked)
        res = post([("x-image-meta-is_public", "True")] if publish else [])
        if publish and res.status_int == 403 and self.can_publish is None:
            self.can_publish = False  # publishing is restricted to admins here
            self.capabilities.record("publicize", False,
                                     "x-image-meta-is_public: True answered 403")
            res = post([])
        elif publish and res.status_int == 201 and not self.can_publish:
            self.can_publish = True
            self.capabilities.record("publicize", True,
                                     "x-image-meta-is_public: True was accepted")
        expect.require_status(v, clause, res, 201, f"POST {V1}/images ({label})")
        image = expect.image_of(v, clause, res, f"POST {V1}/images ({label})")
        v.require(clause, isinstance(image.get("id"), (str, int)) and image.get("id") != "",
                  f"POST {V1}/images ({label}): no usable image id {image.get('id')!r}")
        expect.image_id(v, image.get("id"), f"POST {V1}/images ({label})")
        self.ledger.add(image["id"])
        if self.owner == "unknown":
            self.owner = image.get("owner")
        return image, res

    def killed_image(self, v, label="killed", public=False):
        """A killed image, by id: a queued image whose upload by PUT declares 99
        bytes and sends 5 must answer 400 and end `killed` (API-PUT-6).  (Made
        by PUT, not POST, because a failed POST answers no id and real Glance
        v1 hid killed images from its lists.)"""
        image, _ = self.create(v, label, headers=list(FORMATS), public=public)
        path = f"{V1}/images/{image['id']}"
        res = self.api.put(path, headers=[("x-image-meta-size", "99")], body=b"short",
                           content_type=expect.OCTETS)
        expect.error(v, "API-PUT-6", res, 400, "PUT of 5 bytes with x-image-meta-size 99")
        head = self.api.head(path)
        core, _, _ = expect.meta_headers(head)
        v.require("API-PUT-6", head.status_int == 200 and core.get("status") == "killed",
                  f"after a failed upload by PUT, HEAD {path} answers {head.status} with "
                  f"status {core.get('status')!r}, not killed")
        return {**image, "status": "killed"}

    def reg_create(self, v, image, label="reg", clause="REG-3", tag=True):
        """POST {"image": ...} to the registry; require 200 and return the record."""
        body = {"name": self.name(label), **image}
        if tag:
            body["properties"] = {RUN_PROPERTY: self.prefix, **image.get("properties", {})}
        res = self.registry.post("/images", json_body={"image": body})
        expect.require_status(v, clause, res, 200, f"registry POST /images ({label})")
        record = expect.image_of(v, clause, res, f"registry POST /images ({label})")
        v.require(clause, isinstance(record.get("id"), (str, int)) and record.get("id") != "",
                  f"registry POST: no usable id {record.get('id')!r}")
        expect.image_id(v, record.get("id"), "registry POST /images")
        self.ledger.add(record["id"], registry=True)
        return record

    # -- cleanup ---------------------------------------------------------------
    def cleanup(self, log):
        """Remove what the run made; return what could not be removed."""
        self.route_log(log)
        leftovers = self.v2.cleanup()
        for client, ids in ((self.api, self.ledger.api_ids),
                            (self.registry, self.ledger.registry_ids)):
            if client is None:
                continue
            for image_id in ids:
                if image_id in self.ledger.gone:
                    continue
                res = self.unprotect_and_delete(client, image_id)
                if res.status_int not in (200, 204, 404):
                    leftovers.append({"target": client.name, "id": image_id,
                                      "why": f"DELETE answered {res.status}"})
        for client in (self.api, self.registry):
            if client is None:
                continue
            remaining = []
            try:
                for value in sorted(self.tags):
                    remaining += self.find(client, **{"property-" + RUN_PROPERTY: value})
            except Exception as exc:  # noqa: BLE001 - cleanup reports, never raises
                leftovers.append({"target": client.name, "id": None,
                                  "why": f"could not list: {exc!r}"})
                continue
            for image in remaining:
                # Never trust the filter alone: delete only what carries our mark.
                props = image.get("properties") or {}
                if props.get(RUN_PROPERTY) not in self.tags:
                    continue
                res = self.unprotect_and_delete(client, image.get("id"))
                if res.status_int not in (200, 204, 404):
                    leftovers.append({"target": client.name, "id": image.get("id"),
                                      "why": f"DELETE answered {res.status}"})
        if self._origin is not None:
            self._origin.close()
        return leftovers

    def _prefix_of(self, client):
        return "" if client is self.registry else V1

    def unprotect_and_delete(self, client, image_id):
        """DELETE an image of this run, first lifting `protected` if it is set."""
        path = f"{self._prefix_of(client)}/images/{image_id}"
        res = client.delete(path)
        if res.status_int == 403:
            if client is self.registry:
                client.put(path, json_body={"image": {"protected": False}})
            else:
                client.put(path, headers=[("x-image-meta-protected", "False"),
                                          ("x-glance-registry-purge-props", "false")])
            res = client.delete(path)
        return res
