"""The one typed table of Glance's options, and how they are read.

Paste hands every app and filter factory a `global_conf` and a `local_conf`
of strings.  `load()` merges them, lets `GLANCE_<OPTION>` environment
variables win, converts every value once with the option's converter and
refuses unknown names or malformed values with a `ConfigError` naming them.
Nothing else in Glance reads configuration.
"""

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


def to_positive_float(value):
    number = float(value)
    if number <= 0:
        raise ValueError(f"expected a positive number, got {value!r}")
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
    Option("server_threads", int, 16, "Worker threads of the HTTP server."),
    Option("backlog", int, 128, "Listen backlog of the server socket."),
    # Registry
    Option("registry_url", str, "",
           "URL of the registry server; empty means the registry runs in-process."),
    Option("registry_timeout", to_positive_float, 30.0,
           "Seconds the API waits for the registry."),
    Option("sql_connection", str, "sqlite:///%(here)s/var/glance.sqlite",
           "Database of the registry: sqlite:///PATH."),
    # Stores
    Option("default_store", one_of("file"), "file",
           "Backend that receives uploads when the client names none."),
    Option("filesystem_store_datadir", to_path, "%(here)s/var/images",
           "Directory of the filesystem store (created when missing)."),
    Option("http_store_connect_timeout", to_positive_float, 10.0,
           "Seconds to connect to an http/https image origin."),
    Option("http_store_read_timeout", to_positive_float, 60.0,
           "Seconds to wait for each read from an http/https image origin."),
    Option("chunk_size", to_size, "1M", "Size of the chunks image data moves in."),
    Option("image_size_cap", to_size, "1T", "Largest image the API accepts."),
    # Context / auth
    Option("auth_strategy", one_of("noauth"), "noauth",
           "How callers are identified: noauth (everyone is an admin)."),
    # Logging
    Option("access_log", to_bool, True, "Write one log line per request."),
]

_BY_NAME = {option.name: option for option in OPTIONS}


class Config:
    """Converted option values, read as attributes (`conf.bind_port`)."""

    def __init__(self, values):
        self.__dict__.update(values)

    def __repr__(self):
        return f"Config({self.__dict__!r})"


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
