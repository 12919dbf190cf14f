"""The book as a workflow: what the Snakefile builds, and the command that runs it.

:func:`plan` lists, for a profile and device, every job of the book and the files that link
them, computed from the code without building or loading anything:

* one **data** job per data set: ``data/cache/<name>/<key>/manifest.json``;
* one **unit** job per unit of work of every chapter (one training run, one seed, one grid
  point): ``build/results/<paper>/<study>/<unit>/<key>.npz``; its key hashes the unit's
  parameters, its data's fingerprints and the source of the code that computes it, so editing a
  module reruns exactly the units it decides;
* one **chapter** job per notebook, which only loads results and draws (it runs in seconds) and
  publishes its page when it ran to the end: its declared output is a stamp,
  ``build/stamps/<profile>/<chapter>.done``, never the page itself (Snakemake deletes the
  outputs of a job before it runs and when it fails);
* one **html** job: ``_build/html/index.html``.

``workflow/Snakefile`` turns the plan into rules; :func:`snakemake` runs it (``mdrepro build``
and ``make book`` call it), locally or through a cluster executor with the repository's
profiles (``workflow/profiles/local``, ``workflow/profiles/slurm``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mdrepro.book.chapter import ROOT

SNAKEFILE = ROOT / "workflow" / "Snakefile"
PROFILES_DIR = ROOT / "workflow" / "profiles"

#: Time limits of the jobs, s (a hang fails fast, with the job's name). Data sets take their
#: own limit from :data:`DATA_LIMITS` (the paper profile's are long).
UNIT_LIMIT_S = {"ci": 1800, "extended": 4 * 3600, "paper": 48 * 3600}
CHAPTER_LIMIT_S = 900
HTML_LIMIT_S = 600
DATA_LIMITS = {"ci": 2400, "extended": 2 * 3600, "paper": 14 * 24 * 3600}


@dataclass
class UnitTarget:
    """One unit of work as a workflow job."""

    chapter: str
    paper: str
    study: str
    id: str
    path: Path
    gpu: bool = False
    datasets: tuple = ()


@dataclass
class Plan:
    """Every job of the book for one profile and device (see the module docstring).

    Attributes
    ----------
    profile, device : str
    data : dict of str to pathlib.Path
        Data-set name -> its manifest.
    units : dict of str to list of UnitTarget
        Chapter id -> its units of work.
    chapters : dict of str to Chapter
    """

    profile: str
    device: str
    data: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    chapters: dict = field(default_factory=dict)

    def stamp(self, chapter: str) -> Path:
        """The declared output of a chapter job."""
        return ROOT / "build" / "stamps" / self.profile / f"{chapter}.done"

    def unit(self, paper: str, study: str, unit_id: str) -> UnitTarget:
        """Look a unit up by its folder names."""
        for targets in self.units.values():
            for t in targets:
                if (t.paper, t.study, t.id) == (paper, study, unit_id):
                    return t
        raise KeyError(f"no unit {paper}/{study}/{unit_id} in the plan")

    def unit_data(self, paper: str, study: str, unit_id: str) -> list[str]:
        """Manifests of the data sets one unit reads."""
        return [str(self.data[d]) for d in self.unit(paper, study, unit_id).datasets]

    def chapter_data(self, chapter: str) -> list[str]:
        """Manifests of the data sets a chapter reads."""
        return [str(self.data[d]) for d in self.chapters[chapter].datasets]

    def chapter_inputs(self, chapter: str) -> list[str]:
        """Everything a chapter job depends on: its units' results, its data, its notebook
        and the code that draws and judges (a change reruns the notebook only).
        """
        ch = self.chapters[chapter]
        pkg = ROOT / "mdrepro" / "papers" / ch.paper
        code = [pkg / "figures.py", pkg / "claims.py", pkg / "datasets.py", pkg / "params.py"]
        code += [p for p in [pkg / "statements.yaml"] if p.is_file()]  # quotes in the claims
        code += sorted((ROOT / "mdrepro" / "plots").glob("*.py"))
        code += sorted((ROOT / "mdrepro" / "book").glob("*.py"))
        code += [ROOT / "mdrepro" / "viz.py"]
        return (
            [str(t.path) for t in self.units[chapter]]
            + self.chapter_data(chapter)
            + [str(ch.notebook)]
            + [str(p) for p in code]
        )

    def html_inputs(self) -> list[str]:
        """The chapters' stamps and the book's own pages."""
        pages = sorted((ROOT / "book").glob("*.md")) + sorted((ROOT / "book").glob("*.bib"))
        return [str(self.stamp(c)) for c in self.chapters] + [
            str(p) for p in [*pages, ROOT / "_toc.yml", ROOT / "_config.yml"]
        ]


def plan(
    profile: str = "ci",
    device: str = "cpu",
    chapters: list[str] | None = None,
    params: dict | None = None,
    units: str | None = None,
) -> Plan:
    """The workflow's plan for ``profile`` and ``device`` (nothing is built or loaded).

    Parameters
    ----------
    profile, device : str
    chapters : list of str, optional
        Only these chapters (default: the book).
    params : dict, optional
        Chapter id -> keyword arguments of its ``params.resolve`` (the notebook's overrides,
        e.g. ``{"ch04": {"overrides": {"seeds": [0, 1, 2]}}}``).
    units : str, optional
        Only units whose ``<paper>/<study>/<id>`` matches this regular expression.
    """
    import re

    from mdrepro import data, papers

    every = papers.chapters()
    chosen = {c: every[c] for c in (chapters or chapters_at(profile))}
    p = Plan(profile, device, chapters=chosen)
    for ch in chosen.values():
        for name in ch.datasets:
            p.data[name] = data.entry(name, profile).path / "manifest.json"
        store = papers.store(ch.id)
        kwargs = (params or {}).get(ch.id, {})
        p.units[ch.id] = [
            UnitTarget(
                ch.id,
                job.unit.paper,
                job.unit.study,
                job.unit.id,
                store.path(job.unit),
                gpu=device == "cuda",
                datasets=tuple(sorted({d.split("/")[0] for d in job.unit.data} & set(p.data))),
            )
            for job in papers.jobs(ch.id, profile, device, **kwargs)
            if units is None
            or re.search(units, f"{job.unit.paper}/{job.unit.study}/{job.unit.id}")
        ]
    return p


def chapters_at(profile: str) -> list[str]:
    """The chapters that run under ``profile``: all of them at ci and paper, at ``extended``
    only those whose paper declares an extended tier for them.
    """
    from mdrepro import papers
    from mdrepro.errors import DataError

    out = []
    for c, ch in papers.chapters().items():
        try:
            papers.module(ch, "params").resolve(ch.id, profile)
        except DataError:
            continue
        out.append(c)
    return out


def snakemake_command(
    targets: list[str] | None = None,
    profile: str = "ci",
    device: str = "cpu",
    cores: int | None = None,
    dry_run: bool = False,
    executor: str | None = None,
    extra: list[str] | None = None,
    config: dict | None = None,
    workdir: str | Path | None = None,
) -> list[str]:
    """The snakemake command line of :func:`snakemake`.

    ``config`` adds Snakefile settings (``chapters``, ``units``, ``units_only``); ``workdir``
    (default the checkout) holds Snakemake's own state (``.snakemake/``: locks, metadata), so
    a test's workflow can run beside the book's without touching it.
    """
    exe = Path(sys.executable).with_name("snakemake")
    wd = str(workdir or work_dir())
    cmd = [str(exe) if exe.exists() else "snakemake", "-s", str(SNAKEFILE), "-d", wd]
    settings = {"profile": profile, "device": device, **(config or {})}
    cmd += ["--config", *(f"{k}={v}" for k, v in settings.items())]
    cmd += ["--workflow-profile", str(PROFILES_DIR / (executor or "local"))]
    if cores is not None and executor is None:
        cmd += ["--cores", str(cores)]
    if dry_run:
        cmd += ["--dry-run"]
    cmd += list(extra or [])
    cmd += list(targets or [])
    return cmd


def work_dir() -> Path:
    """Where Snakemake keeps its state (``.snakemake/``): ``$MDREPRO_WORKDIR``, else the
    checkout. Tests point it elsewhere to run a workflow beside the book's.
    """
    return Path(os.environ.get("MDREPRO_WORKDIR") or ROOT)


def build_lock(workdir: str | Path | None = None) -> Path:
    """The lock file of a workflow in ``workdir`` (default the checkout), beside Snakemake's
    own state (:func:`snakemake`).
    """
    return Path(workdir or work_dir()) / ".snakemake" / "mdrepro-workflow.lock"


def snakemake(prepare=None, **kwargs) -> int:
    """Run the workflow (:func:`snakemake_command`); returns snakemake's exit status.

    One workflow runs per checkout at a time: a second fails at once, naming the running one
    (:class:`mdrepro.locks.LockedError`). Under that lock, a Snakemake lock left by a killed
    workflow is cleared (with one line saying so), so a killed ``make book`` needs no
    ``--unlock`` by hand, and ``prepare()`` runs (the build's checks,
    :func:`mdrepro.preflight.prepare_workflow`), so that it never touches the files of a
    workflow that is running; the files it returns are made besides the usual targets. A dry
    run takes no lock and prepares nothing.
    """
    from mdrepro.locks import Lock, clear_snakemake_locks

    cmd = snakemake_command(**kwargs)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    wd = Path(kwargs.get("workdir") or work_dir())
    wd.mkdir(parents=True, exist_ok=True)
    if kwargs.get("dry_run"):
        print("+ " + " ".join(cmd), flush=True)
        return subprocess.run(cmd, cwd=wd, env=env).returncode
    with Lock(build_lock(wd), f"a workflow (mdrepro build / make book) in {wd}") as lock:
        clear_snakemake_locks(wd, lock.stale)
        extra = (prepare() or []) if prepare is not None else []
        shown = " ".join(cmd)
        if extra:  # the usual targets (rule all by default) and the files to remake
            targets = list(kwargs.get("targets") or ["all"])
            shown = " ".join(snakemake_command(**{**kwargs, "targets": targets}))
            shown += f" (+ {len(extra)} missing files named as targets)"
            cmd = snakemake_command(**{**kwargs, "targets": targets + list(extra)})
        print("+ " + shown, flush=True)
        return subprocess.run(cmd, cwd=wd, env=env).returncode
