"""mdrepro.preflight: read-only and full folders fail in one line before any work; damaged
caches are found, moved aside and rebuilt; a missing unit drops its chapter's stamp."""

import json
import os
import shutil
import tempfile
from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest

from mdrepro import cli, preflight, results
from mdrepro.results import StorageError

Usage = namedtuple("Usage", "total used free")


@pytest.fixture
def full_disk(monkeypatch):
    """Every folder reports 1 MB free (a full 1 MB tmpfs)."""
    monkeypatch.setattr(shutil, "disk_usage", lambda p: Usage(1 << 20, 0, 1 << 20))


@pytest.fixture
def read_only(monkeypatch, tmp_path):
    """No new file can be made under tmp_path/ro (root ignores permission bits, so the probe
    is refused the way a read-only mount refuses it)."""
    ro = tmp_path / "ro"
    ro.mkdir()
    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and str(dir).startswith(str(ro)):
            raise OSError(30, "Read-only file system", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    return ro


def test_check_folder_says_what_was_expected_and_found(tmp_path, full_disk, read_only):
    with pytest.raises(StorageError) as exc:
        preflight.check_folder(read_only / "results", 0, "the results cache")
    assert "\n" not in str(exc.value) and "Read-only file system" in str(exc.value)
    with pytest.raises(StorageError, match=r"expected at least .* free .* found 1 MB"):
        preflight.check_folder(tmp_path / "ok", 64 << 20, "the data cache")
    assert preflight.check_folder(tmp_path / "ok", 0).is_dir()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_real_read_only_folder_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(StorageError, match="writable"):
            preflight.check_folder(ro)
    finally:
        ro.chmod(0o755)


def _never(*a, **k):
    raise AssertionError("computation started")


@pytest.mark.parametrize("fault", ["full_disk", "read_only"])
def test_data_build_fails_in_one_line_before_simulating(
    fault, request, tmp_path, monkeypatch, capsys
):
    ro = request.getfixturevalue(fault)
    root = ro / "cache" if fault == "read_only" else tmp_path / "cache"
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(root))
    from mdrepro.data import recipes

    monkeypatch.setattr(recipes, "get", _never)
    assert cli.main(["data", "build", "fourwell-bd", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mdrepro: error: expected")


@pytest.mark.parametrize("fault", ["full_disk", "read_only"])
def test_study_run_fails_in_one_line_before_computing(
    fault, request, tmp_path, monkeypatch, capsys
):
    ro = request.getfixturevalue(fault)
    monkeypatch.setenv("MDREPRO_RESULTS_DIR", str(ro / "res" if fault == "read_only" else ro))
    monkeypatch.setattr(results, "run_jobs", _never)
    if fault == "full_disk":
        monkeypatch.setattr(preflight, "UNIT_BYTES", 8 << 20)
    assert cli.main(["study", "run", "ch04", "--all", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mdrepro: error: expected")


def test_an_os_error_reaching_the_command_line_is_one_line(monkeypatch, capsys):
    def boom(args):
        raise OSError(28, "No space left on device", "/some/file")

    monkeypatch.setattr(cli, "cmd_data_list", boom)
    assert cli.main(["data", "list"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "mdrepro: error: could not access /some/file: No space left on device "
        "(a full disk or a read-only folder?)"
    ]


# ---------------------------------------------------------------------------- verification
def test_verify_results_finds_and_moves_damaged_files(tmp_path):
    a = results.save({"x": np.arange(4)}, tmp_path / "p" / "s" / "a" / "k1.npz")
    b = results.save({"x": np.arange(5)}, tmp_path / "p" / "s" / "b" / "k2.npz")
    raw = bytearray(b.read_bytes())
    raw[len(raw) // 2] ^= 1
    b.write_bytes(bytes(raw))
    found = preflight.verify_results(tmp_path)
    assert found.checked == 2 and len(found.damaged) == 1 and str(b) in found.damaged[0]
    assert b.is_file()  # reported, not moved
    fixed = preflight.verify_results(tmp_path, repair=True)
    assert not b.exists() and a.is_file() and len(fixed.moved) == 1
    assert fixed.moved[0].is_file() and ".damaged" in fixed.moved[0].parts
    assert preflight.verify_results(tmp_path).damaged == []


def test_verify_data_moves_a_damaged_set_aside(tmp_path, monkeypatch):
    from mdrepro.data.cache import CacheEntry

    monkeypatch.setenv("MDREPRO_DATA_DIR", str(tmp_path))
    ent = CacheEntry("fourwell-bd", "0123456789abcdef")
    ent.begin()
    (ent.partial / "x.npy").write_bytes(b"12345")
    ent.publish({"profile": "ci"})
    assert preflight.verify_data().damaged == []
    (ent.path / "x.npy").write_bytes(b"12346")
    assert "sha256" in preflight.verify_data("ci").damaged[0]
    assert preflight.verify_data("paper").checked == 0
    moved = preflight.verify_data(repair=True).moved
    assert not ent.exists() and moved and (moved[0] / "manifest.json").is_file()


def test_cli_verify_exit_status(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MDREPRO_RESULTS_DIR", str(tmp_path / "res"))
    f = results.save({"x": np.arange(4)}, tmp_path / "res" / "p" / "s" / "a" / "k.npz")
    assert cli.main(["verify"]) == 0
    f.write_bytes(f.read_bytes()[:-3])
    assert cli.main(["verify"]) == 1
    assert cli.main(["verify", "--repair"]) == 0 and not f.exists()
    assert "1 damaged" in capsys.readouterr().out


def test_a_missing_unit_drops_its_chapters_stamp(tmp_path, monkeypatch):
    from mdrepro import workflow

    monkeypatch.setenv("MDREPRO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MDREPRO_RESULTS_DIR", str(tmp_path / "res"))

    class Plan(workflow.Plan):
        def stamp(self, chapter):
            return tmp_path / "stamps" / f"{chapter}.done"

    keep = results.save({"x": 1}, tmp_path / "res" / "p" / "s" / "a" / "k.npz")
    gone = tmp_path / "res" / "p" / "s" / "b" / "k.npz"
    plan = Plan("ci", "cpu", chapters={"chA": None, "chB": None})
    plan.units = {
        "chA": [workflow.UnitTarget("chA", "p", "s", "a", keep)],
        "chB": [workflow.UnitTarget("chB", "p", "s", "b", gone)],
    }
    for c in ("chA", "chB"):
        plan.stamp(c).parent.mkdir(parents=True, exist_ok=True)
        plan.stamp(c).write_text("")
    said = []
    extra = preflight.prepare_workflow(plan, say=said.append)
    assert plan.stamp("chA").is_file() and not plan.stamp("chB").exists()
    assert extra == [str(gone), str(plan.stamp("chB"))]  # named as targets
    # a units-only build names the units only; the next full build names the stamp
    assert preflight.prepare_workflow(plan, say=said.append, chapters=False) == [str(gone)]
    gone.parent.mkdir(parents=True)
    results.save({"x": 2}, gone)
    assert preflight.prepare_workflow(plan, say=said.append) == [str(plan.stamp("chB"))]
    assert len(said) == 1 and "chB: 1 unit result(s) missing" in said[0]


def test_estimates_come_from_earlier_builds(tmp_path, monkeypatch):
    monkeypatch.setenv("MDREPRO_DATA_DIR", str(tmp_path))
    assert preflight.estimate_data_bytes("fourwell-bd", "ci") == preflight.DATA_BYTES["ci"]
    old = Path(tmp_path) / "fourwell-bd" / "oldkey"
    old.mkdir(parents=True)
    doc = {"profile": "ci", "files": {"a": {"bytes": 1000}, "b": {"bytes": 234}}}
    (old / "manifest.json").write_text(json.dumps(doc))
    assert preflight.estimate_data_bytes("fourwell-bd", "ci") == 1234
