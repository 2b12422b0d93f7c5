"""Glance's HTTP/1.1 server for WSGI apps, built on the standard library."""
