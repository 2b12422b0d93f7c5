"""The Images API v2 (CONTRACT §4): its schemas, views and request parsers.

The modules here are pure (no registry, store or WSGI): they turn request
bodies and query strings into the values the route handlers hand to the
registry, and registry records into the JSON v2 clients read.
"""
