"""Locks that explain themselves: who holds them, since when, and what happens to stale ones.

A :class:`Lock` is a file holding its holder's record (pid, host, start time, command) under
an exclusive ``flock``. The kernel drops a ``flock`` when its process dies, however it dies
(SIGKILL, a lost terminal), so a lock can never be left held by a dead process; a record whose
process is gone is only *reported* as stale, in one line, and replaced.

Used by ``mdrepro build`` / ``make book`` (one workflow per checkout at a time; Snakemake's own
lock, left behind by a killed workflow, is cleared under it) and ``mdrepro run`` (one run per
chapter and output folder).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mdrepro.errors import MdreproError

__all__ = ["Holder", "Lock", "LockedError", "clear_snakemake_locks"]


class LockedError(MdreproError):
    """The lock is held by a live process (the message names it)."""


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a lock.

    Attributes
    ----------
    pid : int
    host : str
    started : float
        Unix time the holder took the lock.
    command : str
    """

    pid: int
    host: str
    started: float
    command: str

    @classmethod
    def me(cls) -> Holder:
        """The holder record of the calling process."""
        return cls(os.getpid(), socket.gethostname(), time.time(), " ".join(sys.argv)[:200])

    @classmethod
    def read(cls, path: Path) -> Holder | None:
        """The record in ``path`` (None when empty or unreadable)."""
        try:
            doc = json.loads(Path(path).read_text() or "null")
            return cls(int(doc["pid"]), str(doc["host"]), float(doc["started"]), doc["command"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def alive(self) -> bool:
        """Whether the holder still runs (always assumed for another host)."""
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def describe(self) -> str:
        """``started at <local time> by pid <pid> on <host>``."""
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"started at {when} by pid {self.pid} on {self.host}"


class Lock:
    """An exclusive, non-blocking lock on ``path`` for ``what`` (e.g. ``"a build"``).

    Use as a context manager. A second process fails at once with :class:`LockedError`:
    ``"<what> started at T by pid P on H is running (<command>)"``.

    Parameters
    ----------
    path : path-like
        The lock file (created, with its folder, when missing).
    what : str
        What the lock protects, for messages.
    quiet : bool
        Do not report a stale record.
    """

    def __init__(self, path: str | Path, what: str, quiet: bool = False):
        self.path = Path(path)
        self.what = what
        self.quiet = quiet
        self._fh = None
        #: The stale record found and replaced on acquiring (None if there was none).
        self.stale: Holder | None = None

    def acquire(self) -> Lock:
        """Take the lock or raise :class:`LockedError`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            held = Holder.read(self.path)
            who = held.describe() if held else "by another process"
            cmd = f" ({held.command})" if held and held.command else ""
            raise LockedError(
                f"{self.what} {who} is running{cmd}; wait for it to finish or stop it "
                f"(lock file {self.path})"
            ) from None
        old = Holder.read(self.path)
        if old is not None and old.pid != os.getpid():
            self.stale = old
            if not self.quiet:
                print(
                    f"mdrepro: cleared a stale lock: {self.what} {old.describe()} is no longer "
                    "running",
                    file=sys.stderr,
                )
        me = Holder.me()
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(me.__dict__))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        """Drop the lock and empty its record (the file stays, for the next holder)."""
        if self._fh is None:
            return
        try:
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.flush()
        except OSError:
            pass
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()
        self._fh = None

    def __enter__(self) -> Lock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def clear_snakemake_locks(workdir: str | Path, killed: Holder | None = None) -> list[Path]:
    """Remove Snakemake's lock files in ``workdir/.snakemake/locks``.

    Call this only while holding the build lock of ``workdir``: no workflow then runs there,
    so any Snakemake lock is a leftover of a killed one. Says so in one line.

    Returns
    -------
    list of Path
        The files removed.
    """
    folder = Path(workdir) / ".snakemake" / "locks"
    gone = sorted(folder.glob("*.lock")) if folder.is_dir() else []
    for f in gone:
        f.unlink(missing_ok=True)
    if gone:
        by = f" ({killed.describe()})" if killed else ""
        print(
            f"mdrepro: cleared Snakemake's lock left by a workflow that was killed{by}",
            file=sys.stderr,
        )
    return gone
