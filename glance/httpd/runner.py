"""How PasteDeploy starts Glance's server: `server_runner`, in one process or several.

`paste.ini` names it for `[server:main]` and `[server:registry]`
(`paste.server_runner = glance.httpd.runner:server_runner`, or `use =
egg:glance#http`).  It reads the server's options (server.SERVER_OPTIONS,
from the section or [DEFAULT]; `GLANCE_<OPTION>` environment variables
win), listens, and serves until SIGINT or SIGTERM; with `workers` > 1 in
that many forked processes on the one port (prefork.py).
"""

import ipaddress
import signal
import socket
import sys
import threading

from glance.common import config
from glance.common.exception import ConfigError
from glance.httpd import prefork, tuning
from glance.httpd.server import SERVER_OPTIONS, WSGIServer, check


def _banner(address):
    host, port = address[:2]
    host = f"[{host}]" if ":" in host else host
    print(f"glance: serving on http://{host}:{port}", file=sys.stderr, flush=True)


def _loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(conf):
    """`noauth` makes every caller an admin, for development on one machine:
    such a server listens on loopback only, and says what it is.

    A ConfigError when it would listen elsewhere (a development setting
    copied onto a reachable host would hand every image to anyone)."""
    if conf.auth_strategy != "noauth":
        return
    if not _loopback(conf.bind_host):
        raise ConfigError(
            f"auth_strategy noauth makes every caller an admin, so it listens on loopback "
            f"only, not {conf.bind_host or 'every address'}: choose auth_strategy token or "
            "trusted-proxy to listen there (docs/security.rst)")
    print("glance: auth_strategy noauth: every caller is an admin (development only)",
          file=sys.stderr, flush=True)


def _run(server, banner=True):
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: server.stop())
    try:
        if banner:
            _banner(server.server_address)
        server.serve_forever()
    finally:
        server.shutdown()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def server_runner(wsgi_app, global_conf, **local_conf):
    """PasteDeploy's `paste.server_runner` for `[server:main]`.

    Reads the SERVER_OPTIONS (from the section, or from [DEFAULT];
    GLANCE_BIND_PORT and friends win) and serves until SIGINT or SIGTERM.
    A bad option, or `noauth` on an address other than loopback, exits
    with status 2.  With workers > 1 the server runs in
    that many forked processes (prefork.py), all on the one port.
    """
    shared = {key: value for key, value in global_conf.items()
              if key in SERVER_OPTIONS or key in ("here", "auth_strategy")}
    try:
        conf = config.load(shared, local_conf)
        check(conf)
        check_exposure(conf)
    except ConfigError as exc:
        print(f"glance: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None
    forking = conf.workers > 1 and hasattr(socket, "SO_REUSEPORT")
    try:
        sock = tuning.listen(conf.bind_host, conf.bind_port, conf.backlog,
                             reuse_port=forking, listen=not forking)
    except OSError as exc:
        print(f"glance: cannot listen on {conf.bind_host}:{conf.bind_port}: {exc}",
              file=sys.stderr)
        raise SystemExit(1) from None
    tuning.mmap_large_buffers()     # flat memory over many uploads (see tuning.py)

    def serve_on(listener, banner=True):
        _run(WSGIServer(wsgi_app, conf, sock=listener), banner)
    with sock:
        if forking:
            _serve_in_workers(conf, sock, serve_on)
        else:
            serve_on(sock)


def _serve_in_workers(conf, held, serve_on):
    """Fork conf.workers workers (prefork.py); each listens on the port
    with a socket of its own, so that the kernel spreads the connections
    evenly over them (on one shared socket, whichever woke first took most
    of them).  `held` is bound, not listening: the master keeps the port."""
    port = held.getsockname()[1]
    try:
        worker = prefork.run(conf.workers, conf.shutdown_timeout,
                             on_ready=lambda: _banner(held.getsockname()))
    except prefork.NotReady as exc:
        print(f"glance: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    if worker:
        held.close()
        listener = tuning.listen(conf.bind_host, port, conf.backlog, reuse_port=True)
        prefork.worker_ready()
        serve_on(listener, banner=False)
