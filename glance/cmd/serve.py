"""`glance-api` and `glance-registry`: load an app and its server from paste.ini.

Both use PasteDeploy's `loadapp`/`loadserver` on the same file `paster serve`
reads, so the two ways of starting Glance cannot drift apart.  `--host` and
`--port` win over the file and the environment.
"""

import argparse
import logging.config
import os
import sys
from configparser import ConfigParser

from paste.deploy import loadapp, loadserver

from glance.common import logs
from glance.common.exception import ConfigError

SERVICES = {
    "api": {"app": "main", "server": "main", "port": 9292},
    "registry": {"app": "registry", "server": "registry", "port": 9191},
}


def default_config_path():
    """$GLANCE_CONFIG, ./paste.ini, or the paste.ini of this source tree."""
    candidates = [os.environ.get("GLANCE_CONFIG"), "paste.ini",
                  os.path.join(os.path.dirname(__file__), "..", "..", "paste.ini")]
    for path in candidates:
        if path and os.path.isfile(path):
            return os.path.abspath(path)
    return os.path.abspath("paste.ini")


def configure_logging(path):
    """The file's logging sections, if any; every handler escapes what it
    writes (glance.common.logs), whichever formatter the file names."""
    parser = ConfigParser(defaults={"here": os.path.dirname(path)})
    parser.read(path)
    if parser.has_section("loggers"):
        logging.config.fileConfig(path, defaults={"here": os.path.dirname(path)},
                                  disable_existing_loggers=False)
    else:   # what Python's last-resort handler would print, escaped
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)
        logging.getLogger().addHandler(handler)
    logs.escape_handlers(logging.getLogger(), logging.getLogger("glance"),
                         logging.getLogger("glance.access"))


def main(service, argv=None):
    names = SERVICES[service]
    parser = argparse.ArgumentParser(prog=f"glance-{service}",
                                     description=f"Serve the Glance {service} from paste.ini.")
    parser.add_argument("--config", default=default_config_path(),
                        help="PasteDeploy file (default: $GLANCE_CONFIG or ./paste.ini)")
    parser.add_argument("--host", help="address to listen on (overrides bind_host)")
    parser.add_argument("--port", type=int, help="port to listen on (overrides bind_port)")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.config):
        parser.error(f"no such config file: {args.config}")
    args.config = os.path.abspath(args.config)     # PasteDeploy needs an absolute path
    if args.host:
        os.environ["GLANCE_BIND_HOST"] = args.host
    if args.port is not None:
        os.environ["GLANCE_BIND_PORT"] = str(args.port)
    configure_logging(args.config)
    uri = "config:" + args.config
    try:
        app = loadapp(uri, name=names["app"])
        server = loadserver(uri, name=names["server"])
    except ConfigError as exc:
        print(f"glance-{service}: {exc.message}", file=sys.stderr)
        return 2
    server(app)
    return 0
