"""A malformed or unknown option stops a server at start-up, naming it."""

import os
import subprocess

import pytest

from tests.functional.services import PASTE_INI, ROOT, command

pytestmark = pytest.mark.functional


def start(script, tmp_path, config=PASTE_INI, **env):
    full_env = dict(os.environ, GLANCE_SQL_CONNECTION=f"sqlite:///{tmp_path}/g.sqlite",
                    GLANCE_FILESYSTEM_STORE_DATADIR=str(tmp_path / "images"),
                    PYTHONPATH=ROOT, **env)
    return subprocess.run(command(script) + ["--config", config, "--port", "0"],
                          env=full_env, capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("script", ["glance-api", "glance-registry"])
def test_malformed_environment_value_stops_the_server(tmp_path, script):
    result = start(script, tmp_path, GLANCE_IMAGE_SIZE_CAP="lots")
    assert result.returncode == 2
    assert "image_size_cap" in result.stderr and "GLANCE_IMAGE_SIZE_CAP" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_option_in_paste_ini_stops_the_server(tmp_path):
    config = tmp_path / "paste.ini"
    text = open(PASTE_INI).read().replace("[DEFAULT]\n", "[DEFAULT]\nfilesystem_stor_datadir = x\n", 1)
    config.write_text(text)
    result = start("glance-api", tmp_path, config=str(config))
    assert result.returncode == 2
    assert "filesystem_stor_datadir" in result.stderr
    assert "Traceback" not in result.stderr
