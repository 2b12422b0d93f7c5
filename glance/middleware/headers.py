"""The `headers` filter: `x-image-meta-*` headers ⇄ image dicts.

On the way in it decodes the request's metadata headers once, with the one
codec (`glance.common.imagemeta`), into `environ[REQUEST_META]`; malformed
values are answered 400 here and never reach the app.  On the way out, an
app that put an image dict into `environ[RESPONSE_META]` before calling
`start_response` gets it sent as `x-image-meta-*` response headers.
"""

from glance.common import exception, faults, imagemeta

REQUEST_META = "glance.image_meta"
RESPONSE_META = "glance.response_image_meta"


class ImageMetaHeaders:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            environ[REQUEST_META] = imagemeta.environ_to_meta(environ)
        except exception.Invalid as exc:
            return faults.error_response(environ, start_response, exc)

        def start_with_meta(status, headers, exc_info=None):
            image = environ.pop(RESPONSE_META, None)
            if image is not None:
                headers = list(headers) + imagemeta.meta_to_headers(image)
            return start_response(status, headers, exc_info)

        return self.app(environ, start_with_meta)


def filter_factory(global_conf, **local_conf):
    def make_filter(app):
        return ImageMetaHeaders(app)
    return make_filter
