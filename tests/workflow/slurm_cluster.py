"""A throw-away single-node Slurm cluster for tests: configuration, spool and state in a
temporary folder (``SLURM_CONF``), daemons stopped by their PIDs. Needs root and Debian's
``slurmctld slurmd slurm-client munge`` (installed on demand when ``install=True``)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PACKAGES = ("slurmctld", "slurmd", "slurm-client", "munge")


def available() -> bool:
    """Whether the Slurm and munge programs are installed."""
    return all(shutil.which(p) for p in ("slurmctld", "slurmd", "sbatch", "squeue", "munged"))


def install() -> None:
    """Install Debian's Slurm and munge packages (root only)."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *PACKAGES],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


class Cluster:
    """Start with :meth:`start`, stop with :meth:`stop`; :attr:`env` holds ``SLURM_CONF``."""

    def __init__(self, root: Path, cpus: int = 2, gpus: int = 1):
        self.root = Path(root)
        self.host = socket.gethostname().split(".")[0]
        self.cpus, self.gpus = cpus, gpus
        self.conf = self.root / "slurm.conf"
        # Snakemake's job-step plugin drops every SLURM_* variable (SLURM_CONF too) before its
        # nested srun; a wrapper first on PATH restores it from a variable it keeps.
        self.bin = self.root / "bin"
        self.env = dict(
            os.environ,
            SLURM_CONF=str(self.conf),
            MDREPRO_TEST_SLURM_CONF=str(self.conf),
            PATH=f"{self.bin}:{os.environ.get('PATH', '')}",
        )
        self.pids: list[int] = []

    def write_config(self) -> None:
        r = self.root
        self.bin.mkdir(parents=True, exist_ok=True)
        srun = self.bin / "srun"
        srun.write_text(
            "#!/bin/sh\n"
            'export SLURM_CONF="${SLURM_CONF:-$MDREPRO_TEST_SLURM_CONF}"\n'
            f'exec {shutil.which("srun")} "$@"\n'
        )
        srun.chmod(0o755)
        for d in ("state", "spool", "log"):
            (r / d).mkdir(parents=True, exist_ok=True)
        gres = f" Gres=gpu:{self.gpus}" if self.gpus else ""
        self.conf.write_text(
            "\n".join(
                [
                    "ClusterName=mdrepro-test",
                    f"SlurmctldHost={self.host}",
                    "SlurmUser=root",
                    "SlurmdUser=root",
                    "AuthType=auth/munge",
                    "ProctrackType=proctrack/linuxproc",
                    "TaskPlugin=task/none",
                    "SelectType=select/cons_tres",
                    "SelectTypeParameters=CR_Core",
                    "SchedulerType=sched/backfill",
                    "AccountingStorageType=accounting_storage/none",
                    "JobCompType=jobcomp/none",
                    "JobAcctGatherType=jobacct_gather/none",
                    "MpiDefault=none",
                    "ReturnToService=2",
                    "GresTypes=gpu",
                    f"StateSaveLocation={r / 'state'}",
                    f"SlurmdSpoolDir={r / 'spool'}",
                    f"SlurmctldPidFile={r / 'slurmctld.pid'}",
                    f"SlurmdPidFile={r / 'slurmd.pid'}",
                    f"SlurmctldLogFile={r / 'log' / 'slurmctld.log'}",
                    f"SlurmdLogFile={r / 'log' / 'slurmd.log'}",
                    "SlurmctldPort=16817",
                    "SlurmdPort=16818",
                    f"NodeName={self.host} CPUs={self.cpus} RealMemory=16000{gres} State=UNKNOWN",
                    f"PartitionName=test Nodes={self.host} Default=YES MaxTime=INFINITE State=UP",
                    "",
                ]
            )
        )
        if self.gpus:
            # a fake GPU: any character device stands in for /dev/nvidia0
            (r / "gres.conf").write_text(
                f"AutoDetect=off\nNodeName={self.host} Name=gpu File=/dev/null Count=1\n"
            )

    def start(self, timeout: float = 60.0) -> None:
        """Start munged (if it is not running), slurmctld and slurmd; wait for the node."""
        self.write_config()
        if subprocess.run(["pgrep", "-x", "munged"], capture_output=True).returncode != 0:
            Path("/run/munge").mkdir(parents=True, exist_ok=True)
            pid_file = self.root / "munged.pid"
            subprocess.run(["munged", "--force", f"--pid-file={pid_file}"], check=True)
            for _ in range(100):
                if pid_file.is_file() and pid_file.read_text().strip():
                    break
                time.sleep(0.1)
            self.pids.append(int(pid_file.read_text()))  # stopped last
        subprocess.run(["slurmctld"], check=True, env=self.env)
        subprocess.run(["slurmd"], check=True, env=self.env)
        for name in ("slurmctld", "slurmd"):
            pid_file = self.root / f"{name}.pid"
            for _ in range(100):
                if pid_file.is_file() and pid_file.read_text().strip():
                    break
                time.sleep(0.1)
            self.pids.append(int(pid_file.read_text()))
        deadline = time.time() + timeout
        while time.time() < deadline:
            out = subprocess.run(
                ["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=self.env
            ).stdout.strip()
            if out in ("idle", "mixed", "allocated"):
                return
            time.sleep(0.5)
        raise RuntimeError(
            f"the Slurm node did not come up: sinfo says {out!r}; see {self.root / 'log'}"
        )

    def stop(self) -> None:
        """Stop the daemons this cluster started, by their PIDs."""
        for pid in reversed(self.pids):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in self.pids:
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
        self.pids = []
