"""mdrepro.locks: a held lock names its holder; a killed holder's lock is cleared, with a line."""

import json
import multiprocessing as mp
import os
import signal
import time

import pytest

from mdrepro.locks import Holder, Lock, LockedError, clear_snakemake_locks


def _hold(path, ready):
    lock = Lock(path, "a test build").acquire()
    ready.set()
    time.sleep(60)
    lock.release()


@pytest.fixture
def held(tmp_path):
    """A child process holding the lock; yields (path, child)."""
    path = tmp_path / "locks" / "build.lock"
    ctx = mp.get_context("fork")
    ready = ctx.Event()
    child = ctx.Process(target=_hold, args=(path, ready))
    child.start()
    assert ready.wait(30)
    yield path, child
    if child.is_alive():
        child.kill()
    child.join()


def test_a_second_holder_is_refused_with_the_first_ones_pid_and_start(held):
    path, child = held
    with pytest.raises(LockedError) as exc:
        Lock(path, "a test build").acquire()
    msg = str(exc.value)
    assert "\n" not in msg
    assert f"by pid {child.pid}" in msg and "started at" in msg and "is running" in msg


def test_a_killed_holders_lock_is_cleared_with_one_line(held, capsys):
    path, child = held
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    with Lock(path, "a test build") as lock:
        assert lock.stale is not None and lock.stale.pid == child.pid
        assert Holder.read(path).pid == os.getpid()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cleared a stale lock" in err[0] and str(child.pid) in err[0]
    # released cleanly: the next holder finds no stale record
    with Lock(path, "a test build") as again:
        assert again.stale is None


def test_a_record_of_a_dead_process_is_stale_but_a_live_holder_is_not(tmp_path):
    dead = Holder(pid=2**22 + 12345, host=Holder.me().host, started=0.0, command="x")
    assert not dead.alive() and Holder.me().alive()
    path = tmp_path / "l.lock"
    path.write_text(json.dumps(dead.__dict__))
    with Lock(path, "a test build", quiet=True) as lock:
        assert lock.stale == dead


def test_snakemakes_leftover_locks_are_removed(tmp_path, capsys):
    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.input.lock").write_text("x")
    (locks / "0.output.lock").write_text("y")
    assert len(clear_snakemake_locks(tmp_path)) == 2
    assert not list(locks.iterdir())
    assert "cleared Snakemake's lock" in capsys.readouterr().err
    assert clear_snakemake_locks(tmp_path / "none") == []
