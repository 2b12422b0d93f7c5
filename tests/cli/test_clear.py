"""`glance clear`, on servers of its own: it deletes everything."""

import pytest

from glance import client as gc
from tests.cli.helpers import TerminalInput, new_image, run
from tests.functional.services import running_services

pytestmark = pytest.mark.functional


# -- clear (on servers of its own: it deletes everything) ---------------------------------------------


@pytest.fixture(scope="module")
def clear_services(tmp_path_factory):
    with running_services(tmp_path_factory.mktemp("clear")) as running:
        yield running


@pytest.fixture
def clear_glance(clear_services):
    with gc.Client(clear_services.api_host, clear_services.api_port) as c:
        yield c


def everything(client):
    return client.get_images(is_public="none")


def test_clear_without_terminal_or_force_refuses(clear_services, clear_glance, tag):
    new_image(clear_glance, tag)
    result = run(clear_services.api_url, "clear")
    assert result.code == 2 and "--force" in result.err
    assert everything(clear_glance) != []


def test_clear_dry_run_lists_and_keeps(clear_services, clear_glance, tag):
    image = new_image(clear_glance, tag)
    result = run(clear_services.api_url, "clear", "--dry-run")
    assert result.code == 0 and f"would delete image {image['id']}" in result.out
    assert image["id"] in [i["id"] for i in everything(clear_glance)]


def test_clear_force_deletes_public_and_private_images(clear_services, clear_glance, tag):
    new_image(clear_glance, tag)
    new_image(clear_glance, tag, is_public=False)
    result = run(clear_services.api_url, "clear", "--force")
    assert result.code == 0 and "Deleted" in result.out
    assert everything(clear_glance) == []


def test_clear_asks_on_a_terminal_and_no_keeps(clear_services, clear_glance, tag):
    new_image(clear_glance, tag)
    result = run(clear_services.api_url, "clear", stdin=TerminalInput(b"n\n"))
    assert result.code == 1 and "[y/N]" in result.err and "Nothing deleted" in result.out
    assert everything(clear_glance) != []


def test_clear_asks_on_a_terminal_and_yes_deletes(clear_services, clear_glance, tag):
    new_image(clear_glance, tag)
    result = run(clear_services.api_url, "clear", stdin=TerminalInput(b"y\n"))
    assert result.code == 0 and everything(clear_glance) == []


def test_clear_with_nothing_to_delete(clear_services, clear_glance):
    run(clear_services.api_url, "clear", "--force")
    result = run(clear_services.api_url, "clear", "--force")
    assert (result.code, result.out) == (0, "No images to delete.\n")
