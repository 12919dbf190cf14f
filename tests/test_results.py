"""mdrepro.results: typed results as files, code hashes, and the content-addressed store."""

import json
from dataclasses import dataclass, field

import numpy as np
import pytest

from mdrepro import results
from mdrepro.errors import DataError
from mdrepro.training import TrainResult


@dataclass
class Inner:
    name: str
    values: np.ndarray


@dataclass
class Outer:
    inner: Inner
    items: list
    by_float: dict
    by_tuple: dict
    pair: tuple
    x: float = float("nan")
    flag: bool = True
    none: object = None
    extra: dict = field(default_factory=dict)


@pytest.fixture(autouse=True)
def _trust_this_module(monkeypatch):
    monkeypatch.setattr(
        results, "TRUSTED_PACKAGES", (*results.TRUSTED_PACKAGES, __name__.split(".")[0])
    )


def sample():
    return Outer(
        inner=Inner("a", np.arange(6, dtype=np.float32).reshape(2, 3)),
        items=[np.ones(2), {"k": np.int64(3)}, "s"],
        by_float={10.0: np.zeros(3), 50.0: np.ones(3)},
        by_tuple={("adk", 1): 0.5},
        pair=(1, "b"),
        extra={"train": TrainResult(np.array([1.0, 0.5]), np.array([np.nan, np.nan]))},
    )


def test_round_trip_keeps_types_values_and_dtypes(tmp_path):
    a = sample()
    b = results.load(results.save(a, tmp_path / "x.npz"))
    assert isinstance(b, Outer) and isinstance(b.inner, Inner)
    assert b.inner.values.dtype == np.float32
    np.testing.assert_array_equal(b.inner.values, a.inner.values)
    assert list(b.by_float) == [10.0, 50.0] and b.by_tuple == {("adk", 1): 0.5}
    assert b.pair == (1, "b") and np.isnan(b.x) and b.flag is True and b.none is None
    assert b.items[1]["k"] == 3 and b.items[2] == "s"
    assert isinstance(b.extra["train"], TrainResult)
    np.testing.assert_array_equal(b.extra["train"].train_loss, [1.0, 0.5])


def test_the_same_result_gives_the_same_bytes():
    assert results.to_bytes(sample()) == results.to_bytes(sample())


def test_unsupported_values_and_foreign_classes_are_refused(tmp_path):
    with pytest.raises(DataError, match="found object"):
        results.to_bytes(Inner("a", object()))
    with pytest.raises(DataError, match="dtype object"):
        results.to_bytes(Inner("a", np.array([None, 1], dtype=object)))
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("__meta__.json", '{"__dataclass__": "os:PathLike", "fields": {}}')
    with pytest.raises(DataError, match="result class"):
        results.from_bytes(buf.getvalue())


def test_damaged_file_gives_one_clear_error(tmp_path):
    p = tmp_path / "bad.npz"
    p.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="damaged"):
        results.load(p)
    with pytest.raises(DataError, match="expected a result file"):
        results.load(tmp_path / "missing.npz")


def test_module_closure_follows_imports():
    closure = results.module_closure(["mdrepro.papers.gupta2020.study"])
    assert "mdrepro.papers.gupta2020.study" in closure
    assert "mdrepro.analysis.timeseries" in closure  # through `from mdrepro import analysis`
    assert "mdrepro.models.forecast" in closure  # a function-level import counts
    assert "mdrepro.papers.gupta2020.claims" not in closure  # claims do not decide results
    assert "mdrepro.papers.cava.study" not in closure


def test_code_hash_changes_with_any_module_in_the_closure(tmp_path, monkeypatch):
    pkg = tmp_path / "mdrepro"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("from mdrepro.sub import b\n")
    (pkg / "sub" / "b.py").write_text("X = 1\n")
    (pkg / "sub" / "c.py").write_text("Y = 1\n")
    monkeypatch.setattr(results, "_PACKAGE_DIR", pkg)
    h0 = results.code_hash(["mdrepro.sub.a"])
    (pkg / "sub" / "c.py").write_text("Y = 2\n")  # not imported by a
    assert results.code_hash(["mdrepro.sub.a"]) == h0
    (pkg / "sub" / "b.py").write_text("X = 2\n")
    assert results.code_hash(["mdrepro.sub.a"]) != h0


def test_store_computes_once_and_keys_by_params_data_and_code(tmp_path):
    st = results.Store(["mdrepro.results"], root=tmp_path)
    calls = []

    def compute():
        calls.append(1)
        return Inner("r", np.arange(3))

    u = results.Unit("p", "s", "u-1", params={"a": 1}, data={"d": "abc"})
    assert not st.has(u)
    first = st.get_or_compute(u, compute)
    again = st.get_or_compute(u, compute)
    assert len(calls) == 1 and st.has(u)
    np.testing.assert_array_equal(first.values, again.values)
    assert st.path(u).parent == tmp_path / "p" / "s" / "u-1"
    other = [
        results.Unit("p", "s", "u-1", params={"a": 2}, data={"d": "abc"}),
        results.Unit("p", "s", "u-1", params={"a": 1}, data={"d": "abd"}),
    ]
    assert len({st.path(x) for x in [u, *other]}) == 3
    st2 = results.Store(["mdrepro.results"], root=tmp_path)
    st2._code = "different"
    assert st2.path(u) != st.path(u)


def test_failed_computation_leaves_nothing(tmp_path):
    st = results.Store(["mdrepro.results"], root=tmp_path)
    u = results.Unit("p", "s", "u", params={})

    def boom():
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        st.get_or_compute(u, boom)
    assert not st.has(u) and not list(tmp_path.rglob("*.npz"))


def test_unit_ids_are_folder_names():
    with pytest.raises(DataError, match="unit id"):
        results.Unit("p", "s", "a/b")


def test_timing_fields_stay_out_of_the_archive(tmp_path):
    a = TrainResult(np.array([1.0, 0.5]), np.array([1.0, 0.4]), wall_s=3.0, train_time_s=2.0)
    b = TrainResult(np.array([1.0, 0.5]), np.array([1.0, 0.4]), wall_s=9.0, train_time_s=7.0)
    assert results.to_bytes(a) == results.to_bytes(b)
    back = results.load(results.save(b, tmp_path / "r.npz"))
    assert back.wall_s == 9.0 and back.train_time_s == 7.0
    info = json.loads((tmp_path / "r.run.json").read_text())
    assert info["timings"] and "slurm_job_id" in info and info["host"]
    (tmp_path / "r.run.json").unlink()
    assert np.isnan(results.load(tmp_path / "r.npz").wall_s)


# ------------------------------------------------------------------------- damage and disks
def _flip(data: bytes, pos: int) -> bytes:
    b = bytearray(data)
    b[pos] ^= 0xFF
    return bytes(b)


@pytest.mark.parametrize("recorded", [True, False], ids=["checksum", "legacy-no-checksum"])
def test_200_single_byte_flips_give_one_line_or_load_the_same_result(tmp_path, recorded):
    """Every flip is caught (one-line DamagedResult) or harmless (the same values load);
    without a recorded checksum (older results) the archive's CRC-32s do the catching."""
    p = results.save(sample(), tmp_path / "r.npz")
    good = p.read_bytes()
    side = results.run_info_path(p)
    if not recorded:
        doc = json.loads(side.read_text())
        doc.pop("sha256")
        side.write_text(json.dumps(doc))
    rng = np.random.default_rng(20)
    caught = 0
    for pos in rng.choice(len(good), size=200, replace=len(good) < 200):
        p.write_bytes(_flip(good, int(pos)))
        try:
            got = results.load(p)
        except results.DamagedResult as exc:
            assert "\n" not in str(exc) and str(p) in str(exc)
            caught += 1
            continue
        assert results.to_bytes(got) == results.to_bytes(sample())  # harmless flip
    assert caught >= (200 if recorded else 100)


def test_a_damaged_unit_is_moved_aside_and_recomputed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MDREPRO_RESULTS_DIR", str(tmp_path))
    st = results.Store(["mdrepro.results"], root=tmp_path)
    u = results.Unit("p", "s", "u", params={})
    calls = []

    def compute():
        calls.append(1)
        return Inner("r", np.arange(3))

    st.get_or_compute(u, compute)
    path = st.path(u)
    path.write_bytes(_flip(path.read_bytes(), 40))
    assert st.check(u).startswith("sha256") and st.has(u)
    jobs = [results.Job(u, compute)]
    out = results.run_jobs(jobs, st, progress=False)
    assert len(calls) == 2 and st.check(u) is None
    np.testing.assert_array_equal(out["u"].values, np.arange(3))
    assert list((tmp_path / ".damaged").rglob("*.npz"))
    assert "moved to" in capsys.readouterr().err


def test_a_failed_save_keeps_the_result_and_the_next_run_reuses_it(tmp_path, monkeypatch):
    import errno

    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    st = results.Store(["mdrepro.results"], root=tmp_path / "res")
    u = results.Unit("p", "s", "u", params={})
    calls = []

    def compute():
        calls.append(1)
        return Inner("r", np.arange(3))

    real = results.save

    def full(obj, path):
        if str(tmp_path / "res") in str(path):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(obj, path)

    monkeypatch.setattr(results, "save", full)
    with pytest.raises(results.StorageError) as exc:
        st.get_or_compute(u, compute)
    msg = str(exc.value)
    assert "\n" not in msg and "No space left" in msg and "kept at" in msg
    rescued = results.rescue_path(st.path(u), st.root)
    assert rescued.is_file() and str(rescued) in msg
    monkeypatch.setattr(results, "save", real)  # the disk is fixed
    st.get_or_compute(u, compute)
    assert len(calls) == 1 and st.check(u) is None and not rescued.exists()
