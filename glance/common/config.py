"""The one typed table of Glance's options, and how they are read.

Paste hands every app and filter factory a `global_conf` and a `local_conf`
of strings.  `load()` merges them, lets `GLANCE_<OPTION>` environment
variables win, converts every value once with the option's converter and
refuses unknown names or malformed values with a `ConfigError` naming them.
Nothing else in Glance reads configuration.
"""

import ipaddress
import os
import re
from dataclasses import dataclass
from typing import Any, Callable

from glance.common.exception import ConfigError

ENV_PREFIX = "GLANCE_"

# Keys Paste itself puts into the confs; they are not options.
_PASTE_KEYS = {"here", "__file__", "paste.app_factory", "paste.filter_factory"}

_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def to_bool(value):
    """'true/yes/on/1' and 'false/no/off/0', in any case."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0", ""):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def to_size(value):
    """A byte count, optionally with a binary unit: '64K', '10G', '1T'."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*(\d+)\s*([KMGT]?)i?B?\s*", str(value), re.I)
    if not match:
        raise ValueError(f"expected a size such as 512, 64K or 10G, got {value!r}")
    return int(match.group(1)) * _SIZE_UNITS[match.group(2).upper()]


def to_list(value):
    """A comma- or space-separated list of strings."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return [item for item in re.split(r"[,\s]+", str(value)) if item]


def to_port(value):
    port = int(value)
    if not 0 <= port <= 65535:
        raise ValueError(f"expected a port number 0-65535, got {value!r}")
    return port


def to_count(value):
    """A non-negative integer (a quota: 0 allows none)."""
    number = int(value)
    if number < 0:
        raise ValueError(f"expected a non-negative integer, got {value!r}")
    return number


def to_positive_float(value):
    number = float(value)
    if number <= 0:
        raise ValueError(f"expected a positive number, got {value!r}")
    return number


def to_positive_int(value):
    number = int(value)
    if number <= 0:
        raise ValueError(f"expected a positive integer, got {value!r}")
    return number


def one_of(*choices):
    def convert(value):
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
        return text
    convert.__name__ = "one_of"
    convert.choices = choices
    return convert


def to_networks(value):
    """A comma/space-separated list of CIDR networks ('10.0.0.0/8, ::1')."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return [ipaddress.ip_network(item, strict=False) for item in to_list(value)]


def to_apis(value):
    """The image APIs to serve: a list of `v1` and `v2`; v1 is always among them."""
    apis = []
    for item in to_list(value):
        name = item.lower()
        if name not in ("v1", "v2"):
            raise ValueError(f"expected v1 and/or v2, got {item!r}")
        if name not in apis:
            apis.append(name)
    if "v1" not in apis:
        raise ValueError(f"v1 is always served; got {value!r}")
    return apis


def to_path(value):
    return os.path.abspath(os.path.expanduser(str(value)))


@dataclass(frozen=True)
class Option:
    name: str
    convert: Callable[[Any], Any]
    default: Any
    help: str


OPTIONS = [
    # Servers
    Option("bind_host", str, "127.0.0.1", "Address the server listens on."),
    Option("bind_port", to_port, 9292, "Port the server listens on."),
    Option("server_threads", int, 16, "Worker threads of the HTTP server (per worker process)."),
    Option("busy_threads", int, 4,
           "Requests of one process that run app code at once; the others wait their "
           "turn. Uploads and downloads past 1 MiB do not count. More only take turns "
           "on the GIL."),
    Option("workers", int, 1,
           "Server processes sharing the listening socket (one GIL each): about one "
           "per core. More than 1 needs a file or PostgreSQL database."),
    Option("backlog", int, 128, "Listen backlog of the server socket."),
    Option("max_threads", int, 1024,
           "Most threads of the HTTP server (per worker process): more than "
           "server_threads start when requests wait on slow clients, and end when idle."),
    Option("idle_timeout", to_positive_float, 60.0,
           "Seconds a kept-alive connection may wait for its next request; then it is closed."),
    Option("request_head_timeout", to_positive_float, 20.0,
           "Seconds a client has for a whole request line and headers, from their first "
           "byte, however slowly they come; then 408."),
    Option("read_timeout", to_positive_float, 60.0,
           "Seconds a request body or an answer may stall with no byte moving; then the "
           "connection is cut off."),
    Option("min_upload_rate", to_size, "1K",
           "Slowest request body the server takes, in bytes a second over each "
           "rate_window of waiting; slower uploads are cut off (0: no minimum)."),
    Option("min_download_rate", to_size, "1K",
           "Slowest reader of an answer the server serves, in bytes a second over each "
           "rate_window of waiting; slower downloads are cut off (0: no minimum)."),
    Option("rate_window", to_positive_float, 20.0,
           "Seconds of waiting on a client over which min_upload_rate and "
           "min_download_rate are measured; the first is a grace period."),
    Option("max_header_bytes", to_size, "16K",
           "Largest request line and headers; larger → 431."),
    Option("max_connections_per_address", int, 64,
           "Connections one client address may hold open in each server process; more "
           "are answered 503 (0: no cap). Behind a proxy, raise it or set 0."),
    Option("sweep_interval", to_positive_float, 1.0,
           "Seconds between the server's checks of idle and request-head deadlines."),
    Option("shutdown_timeout", to_positive_float, 10.0,
           "Seconds requests in flight get to finish when the server stops."),
    Option("enabled_apis", to_apis, "v1, v2",
           "Image APIs served (v1, v2): the versions document lists them, and the "
           "others' paths answer 300 with it."),
    Option("max_background_copies", to_positive_int, 4,
           "Copies from x-glance-api-copy-from URLs one API process runs at once; "
           "another copy-from request is refused with 503 and Retry-After meanwhile."),
    Option("max_background_imports", to_positive_int, 4,
           "v2 image imports (glance-direct, web-download) one API process runs at "
           "once; another import request is refused with 503 and Retry-After meanwhile."),
    # Registry
    Option("registry_url", str, "",
           "URL of the registry server; empty means the registry runs in-process."),
    Option("registry_timeout", to_positive_float, 30.0,
           "Seconds the API waits for the registry."),
    Option("registry_shared_reads", to_bool, True,
           "With registry_url: read images straight from sql_connection when the "
           "registry confirms it is its own database; writes always go to the registry."),
    Option("sql_connection", str, "sqlite:///%(here)s/var/glance.sqlite",
           "Database of the registry: sqlite:///PATH, or "
           "postgresql://USER:PASSWORD@HOST:PORT/DB (needs the postgres extra)."),
    Option("image_property_quota", to_count, 128,
           "Most properties an image may have (more: 413)."),
    Option("image_property_bytes_max", to_size, "64K",
           "Most bytes (UTF-8) the keys and values of one image's properties may "
           "hold together (more: 413); bounds what a list page can weigh."),
    Option("image_tag_quota", to_count, 128, "Most tags an image may have (more: 413)."),
    Option("image_member_quota", to_count, 128, "Most members an image may have (more: 413)."),
    # Stores
    Option("default_store", one_of("file", "swift", "s3"), "file",
           "Backend that receives uploads when the client names none."),
    Option("filesystem_store_datadir", to_path, "%(here)s/var/images",
           "Directory of the filesystem store (created when missing)."),
    Option("http_store_connect_timeout", to_positive_float, 10.0,
           "Seconds to connect to an http/https image origin."),
    Option("http_store_read_timeout", to_positive_float, 60.0,
           "Seconds to wait for each read from an http/https image origin."),
    Option("http_store_first_byte_timeout", to_positive_float, 10.0,
           "Seconds an http/https image origin has to answer a request (name look-up, "
           "connecting, redirects and the whole response head included)."),
    Option("http_store_max_fetches_per_origin", int, 8,
           "Downloads and size probes waiting on one origin (host:port) at once, per "
           "process; more are refused with 503 and Retry-After. 0: no cap."),
    Option("http_store_max_fetches_per_tenant", int, 8,
           "Downloads and size probes from http/https origins at once for the images of "
           "one owner, per process; more are refused with 503 and Retry-After. 0: no cap."),
    # Swift store (swift://<container>/<object>); off while no auth address is set
    Option("swift_store_auth_address", str, "",
           "Swift v1 auth URL (e.g. http://127.0.0.1:8080/auth/v1.0); empty: no swift store."),
    Option("swift_store_user", str, "", "Swift user, e.g. account:user for tempauth."),
    Option("swift_store_key", str, "", "Swift key of that user (a secret: never shown)."),
    Option("swift_store_container", str, "glance", "Container that holds the images."),
    Option("swift_store_create_container_on_put", to_bool, False,
           "Create the container on the first upload when it is missing."),
    Option("swift_store_large_object_size", to_size, "5G",
           "Images above this size are stored as segments under a static large object."),
    Option("swift_store_large_object_chunk_size", to_size, "200M",
           "Size of those segments (at most 1000 of them: 200M allows 195 GiB)."),
    Option("swift_store_timeout", to_positive_float, 60.0,
           "Seconds to connect to Swift and to wait for each of its reads."),
    # S3 store (s3://<bucket>/<key>); off while no host is set
    Option("s3_store_host", str, "",
           "S3 endpoint URL (e.g. http://127.0.0.1:18080); a bare host name means "
           "https; empty: no s3 store."),
    Option("s3_store_access_key", str, "", "S3 access key id."),
    Option("s3_store_secret_key", str, "", "S3 secret access key (a secret: never shown)."),
    Option("s3_store_bucket", str, "glance", "Bucket that holds the images."),
    Option("s3_store_create_bucket_on_put", to_bool, False,
           "Create the bucket on the first upload when it is missing."),
    Option("s3_store_large_object_size", to_size, "100M",
           "Images above this size (or of unknown size) go up as a multipart upload."),
    Option("s3_store_part_size", to_size, "16M",
           "Part size of multipart uploads, 5M to 5G; one part is held in memory."),
    Option("s3_store_region", str, "us-east-1", "Region named in the SigV4 signatures."),
    Option("s3_store_bucket_url_format", one_of("auto", "path", "virtual"), "auto",
           "path: <host>/<bucket>/<key>; virtual: <bucket>.<host>/<key>; auto: "
           "virtual for DNS-named https endpoints, else path."),
    Option("s3_store_timeout", to_positive_float, 60.0,
           "Seconds to connect to S3 and to wait for each of its reads."),
    Option("chunk_size", to_size, "2M", "Size of the chunks image data moves in."),
    Option("image_size_cap", to_size, "1T", "Largest image the API accepts."),
    Option("store_min_free", to_size, "64M",
           "Free space the filesystem store keeps in reserve: an upload that would "
           "leave less is refused with 507, before its body is read when its size is "
           "declared, else cut off while it is written."),
    Option("node_id", str, "",
           "Name of this API node; start-up recovery kills only the interrupted "
           "uploads of this node.  Empty: the host name and the data directory."),
    Option("upload_lease", to_positive_float, 60.0,
           "Seconds an upload's lease on its image lasts; the uploading process "
           "renews it every third of that.  Any node kills an image whose lease ran out."),
    # Context / auth
    Option("auth_strategy", one_of("noauth", "token", "trusted-proxy"), "noauth",
           "How callers are identified: noauth (everyone is an admin; loopback only), token "
           "(X-Auth-Token from auth_tokens_file) or trusted-proxy (X-Tenant-Id/"
           "X-User-Id/X-Roles from an authenticating proxy in trusted_proxies)."),
    Option("auth_tokens_file", to_path, "%(here)s/var/tokens.json",
           "Token file of the token mode (hashed tokens; glance-manage token-create)."),
    Option("trusted_proxies", to_networks, "127.0.0.1/32, ::1/128",
           "Addresses whose identity headers the trusted-proxy mode believes."),
    Option("service_token", str, "",
           "Secret the API sends to the registry (X-Service-Token) so the registry "
           "believes the caller identity it forwards; empty: only in noauth mode."),
    Option("publicize_image", one_of("admin", "anyone"), "admin",
           "Who may make an image public."),
    Option("allowed_location_networks", to_networks, "",
           "Networks (CIDR) that http/https image locations may point into besides "
           "public addresses; loopback, private and link-local are refused otherwise."),
    # Logging
    Option("access_log", to_bool, True, "Write one log line per request."),
]

_BY_NAME = {option.name: option for option in OPTIONS}


class Config:
    """Converted option values, read as attributes (`conf.bind_port`)."""

    def __init__(self, values):
        self.__dict__.update(values)

    def __repr__(self):
        return f"Config({ {k: shown_value(k, v) for k, v in self.__dict__.items()}!r})"


# Options whose values are secrets: shown as "***" by show-config and repr().
SECRET_OPTIONS = frozenset({"swift_store_key", "s3_store_secret_key", "service_token"})
_URL_PASSWORD = re.compile(r"(?<=://)([^/@:]*):[^/@]*@")


def shown_value(name, value):
    """`value` as it may be shown: secrets masked, URL passwords (user:pass@) too."""
    if name in SECRET_OPTIONS and value:
        return "***"
    if isinstance(value, str) and "@" in value:
        return _URL_PASSWORD.sub(r"\1:***@", value)
    return value


def _expand(value, here):
    if isinstance(value, str) and "%(here)s" in value:
        return value.replace("%(here)s", here)
    return value


def load(global_conf=None, local_conf=None, environ=None, **overrides):
    """Merge defaults < global_conf < local_conf < environment < overrides."""
    global_conf = global_conf or {}
    local_conf = local_conf or {}
    environ = os.environ if environ is None else environ
    here = global_conf.get("here") or local_conf.get("here") or os.getcwd()

    raw = {}
    for source_name, source in (("paste config", global_conf), ("paste config", local_conf)):
        for key, value in source.items():
            if key in _PASTE_KEYS:
                continue
            if key not in _BY_NAME:
                raise ConfigError(f"unknown option {key!r} in {source_name}")
            raw[key] = (value, source_name)
    for name in _BY_NAME:
        env_name = ENV_PREFIX + name.upper()
        if env_name in environ:
            raw[name] = (environ[env_name], f"environment variable {env_name}")
    for key, value in overrides.items():
        if key not in _BY_NAME:
            raise ConfigError(f"unknown option {key!r}")
        raw[key] = (value, "command line")

    values = {}
    for option in OPTIONS:
        value, origin = raw.get(option.name, (option.default, "default"))
        try:
            values[option.name] = option.convert(_expand(value, here))
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"option {option.name} ({origin}): {exc}") from None
    values["here"] = here
    return Config(values)


def describe():
    """(name, converter name, default, help) rows for docs and --help."""
    return [(o.name, getattr(o.convert, "__name__", str(o.convert)), o.default, o.help)
            for o in OPTIONS]
