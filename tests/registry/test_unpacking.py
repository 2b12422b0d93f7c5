"""Records as the registry reads them: one packed text per image
(`records.record_sql`), a page of them fetched as one row on sqlite
(`Dialect.one_row_page`), parsed once per process and text
(`records.unpack`'s memo) — and never stale, never shared between callers."""

import json

import pytest

from glance.registry import records
from tests.registry.helpers import ALICE, NOAUTH, as_service, listed


def make(registry, name, **values):
    return registry.create_image(as_service(ALICE), dict(values, name=name, is_public=True))


def test_each_reader_gets_a_record_of_its_own(registry):
    image = make(registry, "mine", properties={"distro": "ubuntu"})
    registry.add_tag(as_service(ALICE), image["id"], "lts")
    first = listed(registry, NOAUTH, detailed=True)[0]
    first["name"] = "changed"
    first["tags"].append("edited")
    first["properties"]["distro"] = "debian"
    for again in (listed(registry, NOAUTH, detailed=True)[0],
                  registry.get_image(NOAUTH, image["id"])):
        assert (again["name"], again["tags"], again["properties"]) == (
            "mine", ["lts"], {"distro": "ubuntu"})


def test_a_change_is_read_at_once(registry, clock):
    image = make(registry, "before", properties={"k": "1"})
    assert listed(registry, NOAUTH, detailed=True)[0]["name"] == "before"
    clock.tick()
    registry.update_image(as_service(ALICE), image["id"], {"name": "after",
                                                          "properties": {"k": "2"}})
    [again] = listed(registry, NOAUTH, detailed=True)
    assert (again["name"], again["properties"]) == ("after", {"k": "2"})
    registry.delete_image(as_service(ALICE), image["id"])
    assert listed(registry, NOAUTH, detailed=True) == []


def test_a_record_names_the_text_it_came_from(registry):
    make(registry, "small")
    make(registry, "large", properties={"blob": "x" * records.MEMO_TEXT_MAX})
    by_name = {image["name"]: image for image in listed(registry, NOAUTH, detailed=True)}
    small, large = by_name["small"], by_name["large"]
    assert isinstance(small, records.Record) and '"small"' in small.packed
    # Too large to memoize: parsed each time, and nothing may memoize what
    # is made of it.
    assert large.packed is None and large["properties"]["blob"] == "x" * records.MEMO_TEXT_MAX
    # Copies are plain dicts: a changed copy never passes for the text.
    assert type(dict(small)) is dict and type(small.copy()) is dict


def test_equal_texts_are_parsed_once(registry):
    make(registry, "once")
    listed(registry, NOAUTH, detailed=True)
    before = records._parsed.cache_info()
    for _ in range(3):
        listed(registry, NOAUTH, detailed=True)
    after = records._parsed.cache_info()
    assert after.hits - before.hits == 3 and after.misses == before.misses


def test_the_memo_is_bounded():
    for index in range(records.MEMO_SIZE + 5):
        text = json.dumps([f"id-{index}"] + [None] * (len(records._PACKED) - 1))
        assert records.unpack(text)["id"] == f"id-{index}"
    assert records._parsed.cache_info().currsize <= records.MEMO_SIZE


@pytest.mark.parametrize("detailed", [True, False])
def test_a_page_of_one_row_keeps_every_character_and_the_order(registry, clock, detailed):
    """A page travels as one text of packed records joined by newlines:
    values holding newlines and other control characters (refused today,
    but a database may hold older ones) come back whole, in list order."""
    awkward = ["line\nbreak", "tab\there", "cr\r\nlf", "unit\x1fsep", "end\n"]
    for index, value in enumerate(awkward):
        image = make(registry, f"image-{index}", properties={"text": "plain"})
        with registry.db.transaction(write=True) as conn:
            conn.execute("UPDATE images SET name = ? WHERE id = ?", (f"image-{index}\n", image["id"]))
            conn.execute("UPDATE image_properties SET value = ? WHERE image_id = ?",
                         (value, image["id"]))
        clock.tick()
    page = listed(registry, NOAUTH, detailed=detailed, limit=3)
    assert [image["name"] for image in page] == ["image-4\n", "image-3\n", "image-2\n"]
    if detailed:
        assert [image["properties"]["text"] for image in page] == awkward[:1:-1]
    rest = listed(registry, NOAUTH, detailed=detailed, limit=3, marker=page[-1]["id"])
    assert [image["name"] for image in rest] == ["image-1\n", "image-0\n"]
