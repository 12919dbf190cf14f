"""Cache: content addresses, atomic publish, checksum verification."""

import json

import pytest

from mdrepro.data.cache import CacheEntry, atomic_write_text, entry_key, sha256_file
from mdrepro.errors import ChecksumError, DataError


def test_key_depends_on_params_and_version():
    k = entry_key("x", 1, {"a": 1, "b": [1, 2]})
    assert k == entry_key("x", 1, {"b": [1, 2], "a": 1})  # order-free
    assert k != entry_key("x", 1, {"a": 2, "b": [1, 2]})
    assert k != entry_key("x", 2, {"a": 1, "b": [1, 2]})
    assert k != entry_key("y", 1, {"a": 1, "b": [1, 2]})
    assert len(k) == 16


def test_atomic_write_leaves_no_temporary(tmp_path):
    atomic_write_text(tmp_path / "f.txt", "hello")
    assert (tmp_path / "f.txt").read_text() == "hello"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_atomic_write_failure_keeps_old_content(tmp_path):
    f = tmp_path / "f.txt"
    atomic_write_text(f, "old")

    class Boom:
        def encode(self):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write_text(f, Boom())
    assert f.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def _published(tmp_path):
    ent = CacheEntry("toy", "0123456789abcdef", root=tmp_path)
    part = ent.begin()
    (part / "a.bin").write_bytes(b"\x00\x01" * 100)
    (ent.scratch / "ckpt").write_bytes(b"scratch")
    ent.publish({"engine": "test"})
    return ent


def test_publish_is_visible_only_when_complete(tmp_path):
    ent = CacheEntry("toy", "0123456789abcdef", root=tmp_path)
    ent.begin()
    assert not ent.exists()  # a partial build is invisible
    ent2 = _published(tmp_path)
    assert ent2.exists() and not ent2.partial.exists()
    doc = ent2.manifest()
    assert doc["engine"] == "test"
    assert set(doc["files"]) == {"a.bin"}  # scratch is not published
    assert doc["files"]["a.bin"]["sha256"] == sha256_file(ent2.path / "a.bin")


def test_verify_detects_modified_file(tmp_path):
    ent = _published(tmp_path)
    ent.verify()
    (ent.path / "a.bin").write_bytes(b"tampered")
    with pytest.raises(ChecksumError, match="a.bin has sha256"):
        ent.verify()


def test_verify_detects_missing_file(tmp_path):
    ent = _published(tmp_path)
    (ent.path / "a.bin").unlink()
    with pytest.raises(ChecksumError, match="missing"):
        ent.verify()


def test_unreadable_manifest_is_a_clear_error(tmp_path):
    ent = _published(tmp_path)
    (ent.path / "manifest.json").write_text("{not json")
    with pytest.raises(DataError, match="expected JSON"):
        ent.manifest()


def test_publish_without_files_is_refused(tmp_path):
    ent = CacheEntry("toy", "k", root=tmp_path)
    ent.begin()
    with pytest.raises(DataError, match="no files"):
        ent.publish({})
    assert json.dumps({})  # nothing else written
    assert not ent.exists()


def test_a_second_builder_waits_for_the_lock(tmp_path):
    """Two processes building one data set: the second waits, then finds it published."""
    import threading
    import time

    ent = CacheEntry("toy", "k1", root=tmp_path)
    order = []

    def first():
        with ent.locked():
            order.append("first in")
            time.sleep(0.5)
            order.append("first out")

    t = threading.Thread(target=first)
    t.start()
    time.sleep(0.1)
    t0 = time.perf_counter()
    with ent.locked():
        order.append("second in")
    t.join()
    assert order == ["first in", "first out", "second in"]
    assert time.perf_counter() - t0 > 0.3


def test_cache_files_follow_the_umask_not_0600(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "m.json", "{}")
        assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o644
        os.umask(0o002)
        atomic_write_text(tmp_path / "g.json", "{}")
        assert stat.S_IMODE((tmp_path / "g.json").stat().st_mode) == 0o664
    finally:
        os.umask(old)


def _publish(root, content=b"abc"):
    ent = CacheEntry("ds", "0123456789abcdef", root)
    ent.begin()
    (ent.partial / "x.bin").write_bytes(content)
    return ent, ent.publish({"wall_time_s": 1.0})


def test_a_forced_rebuild_with_the_same_bytes_keeps_the_entry_and_its_dates(tmp_path):
    import os

    ent, path = _publish(tmp_path)
    mf = path / "manifest.json"
    os.utime(mf, (1e9, 1e9))
    os.utime(path / "x.bin", (1e9, 1e9))
    _publish(tmp_path)  # same bytes: nothing replaced, nothing for the workflow to rerun
    assert mf.stat().st_mtime == 1e9 and (path / "x.bin").stat().st_mtime == 1e9
    assert not ent.partial.exists()
    _publish(tmp_path, b"abd")  # different bytes: replaced
    assert mf.stat().st_mtime != 1e9 and ent.verify()["files"]["x.bin"]["bytes"] == 3


def test_a_killed_attempts_time_is_added_on_resume(tmp_path):
    import os
    import time

    ent = CacheEntry("ds", "0123456789abcdef", tmp_path)
    ent.begin()
    att = ent.scratch / "attempt.json"
    start = time.time() - 100
    att.write_text(json.dumps({"started": start}))
    os.utime(att, (start, start))
    chunk = ent.scratch / "copy0_chunk00000.npz"
    chunk.write_bytes(b"x")
    os.utime(chunk, (start + 40, start + 40))  # its last file: 40 s after it started
    ent.begin()  # the resume
    assert abs(float((ent.scratch / "wall_time_s").read_text()) - 40) < 1
    ent.begin()  # resumed again at once: the previous attempt wrote nothing, adds ~0
    assert abs(float((ent.scratch / "wall_time_s").read_text()) - 40) < 2
