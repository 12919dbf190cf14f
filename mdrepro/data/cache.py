"""Content-addressed cache of simulated data sets.

Layout under the cache root (``data/cache/`` of the checkout, or ``$MDREPRO_DATA_DIR``)::

    <name>/<key>/manifest.json      provenance + sha256 of every file
    <name>/<key>/<files>            trajectories, topologies, tables
    <name>/<key>.partial/           a build in progress: chunks and checkpoints (resumable)

``key`` is the sha256 of the data set's name, recipe version, parameters and the hash of the
recipe's source code, so a change of either never reuses old files. A build writes only inside
``<key>.partial/`` and becomes visible by one atomic ``os.replace`` of that folder after its
manifest is written: a reader never sees a half-written entry. Every load re-hashes the files
and raises :class:`ChecksumError` on a mismatch.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mdrepro.errors import ChecksumError, DataError

MANIFEST = "manifest.json"
SCRATCH = "scratch"  # sub-folder of a partial build that is removed before publishing


def cache_root() -> Path:
    """The cache folder: ``$MDREPRO_DATA_DIR``, else ``data/cache`` of the source checkout,
    else ``~/.cache/mdrepro``.
    """
    env = os.environ.get("MDREPRO_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "mdrepro").is_dir():
        return checkout / "data" / "cache"
    return Path.home() / ".cache" / "mdrepro"


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace: the input of :func:`entry_key`."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def entry_key(name: str, version: int, params: Mapping[str, Any], code: str = "") -> str:
    """Content address of a data set: 16 hex digits of sha256(name, version, params, code)."""
    doc = {"name": name, "version": version, "params": dict(params)}
    if code:
        doc["code"] = code
    payload = canonical_json(doc)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def sha256_file(path: Path, block: int = 1 << 22) -> str:
    """sha256 hex digest of a file, read in 4 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()


def file_mode() -> int:
    """Mode of a new file under the process's umask (``0644`` under the usual ``022``), so
    that a cache shared by a group on a cluster stays readable by it.
    """
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    The file gets the mode of an ordinary new file (:func:`file_mode`), not the ``0600`` of a
    temporary one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Text version of :func:`atomic_write_bytes` (UTF-8)."""
    atomic_write_bytes(path, text.encode())


class CacheEntry:
    """One data set at one parameter set: a folder with a manifest.

    Parameters
    ----------
    name : str
        Data-set name.
    key : str
        Content address (:func:`entry_key`).
    root : Path, optional
        Cache root; default :func:`cache_root`.
    """

    def __init__(self, name: str, key: str, root: Path | None = None):
        self.name = name
        self.key = key
        self.root = Path(root) if root is not None else cache_root()

    @property
    def path(self) -> Path:
        """Folder of the published entry."""
        return self.root / self.name / self.key

    @property
    def partial(self) -> Path:
        """Folder of a build in progress."""
        return self.root / self.name / f"{self.key}.partial"

    @property
    def scratch(self) -> Path:
        """Checkpoints and chunks of a build in progress (never published)."""
        return self.partial / SCRATCH

    def exists(self) -> bool:
        """Whether a published entry with a manifest exists."""
        return (self.path / MANIFEST).is_file()

    @contextlib.contextmanager
    def locked(self):
        """Hold an exclusive lock on this entry (``<key>.lock`` beside it) while building it,
        so that two processes never build the same data set at once: the second waits and then
        finds the entry published.
        """
        import fcntl

        lock = self.root / self.name / f"{self.key}.lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        with open(lock, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield self
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def begin(self) -> Path:
        """Create (or reuse, to resume) the partial folder and return it.

        Each call starts an *attempt* (``scratch/attempt.json``: its start time). When an
        earlier attempt was killed (SIGKILL, a lost node: nothing could record its end), its
        time up to the last file it wrote is added to ``scratch/wall_time_s``, the wall time
        of earlier attempts that the build adds to its own.
        """
        import time

        self.scratch.mkdir(parents=True, exist_ok=True)
        att, wall = self.scratch / "attempt.json", self.scratch / "wall_time_s"
        try:
            started = float(json.loads(att.read_text())["started"])
        except (OSError, ValueError, KeyError, TypeError):
            started = None
        recorded = wall.stat().st_mtime if wall.is_file() else float("-inf")
        if started is not None and recorded < started:  # the last attempt ended unrecorded
            last = max(
                (f.stat().st_mtime for f in self.partial.rglob("*") if f.is_file()),
                default=started,
            )
            try:
                before = float(wall.read_text())
            except (OSError, ValueError):
                before = 0.0
            atomic_write_text(wall, f"{before + max(0.0, last - started):.3f}")
        atomic_write_text(att, json.dumps({"started": time.time(), "pid": os.getpid()}))
        return self.partial

    def publish(self, manifest: Mapping[str, Any]) -> Path:
        """Hash the partial build's files, write the manifest and publish atomically.

        Parameters
        ----------
        manifest : mapping
            Provenance of the build; ``files`` (name -> sha256 and size) is added here.

        Returns
        -------
        Path
            The published folder. When a published entry of the same key already holds the
            same files (a forced rebuild that came out byte-identical), it is kept untouched,
            manifest and dates included, and the new build is discarded.
        """
        if not self.partial.is_dir():
            raise DataError(f"no build in progress for {self.name}/{self.key} to publish")
        shutil.rmtree(self.scratch, ignore_errors=True)
        files = {}
        for f in sorted(self.partial.rglob("*")):
            if f.is_file() and f.name != MANIFEST:
                rel = f.relative_to(self.partial).as_posix()
                files[rel] = {"sha256": sha256_file(f), "bytes": f.stat().st_size}
        if not files:
            raise DataError(f"build of {self.name} produced no files; nothing to publish")
        try:
            same = self.exists() and self.manifest().get("files") == files
        except DataError:
            same = False
        if same:  # a rebuild (--force) gave the same bytes: keep the entry and its dates, so
            shutil.rmtree(self.partial)  # the workflow does not rerun what depends on it
            return self.path
        doc = dict(manifest)
        doc.update({"name": self.name, "key": self.key, "files": files})
        atomic_write_text(self.partial / MANIFEST, json.dumps(doc, indent=2, default=str))
        if self.path.exists():  # an older copy of the same key (e.g. --force): replace it
            shutil.rmtree(self.path)
        os.replace(self.partial, self.path)
        return self.path

    def manifest(self) -> dict[str, Any]:
        """The published manifest (raises :class:`DataError` if absent or unreadable)."""
        mpath = self.path / MANIFEST
        if not mpath.is_file():
            raise DataError(f"{self.name}: expected a manifest at {mpath}, found none")
        try:
            return json.loads(mpath.read_text())
        except json.JSONDecodeError as exc:
            raise DataError(f"{mpath}: expected JSON, found unreadable text ({exc})") from exc

    def verify(self) -> dict[str, Any]:
        """Re-hash every file listed in the manifest.

        Returns
        -------
        dict
            The manifest.

        Raises
        ------
        ChecksumError
            A file is missing or its sha256 differs from the manifest's.
        """
        doc = self.manifest()
        for rel, info in doc.get("files", {}).items():
            f = self.path / rel
            if not f.is_file():
                raise ChecksumError(f"{self.name}: file {rel} listed in the manifest is missing")
            try:
                digest = sha256_file(f)
            except OSError as exc:
                raise ChecksumError(
                    f"{self.name}: expected {rel} to be readable, found {exc.strerror}"
                ) from None
            if digest != info["sha256"]:
                raise ChecksumError(
                    f"{self.name}: {rel} has sha256 {digest[:12]}…, the manifest expects "
                    f"{info['sha256'][:12]}…; the next `mdrepro build` (or `mdrepro verify "
                    f"--repair`) moves the set aside and rebuilds it"
                )
        return doc

    def remove(self) -> None:
        """Delete the published entry and any partial build."""
        shutil.rmtree(self.path, ignore_errors=True)
        shutil.rmtree(self.partial, ignore_errors=True)
