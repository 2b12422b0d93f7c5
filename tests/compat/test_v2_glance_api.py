"""python-glanceclient 4.x's Python API, `glanceclient.Client('2', endpoint, token=…)`.

The client validates every image it gets against `/v2/schemas/image`
(warlock models) and `images.data()` verifies `os_hash_value` (or refuses,
without `allow_md5_fallback`), so a snippet that returns is itself a check
of the shapes.  One snippet per test, run in the v2 client venv.
"""

import hashlib

API = "v2"

CLIENT = """
import hashlib, time
import glanceclient
from glanceclient import exc

def client(p):
    return glanceclient.Client('2', endpoint=p['url'], token=p['token'])

def wait(gc, image_id, *waiting):
    deadline = time.monotonic() + 30
    image = gc.images.get(image_id)
    while image.status in waiting and time.monotonic() < deadline:
        time.sleep(0.3)
        image = gc.images.get(image_id)
    return image

def plain(image):
    return {k: v for k, v in image.items()}
"""


def run(v2, body, **params):
    return v2.python(CLIENT + body, **params)


def test_create_upload_get(v2, disk, unique):
    got = run(v2, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], disk_format='raw', container_format='bare',
                             min_ram=64, tags=['base'], hw_disk_bus='virtio')
    with open(p['path'], 'rb') as f:
        gc.images.upload(image.id, f)
    return plain(gc.images.get(image.id))
""", path=disk.path, name=unique)
    assert got["status"] == "active" and got["size"] == disk.size
    assert got["checksum"] == disk.md5
    assert got["os_hash_value"] == hashlib.new(got["os_hash_algo"], disk.data).hexdigest()
    assert got["hw_disk_bus"] == "virtio" and got["tags"] == ["base"]
    assert got["min_ram"] == 64


def test_data_is_verified(v2, disk, unique):
    got = run(v2, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], disk_format='raw', container_format='bare')
    with open(p['path'], 'rb') as f:
        gc.images.upload(image.id, f)
    return hashlib.md5(b''.join(gc.images.data(image.id))).hexdigest()
""", path=disk.path, name=unique)
    assert got == disk.md5


def test_list_pages_through_every_image(v2, unique):
    got = run(v2, """
def main(p):
    gc = client(p)
    made = [gc.images.create(name=p['name'] + str(i), compat_set=p['name']).id
            for i in range(5)]
    seen = [i.id for i in gc.images.list(page_size=2, filters={'compat_set': p['name']})]
    by_name = [i.id for i in gc.images.list(filters={'name': p['name'] + '3'})]
    ordered = [i.name for i in gc.images.list(filters={'compat_set': p['name']},
                                              sort_key='name', sort_dir='asc')]
    return [made, seen, by_name, ordered]
""", name=unique)
    made, seen, by_name, ordered = got
    assert sorted(seen) == sorted(made) and len(seen) == 5
    assert by_name == [made[3]]
    assert ordered == [unique + str(i) for i in range(5)]


def test_update_and_remove_properties(v2, unique):
    got = run(v2, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], a='1', b='2')
    image = gc.images.update(image.id, remove_props=['a'], c='3', min_disk=4,
                             name=p['name'] + '-new')
    return plain(image)
""", name=unique)
    assert "a" not in got and (got["b"], got["c"]) == ("2", "3")
    assert got["min_disk"] == 4 and got["name"] == unique + "-new"


def test_tags(v2, unique):
    got = run(v2, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'])
    gc.image_tags.update(image.id, 'red')
    gc.image_tags.update(image.id, 'blue')
    gc.image_tags.delete(image.id, 'red')
    return gc.images.get(image.id).tags
""", name=unique)
    assert got == ["blue"]


def test_members(v2, unique):
    got = run(v2, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], visibility='shared')
    created = gc.image_members.create(image.id, 'tenant-m')
    updated = gc.image_members.update(image.id, 'tenant-m', 'accepted')
    listed = [(m.member_id, m.status) for m in gc.image_members.list(image.id)]
    gc.image_members.delete(image.id, 'tenant-m')
    after = list(gc.image_members.list(image.id))
    return [created.status, updated.status, listed, len(after)]
""", name=unique)
    assert got == ["pending", "accepted", [["tenant-m", "accepted"]], 0]


def test_deactivate_reactivate_delete(v2, disk, unique):
    got = run(v2, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], disk_format='raw', container_format='bare',
                             protected=True)
    with open(p['path'], 'rb') as f:
        gc.images.upload(image.id, f)
    gc.images.deactivate(image.id)
    states = [gc.images.get(image.id).status]
    gc.images.reactivate(image.id)
    states.append(gc.images.get(image.id).status)
    try:
        gc.images.delete(image.id)
    except exc.HTTPForbidden:
        states.append('protected')
    gc.images.update(image.id, protected=False)
    gc.images.delete(image.id)
    try:
        gc.images.get(image.id)
    except exc.HTTPNotFound:
        states.append('gone')
    return states
""", path=disk.path, name=unique)
    assert got == ["deactivated", "active", "protected", "gone"]


def test_errors(v2, unique):
    got = run(v2, """
def main(p):
    gc = client(p)
    out = []
    for bad in ('00000000-0000-4000-8000-000000000000', 'not-a-uuid'):
        try:
            gc.images.get(bad)
        except exc.HTTPNotFound:
            out.append(404)
    try:
        gc.images.create(name=p['name'], status='active')
    except exc.HTTPForbidden:
        out.append(403)
    try:
        gc.images.create(name=p['name'], disk_format='floppy')
    except (exc.HTTPBadRequest, TypeError):  # TypeError: the schema's enum, client-side
        out.append(400)
    return out
""", name=unique)
    assert got == [404, 404, 403, 400]


def test_import_glance_direct(v2, disk, unique):
    got = run(v2, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], disk_format='raw', container_format='bare')
    with open(p['path'], 'rb') as f:
        gc.images.stage(image.id, f)
    staged = gc.images.get(image.id).status
    gc.images.image_import(image.id, method='glance-direct')
    image = wait(gc, image.id, 'uploading', 'importing')
    return [staged, image.status, image.checksum]
""", path=disk.path, name=unique)
    assert got == ["uploading", "active", disk.md5]


def test_import_web_download(v2, origin_bytes, unique):
    url, data = origin_bytes
    got = run(v2, """
def main(p):
    gc = client(p)
    image = gc.images.create(name=p['name'], disk_format='raw', container_format='bare')
    gc.images.image_import(image.id, method='web-download', uri=p['origin'])
    image = wait(gc, image.id, 'queued', 'importing')
    return [image.status, image.size, image.checksum]
""", origin=url, name=unique)
    assert got == ["active", len(data), hashlib.md5(data).hexdigest()]


def test_schemas(v2):
    got = run(v2, """
def main(p):
    gc = client(p)
    schema = gc.schemas.get('image').raw()
    return [schema['name'], sorted(schema['properties']['disk_format']['enum'], key=str)]
""")
    assert got[0] == "image"
    assert "raw" in got[1] and "qcow2" in got[1]
