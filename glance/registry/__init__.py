"""The registry: image metadata in sqlite3, in-process or behind HTTP.

`connect(conf)` gives the API server its registry: the in-process
`ImageRegistry` when `registry_url` is empty, else a `RegistryClient` to
the registry server.  Both offer list_images, get_image, create_image,
update_image and delete_image, with the same arguments and errors.
"""

from glance.registry.client import RegistryClient
from glance.registry.service import ImageRegistry

__all__ = ["ImageRegistry", "RegistryClient", "connect"]


def connect(conf):
    """The registry the configuration names."""
    if conf.registry_url:
        return RegistryClient(conf.registry_url, timeout=conf.registry_timeout,
                              service_token=conf.service_token)
    return ImageRegistry.from_conf(conf)
