import hashlib
import os

import pytest
import webtest
from paste.deploy import loadapp

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASTE_INI = os.path.join(ROOT, "paste.ini")


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "images"


@pytest.fixture
def app(tmp_path, data_dir, monkeypatch):
    """The API pipeline of paste.ini, in-process registry, on scratch storage."""
    monkeypatch.setenv("GLANCE_SQL_CONNECTION", f"sqlite:///{tmp_path}/glance.sqlite")
    monkeypatch.setenv("GLANCE_FILESYSTEM_STORE_DATADIR", str(data_dir))
    monkeypatch.delenv("GLANCE_REGISTRY_URL", raising=False)
    return webtest.TestApp(loadapp("config:" + PASTE_INI, name="main"), lint=True)


def md5(data):
    return hashlib.md5(data).hexdigest()


def upload_headers(**meta):
    headers = {"Content-Type": "application/octet-stream"}
    for key, value in meta.items():
        headers["x-image-meta-" + key.replace("property_", "property-")] = str(value)
    return headers


def stored_files(data_dir):
    return sorted(os.listdir(data_dir)) if os.path.isdir(data_dir) else []
