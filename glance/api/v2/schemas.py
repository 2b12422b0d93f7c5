"""The four JSON schemas of `GET /v2/schemas/…` (CONTRACT §4).

They are Glance 33's, key for key and in its order, so that the documents
we serve are byte for byte what Glance 33 serves (see
`tests/api/v2/data/README.md`), with two deviations the contract makes:

- `id` (and a member's `image_id`) also match `^[0-9]+$`, so that images
  migrated from revision 1 with decimal ids validate in glanceclient, which
  checks every image (and member) it receives against these schemas;
- the format enums are this service's lists (`glance.common.fields`), not
  a deployment's configuration.

The same declarations are what the API checks client values against
(`glance.api.v2.attributes`), so a value we accept is a value we can show.
`SCHEMAS` holds the documents; `BODIES` their JSON, encoded once, with
Python's default separators as Glance sends them.
"""

import json

from glance.common import fields

# Glance's UUID pattern, widened for migrated decimal ids.
ID_PATTERN = ("^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}"
              "-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$|^[0-9]+$")

# Every status Glance 33 knows; this service uses all but `pending_delete`.
STATUSES = ("queued", "saving", "active", "killed", "deleted", "uploading", "importing",
            "pending_delete", "deactivated")
VISIBILITIES = ("community", "public", "private", "shared")
MEMBER_STATUSES = ("pending", "accepted", "rejected")


def _image_properties():
    return {
        "id": {"type": "string", "description": "An identifier for the image",
               "pattern": ID_PATTERN},
        "name": {"type": ["null", "string"], "description": "Descriptive name for the image",
                 "maxLength": 255},
        "status": {"type": "string", "readOnly": True, "description": "Status of the image",
                   "enum": list(STATUSES)},
        "visibility": {"type": "string", "description": "Scope of image accessibility",
                       "enum": list(VISIBILITIES)},
        "protected": {"type": "boolean",
                      "description": "If true, image will not be deletable."},
        "os_hidden": {"type": "boolean",
                      "description": "If true, image will not appear in default image "
                                     "list response."},
        "checksum": {"type": ["null", "string"], "readOnly": True,
                     "description": "md5 hash of image contents.", "maxLength": 32},
        "os_hash_algo": {"type": ["null", "string"], "readOnly": True,
                         "description": "Algorithm to calculate the os_hash_value",
                         "maxLength": 64},
        "os_hash_value": {"type": ["null", "string"], "readOnly": True,
                          "description": "Hexdigest of the image contents using the "
                                         "algorithm specified by the os_hash_algo",
                          "maxLength": 128},
        "owner": {"type": ["null", "string"], "description": "Owner of the image",
                  "maxLength": 255},
        "size": {"type": ["null", "integer"], "readOnly": True,
                 "description": "Size of image file in bytes"},
        "virtual_size": {"type": ["null", "integer"], "readOnly": True,
                         "description": "Virtual size of image in bytes"},
        "container_format": {"type": ["null", "string"],
                             "description": "Format of the container",
                             "enum": [None, *fields.CONTAINER_FORMATS]},
        "disk_format": {"type": ["null", "string"], "description": "Format of the disk",
                        "enum": [None, *fields.DISK_FORMATS]},
        "created_at": {"type": "string", "readOnly": True,
                       "description": "Date and time of image registration"},
        "updated_at": {"type": "string", "readOnly": True,
                       "description": "Date and time of the last image modification"},
        "tags": {"type": "array", "description": "List of strings related to the image",
                 "items": {"type": "string", "maxLength": 255}},
        "direct_url": {"type": "string", "readOnly": True,
                       "description": "URL to access the image file kept in external store"},
        "min_ram": {"type": "integer",
                    "description": "Amount of ram (in MB) required to boot image."},
        "min_disk": {"type": "integer",
                     "description": "Amount of disk space (in GB) required to boot image."},
        "self": {"type": "string", "readOnly": True, "description": "An image self url"},
        "file": {"type": "string", "readOnly": True, "description": "An image file url"},
        "stores": {"type": "string", "readOnly": True,
                   "description": "Store in which image data resides.  Only present when "
                                  "the operator has enabled multiple stores.  May be a "
                                  "comma-separated list of store identifiers."},
        "schema": {"type": "string", "readOnly": True, "description": "An image schema url"},
        "locations": _locations(),
    }


def _locations():
    """Glance's declaration of `locations`: never shown nor settable here,
    but part of the schema every client downloads."""
    validation_data = {
        "description": "Values to be used to populate the corresponding image properties. "
                       "If the image status is not 'queued', values must exactly match "
                       "those already contained in the image properties.",
        "type": "object", "writeOnly": True, "additionalProperties": False,
        "properties": {
            "checksum": {"type": "string", "minLength": 32, "maxLength": 32},
            "os_hash_algo": {"type": "string", "maxLength": 64},
            "os_hash_value": {"type": "string", "maxLength": 128},
        },
        "required": ["os_hash_algo", "os_hash_value"],
    }
    return {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "url": {"type": "string", "maxLength": 255},
                "metadata": {"type": "object"},
                "validation_data": validation_data,
            },
            "required": ["url", "metadata"],
        },
        "description": "A set of URLs to access the image file kept in external store",
    }


def _image():
    return {
        "name": "image",
        "properties": _image_properties(),
        # Custom properties: any other key, with a string value.
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def _member():
    return {
        "name": "member",
        "properties": {
            "member_id": {"type": "string",
                          "description": "An identifier for the image member (tenantId)"},
            "image_id": {"type": "string", "description": "An identifier for the image",
                         "pattern": ID_PATTERN},
            "created_at": {"type": "string",
                           "description": "Date and time of image member creation"},
            "updated_at": {"type": "string",
                           "description": "Date and time of last modification of image member"},
            "status": {"type": "string", "description": "The status of this image member",
                       "enum": list(MEMBER_STATUSES)},
            "schema": {"readOnly": True, "type": "string"},
        },
    }


def _images():
    return {
        "name": "images",
        "properties": {
            "images": {"type": "array", "items": _image()},
            "first": {"type": "string"},
            "next": {"type": "string"},
            "schema": {"type": "string"},
        },
        "links": [
            {"rel": "first", "href": "{first}"},
            {"rel": "next", "href": "{next}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


def _members():
    return {
        "name": "members",
        "properties": {
            "members": {"type": "array", "items": _member()},
            "schema": {"type": "string"},
        },
        "links": [{"rel": "describedby", "href": "{schema}"}],
    }


SCHEMAS = {"image": _image(), "images": _images(), "member": _member(), "members": _members()}
BODIES = {name: json.dumps(schema).encode() for name, schema in SCHEMAS.items()}
IMAGE_PROPERTIES = SCHEMAS["image"]["properties"]
