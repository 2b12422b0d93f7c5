"""Glance's HTTP/1.1 server for WSGI apps, built on the standard library.

A request's path through the package:

    runner.server_runner        paste.ini's server: options, listening socket,
      └ prefork                 ...in `workers` processes on one port
    server.WSGIServer           the accept loop: per-address cap, request heads
      │                         gathered without a thread, idle/head deadlines
      ├ connection.Connection   a client's socket, input buffer, every wait on it
      │   └ pace.Pace           ...each wait judged against the minimum rate
      ├ request.parse           head bytes → WSGI environ (header hygiene, framing)
      └ workers.Workers         a thread, started on demand, serves the request:
          exchange.Exchange     run slot, the app, 100 Continue, the answer,
            └ body.reader       keep-alive or not; wsgi.input (length/chunked)

tuning.py holds the memory and socket settings.  Every setting is an
option of the one table (glance.common.config, "Servers"); every early
error answer is rendered by glance.common.faults.
"""
