"""The request context: who is calling, as every app and filter sees it.

The `context` filter puts one `RequestContext` into the WSGI environ under
`ENV_KEY`; the API app and the registry read it from there (or receive it
as an argument) and never look at credentials themselves.
"""

from dataclasses import dataclass, field

ENV_KEY = "glance.context"


@dataclass(frozen=True)
class RequestContext:
    tenant: str | None = None
    user: str | None = None
    roles: tuple = field(default_factory=tuple)
    is_admin: bool = False
    auth_tok: str | None = None
    # True when the caller is another Glance service (the API talking to the
    # registry with a service token): it may see `location`.
    is_service: bool = False

    @property
    def sees_location(self):
        return self.is_admin or self.is_service


def admin_context():
    """The context of the development `noauth` mode: an admin with no tenant."""
    return RequestContext(is_admin=True, roles=("admin",))


def from_environ(environ):
    """The caller's context; an anonymous one when no filter set it."""
    return environ.get(ENV_KEY) or RequestContext()
