"""Typed study results as files, and the content-addressed results cache.

A study (:mod:`mdrepro.papers`) cuts its computation into *units of work* (one seed, one grid
point, one replica): pure functions of (data, parameters, seed) that return a dataclass. This
module stores such dataclasses as single ``.npz`` files and finds them again:

* :func:`save` / :func:`load` - a dataclass (nested dataclasses, dicts, lists, tuples, numpy
  arrays, numbers, strings) as one ``.npz`` archive: arrays as ``.npy`` members, everything else
  as one canonical JSON member. The archive carries no time stamp, so the same result gives the
  same bytes. Fields declared with :func:`timing` (wall times, throughputs: measurements of
  the machine, not results) go to a side file ``<name>.run.json`` instead, with the run's
  provenance (host, CPU, Slurm job id).
* :class:`Unit` - a unit of work: paper, study, id and the parameters that decide its result.
* :func:`code_hash` - sha256 of the sources of the mdrepro modules a study imports
  (transitively, found by parsing the imports), so that editing a module invalidates exactly
  the results computed with it.
* :class:`Store` - ``<root>/<paper>/<study>/<unit id>/<key>.npz`` with ``key`` the sha256 of
  the unit, the fingerprints of its data and the code hash; :meth:`Store.get_or_compute` loads
  a result or computes and publishes it atomically.

Only classes defined in :mod:`mdrepro` are rebuilt by :func:`load` (nothing is unpickled).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib
import io
import json
import math
import os
import zipfile
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mdrepro.errors import DataError, MdreproError

__all__ = [
    "STUDY_THREADS",
    "Job",
    "Store",
    "Unit",
    "run_jobs",
    "code_hash",
    "fingerprint_arrays",
    "load",
    "module_closure",
    "results_root",
    "save",
]

_META = "__meta__.json"
#: Packages whose classes :func:`load` may rebuild (nothing else is imported from a file).
TRUSTED_PACKAGES = ("mdrepro",)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # no time stamp: identical results give identical bytes


# ---------------------------------------------------------------------------------- encoding
def timing(**kwargs):
    """A dataclass field that holds a measurement of the machine (a wall time, a throughput).

    Such fields are kept out of a result's archive, so that two runs of the same computation
    give byte-identical files, and are saved beside it (``<name>.run.json``).
    """
    return field(metadata={"timing": True}, **kwargs)


def _encode(obj: Any, arrays: dict[str, np.ndarray], path: str, timings=None) -> Any:
    """JSON-able form of ``obj``; arrays are moved to ``arrays`` under unique keys and timing
    fields to ``timings`` (under their path).
    """
    timings = {} if timings is None else timings
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        cls = type(obj)
        out = {}
        for f in dataclasses.fields(obj):
            if not f.init:
                continue
            sub = f"{path}.{f.name}"
            if f.metadata.get("timing"):
                timings[sub] = _encode(getattr(obj, f.name), {}, sub)
                out[f.name] = {"__timing__": sub}
            else:
                out[f.name] = _encode(getattr(obj, f.name), arrays, sub, timings)
        return {"__dataclass__": f"{cls.__module__}:{cls.__qualname__}", "fields": out}
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "O":
            raise DataError(f"expected a numeric or string array at {path}, found dtype object")
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, np.generic):
        return _encode(obj.item(), arrays, path, timings)
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        if math.isfinite(obj):
            return obj
        return {"__float__": repr(obj)}
    if isinstance(obj, tuple):
        return {
            "__tuple__": [_encode(v, arrays, f"{path}[{i}]", timings) for i, v in enumerate(obj)]
        }
    if isinstance(obj, list):
        return [_encode(v, arrays, f"{path}[{i}]", timings) for i, v in enumerate(obj)]
    if isinstance(obj, Mapping):
        if all(isinstance(k, str) for k in obj):
            return {
                "__dict__": {
                    k: _encode(v, arrays, f"{path}[{k!r}]", timings) for k, v in obj.items()
                }
            }
        return {
            "__items__": [
                [
                    _encode(k, arrays, f"{path}.key"),
                    _encode(v, arrays, f"{path}[{k!r}]", timings),
                ]
                for k, v in obj.items()
            ]
        }
    raise DataError(
        f"expected arrays, numbers, strings, lists, dicts or dataclasses at {path}, found "
        f"{type(obj).__name__}"
    )


def _class(name: str) -> type:
    module, _, qual = name.partition(":")
    if module.split(".")[0] not in TRUSTED_PACKAGES:
        raise DataError(f"expected a result class of mdrepro, found {name!r}")
    obj: Any = importlib.import_module(module)
    for part in qual.split("."):
        obj = getattr(obj, part)
    return obj


def _decode(doc: Any, arrays: Mapping[str, np.ndarray], timings=None) -> Any:
    timings = timings or {}
    if isinstance(doc, list):
        return [_decode(v, arrays, timings) for v in doc]
    if not isinstance(doc, dict):
        return doc
    if "__timing__" in doc:
        found = timings.get(doc["__timing__"])
        return float("nan") if found is None else _decode(found, {}, {})
    if "__array__" in doc:
        return arrays[doc["__array__"]]
    if "__float__" in doc:
        return float(doc["__float__"])
    if "__tuple__" in doc:
        return tuple(_decode(v, arrays, timings) for v in doc["__tuple__"])
    if "__dict__" in doc:
        return {k: _decode(v, arrays, timings) for k, v in doc["__dict__"].items()}
    if "__items__" in doc:
        return {
            _hashable(_decode(k, arrays, timings)): _decode(v, arrays, timings)
            for k, v in doc["__items__"]
        }
    if "__dataclass__" in doc:
        cls = _class(doc["__dataclass__"])
        return cls(**{k: _decode(v, arrays, timings) for k, v in doc["fields"].items()})
    raise DataError(f"expected an encoded value, found keys {sorted(doc)}")


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def to_bytes(obj: Any, timings: dict | None = None) -> bytes:
    """The ``.npz`` bytes of a result (see :func:`save`); timing fields go to ``timings``."""
    arrays: dict[str, np.ndarray] = {}
    doc = _encode(obj, arrays, "result", timings)
    meta = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(_META, date_time=_ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, meta)
        for key in sorted(arrays):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(
                    fh, np.ascontiguousarray(arrays[key]), allow_pickle=False
                )
    return buf.getvalue()


def from_bytes(data: bytes, timings: dict | None = None) -> Any:
    """Rebuild a result from :func:`to_bytes` output (and its timings, when known)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        if _META not in names:
            raise DataError(f"expected a result archive with {_META}, found {sorted(names)[:5]}")
        meta = json.loads(zf.read(_META))
        arrays = {}
        for name in names - {_META}:
            with zf.open(name) as fh:
                arrays[name.removesuffix(".npy")] = np.lib.format.read_array(
                    fh, allow_pickle=False
                )
    return _decode(meta, arrays, timings)


def run_info_path(path: str | Path) -> Path:
    """The side file of a result: its timings and where it was computed."""
    path = Path(path)
    return path.with_name(path.name.removesuffix(".npz") + ".run.json")


def _run_info(timings: dict, data: bytes) -> dict:
    import platform

    from mdrepro.provenance import cpu_model

    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "timings": timings,
        "host": platform.node(),
        "cpu": cpu_model()[0],
        "slurm_job_id": os.environ.get("SLURM_JOB_ID", ""),
    }


def save(obj: Any, path: str | Path) -> Path:
    """Write a result to ``path`` (``.npz``) atomically: a reader never sees half a file.

    The side file (``<name>.run.json``) records the archive's sha256 and size, which
    :func:`load` and :func:`check` compare, as a data set's manifest does for its files.

    Parameters
    ----------
    obj : dataclass instance
        Fields may be dataclasses, numpy arrays, numbers, strings, None, and lists, tuples and
        dicts of these (dict keys: strings, numbers or tuples of them).
    path : path-like

    Returns
    -------
    pathlib.Path
    """
    from mdrepro.data.cache import atomic_write_bytes, atomic_write_text

    path = Path(path)
    timings: dict = {}
    data = to_bytes(obj, timings)
    side = run_info_path(path)
    try:
        atomic_write_text(side, json.dumps(_run_info(timings, data), sort_keys=True, indent=1))
        atomic_write_bytes(path, data)
    except BaseException:
        if not path.is_file():  # leave no side file without its result
            side.unlink(missing_ok=True)
        raise
    return path


class StorageError(MdreproError):
    """A folder that cannot be written, or has no room (a result could not be saved)."""


class DamagedResult(DataError):
    """A result file that exists but cannot be trusted: its sha256 differs from the one
    recorded when it was saved, or it does not decode. The next build recomputes it.
    """


def _run_doc(path: Path) -> dict:
    """The side file of a result, or {} when it is missing or unreadable."""
    try:
        doc = json.loads(run_info_path(path).read_text())
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _damaged(path: Path, what: str) -> DamagedResult:
    return DamagedResult(
        f"expected an intact result archive at {path}, found {what}; the next `mdrepro build` "
        "(or `mdrepro verify --repair`) moves it aside and recomputes it"
    )


def check(path: str | Path) -> str | None:
    """Why the result file at ``path`` cannot be used, or None when it is intact.

    Intact means: the file exists, and its sha256 and size match the ones :func:`save`
    recorded in the side file (results saved before checksums were recorded are tested with
    the archive's own CRC-32 checks instead).

    Returns
    -------
    str or None
        ``"missing"``, a short description of the damage, or None.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"an unreadable file ({exc.strerror})"
    return _check_bytes(path, data)


def _check_bytes(path: Path, data: bytes) -> str | None:
    want = _run_doc(path).get("sha256")
    if want:
        got = hashlib.sha256(data).hexdigest()
        if got != want:
            return f"sha256 {got[:12]}…, not the {want[:12]}… recorded when it was saved"
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            bad = zf.testzip()
    except Exception as exc:  # noqa: BLE001 - any failure to open is damage
        return f"an unreadable archive ({type(exc).__name__})"
    return None if bad is None else f"a bad CRC-32 in member {bad}"


def load(path: str | Path) -> Any:
    """Read a result written by :func:`save`.

    Raises
    ------
    DataError
        No file at ``path``.
    DamagedResult
        The file's sha256 differs from the recorded one, or it does not decode (any error
        of the zip, zlib or npy readers becomes this one-line error).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"expected a result file at {path}, found none ({exc.strerror})") from None
    problem = _check_bytes(path, data)
    if problem:
        raise _damaged(path, problem)
    timings = _run_doc(path).get("timings", {})
    try:
        return from_bytes(data, timings if isinstance(timings, dict) else {})
    except DataError as exc:
        raise _damaged(path, f"an archive that does not decode ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - zlib.error, NotImplementedError, ... : damage
        raise _damaged(path, f"an archive that does not decode ({type(exc).__name__})") from None


def rescue_path(path: str | Path, root: str | Path | None = None) -> Path:
    """Where a computed result goes when it cannot be saved at ``path`` (a full or read-only
    results folder): ``$TMPDIR/mdrepro-rescued/<path relative to the results root>``.
    """
    import tempfile

    root = Path(root) if root is not None else results_root()
    path = Path(path)
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    return Path(tempfile.gettempdir()) / "mdrepro-rescued" / rel


def quarantine(path: str | Path, why: str) -> Path:
    """Move a damaged result (and its side file) to ``<results root>/.damaged/`` and say so on
    standard error in one line; returns where it went.
    """
    import sys
    import time

    path = Path(path)
    root = results_root()
    try:
        rel = path.resolve().relative_to(root)
    except ValueError:
        rel = Path(path.name)
    dest = root / ".damaged" / time.strftime("%Y%m%dT%H%M%S") / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    for src, dst in [(path, dest), (run_info_path(path), run_info_path(dest))]:
        if src.exists():
            os.replace(src, dst)
    print(f"mdrepro: {path}: {why}; moved to {dest}, recomputing it", file=sys.stderr)
    return dest


# ------------------------------------------------------------------------------- code hashes
_PACKAGE_DIR = Path(__file__).resolve().parent


def _module_file(name: str) -> Path | None:
    """Source file of mdrepro module ``name`` (None if there is none); nothing is imported."""
    parts = name.split(".")
    if parts[0] != "mdrepro":
        return None
    base = _PACKAGE_DIR.joinpath(*parts[1:])
    for f in (base / "__init__.py", base.with_suffix(".py")):
        if f.is_file():
            return f
    return None


def _imports(name: str, source: str) -> set[str]:
    """Mdrepro modules imported by module ``name`` (absolute and relative imports)."""
    out: set[str] = set()
    package = name if _module_file(name).name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "mdrepro")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "mdrepro":
                continue
            out.add(mod)
            if _is_package(mod):  # `from mdrepro.models import lss` imports a module too
                out.update(
                    f"{mod}.{a.name}" for a in node.names if _module_file(f"{mod}.{a.name}")
                )
    return out


def _is_package(name: str) -> bool:
    f = _module_file(name)
    return f is not None and f.name == "__init__.py"


def module_closure(modules: Iterable[str]) -> list[str]:
    """Every mdrepro module that ``modules`` import, transitively (and themselves), sorted.

    Imports are read from the sources (nothing is executed); importing ``a.b.c`` also counts
    the packages ``a.b`` and ``a`` whose ``__init__`` runs first.
    """
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            parent = ".".join(parts[:i])
            if parent in seen:
                continue
            f = _module_file(parent)
            if f is None:
                continue
            seen.add(parent)
            todo.extend(_imports(parent, f.read_text()))
    return sorted(seen)


def code_hash(modules: Iterable[str]) -> str:
    """sha256 (16 hex digits) of the sources of :func:`module_closure` of ``modules``."""
    h = hashlib.sha256()
    for name in module_closure(modules):
        h.update(name.encode())
        h.update(b"\0")
        h.update(_module_file(name).read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:16]


def fingerprint_arrays(*arrays: np.ndarray) -> str:
    """sha256 (16 hex digits) of arrays' dtypes, shapes and bytes: the identity of data that
    do not come from the data cache (a user's files).
    """
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


# ---------------------------------------------------------------------------------- the store
def results_root() -> Path:
    """The results cache: ``$MDREPRO_RESULTS_DIR``, else ``build/results`` of the checkout."""
    env = os.environ.get("MDREPRO_RESULTS_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parents[1] / "build" / "results"


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_jsonable)


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON-able: {type(obj).__name__}")


@dataclass(frozen=True)
class Unit:
    """One independent unit of work of a study.

    Attributes
    ----------
    paper : str
        Paper package, e.g. ``"gupta2020"``.
    study : str
        Study within it, e.g. ``"forecast"``.
    id : str
        Readable id, unique within the study (``"adk-h5-l15-lr0.01-kirchhoff-s0"``): a folder
        name, so letters, digits, ``.``, ``-``, ``_`` only.
    params : dict
        Everything that decides the result besides the data and the code (sizes, seed,
        device kind, thread count).
    data : dict
        Name -> fingerprint of every input data set (cache key of a built-in set, or
        :func:`fingerprint_arrays` of a user's).
    """

    paper: str
    study: str
    id: str
    params: dict = field(default_factory=dict, hash=False, compare=True)
    data: dict = field(default_factory=dict, hash=False, compare=True)

    def __post_init__(self):
        import re

        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", self.id):
            raise DataError(f"expected a unit id of letters, digits, '.-_', found {self.id!r}")

    def key(self, code: str) -> str:
        """Content address: sha256 of the unit, its data fingerprints and ``code``."""
        doc = {
            "paper": self.paper,
            "study": self.study,
            "id": self.id,
            "params": self.params,
            "data": self.data,
            "code": code,
        }
        return hashlib.sha256(_canonical(doc).encode()).hexdigest()[:16]


class Store:
    """The results cache of one study.

    Parameters
    ----------
    modules : iterable of str
        The modules whose code decides the results (the study's module; its imports are
        followed by :func:`code_hash`).
    root : path, optional
        Default :func:`results_root`.
    """

    def __init__(self, modules: Iterable[str], root: str | Path | None = None):
        self.modules = tuple(modules)
        self.root = Path(root) if root is not None else results_root()
        self._code: str | None = None

    @property
    def code(self) -> str:
        """:func:`code_hash` of the study's modules (computed once)."""
        if self._code is None:
            self._code = code_hash(self.modules)
        return self._code

    def path(self, unit: Unit) -> Path:
        """Where the result of ``unit`` lives (whether or not it exists yet)."""
        return self.root / unit.paper / unit.study / unit.id / f"{unit.key(self.code)}.npz"

    def has(self, unit: Unit) -> bool:
        """Whether the result of ``unit`` is cached (a file exists; see :meth:`check`)."""
        return self.path(unit).is_file()

    def check(self, unit: Unit) -> str | None:
        """Why the cached result of ``unit`` cannot be used (``"missing"``, the damage), or
        None when it is intact (:func:`check`).
        """
        return check(self.path(unit))

    def get(self, unit: Unit) -> Any:
        """Load the cached result of ``unit`` (raises :class:`DataError` if absent)."""
        return load(self.path(unit))

    def get_or_compute(self, unit: Unit, compute: Callable[[], Any]) -> Any:
        """Load the result of ``unit``, or compute it, save it and return it.

        A result is published only after ``compute`` returned, by one atomic rename: an
        interrupted computation leaves nothing behind. A damaged file (:func:`check`) is moved
        aside (:func:`quarantine`) and recomputed.
        """
        path = self.path(unit)
        if path.is_file():
            try:
                return load(path)
            except DamagedResult as exc:
                quarantine(path, str(exc).split("; ")[0])
        rescued = rescue_path(path, self.root)
        if check(rescued) is None:  # computed before, when saving it failed
            result = load(rescued)
        else:
            result = compute()
        try:
            save(result, path)
        except OSError as exc:
            kept = f"the computed result is kept at {rescued} and the next run reuses it"
            try:
                if not rescued.is_file():
                    save(result, rescued)
            except OSError as again:
                kept = f"it could not be kept at {rescued} either ({again.strerror or again})"
            raise StorageError(
                f"expected to save the result at {path}, found {exc.strerror or exc}; {kept}"
            ) from None
        if rescued.is_file():
            rescued.unlink()
            run_info_path(rescued).unlink(missing_ok=True)
        return result


#: CPU threads of every unit of work. Results on the CPU depend on the thread count (the
#: order of floating-point reductions), so it is fixed, and part of every unit's parameters;
#: the workflow runs independent units side by side instead.
STUDY_THREADS = 1


@dataclass
class Job:
    """A unit of work and the call that computes it.

    Attributes
    ----------
    unit : Unit
    compute : callable
        No arguments; returns the typed result. It reads its inputs only when called, so a
        list of jobs (e.g. for a workflow's plan) costs nothing to make.
    """

    unit: Unit
    compute: Callable[[], Any] = field(repr=False)


@contextmanager
def cpu_threads(n: int | None):
    """Run the block with ``n`` threads in torch and in every BLAS and OpenMP library loaded
    (numpy's, scipy's; restored afterwards).
    """
    if n is None:
        yield
        return
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        with threadpool_limits(limits=int(n)):
            yield
    finally:
        torch.set_num_threads(before)


def run_jobs(
    jobs: Iterable[Job], store: Store, progress: bool = True, desc: str = "units"
) -> dict[str, Any]:
    """Every job's result, from the store or computed (with the unit's thread count).

    Returns
    -------
    dict
        Unit id -> result, in the order of ``jobs``.
    """
    from tqdm.auto import tqdm

    jobs = list(jobs)
    todo = [j for j in jobs if store.check(j.unit) is not None]
    out = {}
    for j in tqdm(todo, desc=desc, disable=not (progress and todo)):
        with cpu_threads(j.unit.params.get("threads")):
            out[j.unit.id] = store.get_or_compute(j.unit, j.compute)
    return {j.unit.id: out[j.unit.id] if j.unit.id in out else store.get(j.unit) for j in jobs}
