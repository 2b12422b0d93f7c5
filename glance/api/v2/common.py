"""What every v2 route handler needs: the caller, the image id in the path,
and the image the caller may change (CONTRACT §1, §4).
"""

import dataclasses

from glance.common import context, exception, fields


def caller(environ):
    """The caller's context, marked as coming through this service: the API
    reads `location` from the registry to serve data itself (v2 never shows it)."""
    return dataclasses.replace(context.from_environ(environ), is_service=True)


def image_id(text):
    """The image a path segment names; malformed ids are missing images (404)."""
    found = fields.parse_image_id(text)
    if found is None:
        raise exception.NotFound(f"No image found with ID {text}")
    return found


def check_owner(ctx, image):
    """Only the owner or an admin may change an image or its data: Forbidden
    (403) for anyone else who can see it, before any data or origin moves."""
    if not (ctx.is_admin or (ctx.tenant is not None and image.get("owner") == ctx.tenant)):
        raise exception.Forbidden(
            f"image {image['id']} belongs to another tenant; only its owner or an admin "
            "may change it", image["id"])


def owned_image(registry, ctx, text):
    """The image `text` names, which the caller may change: NotFound (404)
    when it is malformed, missing or invisible; Forbidden (403) when the
    caller sees it but does not own it."""
    image = registry.get_image(ctx, image_id(text))
    check_owner(ctx, image)
    return image
