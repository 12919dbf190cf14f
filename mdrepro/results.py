"""Typed study results as files, and the content-addressed results cache.

A study (:mod:`mdrepro.papers`) cuts its computation into *units of work* (one seed, one grid
point, one replica): pure functions of (data, parameters, seed) that return a dataclass. This
module stores such dataclasses as single ``.npz`` files and finds them again:

* :func:`save` / :func:`load` - a dataclass (nested dataclasses, dicts, lists, tuples, numpy
  arrays, numbers, strings) as one ``.npz`` archive: arrays as ``.npy`` members, everything else
  as one canonical JSON member. The archive carries no time stamp, so the same result gives the
  same bytes.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mdrepro.errors import DataError

__all__ = [
    "Store",
    "Unit",
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
def _encode(obj: Any, arrays: dict[str, np.ndarray], path: str) -> Any:
    """JSON-able form of ``obj``; arrays are moved to ``arrays`` under unique keys."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        cls = type(obj)
        return {
            "__dataclass__": f"{cls.__module__}:{cls.__qualname__}",
            "fields": {
                f.name: _encode(getattr(obj, f.name), arrays, f"{path}.{f.name}")
                for f in dataclasses.fields(obj)
                if f.init
            },
        }
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind == "O":
            raise DataError(f"expected a numeric or string array at {path}, found dtype object")
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, np.generic):
        return _encode(obj.item(), arrays, path)
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        if math.isfinite(obj):
            return obj
        return {"__float__": repr(obj)}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays, f"{path}[{i}]") for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, arrays, f"{path}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, Mapping):
        if all(isinstance(k, str) for k in obj):
            return {"__dict__": {k: _encode(v, arrays, f"{path}[{k!r}]") for k, v in obj.items()}}
        return {
            "__items__": [
                [_encode(k, arrays, f"{path}.key"), _encode(v, arrays, f"{path}[{k!r}]")]
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


def _decode(doc: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    if isinstance(doc, list):
        return [_decode(v, arrays) for v in doc]
    if not isinstance(doc, dict):
        return doc
    if "__array__" in doc:
        return arrays[doc["__array__"]]
    if "__float__" in doc:
        return float(doc["__float__"])
    if "__tuple__" in doc:
        return tuple(_decode(v, arrays) for v in doc["__tuple__"])
    if "__dict__" in doc:
        return {k: _decode(v, arrays) for k, v in doc["__dict__"].items()}
    if "__items__" in doc:
        return {_hashable(_decode(k, arrays)): _decode(v, arrays) for k, v in doc["__items__"]}
    if "__dataclass__" in doc:
        cls = _class(doc["__dataclass__"])
        return cls(**{k: _decode(v, arrays) for k, v in doc["fields"].items()})
    raise DataError(f"expected an encoded value, found keys {sorted(doc)}")


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def to_bytes(obj: Any) -> bytes:
    """The ``.npz`` bytes of a result (see :func:`save`)."""
    arrays: dict[str, np.ndarray] = {}
    meta = json.dumps(_encode(obj, arrays, "result"), sort_keys=True, separators=(",", ":"))
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


def from_bytes(data: bytes) -> Any:
    """Rebuild a result from :func:`to_bytes` output."""
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
    return _decode(meta, arrays)


def save(obj: Any, path: str | Path) -> Path:
    """Write a result to ``path`` (``.npz``) atomically: a reader never sees half a file.

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
    from mdrepro.data.cache import atomic_write_bytes

    path = Path(path)
    atomic_write_bytes(path, to_bytes(obj))
    return path


def load(path: str | Path) -> Any:
    """Read a result written by :func:`save`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"expected a result file at {path}, found none ({exc.strerror})") from None
    try:
        return from_bytes(data)
    except (zipfile.BadZipFile, json.JSONDecodeError, KeyError, ValueError) as exc:
        raise DataError(
            f"expected a result archive at {path}, found a damaged file: {exc}"
        ) from None


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
        """Whether the result of ``unit`` is cached."""
        return self.path(unit).is_file()

    def get(self, unit: Unit) -> Any:
        """Load the cached result of ``unit`` (raises :class:`DataError` if absent)."""
        return load(self.path(unit))

    def get_or_compute(self, unit: Unit, compute: Callable[[], Any]) -> Any:
        """Load the result of ``unit``, or compute it, save it and return it.

        A result is published only after ``compute`` returned, by one atomic rename: an
        interrupted computation leaves nothing behind.
        """
        path = self.path(unit)
        if path.is_file():
            return load(path)
        result = compute()
        save(result, path)
        return result
