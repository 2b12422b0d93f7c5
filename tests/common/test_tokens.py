"""The token file: hashed at rest, found by key, reloaded on change."""

import json
import os

import pytest

from glance.common import tokens
from glance.common.exception import ConfigError


def test_created_token_identifies_its_tenant_user_and_roles(tmp_path):
    path = str(tmp_path / "tokens.json")
    token = tokens.create_token(path, "t1", "alice", ["admin", "member"])
    identity = tokens.TokenFile(path).identify(token)
    assert identity == tokens.Identity("t1", "alice", ("admin", "member"))


def test_the_file_never_holds_the_token(tmp_path):
    path = str(tmp_path / "tokens.json")
    token = tokens.create_token(path, "t1")
    text = open(path).read()
    secret = token.rsplit("_", 1)[1]
    assert secret not in text and token not in text
    assert json.loads(text)["tokens"][0]["hash"]


def test_the_file_is_private_to_its_owner(tmp_path):
    path = str(tmp_path / "tokens.json")
    tokens.create_token(path, "t1")
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_unknown_and_malformed_tokens_identify_nobody(tmp_path):
    path = str(tmp_path / "tokens.json")
    token = tokens.create_token(path, "t1")
    token_file = tokens.TokenFile(path)
    assert token_file.identify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert token_file.identify("glance_nokey") is None
    assert token_file.identify("") is None
    assert token_file.identify("bearer xyz") is None


def test_missing_file_means_no_tokens(tmp_path):
    assert tokens.TokenFile(str(tmp_path / "none.json")).identify("glance_a_b") is None


def test_file_is_reloaded_when_it_changes(tmp_path):
    path = str(tmp_path / "tokens.json")
    now = [0.0]
    token_file = tokens.TokenFile(path, clock=lambda: now[0])
    first = tokens.create_token(path, "t1")
    assert token_file.identify(first).tenant == "t1"
    second = tokens.create_token(path, "t2")
    now[0] += tokens.RECHECK_SECONDS + 0.1
    assert token_file.identify(second).tenant == "t2"


def test_revoked_token_stops_working(tmp_path):
    path = str(tmp_path / "tokens.json")
    now = [0.0]
    token_file = tokens.TokenFile(path, clock=lambda: now[0])
    token = tokens.create_token(path, "t1")
    assert token_file.identify(token)
    key = tokens.list_tokens(path)[0]["key"]
    assert tokens.revoke_token(path, key)
    now[0] += tokens.RECHECK_SECONDS + 0.1
    assert token_file.identify(token) is None
    assert not tokens.revoke_token(path, key)


def test_list_shows_no_secrets(tmp_path):
    path = str(tmp_path / "tokens.json")
    tokens.create_token(path, "t1", "u", ["member"])
    [entry] = tokens.list_tokens(path)
    assert set(entry) == {"key", "tenant", "user", "roles", "created_at"}


def _clock():
    """A clock that moves past the re-check interval at every call."""
    now = [0.0]

    def tick():
        now[0] += tokens.RECHECK_SECONDS + 1
        return now[0]
    return tick


@pytest.mark.parametrize("content", ["{not json", '{"tokens": [{"salt": "x"}]}', "[1, 2]",
                                     '{"tokens": [{"key": 1, "salt": 2, "hash": 3}]}', ""])
def test_a_corrupt_file_keeps_the_tokens_read_before(tmp_path, caplog, content):
    """Issue 15 item 15: a corrupt token file turned valid tokens into 500s."""
    path = str(tmp_path / "tokens.json")
    token = tokens.create_token(path, "t1")
    token_file = tokens.TokenFile(path, clock=_clock())
    assert token_file.identify(token).tenant == "t1"
    with open(path, "w") as handle:
        handle.write(content)
    assert token_file.identify(token).tenant == "t1"
    assert "cannot be read" in caplog.text or "not a token file" in caplog.text


def test_a_corrupt_file_at_start_means_no_tokens(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text("{half written")
    assert tokens.TokenFile(str(path)).identify("glance_a_b") is None


def test_the_commands_name_a_corrupt_file(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text("{half written")
    with pytest.raises(ConfigError, match="tokens.json"):
        tokens.list_tokens(str(path))
