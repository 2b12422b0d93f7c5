"""glance-manage's token commands, run as its `main` (argv in, exit status out)."""

from glance.cmd import manage


def test_token_commands_create_list_and_revoke(tmp_path, capsys):
    path = str(tmp_path / "tokens.json")
    assert manage.main(["token-create", "--tenant", "t1", "--file", path]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("glance_")
    assert manage.main(["token-list", "--file", path]) == 0
    listed = capsys.readouterr().out
    assert "t1" in listed and token not in listed


def test_a_corrupt_token_file_is_a_message_and_status_2(tmp_path, capsys):
    path = tmp_path / "tokens.json"
    path.write_text("{half written")
    assert manage.main(["token-list", "--file", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glance-manage: the token file") and "Traceback" not in err
