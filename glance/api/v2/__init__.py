"""The Images API v2 (CONTRACT §4).

`app.V2App` routes the requests (built by `glance.api.root`); the route
modules `discovery`, `images` and `members` handle them, sharing
`common`.  The other modules are pure (no registry, store or WSGI): they
turn request bodies and query strings into the values the handlers hand
to the registry (`listing`, `requests`, `patch`, `attributes`), and
registry records into the JSON v2 clients read (`view`, `schemas`,
`validator`).
"""
