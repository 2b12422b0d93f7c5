"""glanceclient 2.17.1's Python API, `glanceclient.Client('1', endpoint, token=…)`.

Each test runs one snippet inside the v1 client venv (clients.py): the
snippet makes the calls a program would make and returns what that program
would look at.  `data()` verifies the MD5 the server announced (the client's
own `integrity_iter`), so a download that returns bytes is a verified one.
"""

import hashlib

API = "v1"

# Shared by every snippet: a client for the target.
CLIENT = """
import glanceclient
from glanceclient import exc

def client(p):
    return glanceclient.Client('1', endpoint=p['url'], token=p['token'])

def info(image):
    return image.to_dict()
"""


def run(v1, body, **params):
    return v1.python(CLIENT + body, **params)


def test_create_with_data_and_get(v1, disk, unique):
    got = run(v1, """
def main(p):
    gc = client(p)
    with open(p['path'], 'rb') as f:
        image = gc.images.create(name=p['name'], disk_format='raw',
                                 container_format='bare', data=f,
                                 properties={'distro': 'cirros'})
    return info(gc.images.get(image.id))
""", path=disk.path, name=unique)
    assert got["status"] == "active"
    assert got["size"] == disk.size and got["checksum"] == disk.md5
    assert got["properties"] == {"distro": "cirros"}
    assert got["is_public"] is False and got["protected"] is False


def test_create_with_every_option(v1, unique):
    got = run(v1, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], disk_format='qcow2', container_format='bare',
                             is_public=True, protected=True, min_disk=5, min_ram=256,
                             owner='tenant-api', properties={'a': '1'})
    shown = info(gc.images.get(image.id))
    gc.images.update(image.id, protected=False)
    gc.images.delete(image.id)
    return shown
""", name=unique)
    assert (got["is_public"], got["protected"]) == (True, True)
    assert (got["min_disk"], got["min_ram"], got["owner"]) == (5, 256, "tenant-api")
    assert got["disk_format"] == "qcow2" and got["properties"] == {"a": "1"}


def test_data_is_verified(v1, disk, unique):
    got = run(v1, """
import hashlib
def main(p):
    gc = client(p)
    with open(p['path'], 'rb') as f:
        image = gc.images.create(name=p['name'], disk_format='raw',
                                 container_format='bare', data=f)
    return hashlib.md5(b''.join(gc.images.data(image.id))).hexdigest()
""", path=disk.path, name=unique)
    assert got == disk.md5


def test_location_image_data(v1, origin_bytes, unique):
    url, data = origin_bytes
    got = run(v1, """
import hashlib
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], disk_format='raw', container_format='bare',
                             location=p['origin'])
    body = b''.join(gc.images.data(image.id))
    return [image.status, image.size, hashlib.md5(body).hexdigest()]
""", origin=url, name=unique)
    assert got == ["active", len(data), hashlib.md5(data).hexdigest()]


def test_list_filters_paging_sort(v1, unique):
    got = run(v1, """
def main(p):
    gc = client(p)
    made = {}
    for name in ('b', 'a', 'c'):
        made[name] = gc.images.create(name=p['name'] + '-' + name, is_public=True,
                                      properties={'set': p['name']}).id
    filters = {'properties': {'set': p['name']}}
    asc = [i.id for i in gc.images.list(filters=filters, page_size=1,
                                        sort_key='name', sort_dir='asc')]
    named = [i.id for i in gc.images.list(filters={'name': p['name'] + '-a'})]
    return {'made': made, 'asc': asc, 'named': named}
""", name=unique)
    made = got["made"]
    assert got["asc"] == [made["a"], made["b"], made["c"]]
    assert got["named"] == [made["a"]]


def test_update_replaces_or_merges_properties(v1, unique):
    got = run(v1, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], properties={'a': '1', 'b': '2'})
    merged = gc.images.update(image.id, properties={'c': '3'}, purge_props=False)
    purged = gc.images.update(image.id, name=p['name'] + '-x', properties={'d': '4'},
                              purge_props=True)
    return [merged.properties, purged.properties, purged.name]
""", name=unique)
    assert got == [{"a": "1", "b": "2", "c": "3"}, {"d": "4"}, unique + "-x"]


def test_delete(v1, unique):
    got = run(v1, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'])
    gc.images.delete(image.id)
    try:
        gc.images.delete(image.id)
        again = 'deleted twice'
    except exc.HTTPNotFound:
        again = 'not found'
    listed = [i.id for i in gc.images.list(is_public=None, filters={'name': p['name']})]
    return [again, listed]
""", name=unique)
    # (Glance v1 still showed the deleted record to admins on HEAD, status
    # "deleted"; CONTRACT §9 answers 404 for a deleted id: not asserted here.)
    assert got == ["not found", []]


def test_errors_raise_the_client_exceptions(v1, unique):
    got = run(v1, """
def main(p):
    gc = client(p)
    out = []
    try:
        gc.images.get('00000000-0000-4000-8000-000000000000')
    except exc.HTTPNotFound:
        out.append('404')
    try:
        gc.images.create(name=p['name'], disk_format='floppy')
    except exc.HTTPBadRequest as e:
        out.append('400 ' + str(e))
    return out
""", name=unique)
    assert got[0] == "404"
    assert got[1].startswith("400 ") and "Invalid disk format" in got[1]


def test_members(v1, unique):
    got = run(v1, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], owner='tenant-sharer')
    gc.image_members.create(image, 'tenant-1', can_share=True)
    gc.image_members.create(image, 'tenant-2')
    listed = sorted((m.member_id, m.can_share) for m in gc.image_members.list(image=image))
    shared = [m.image_id for m in gc.image_members.list(member='tenant-1')]
    gc.image_members.delete(image.id, 'tenant-1')
    after_delete = [m.member_id for m in gc.image_members.list(image=image)]
    gc.image_members.replace(image, [{'member_id': 'tenant-3'}])
    replaced = [m.member_id for m in gc.image_members.list(image=image)]
    return [image.id, listed, shared, after_delete, replaced]
""", name=unique)
    image_id, listed, shared, after_delete, replaced = got
    assert listed == [["tenant-1", True], ["tenant-2", False]]
    assert image_id in shared
    assert after_delete == ["tenant-2"]
    assert replaced == ["tenant-3"]
