"""Upload leases in the registry (`glance.registry.leases`, issue 15 item 16)."""

import pytest

from glance.common import exception
from glance.registry import Holder
from tests.registry.helpers import ADMIN, ALICE, BOB, NOAUTH, as_service

HOLDER = Holder("node-a", "run-1", 101)
OTHER = Holder("node-b", "run-9", 7)
SERVICE = as_service(NOAUTH)


def queued(registry, owner=ALICE):
    return registry.create_image(as_service(owner), {"status": "queued", "name": "q"})


def status(registry, image):
    return registry.get_image(NOAUTH, image["id"])


def test_taking_a_lease_is_a_compare_and_set_queued_to_saving(registry):
    image = queued(registry)
    taken = registry.take_lease(ALICE, image["id"], HOLDER, 60)
    assert (taken["status"], taken["status_reason"]) == ("saving", None)
    with pytest.raises(exception.Conflict, match="saving, not queued"):
        registry.take_lease(ALICE, image["id"], OTHER, 60)


def test_a_lease_is_for_the_owner_or_an_admin(registry):
    image = registry.create_image(as_service(ALICE), {"status": "queued", "is_public": True})
    with pytest.raises(exception.Forbidden):
        registry.take_lease(BOB, image["id"], HOLDER, 60)


def test_the_holder_is_never_shown(registry):
    image = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 60)
    text = repr(registry.get_image(SERVICE, image["id"]))
    assert "node-a" not in text and "run-1" not in text and "lease" not in text


def test_renewing_extends_every_lease_of_the_holder(registry, clock):
    mine = [registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 60) for _ in range(2)]
    theirs = registry.take_lease(ALICE, queued(registry)["id"], OTHER, 60)
    clock.tick(50)
    assert registry.renew_leases(ADMIN, HOLDER, 60) == sorted(i["id"] for i in mine)
    clock.tick(50)
    swept = registry.expire_leases(ADMIN, "gone")
    assert [image["id"] for image in swept] == [theirs["id"]]
    assert all(status(registry, image)["status"] == "saving" for image in mine)


def test_renewing_does_not_move_updated_at(registry, clock):
    image = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 60)
    clock.tick(10)
    registry.renew_leases(ADMIN, HOLDER, 60)
    assert status(registry, image)["updated_at"] == image["updated_at"]


def test_ending_a_lease_sets_the_next_status(registry):
    image = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 60)
    done = registry.end_lease(as_service(ALICE), image["id"], HOLDER,
                              {"status": "active", "size": 3, "location": "file:///x"})
    assert (done["status"], done["size"]) == ("active", 3)
    assert registry.renew_leases(ADMIN, HOLDER, 60) == []


def test_a_lost_lease_cannot_be_ended(registry, clock):
    image = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 10)
    clock.tick(11)
    registry.expire_leases(ADMIN, "gone")
    with pytest.raises(exception.Conflict, match="lost its lease"):
        registry.end_lease(as_service(ALICE), image["id"], HOLDER, {"status": "active"})
    assert status(registry, image)["status"] == "killed"


def test_a_lease_taken_again_by_another_writer_is_theirs(registry, clock):
    image = queued(registry)
    registry.take_lease(ALICE, image["id"], HOLDER, 10, fallback="queued")
    clock.tick(11)
    registry.expire_leases(ADMIN, "gone")
    registry.take_lease(ALICE, image["id"], OTHER, 60)
    with pytest.raises(exception.Conflict):
        registry.end_lease(as_service(ALICE), image["id"], HOLDER, {"status": "active"})
    assert registry.end_lease(as_service(ALICE), image["id"], OTHER,
                              {"status": "active"})["status"] == "active"


def test_an_expired_lease_falls_back_with_the_reason(registry, clock):
    v1 = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 10)
    v2 = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 10, fallback="queued")
    staged = registry.create_image(as_service(ALICE), {"status": "uploading"})
    imp = registry.take_lease(ALICE, staged["id"], HOLDER, 10, from_status="uploading",
                              to_status="importing", fallback="queued")
    clock.tick(10.5)
    swept = registry.expire_leases(ADMIN, "its writer stopped")
    assert [i["id"] for i in swept] == sorted(i["id"] for i in (v1, v2, imp))
    assert status(registry, v1)["status"] == "killed"
    assert status(registry, v2)["status"] == status(registry, imp)["status"] == "queued"
    assert status(registry, v1)["status_reason"] == "its writer stopped"


def test_a_live_lease_is_not_swept(registry, clock):
    image = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 10)
    clock.tick(9)
    assert registry.expire_leases(ADMIN, "x") == []
    assert status(registry, image)["status"] == "saving"


def test_a_writing_image_without_a_lease_is_swept(registry):
    image = registry.create_image(SERVICE, {"status": "saving"})
    assert [i["id"] for i in registry.expire_leases(ADMIN, "x")] == [image["id"]]


def test_a_process_that_died_loses_its_leases_at_once(registry):
    dead = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 600)
    sibling = registry.take_lease(ALICE, queued(registry)["id"],
                                  Holder("node-a", "run-1", 102), 600)
    other_node = registry.take_lease(ALICE, queued(registry)["id"],
                                     Holder("node-b", "run-1", 101), 600)
    moved = registry.expire_leases(ADMIN, "x", node="node-a", instance="run-1", pid=101)
    assert [i["id"] for i in moved] == [dead["id"]]
    assert status(registry, sibling)["status"] == status(registry, other_node)["status"] == \
        "saving"


def test_start_up_ends_the_leases_of_earlier_runs_of_the_node(registry):
    earlier = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 600)
    now = registry.take_lease(ALICE, queued(registry)["id"], Holder("node-a", "run-2", 5), 600)
    moved = registry.expire_leases(ADMIN, "x", node="node-a", except_instance="run-2")
    assert [i["id"] for i in moved] == [earlier["id"]]
    assert status(registry, now)["status"] == "saving"


def test_a_status_change_or_a_delete_ends_the_lease(registry):
    changed = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 600)
    deleted = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 600)
    registry.update_image(as_service(ALICE), changed["id"], {"status": "killed"})
    registry.delete_image(ALICE, deleted["id"])
    assert registry.renew_leases(ADMIN, HOLDER, 60) == []


def test_only_services_renew_and_expire(registry):
    for call in (lambda: registry.renew_leases(ALICE, HOLDER, 60),
                 lambda: registry.expire_leases(ALICE, "x")):
        with pytest.raises(exception.Forbidden):
            call()


@pytest.mark.parametrize("seconds", [0, -1, 86401, "60", True, None])
def test_a_lease_lasts_a_sane_time(registry, seconds):
    with pytest.raises(exception.Invalid, match="lease"):
        registry.take_lease(ALICE, queued(registry)["id"], HOLDER, seconds)


@pytest.mark.parametrize("to_status,fallback", [("active", "killed"), ("saving", "active")])
def test_a_lease_moves_to_a_writing_status_and_falls_back_to_a_safe_one(registry, to_status,
                                                                        fallback):
    with pytest.raises(exception.Invalid):
        registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 60, to_status=to_status,
                            fallback=fallback)


@pytest.mark.parametrize("document", [None, {}, {"node": "a", "instance": "b"},
                                      {"node": "", "instance": "b", "pid": 1},
                                      {"node": "a", "instance": "b", "pid": -1},
                                      {"node": "a\n", "instance": "b", "pid": 1},
                                      {"node": 1, "instance": "b", "pid": 1}])
def test_a_bad_holder_is_invalid(document):
    with pytest.raises(exception.Invalid):
        Holder.from_json(document)


def test_a_v2_stage_holds_a_lease_and_a_finished_stage_none(registry, clock):
    staging = registry.take_lease(ALICE, queued(registry)["id"], HOLDER, 10,
                                  to_status="uploading", fallback="queued")
    staged = registry.take_lease(ALICE, queued(registry)["id"], OTHER, 10,
                                 to_status="uploading", fallback="queued")
    registry.end_lease(as_service(ALICE), staged["id"], OTHER, {"status": "uploading"})
    clock.tick(11)
    assert [i["id"] for i in registry.expire_leases(ADMIN, "x")] == [staging["id"]]
    assert status(registry, staging)["status"] == "queued"
    assert status(registry, staged)["status"] == "uploading"
