"""The latest openstacksdk's image proxy, connected without Keystone.

`openstack.connect(auth_type="none", auth={"endpoint": URL})`, then
`conn.image.*` as Ansible's modules and provisioners call it.  The SDK
checks the MD5 of a download against the image's checksum, and its name
look-ups need 404 (never 400) for anything that is not an image id.
"""

import hashlib

API = "v2"

CONNECT = """
import hashlib, openstack

def connect(p):
    return openstack.connect(auth_type='none', auth={'endpoint': p['url']})

def plain(image):
    return {'id': image.id, 'name': image.name, 'status': image.status,
            'size': image.size, 'checksum': image.checksum,
            'hash_algo': image.hash_algo, 'hash_value': image.hash_value,
            'min_ram': image.min_ram, 'properties': image.properties or {},
            'tags': image.tags, 'visibility': image.visibility,
            'hw_disk_bus': image.hw_disk_bus}
"""


def run(v2, body, **params):
    return v2.python(CONNECT + body, **params)


def test_create_image_from_file(v2, disk, unique):
    got = run(v2, """
def main(p):
    conn = connect(p)
    image = conn.image.create_image(name=p['name'], filename=p['path'], disk_format='raw',
                                    container_format='bare', min_ram=128, wait=True,
                                    hw_disk_bus='virtio')
    return plain(conn.image.get_image(image.id))
""", path=disk.path, name=unique)
    assert got["status"] == "active" and got["size"] == disk.size
    assert got["checksum"] == disk.md5
    assert got["hash_value"] == hashlib.new(got["hash_algo"], disk.data).hexdigest()
    assert got["min_ram"] == 128 and got["hw_disk_bus"] == "virtio"


def test_create_image_then_upload_data(v2, disk, unique):
    got = run(v2, """
def main(p):
    conn = connect(p)
    image = conn.image.create_image(name=p['name'], disk_format='raw',
                                    container_format='bare')
    queued = image.status
    with open(p['path'], 'rb') as f:
        image.data = f.read()
        image.upload(conn.image)
    return [queued, plain(conn.image.get_image(image.id))]
""", path=disk.path, name=unique)
    queued, image = got
    assert queued == "queued"
    assert image["status"] == "active" and image["checksum"] == disk.md5


def test_download_image(v2, disk, unique, tmp_path):
    out = tmp_path / "out.img"
    got = run(v2, """
def main(p):
    conn = connect(p)
    image = conn.image.create_image(name=p['name'], filename=p['path'], disk_format='raw',
                                    container_format='bare', wait=True)
    in_memory = conn.image.download_image(image).content
    conn.image.download_image(image, output=p['out'])
    return hashlib.md5(in_memory).hexdigest()
""", path=disk.path, name=unique, out=str(out))
    assert got == disk.md5
    assert out.read_bytes() == disk.data


def test_find_image_by_name_and_by_id(v2, unique):
    got = run(v2, """
def main(p):
    conn = connect(p)
    image = conn.image.create_image(name=p['name'])
    by_name = conn.image.find_image(p['name'])
    by_id = conn.image.find_image(image.id)
    missing = conn.image.find_image(p['name'] + '-missing')
    return [image.id, by_name.id, by_id.id, missing]
""", name=unique)
    image_id, by_name, by_id, missing = got
    assert by_name == by_id == image_id
    assert missing is None


def test_images_list(v2, unique):
    got = run(v2, """
def main(p):
    conn = connect(p)
    made = [conn.image.create_image(name=p['name'] + str(i), tags=[p['name']]).id
            for i in range(3)]
    everything = [i.id for i in conn.image.images()]
    named = [i.id for i in conn.image.images(name=p['name'] + '1')]
    paged = [i.id for i in conn.image.images(tag=p['name'], limit=1)]
    return [made, everything, named, paged]
""", name=unique)
    made, everything, named, paged = got
    assert set(made) <= set(everything)
    assert len(everything) == len(set(everything))
    assert named == [made[1]]
    assert sorted(paged) == sorted(made)  # limit=1: the SDK follows `next`


def test_update_image(v2, unique):
    got = run(v2, """
def main(p):
    conn = connect(p)
    image = conn.image.create_image(name=p['name'])
    conn.image.update_image(image, name=p['name'] + '-new', min_disk=5, compat_note='x')
    conn.image.add_tag(image, 'blue')
    return plain(conn.image.get_image(image.id))
""", name=unique)
    assert got["name"] == unique + "-new"
    assert got["properties"].get("compat_note") == "x" and got["tags"] == ["blue"]


def test_delete_image(v2, unique):
    got = run(v2, """
def main(p):
    conn = connect(p)
    image = conn.image.create_image(name=p['name'])
    conn.image.delete_image(image)
    return [conn.image.find_image(image.id), conn.image.find_image(p['name'])]
""", name=unique)
    assert got == [None, None]
