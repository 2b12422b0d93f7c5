"""`expected_status`: an update that happens only from a given status (compare-and-set).

The API moves an image queued → saving this way, so that of two uploads
racing for one queued image exactly one gets it, on any number of nodes.
"""

import threading

import pytest

from glance.common import exception
from glance.registry import RegistryClient
from tests.registry.helpers import ADMIN
from tests.registry.test_server import make_app, post


def test_an_update_from_the_expected_status_happens(registry):
    made = registry.create_image(ADMIN, {"status": "queued"})
    image = registry.update_image(ADMIN, made["id"], {"status": "saving"},
                                  expected_status="queued")
    assert image["status"] == "saving"


def test_an_update_from_another_status_is_a_conflict_and_changes_nothing(registry):
    made = registry.create_image(ADMIN, {"status": "active", "name": "a"})
    with pytest.raises(exception.Conflict, match="active, not queued"):
        registry.update_image(ADMIN, made["id"], {"status": "saving", "name": "b"},
                              expected_status="queued")
    assert registry.get_image(ADMIN, made["id"])["name"] == "a"


def test_of_many_racing_transitions_exactly_one_wins(registry):
    made = registry.create_image(ADMIN, {"status": "queued"})
    wins, barrier = [], threading.Barrier(8)

    def race():
        barrier.wait()
        try:
            registry.update_image(ADMIN, made["id"], {"status": "saving"},
                                  expected_status="queued")
            wins.append(1)
        except exception.Conflict:
            pass
    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert wins == [1]


def test_the_server_reads_the_expected_status_header():
    app = make_app()
    image_id = post(app, {"status": "active"}).json["image"]["id"]
    res = app.put_json(f"/images/{image_id}", {"image": {"status": "saving"}}, status=409,
                       headers={"x-glance-registry-expected-status": "queued"})
    assert res.json["error"]["type"] == "image.conflict"
    app.put_json(f"/images/{image_id}", {"image": {"name": "x"}}, status=200,
                 headers={"x-glance-registry-expected-status": "active"})


def test_the_client_sends_the_expected_status():
    sent = []

    class Connection:
        sock = None

        def connect(self):
            pass

        def request(self, method, path, body=None, headers=None):
            sent.append(headers)

        def getresponse(self):
            raise ConnectionRefusedError("no registry here")

        def close(self):
            pass
    client = RegistryClient("http://registry:9191", connection_factory=Connection)
    with pytest.raises(exception.RegistryUnavailable):
        client.update_image(ADMIN, "1", {}, expected_status="queued")
    assert sent[0]["x-glance-registry-expected-status"] == "queued"
