"""Nova's image-service calls, replayed through glanceclient 4.x as Nova makes them.

Our own code, written after openstack/nova's `nova/image/glance.py`
(GlanceImageServiceV2) and the libvirt driver's snapshot: a keystoneauth
session with `endpoint_override` = the unversioned `[glance] api_servers`
entry; create = `images.create(**v2 meta)` (visibility from `is_public`,
`min_ram`/`min_disk` as ints, properties as strings, `kernel_id`/`ramdisk_id`
dropped when empty); update = `images.update(id, remove_props=…, **meta)` then
`images.upload(id, file)` (a file object: glanceclient sends it chunked);
show = `images.get` translated with the image schema (`is_base_property`);
download = `images.data(id)` (glanceclient checks `os_hash_value`) written
to a file and fsynced; delete = `images.delete`.  Nova boots only UUID ids.
"""

import hashlib
import uuid

API = "v2"

NOVA = """
import os, uuid
import glanceclient
import glanceclient.exc
from glanceclient.v2 import schemas
from keystoneauth1 import session as ks_session, token_endpoint

class ImageService:
    '''What GlanceImageServiceV2 does, minus retries, locations and signatures.'''

    def __init__(self, endpoint, token):
        auth = token_endpoint.Token(endpoint, token)
        self.client = glanceclient.Client(
            '2', session=ks_session.Session(), auth=auth, endpoint_override=endpoint,
            global_request_id='req-' + str(uuid.uuid4()))

    @staticmethod
    def to_v2(meta):
        out = {}
        for name, value in meta.items():
            if name == 'properties':
                for key, prop in value.items():
                    if key in ('kernel_id', 'ramdisk_id') and prop is not None and \\
                            prop.strip().lower() in ('none', ''):
                        continue
                    out[key] = prop if prop is None or isinstance(prop, str) else str(prop)
            elif name in ('min_ram', 'min_disk'):
                out[name] = int(value)
            elif name == 'is_public':
                out['visibility'] = 'public' if value else 'private'
            elif name in ('size', 'deleted', 'status', 'updated_at', 'created_at',
                          'deleted_at'):
                continue
            else:
                out[name] = value
        return out

    def from_v2(self, image):
        schema = schemas.Schema(image.schema)
        out = {'properties': {}}
        for name, value in image.items():
            if name in ('self', 'schema', 'protected', 'virtual_size', 'file', 'tags',
                        'direct_url', 'locations'):
                continue
            elif name == 'visibility':
                out['is_public'] = value == 'public'
            elif name == 'size' and value is None:
                out['size'] = 0
            elif schema.is_base_property(name):
                out[name] = value
            else:
                out['properties'][name] = value
        return out

    def create(self, meta, data=None):
        force_activate = data is None and meta.get('size') == 0
        sent = self.to_v2(meta)
        if force_activate:
            data = ''
            sent.setdefault('disk_format', 'raw')
            sent.setdefault('container_format', 'bare')
        image = self.client.images.create(**sent)
        if data is not None:
            self.client.images.upload(image['id'], data)
            image = self.client.images.get(image['id'])
        return self.from_v2(image)

    def show(self, image_id):
        return self.from_v2(self.client.images.get(image_id))

    def update(self, image_id, meta, data=None, purge_props=False):
        sent = self.to_v2(meta)
        sent.pop('id', None)
        if purge_props:
            all_props = set(self.show(image_id)['properties'])
            sent['remove_props'] = list(all_props - set(meta.get('properties', {})))
        image = self.client.images.update(image_id, **sent)
        if data is not None:
            self.client.images.upload(image_id, data)
            image = self.client.images.get(image_id)
        return self.from_v2(image)

    def download(self, image_id, dst_path):
        chunks = self.client.images.data(image_id)
        if chunks.wrapped is None:
            raise RuntimeError('Image has no associated data')
        with open(dst_path, 'wb') as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())

    def delete(self, image_id):
        self.client.images.delete(image_id)
        return True

    def default_disk_format(self):
        schema = self.client.schemas.get('image').raw()
        enum = schema['properties'].get('disk_format', {}).get('enum') or []
        for preferred in ('qcow2', 'vhd', 'vmdk', 'raw'):
            if preferred in enum:
                return preferred
        return enum[0]
"""


def run(v2, body, **params):
    return v2.python(NOVA + body, **params)


def test_snapshot_show_download_delete(v2, disk, unique, tmp_path):
    out = tmp_path / "downloaded.img"
    got = run(v2, """
def main(p):
    nova = ImageService(p['url'], p['token'])
    instance = str(uuid.uuid4())
    # compute API: initialize_instance_snapshot_metadata + image_api.create
    image = nova.create({'name': p['name'], 'is_public': False, 'min_ram': '512',
                         'min_disk': 1, 'disk_format': 'raw', 'container_format': 'bare',
                         'properties': {'instance_uuid': instance, 'image_type': 'snapshot',
                                        'user_id': 'compat-user', 'base_image_ref': '',
                                        'owner_project_name': 'compat'}})
    created = image
    # libvirt driver: _create_snapshot_metadata + image_api.update(..., image_file);
    # raw, as with snapshot_image_format = raw (Glance 33 inspects the data's format)
    meta = {'status': 'active', 'name': p['name'], 'disk_format': 'raw',
            'container_format': 'bare',
            'properties': {'kernel_id': '', 'image_location': 'snapshot',
                           'image_state': 'available', 'owner_id': 'compat',
                           'ramdisk_id': '', 'os_type': 'linux'}}
    with open(p['path'], 'rb') as image_file:
        updated = nova.update(image['id'], meta, image_file, purge_props=False)
    shown = nova.show(image['id'])
    nova.download(image['id'], p['out'])
    deleted = nova.delete(image['id'])
    try:
        nova.show(image['id'])
        after = 'still there'
    except glanceclient.exc.HTTPNotFound:
        after = 'not found'
    return {'created': created, 'updated': updated, 'shown': shown,
            'deleted': deleted, 'after': after, 'instance': instance}
""", path=disk.path, out=str(out), name=unique)
    created, shown = got["created"], got["shown"]
    assert str(uuid.UUID(created["id"])) == created["id"]
    assert created["status"] == "queued" and created["is_public"] is False
    assert created["properties"]["instance_uuid"] == got["instance"]
    assert shown["status"] == "active" and shown["size"] == disk.size
    assert (shown["min_ram"], shown["min_disk"]) == (512, 1)
    assert shown["checksum"] == disk.md5
    assert shown["os_hash_value"] == hashlib.new(shown["os_hash_algo"], disk.data).hexdigest()
    assert shown["properties"]["image_state"] == "available"
    assert shown["properties"]["image_type"] == "snapshot"
    assert "kernel_id" not in shown["properties"]
    assert out.read_bytes() == disk.data
    assert got["deleted"] is True and got["after"] == "not found"


def test_update_with_purge_props(v2, unique):
    got = run(v2, """
def main(p):
    nova = ImageService(p['url'], p['token'])
    image = nova.create({'name': p['name'], 'properties': {'a': '1', 'b': '2'}})
    return nova.update(image['id'], {'properties': {'b': '3', 'c': '4'}},
                       purge_props=True)['properties']
""", name=unique)
    assert got == {"b": "3", "c": "4"}


def test_create_empty_image_force_activate(v2, unique):
    got = run(v2, """
def main(p):
    nova = ImageService(p['url'], p['token'])
    image = nova.create({'name': p['name'], 'size': 0,
                         'disk_format': nova.default_disk_format() and 'raw',
                         'properties': {'block_device_mapping': '[]', 'root_device_name': '/dev/vda'}})
    return [image['status'], image['size'], nova.default_disk_format()]
""", name=unique)
    assert got == ["active", 0, "qcow2"]
