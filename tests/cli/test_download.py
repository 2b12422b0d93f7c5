"""`glance download`: files, standard output, checksums, progress on a
terminal, and resuming a partial copy.

Most tests call `glance.cli.main()` in-process with its streams injected
(`tests.cli.helpers.run`); a few run it as a process to check what only a
process shows.
"""

import hashlib
import os

import pytest

from tests.cli.helpers import new_image, on_terminal, process, run, write
from tests.client.peer import ScriptedPeer, image_answer

pytestmark = pytest.mark.functional


# -- download -------------------------------------------------------------------------------------


def test_download_writes_the_file(url, glance, tag, tmp_path):
    data = os.urandom(300_000)
    image = new_image(glance, tag, data)
    target = tmp_path / "out.img"
    result = run(url, "download", str(image["id"]), "-o", str(target))
    assert result.code == 0 and target.read_bytes() == data
    assert f"Saved image {image['id']} to {target}" in result.out


def test_download_defaults_to_the_image_name(url, glance, tag, tmp_path, monkeypatch):
    image = new_image(glance, tag, b"named", name="disk.raw")
    monkeypatch.chdir(tmp_path)
    assert run(url, "download", str(image["id"])).code == 0
    assert (tmp_path / "disk.raw").read_bytes() == b"named"


def test_download_refuses_to_overwrite(url, glance, tag, tmp_path):
    image = new_image(glance, tag, b"new")
    target = tmp_path / "exists"
    target.write_bytes(b"old")
    result = run(url, "download", str(image["id"]), "-o", str(target))
    assert result.code == 2 and "--force" in result.err and target.read_bytes() == b"old"


def test_download_force_overwrites(url, glance, tag, tmp_path):
    image = new_image(glance, tag, b"new")
    target = tmp_path / "exists"
    target.write_bytes(b"old")
    assert run(url, "download", "--force", str(image["id"]), "-o", str(target)).code == 0
    assert target.read_bytes() == b"new"


def test_download_to_standard_output(url, glance, tag):
    image = new_image(glance, tag, b"\x00\xffraw bytes")
    result = run(url, "download", str(image["id"]), "-o", "-")
    assert result.code == 0 and result.raw == b"\x00\xffraw bytes"


def test_download_of_an_image_without_data_exits_1_and_writes_nothing(url, glance, tag,
                                                                       tmp_path):
    image = new_image(glance, tag)
    result = run(url, "download", str(image["id"]), "-o", str(tmp_path / "f"))
    assert result.code == 1 and os.listdir(tmp_path) == []


def test_download_with_a_bad_checksum_exits_1_and_leaves_no_file(tmp_path):
    peer = ScriptedPeer(lambda r: image_answer(b"tampered", hashlib.md5(b"real").hexdigest()))
    try:
        result = run(f"http://127.0.0.1:{peer.port}", "download", "1",
                     "-o", str(tmp_path / "f"))
    finally:
        peer.close()
    assert result.code == 1 and "checksum" in result.err
    assert os.listdir(tmp_path) == []


def test_interrupted_download_leaves_no_file(tmp_path):
    def answer(request):
        status, headers, data = image_answer(b"x" * 100_000, "")
        return status, headers + [("Content-Length", "1000000")], data, "drop"
    peer = ScriptedPeer(answer)
    try:
        result = run(f"http://127.0.0.1:{peer.port}", "download", "1",
                     "-o", str(tmp_path / "f"))
    finally:
        peer.close()
    assert result.code == 1 and "lost" in result.err
    assert os.listdir(tmp_path) == []


# -- progress ---------------------------------------------------------------------------------------


def test_add_shows_progress_on_a_terminal(url, tag, tmp_path):
    source = write(tmp_path / "p.img", 5 * 2**20)
    code, out, terminal = on_terminal(url, "add", f"tag={tag}", "--file", str(source))
    assert code == 0 and b"Added new image" in out
    assert b"\r[" in terminal and b"100%" in terminal and b"5.0 MiB / 5.0 MiB" in terminal
    assert b"/s" in terminal and b"ETA" in terminal and terminal.endswith(b"\r\n")


def test_download_shows_progress_on_a_terminal(url, glance, tag, tmp_path):
    image = new_image(glance, tag, os.urandom(3 * 2**20))
    code, out, terminal = on_terminal(url, "download", str(image["id"]),
                                      "-o", str(tmp_path / "d"))
    assert code == 0 and b"100%" in terminal and b"3.0 MiB / 3.0 MiB" in terminal


def test_quiet_hides_progress_on_a_terminal(url, tag, tmp_path):
    source = write(tmp_path / "q.img", 2**20)
    code, out, terminal = on_terminal(url, "-q", "add", f"tag={tag}", "--file", str(source))
    assert code == 0 and b"%" not in terminal


def test_no_progress_on_a_pipe(url, tag, tmp_path):
    source = write(tmp_path / "n.img", 2**20)
    proc = process(url, "add", f"tag={tag}", "--file", str(source))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and b"Added new image" in out and err == b""


# -- resuming a download ------------------------------------------------------------------------


def partial_of(target, checksum):
    return target.parent / f".{target.name}.{checksum}.part"


def test_download_resumes_a_partial_copy_of_the_same_image(url, glance, tag, tmp_path):
    data = os.urandom(500_000)
    image = new_image(glance, tag, data)
    target = tmp_path / "resumed.img"
    partial_of(target, image["checksum"]).write_bytes(data[:200_000])
    result = run(url, "download", str(image["id"]), "-o", str(target))
    assert result.code == 0, result.err
    assert target.read_bytes() == data and os.listdir(tmp_path) == ["resumed.img"]


def test_download_of_a_complete_partial_copy_fetches_nothing_more(url, glance, tag, tmp_path):
    data = os.urandom(1000)
    image = new_image(glance, tag, data)
    target = tmp_path / "whole.img"
    partial_of(target, image["checksum"]).write_bytes(data)
    assert run(url, "download", str(image["id"]), "-o", str(target)).code == 0
    assert target.read_bytes() == data


def test_a_wrong_partial_copy_fails_the_checksum_and_is_removed(url, glance, tag, tmp_path):
    data = os.urandom(1000)
    image = new_image(glance, tag, data)
    target = tmp_path / "wrong.img"
    partial_of(target, image["checksum"]).write_bytes(b"not the image's first bytes")
    result = run(url, "download", str(image["id"]), "-o", str(target))
    assert result.code == 1 and "checksum" in result.err
    assert os.listdir(tmp_path) == []
    assert run(url, "download", str(image["id"]), "-o", str(target)).code == 0
    assert target.read_bytes() == data


def test_a_partial_copy_longer_than_the_image_starts_over(url, glance, tag, tmp_path):
    data = os.urandom(1000)
    image = new_image(glance, tag, data)
    target = tmp_path / "long.img"
    partial_of(target, image["checksum"]).write_bytes(os.urandom(5000))
    assert run(url, "download", str(image["id"]), "-o", str(target)).code == 0
    assert target.read_bytes() == data


def test_an_interrupted_download_is_kept_and_resumed_with_if_range(tmp_path):
    data = os.urandom(1_000_000)
    checksum = hashlib.md5(data).hexdigest()

    def answer(request):
        status, headers, _ = image_answer(data, checksum)
        asked = request["headers"].get("Range")
        if asked is None:       # the first try breaks after 300,000 bytes
            return status, headers + [("Content-Length", str(len(data)))], data[:300_000], "drop"
        first = int(asked.split("=")[1].rstrip("-"))
        return 206, headers + [("Content-Range", f"bytes {first}-{len(data) - 1}/{len(data)}"),
                               ("Content-Length", str(len(data) - first))], data[first:]
    peer = ScriptedPeer(answer)
    target = tmp_path / "f"
    try:
        url = f"http://127.0.0.1:{peer.port}"
        first = run(url, "download", "1", "-o", str(target))
        assert first.code == 1 and "resume" in first.err
        assert partial_of(target, checksum).stat().st_size == 300_000
        second = run(url, "download", "1", "-o", str(target))
    finally:
        peer.close()
    assert second.code == 0, second.err
    assert target.read_bytes() == data
    ranged = [r for r in peer.requests if r["headers"].get("Range")]
    assert ranged[-1]["headers"]["Range"] == "bytes=300000-"
    assert ranged[-1]["headers"]["If-Range"] == f'"{checksum}"'


def test_a_server_checksum_that_is_not_an_md5_names_no_partial_file(tmp_path):
    peer = ScriptedPeer(lambda r: image_answer(b"data", "../../escape"))
    try:
        result = run(f"http://127.0.0.1:{peer.port}", "download", "1",
                     "-o", str(tmp_path / "f"))
    finally:
        peer.close()
    assert result.code == 1 and os.listdir(tmp_path) == []
