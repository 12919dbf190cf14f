"""The ``mdrepro`` command.

::

    mdrepro build [CHAPTER ...] [--profile] [--device] [--cores N] [--dry-run] [--executor slurm]
    mdrepro run [CHAPTER ...] --profile ci|extended|paper --device auto|cpu|cuda [-p NAME VALUE]...
    mdrepro data list | build NAME... [--all] | verify [NAME...]   [--profile ci|extended|paper]
    mdrepro verify [--repair]
    mdrepro study list CHAPTER | run CHAPTER [UNIT ...] [--all]
    mdrepro figure CHAPTER-FIGURE
    mdrepro book
    mdrepro timings [start]

``build`` runs the book as a workflow (Snakemake: data, units of work, notebooks, HTML);
``run`` without notebook parameters does the same for some chapters, and with ``-p`` (or
``--direct``) executes the notebooks here, writing to their own OUTPUT_DIR.

Errors print one line (``mdrepro: error: ...``) and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from mdrepro.book import parameters, timings
from mdrepro.book.chapter import ROOT
from mdrepro.config import DEVICES, PROFILES, check_profile, resolve_device
from mdrepro.errors import MdreproError, UnknownNameError
from mdrepro.papers import chapters, get_chapter

EXECUTED = ROOT / "book" / "executed"
GENERATED = ROOT / "book" / "generated"
#: The book's chapters, by id.
CHAPTERS = chapters()


def cmd_data_list(args) -> int:
    """List the registered data sets and their cache state."""
    from mdrepro import data
    from mdrepro.preflight import format_bytes

    print(f"{'name':<18} {'profile':<8} {'built':<6} {'size':>8}  title")
    for name in data.names():
        spec = data.get(name)
        for profile in PROFILES if args.profile is None else [args.profile]:
            if profile not in spec.params:  # a tier (extended) this data set is not used at
                continue
            ent = data.entry(name, profile)
            size = ""
            if ent.exists():
                size = format_bytes(sum(f["bytes"] for f in ent.manifest()["files"].values()))
            built = "yes" if ent.exists() else ("part" if ent.partial.exists() else "no")
            print(f"{name:<18} {profile:<8} {built:<6} {size:>8}  {spec.title}")
    print(f"cache: {data.cache_root()}")
    return 0


def _tag(profile: str) -> str:
    """Suffix of a stage name outside the ci profile (``" (paper)"``), so that a paper-scale
    build's timings never overwrite the ci ones.
    """
    return "" if profile == "ci" else f" ({profile})"


def cmd_data_build(args) -> int:
    """Build (or resume) data sets."""
    from mdrepro import data

    names = data.names() if args.all else args.names
    if not names:
        raise MdreproError(
            "name a data set to build, or pass --all; valid: " + ", ".join(data.names())
        )
    from mdrepro import preflight

    for name in names:
        data.get(name)  # fail early, before any work, on an unknown name
    if not args.force:  # a cached set counts only when it still matches its manifest
        for line in preflight.verify_data(args.profile, repair=True, names=names).damaged:
            print(f"mdrepro: {line}", file=sys.stderr)
    need = sum(
        preflight.estimate_data_bytes(n, args.profile) if not args.force else 0 for n in names
    )
    preflight.check_folder(data.cache_root(), need, "the data cache")
    for name in names:
        t0 = time.perf_counter()
        cached = data.entry(name, args.profile).exists() and not args.force
        path = data.build(name, args.profile, force=args.force, progress=not args.quiet)
        stage = f"data: {name}{_tag(args.profile)}"
        timings.record(stage, time.perf_counter() - t0, reused=cached)
        print(f"{name} ({args.profile}): {path}" + (" (cached)" if cached else ""))
    return 0


def cmd_data_verify(args) -> int:
    """Re-hash cached data sets against their manifests."""
    from mdrepro import data

    names = args.names or data.names()
    for name in names:
        data.get(name)
    bad = 0
    for name in names:
        ent = data.entry(name, args.profile)
        if not ent.exists():
            print(f"{name} ({args.profile}): not built")
            continue
        try:
            doc = ent.verify()
            print(f"{name} ({args.profile}): ok, {len(doc['files'])} files verified")
        except MdreproError as exc:
            bad += 1
            print(f"{name} ({args.profile}): FAILED: {exc}")
    return 1 if bad else 0


def cmd_verify(args) -> int:
    """Re-hash the data cache and the results cache against their recorded checksums."""
    from mdrepro import preflight
    from mdrepro.data.cache import cache_root
    from mdrepro.results import results_root

    d = preflight.verify_data(args.profile, repair=args.repair)
    r = preflight.verify_results(repair=args.repair)
    for line in d.damaged + r.damaged:
        print(line)
    print(
        f"data: {d.checked} set(s) checked, {len(d.damaged)} damaged ({cache_root()}); "
        f"results: {r.checked} file(s) checked, {len(r.damaged)} damaged ({results_root()})"
    )
    return 1 if (d.damaged or r.damaged) and not args.repair else 0


def _parse_value(text: str):
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def cmd_run(args) -> int:
    """Execute chapters; publish each only if it ran to the end."""
    from mdrepro.book import execute

    check_profile(args.profile)
    todo = [get_chapter(c) for c in args.chapters] if args.chapters else list(CHAPTERS.values())
    extra = {k: _parse_value(v) for k, v in (args.param or [])}
    for ch in todo:  # before torch, any kernel, workflow or data: a typo costs milliseconds
        parameters.check(ch.id, ch.notebook, extra)
        extra = parameters.resolve_files(ch.id, extra, Path.cwd())
    device = resolve_device(args.device)
    if not args.direct and not extra and args.seed == 0:
        # the chapters as published: through the workflow (data, units, then the notebooks)
        from mdrepro import preflight, workflow

        targets = [str(workflow.Plan(args.profile, device).stamp(c.id)) for c in todo]
        rc = workflow.snakemake(
            prepare=lambda: preflight.prepare_workflow(
                workflow.plan(args.profile, device, [c.id for c in todo]),
                say=lambda line: print(line, file=sys.stderr),
            ),
            targets=targets,
            profile=args.profile,
            device=device,
            cores=os.cpu_count(),
        )
        return 1 if rc else 0
    failed = []
    for ch in todo:
        run = execute.plan(ch, args.profile, device, args.seed, extra)
        where = "the book" if run.book else str(run.target)
        print(f"running {ch.id} ({ch.stem}) with {run.params} -> {where}")
        t0 = time.perf_counter()
        try:
            nb = execute.execute(run, progress=not args.quiet, timeout_s=args.cell_timeout)
        except execute.ChapterFailed as exc:
            failed.append(ch.id)
            kept = "the last good page was kept" if run.notebook.is_file() else "nothing published"
            print(f"mdrepro: error: {exc}; {kept}", file=sys.stderr)
            continue
        finally:
            if run.book:  # a reader's own run never replaces the book build's timings
                timings.record(f"run: {ch.id}{_tag(args.profile)}", time.perf_counter() - t0)
        print(f"{ch.id}: {time.perf_counter() - t0:.0f} s -> {nb}")
    if failed:
        print(f"mdrepro: error: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def cmd_params(args) -> int:
    """Print a chapter's notebook parameters: name, type, default, meaning."""
    ch = get_chapter(args.chapter)
    print(f"{ch.id} ({ch.stem}): `mdrepro run {ch.id} -p NAME VALUE`")
    print(parameters.table(ch.notebook))
    return 0


def cmd_study_list(args) -> int:
    """List a chapter's units of work, their result files and whether they are cached."""
    from mdrepro import papers

    ch = get_chapter(args.chapter)
    st = papers.store(ch.id)
    kwargs = json.loads(args.params) if args.params else {}
    for job in papers.jobs(ch.id, args.profile, resolve_device(args.device), **kwargs):
        why = st.check(job.unit)
        state = "cached" if why is None else ("missing" if why == "missing" else "damaged")
        print(f"{job.unit.study}/{job.unit.id}\t{state}\t{st.path(job.unit)}")
    return 0


def cmd_study_run(args) -> int:
    """Compute units of work of a chapter (each publishes its result file atomically)."""
    from mdrepro import papers
    from mdrepro.results import run_jobs

    ch = get_chapter(args.chapter)
    kwargs = json.loads(args.params) if args.params else {}
    jobs = papers.jobs(ch.id, args.profile, resolve_device(args.device), **kwargs)
    by_id = {f"{j.unit.study}/{j.unit.id}": j for j in jobs}
    bare = [j.unit.id for j in jobs]
    by_id.update({j.unit.id: j for j in jobs if bare.count(j.unit.id) == 1})
    if args.all:
        chosen = jobs
    else:
        missing = [u for u in args.units if u not in by_id]
        if missing or not args.units:
            raise MdreproError(
                f"expected unit ids of {ch.id} (see `mdrepro study list {ch.id}`), found "
                f"{', '.join(missing) or 'none'}"
            )
        chosen = [by_id[u] for u in args.units]
    st = papers.store(ch.id)
    if args.expect:
        want = Path(args.expect).resolve()
        paths = {st.path(j.unit).resolve() for j in chosen}
        if want not in paths:
            raise MdreproError(
                f"expected to write {want}, but the code plans {', '.join(map(str, paths))}: "
                "the workflow's plan is stale (re-run it)"
            )
    from mdrepro import preflight

    todo = [j for j in chosen if st.check(j.unit) is not None]
    preflight.check_folder(st.root, len(todo) * preflight.UNIT_BYTES, "the results cache")
    for job in chosen:
        t0 = time.perf_counter()
        cached = st.check(job.unit) is None
        run_jobs([job], st, progress=not args.quiet, desc=job.unit.id)
        stage = f"study: {ch.id} | {job.unit.study}/{job.unit.id}{_tag(args.profile)}"
        timings.record(stage, time.perf_counter() - t0, reused=cached)
        print(f"{ch.id} {job.unit.id}: {st.path(job.unit)}" + (" (cached)" if cached else ""))
    return 0


def cmd_build(args) -> int:
    """Run the book's workflow (Snakemake): data, units of work, chapters, HTML."""
    from mdrepro import workflow

    t0 = time.perf_counter()
    device = resolve_device(args.device)
    plan = workflow.Plan(args.profile, device)
    chosen = [get_chapter(c).id for c in args.chapters] or None
    if args.units and not args.units_only:
        raise MdreproError("expected --units together with --units-only, found --units alone")

    def prepare():  # under the workflow's lock (workflow.snakemake)
        from mdrepro import preflight

        params = json.loads(os.environ.get("MDREPRO_WORKFLOW_PARAMS") or "{}")
        return preflight.prepare_workflow(
            workflow.plan(args.profile, device, chosen, params, args.units),
            say=lambda line: print(line, file=sys.stderr),
            chapters=not args.units_only,
        )

    config = {}
    if args.units_only:  # the chapters' units (rule all), not their notebooks
        config["units_only"] = "1"
        if chosen:
            config["chapters"] = ",".join(chosen)
        if args.units:
            config["units"] = args.units
    rc = workflow.snakemake(
        prepare=prepare,
        config=config or None,
        targets=None if args.units_only else [str(plan.stamp(c)) for c in chosen or []] or None,
        profile=args.profile,
        device=device,
        cores=args.cores,
        dry_run=args.dry_run,
        executor=args.executor,
        extra=args.snakemake_args or [],
    )
    if not args.dry_run:
        print()
        print(timings.table(wall_s=time.perf_counter() - t0))
    if rc:
        raise MdreproError(f"the workflow failed (snakemake exit status {rc}); see the log above")
    return 0


def cmd_figure(args) -> int:
    """Rebuild one figure of the book from its chapter's cached (or computed) results."""
    from mdrepro import papers, plots

    name = args.figure.replace("_", "-", 1) if "-" not in args.figure else args.figure
    chapter, _, fig = name.partition("-")
    ch = get_chapter(chapter)
    registry = papers.module(ch, "figures").FIGURES.get(ch.id, {})
    if fig not in registry:
        raise UnknownNameError(f"figure of {ch.id}", fig, registry)
    plots.set_style()
    ctx = papers.context(ch.id, args.profile, resolve_device(args.device))
    out = Path(args.out)
    path = plots.save_figure(registry[fig](ctx), f"{ch.id}_{fig}", out)
    print(path)
    return 0


def cmd_publish(args) -> int:
    """Publish a chapter's results at a tier above ci, or verify every published chapter."""
    from mdrepro.book import paper_scale

    if args.verify:
        found = paper_scale.every_tier()
        bad = 0
        for p in found:
            problems = p.verify()
            state = "STALE (" + "; ".join(p.stale()) + ")" if p.stale() else "current"
            print(
                f"{p.chapter} ({p.tier}): {p.claims.summary()}; {state}; "
                f"{len(problems)} problem(s)"
            )
            if p.storage_note:
                print(f"  {p.storage_note}")
            for line in problems:
                print(f"  {line}")
            bad += bool(problems)
        if not found:
            print("no results are published (results/paper/ and results/extended/ are empty)")
        if bad:
            raise MdreproError(f"{bad} published chapter(s) failed verification")
        return 0
    if not args.chapter:
        raise MdreproError("expected a chapter to publish (e.g. ch04) or --verify, found none")
    from mdrepro import publish

    t0 = time.perf_counter()
    if args.rejudge:
        out, changes = publish.rejudge(get_chapter(args.chapter).id, profile=args.profile)
        for line in changes:
            print(f"  {line}")
        p = paper_scale.load(out.name, out.parent)
        print(f"{out}: re-judged from the stored units: {p.claims.summary()}")
        return 0
    out = publish.publish(
        get_chapter(args.chapter).id, resolve_device(args.device), profile=args.profile
    )
    p = paper_scale.load(out.name, out.parent)
    print(f"{out}: {p.claims.summary()} ({time.perf_counter() - t0:.0f} s)")
    return 0


def cmd_cost(args) -> int:
    """Probe the paper profile's stages and merge them into results/paper/costs.json."""
    from mdrepro import costs

    found = costs.probe(args.stages or None, seconds=args.seconds)
    path = costs.write(found)
    print(costs.markdown(costs.load(path)))
    print(f"written to {path}")
    return 0


def write_scorecard() -> Path:
    """Write book/generated/scorecard.md (with its figure and the counts table of the
    introduction) from every executed chapter's claims, with paper-scale claims beside them
    when ``results/paper/<chapter>/`` holds any (``mdrepro publish``).
    """
    from mdrepro.book import scorecard
    from mdrepro.book.claims import load_claims

    sets = load_claims(EXECUTED / "claims")
    from mdrepro.book import paper_scale

    found = paper_scale.every_tier()
    paper_sets = [p.claims for p in found]
    stale = {(p.tier, p.chapter) for p in found if p.stale()}
    titles = {c.id: c.title for c in CHAPTERS.values()}
    profile = sets[0].profile if sets else "ci"
    rec = ROOT / "results" / profile / "verdicts.json"
    recorded = json.loads(rec.read_text()) if rec.is_file() else None
    return scorecard.write(sets, GENERATED, titles, paper_sets, recorded, stale)


def record_verdicts() -> Path:
    """Write ``results/<profile>/verdicts.json`` (claim id -> verdict) from the executed
    chapters: the verdicts recorded for this commit, against which later builds show changes.
    """
    from mdrepro.book import scorecard
    from mdrepro.book.claims import load_claims
    from mdrepro.data.cache import atomic_write_text

    sets = load_claims(EXECUTED / "claims")
    if not sets:
        raise MdreproError("no executed chapter: nothing to record")
    profile = sets[0].profile
    path = ROOT / "results" / profile / "verdicts.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(scorecard.snapshot(sets), indent=1, sort_keys=True) + "\n")
    return path


def write_placeholders() -> list[str]:
    """A short page for every chapter that has no executed notebook; returns their ids.

    The book then builds from whatever was executed (a reader may run one chapter), and says
    plainly which chapters are missing. A placeholder is removed once the chapter is executed.
    """
    from mdrepro.data.cache import atomic_write_text

    missing = []
    for c in CHAPTERS.values():
        page = EXECUTED / f"{c.stem}.md"
        if (EXECUTED / f"{c.stem}.ipynb").is_file():
            page.unlink(missing_ok=True)
            continue
        missing.append(c.id)
        atomic_write_text(
            page,
            f"# {c.title}\n\n*This chapter was not executed in this build.* Run\n\n"
            f"```bash\nmdrepro run {c.id} && mdrepro book\n```\n\nto execute it "
            f"(its data sets, {', '.join(c.datasets) or 'none'}, are built first if needed).\n",
        )
    return missing


def cmd_book(args) -> int:
    """Build the HTML book from the executed chapters."""
    missing = write_placeholders()
    if len(missing) == len(CHAPTERS):
        raise MdreproError("no chapter has been executed; run `mdrepro run` first")
    if missing:
        print(
            f"mdrepro: warning: not executed, shown as placeholders: {', '.join(missing)} "
            f"(run `mdrepro run {' '.join(missing)}`)",
            file=sys.stderr,
        )
    write_scorecard()
    if getattr(args, "record_verdicts", False):
        print(f"verdicts recorded in {record_verdicts()}")
    from mdrepro.book.benchmarks import write_measured

    write_measured(GENERATED / "benchmarks_measured.md", EXECUTED / "benchmarks")
    from mdrepro import costs
    from mdrepro.data.cache import atomic_write_text

    atomic_write_text(GENERATED / "paper_costs.md", costs.markdown(costs.load()))
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(jb) if jb.exists() else "jupyter-book",
        "build",
        str(ROOT),
        "--path-output",
        str(ROOT),
    ]
    if args.warnings_as_errors:
        cmd.append("-W")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT)
    timings.record("book: html", time.perf_counter() - t0)
    if proc.returncode:
        raise MdreproError(f"jupyter-book build failed with status {proc.returncode}")
    html = ROOT / "_build" / "html" / "index.html"
    print()
    print(timings.table())
    print()
    print(
        f"The book is at {html}  (open it in a browser, or: python -m http.server -d "
        f"{html.parent})"
    )
    return 0


def cmd_timings(args) -> int:
    """Print this run's stage timings, or mark the start of a run."""
    if args.action == "start":
        timings.start_run()
        return 0
    print(timings.table())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``mdrepro`` command."""
    p = argparse.ArgumentParser(prog="mdrepro", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("data", help="list, build and verify data sets")
    dsub = d.add_subparsers(dest="data_command", required=True)
    dl = dsub.add_parser("list", help="registered data sets and their cache state")
    dl.add_argument("--profile", choices=None, default=None)
    dl.set_defaults(func=cmd_data_list)
    db = dsub.add_parser("build", help="build (or resume) data sets")
    db.add_argument("names", nargs="*")
    db.add_argument("--all", action="store_true", help="every registered data set")
    db.add_argument("--profile", default="ci")
    db.add_argument("--force", action="store_true", help="rebuild even if cached")
    db.add_argument("--quiet", action="store_true", help="no progress bars")
    db.set_defaults(func=cmd_data_build)
    dv = dsub.add_parser("verify", help="re-hash cached files against their manifests")
    dv.add_argument("names", nargs="*")
    dv.add_argument("--profile", default="ci")
    dv.set_defaults(func=cmd_data_verify)

    v = sub.add_parser(
        "verify", help="re-hash the data and results caches against their checksums"
    )
    v.add_argument("--profile", default=None, help="only this profile's data sets")
    v.add_argument(
        "--repair",
        action="store_true",
        help="move damaged files aside (.damaged/): the next build recomputes them",
    )
    v.set_defaults(func=cmd_verify)

    r = sub.add_parser("run", help="execute chapter notebooks with papermill")
    r.add_argument("chapters", nargs="*", help=f"chapter ids ({', '.join(CHAPTERS)}); default all")
    r.add_argument("--profile", default=os.environ.get("PROFILE", "ci"))
    r.add_argument("--device", default=os.environ.get("DEVICE", "auto"), help="/".join(DEVICES))
    r.add_argument("--seed", type=int, default=0)
    r.add_argument(
        "-p",
        "--param",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="notebook parameter (repeatable), e.g. -p ADK_TRAJECTORY my.dcd; "
        "`mdrepro params CHAPTER` lists them",
    )
    r.add_argument("--quiet", action="store_true")
    r.add_argument(
        "--direct",
        action="store_true",
        help="execute the notebooks here and now (missing units are computed in-process), "
        "not through the workflow",
    )
    r.add_argument(
        "--cell-timeout",
        type=float,
        default=float(os.environ.get("MDREPRO_CELL_TIMEOUT", 1800)),
        help="seconds a notebook cell may run before the chapter fails (default 1800)",
    )
    r.set_defaults(func=cmd_run)

    pa = sub.add_parser("params", help="a chapter's notebook parameters (for `run -p`)")
    pa.add_argument("chapter", help=f"chapter id ({', '.join(CHAPTERS)})")
    pa.set_defaults(func=cmd_params)

    s = sub.add_parser("study", help="list or compute a chapter's units of work")
    ssub = s.add_subparsers(dest="study_command", required=True)
    sl = ssub.add_parser("list", help="units of work, their result files, cached or not")
    sl.add_argument("chapter")
    sl.add_argument("--profile", default=os.environ.get("PROFILE", "ci"))
    sl.add_argument("--device", default="cpu", help="/".join(DEVICES))
    sl.add_argument("--params", help="JSON keyword arguments of the paper's params.resolve")
    sl.set_defaults(func=cmd_study_list)
    sr = ssub.add_parser("run", help="compute units of work (cached ones are loaded)")
    sr.add_argument("chapter")
    sr.add_argument(
        "units", nargs="*", help="STUDY/UNIT ids, or UNIT where unique (`mdrepro study list`)"
    )
    sr.add_argument("--all", action="store_true", help="every unit of the chapter")
    sr.add_argument("--profile", default=os.environ.get("PROFILE", "ci"))
    sr.add_argument("--device", default="cpu", help="/".join(DEVICES))
    sr.add_argument("--params", help="JSON keyword arguments of the paper's params.resolve")
    sr.add_argument("--expect", help="the result file the caller expects (workflow check)")
    sr.add_argument("--quiet", action="store_true")
    sr.set_defaults(func=cmd_study_run)

    w = sub.add_parser("build", help="run the whole book as a workflow (Snakemake)")
    w.add_argument("chapters", nargs="*", help="only these chapters (default: the whole book)")
    w.add_argument("--profile", default=os.environ.get("PROFILE", "ci"))
    w.add_argument("--device", default=os.environ.get("DEVICE", "cpu"), help="/".join(DEVICES))
    w.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    w.add_argument("-n", "--dry-run", action="store_true", help="say what would run, and why")
    w.add_argument("--units-only", action="store_true", help="stop after the units of work")
    w.add_argument(
        "--units",
        metavar="REGEX",
        help="with --units-only: only units whose PAPER/STUDY/ID matches (sidky2020/fourwell/)",
    )
    w.add_argument("--executor", default=None, help="e.g. slurm (with the repo's slurm profile)")
    w.add_argument(
        "--snakemake-args", nargs=argparse.REMAINDER, help="passed on to snakemake unchanged"
    )
    w.set_defaults(func=cmd_build)

    f = sub.add_parser("figure", help="rebuild one figure, e.g. ch04-fig3 (from cached results)")
    f.add_argument("figure", help="CHAPTER-NAME as printed under the figure, e.g. ch02-fig6ab")
    f.add_argument("--profile", default=os.environ.get("PROFILE", "ci"))
    f.add_argument("--device", default="cpu", help="/".join(DEVICES))
    f.add_argument("--out", default=str(ROOT / "runs" / "figures"), help="output folder")
    f.set_defaults(func=cmd_figure)

    b = sub.add_parser("book", help="build the HTML book from the executed notebooks")
    b.add_argument("--warnings-as-errors", action="store_true")
    b.add_argument(
        "--record-verdicts",
        action="store_true",
        help="also write results/<profile>/verdicts.json: the verdicts of this commit, against "
        "which later builds show changes on the verdict log",
    )
    b.set_defaults(func=cmd_book)

    pb = sub.add_parser(
        "publish",
        help="publish a chapter's finished paper-scale (or extended-tier) units into "
        "results/<tier>/ (or --verify)",
    )
    pb.add_argument("chapter", nargs="?", help="chapter id, e.g. ch04")
    pb.add_argument(
        "--profile",
        default="paper",
        choices=("paper", "extended"),
        help="the tier to publish: paper (results/paper/) or extended (results/extended/)",
    )
    pb.add_argument("--device", default="cpu", help="the device the units ran on: cpu or cuda")
    pb.add_argument(
        "--verify",
        action="store_true",
        help="check every published chapter (checksums, size, verdicts recomputed from the "
        "stored units with the current claims code) instead of publishing",
    )
    pb.add_argument(
        "--rejudge",
        action="store_true",
        help="re-judge a published chapter with the current claims code and registry, from its "
        "stored units (refused when they are stale); records the commit and the changes",
    )
    pb.set_defaults(func=cmd_publish)

    co = sub.add_parser(
        "cost",
        help="time each paper-profile stage briefly and extrapolate (results/paper/costs.json)",
    )
    co.add_argument(
        "stages",
        nargs="*",
        help='"data: NAME" or "study: CHAPTER" (default: every stage)',
    )
    co.add_argument("--seconds", type=float, default=120.0, help="shortest timed run per stage")
    co.set_defaults(func=cmd_cost)

    t = sub.add_parser("timings", help="print this run's stage timings (or start a run)")
    t.add_argument("action", nargs="?", choices=["show", "start"], default="show")
    t.set_defaults(func=cmd_timings)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    if getattr(args, "profile", None) is not None:
        try:
            check_profile(args.profile)
        except UnknownNameError as exc:
            print(f"mdrepro: error: {exc}", file=sys.stderr)
            return 2
    try:
        return int(args.func(args) or 0)
    except MdreproError as exc:
        print(f"mdrepro: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a read-only folder: one line, never a traceback
        from mdrepro.preflight import os_error_line

        print(f"mdrepro: error: {os_error_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mdrepro: interrupted; partial builds resume on the next run", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
