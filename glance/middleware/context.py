"""The `context` filter: decides who the caller is (CONTRACT §5).

It builds one `RequestContext` per request and puts it into the environ,
where the API and registry apps read it.  The operator picks the mode with
`auth_strategy`:

- `noauth` (development): every caller is an admin with no tenant;
- `token`: `X-Auth-Token` is looked up in `auth_tokens_file`; a missing or
  unknown token is answered 401;
- `trusted-proxy`: an authenticating proxy in front sets `X-Tenant-Id`,
  `X-User-Id` and `X-Roles`; they are believed only from `trusted_proxies`,
  other peers get 403.

In front of the registry (`registry_filter_factory`), only the API service
is served (CONTRACT §5): outside `noauth` mode every request must carry the
configured `X-Service-Token`, else 401 — in token and trusted-proxy mode
alike, so a user's own token, or identity headers from a trusted address,
get nothing.  With the token, the identity the API forwards in
`X-Tenant-Id`/`X-User-Id`/`X-Roles` is believed and the caller is a
service: it may see `location` and set the fields the API controls.  In
`noauth` mode forwarded identity is believed without a token, as ever.
"""

import hmac
import ipaddress
import logging

from glance.common import config, context, exception, faults, tokens

LOG = logging.getLogger(__name__)

FORWARDED_HEADERS = ("HTTP_X_TENANT_ID", "HTTP_X_USER_ID", "HTTP_X_ROLES")


def _roles(text):
    return tuple(role.strip().lower() for role in (text or "").split(",") if role.strip())


def context_from(tenant, user, roles, auth_tok=None, is_service=False):
    roles = tuple(str(role).strip().lower() for role in roles if str(role).strip())
    return context.RequestContext(tenant=tenant or None, user=user or None, roles=roles,
                                  is_admin="admin" in roles, auth_tok=auth_tok,
                                  is_service=is_service)


def forwarded_context(environ, is_service):
    return context_from(environ.get("HTTP_X_TENANT_ID", "").strip(),
                        environ.get("HTTP_X_USER_ID", "").strip(),
                        _roles(environ.get("HTTP_X_ROLES")), is_service=is_service)


class ContextFilter:
    def __init__(self, app, conf, trust_services=False, token_file=None):
        self.app = app
        self.conf = conf
        self.trust_services = trust_services
        self.token_file = token_file or tokens.TokenFile(conf.auth_tokens_file)
        self.identify = {
            "noauth": self._noauth,
            "token": self._token,
            "trusted-proxy": self._trusted_proxy,
        }[conf.auth_strategy]

    def __call__(self, environ, start_response):
        try:
            environ[context.ENV_KEY] = self._service(environ) or self.identify(environ)
        except exception.GlanceError as exc:
            return faults.error_response(environ, start_response, exc)
        return self.app(environ, start_response)

    def _service(self, environ):
        """A Glance service forwarding its caller's identity (registry side
        only); outside noauth mode, nobody else gets past this."""
        if not self.trust_services:
            return None
        offered = environ.get("HTTP_X_SERVICE_TOKEN")
        if offered is None and self.conf.auth_strategy != "noauth":
            raise exception.NotAuthenticated(
                "the registry serves only the image service: an X-Service-Token is required")
        if offered is not None:
            expected = self.conf.service_token
            if not expected or not hmac.compare_digest(offered.encode(), expected.encode()):
                raise exception.NotAuthenticated("the service token is not valid")
            return forwarded_context(environ, is_service=True)
        if any(k in environ for k in FORWARDED_HEADERS):
            return forwarded_context(environ, is_service=True)
        return None

    def _noauth(self, environ):
        return context.admin_context()

    def _token(self, environ):
        token = environ.get("HTTP_X_AUTH_TOKEN", "").strip()
        if not token:
            raise exception.NotAuthenticated("an X-Auth-Token header is required")
        identity = self.token_file.identify(token)
        if identity is None:
            raise exception.NotAuthenticated("the X-Auth-Token is not valid")
        return context_from(identity.tenant, identity.user, identity.roles, auth_tok=token)

    def _trusted_proxy(self, environ):
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
        except ValueError:
            peer = None
        if peer is None or not any(peer in net for net in self.conf.trusted_proxies):
            raise exception.Forbidden("requests must come through the authenticating proxy")
        return forwarded_context(environ, is_service=False)


def filter_factory(global_conf, **local_conf):
    """The context filter in front of the image API."""
    conf = config.load(global_conf, local_conf)

    def make_filter(app):
        return ContextFilter(app, conf)
    return make_filter


def registry_filter_factory(global_conf, **local_conf):
    """The context filter in front of the registry: also trusts Glance services."""
    conf = config.load(global_conf, local_conf)
    if conf.auth_strategy != "noauth" and not conf.service_token:
        LOG.warning("the registry runs in %s mode without a service_token: it will refuse "
                    "every request", conf.auth_strategy)

    def make_filter(app):
        return ContextFilter(app, conf, trust_services=True)
    return make_filter
