"""Reading S3's XML answers: error codes, upload ids, listings.

S3 and its look-alikes (Swift's s3api, MinIO, Ceph) differ in whether they
namespace their elements, so an element is found by its local name in any
namespace.  Only what the `s3` store reads is here; requests it sends are
built where they are sent.
"""

import xml.etree.ElementTree as ElementTree


def _named(element, name):
    return element.tag == name or element.tag.endswith("}" + name)


def text(body, name):
    """The text of the first element called `name` in `body`, or None (also
    when `body` is not XML: an error answer may be anything)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    for element in root.iter():
        if _named(element, name):
            return element.text or ""
    return None


def elements(body, name):
    """Every element called `name` in `body` (a listing's entries)."""
    return [element for element in ElementTree.fromstring(body).iter() if _named(element, name)]


def child_text(element, name):
    """The text of `element`'s child called `name`, or None."""
    for child in element:
        if _named(child, name):
            return child.text or ""
    return None
