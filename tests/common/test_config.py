"""The typed options table: paste confs, environment, converters, errors."""

import pytest

from glance.common import config
from glance.common.exception import ConfigError


def test_defaults_expand_here():
    conf = config.load({"here": "/srv/glance"}, {}, environ={})
    assert conf.filesystem_store_datadir == "/srv/glance/var/images"
    assert conf.sql_connection == "sqlite:////srv/glance/var/glance.sqlite"


def test_local_conf_wins_over_global():
    conf = config.load({"bind_port": "1"}, {"bind_port": "2"}, environ={})
    assert conf.bind_port == 2


def test_environment_wins_over_paste():
    conf = config.load({}, {"bind_port": "2"}, environ={"GLANCE_BIND_PORT": "3"})
    assert conf.bind_port == 3


def test_unknown_option_names_it():
    with pytest.raises(ConfigError, match="bogus_option"):
        config.load({}, {"bogus_option": "1"}, environ={})


def test_malformed_value_names_option_and_origin():
    with pytest.raises(ConfigError, match="image_size_cap.*GLANCE_IMAGE_SIZE_CAP"):
        config.load({}, {}, environ={"GLANCE_IMAGE_SIZE_CAP": "lots"})


@pytest.mark.parametrize("text,value", [("512", 512), ("64K", 65536), ("10G", 10 << 30),
                                        ("1T", 1 << 40), ("2MiB", 2 << 20)])
def test_sizes(text, value):
    assert config.to_size(text) == value


@pytest.mark.parametrize("text,value", [("true", True), ("Off", False), ("1", True)])
def test_bools(text, value):
    assert config.to_bool(text) is value


def test_bad_choice_is_refused():
    with pytest.raises(ConfigError, match="default_store"):
        config.load({}, {"default_store": "floppy"}, environ={})


def test_unrelated_glance_environment_variables_are_ignored():
    conf = config.load({}, {}, environ={"GLANCE_URL": "http://x", "GLANCE_AUTH_TOKEN": "t"})
    assert conf.bind_port == 9292


def test_every_option_has_help():
    assert all(row[3] for row in config.describe())


@pytest.mark.parametrize("text, apis", [("v1", ["v1"]), ("v1, v2", ["v1", "v2"]),
                                        ("V2 v1 v1", ["v2", "v1"])])
def test_enabled_apis(text, apis):
    assert config.load({}, {"enabled_apis": text}, environ={}).enabled_apis == apis


@pytest.mark.parametrize("text", ["v2", "v1, v3", ""])
def test_enabled_apis_must_name_known_apis_and_keep_v1(text):
    with pytest.raises(ConfigError, match="enabled_apis"):
        config.load({}, {"enabled_apis": text}, environ={})


@pytest.mark.parametrize("text", ["0", "-1", "many"])
def test_max_background_copies_is_a_positive_integer(text):
    with pytest.raises(ConfigError, match="max_background_copies"):
        config.load({}, {"max_background_copies": text}, environ={})
