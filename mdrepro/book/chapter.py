"""A chapter of the book, and the one set-up call every chapter notebook makes.

:class:`Chapter` says what a chapter is (notebook, title, paper, data sets). :func:`start`
does what the top of every notebook used to repeat: resolve profile and device, seed every
generator, set the thread counts and the figure style, start the provenance clock, and make the
output folders. It returns a :class:`ChapterContext`, through which the notebook saves figures
(with the line that reproduces each one), writes its claims and records measured speeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from mdrepro.config import Config

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Chapter:
    """A chapter notebook.

    Attributes
    ----------
    id : str
        Short id used on the command line (``ch01``).
    stem : str
        Notebook file stem in ``notebooks/`` and ``book/executed/``.
    title : str
    paper : str
        The paper package that holds its logic (``gupta2020``).
    datasets : tuple of str
        Built-in data sets it loads (built before it runs).
    torch_threads : int or None
        Intra-op threads for torch on the CPU (None: the configuration's thread count). Small
        networks gain nothing from a second thread and lose up to 10x when cores are shared.
    """

    id: str
    stem: str
    title: str
    paper: str
    datasets: tuple[str, ...] = ()
    torch_threads: int | None = None

    @property
    def notebook(self) -> Path:
        """Source notebook (stored without outputs)."""
        return ROOT / "notebooks" / f"{self.stem}.ipynb"


@dataclass
class ChapterContext:
    """What a running chapter notebook holds: its configuration, parameters and outputs.

    Attributes
    ----------
    chapter : Chapter
    config : mdrepro.config.Config
        Profile, device and thread count.
    seed : int
    params : mapping
        The chapter's parameters under this profile (read-only), after the notebook's
        overrides.
    output_dir : pathlib.Path
        Figures, claims and benchmark records go to ``figures/``, ``claims/``,
        ``benchmarks/`` below it.
    provenance : mdrepro.provenance.Provenance
    data : dict
        Data-set name -> fingerprint (cache key, or hash of a user's arrays), registered by
        the loaders; printed under every figure.
    """

    chapter: Chapter
    config: Config
    seed: int
    params: Mapping[str, Any]
    output_dir: Path
    provenance: Any
    data: dict[str, str] = field(default_factory=dict)

    @property
    def profile(self) -> str:
        """``"ci"`` or ``"paper"``."""
        return self.config.profile

    @property
    def device(self) -> str:
        """``"cpu"`` or ``"cuda"``."""
        return self.config.device

    @property
    def torch_threads(self) -> int:
        """Intra-op threads torch uses in this chapter."""
        import torch

        return int(torch.get_num_threads())

    @property
    def fig_dir(self) -> Path:
        """Folder of the chapter's PNG figures."""
        return self.output_dir / "figures"

    @property
    def claim_dir(self) -> Path:
        """Folder of the chapter's claims JSON."""
        return self.output_dir / "claims"

    @property
    def bench_dir(self) -> Path:
        """Folder of the chapter's measured speeds."""
        return self.output_dir / "benchmarks"

    def use_data(self, name: str, fingerprint: str) -> None:
        """Record that the chapter used data set ``name`` with this fingerprint."""
        self.data[name] = fingerprint

    def reproduce_line(self, name: str) -> str:
        """The line printed under figure ``name``: the command that rebuilds it, the data
        fingerprints and the commit.
        """
        from mdrepro.provenance import git_commit

        data = ", ".join(f"{k} {v}" for k, v in sorted(self.data.items())) or "none"
        fig = name.removeprefix(f"{self.chapter.id}_")
        cmd = f"mdrepro figure {self.chapter.id}-{fig}"
        if self.profile != "ci":
            cmd += f" --profile {self.profile}"
        return f"Reproduce: `{cmd}` · data: {data} · commit {git_commit()}"

    def figure(self, fig, name: str, show: bool = True) -> Path:
        """Save a figure as ``figures/<name>.png`` and print its reproduce line.

        Parameters
        ----------
        fig : matplotlib Figure, Axes or array of Axes
            As returned by the paper's ``figures`` functions.
        name : str
            File stem, ``<chapter>_<figure>`` (e.g. ``"ch02_fig6ab"``).
        show : bool
            Print the reproduce line (as Markdown in a notebook).
        """
        from mdrepro.plots import save_figure

        path = save_figure(fig, name, self.fig_dir)
        if show:
            _markdown(f"<small>{self.reproduce_line(name)}</small>")
        return path

    def claims(self, claim_set) -> Any:
        """Write the chapter's claims JSON, show the table and the count; return the set."""
        claim_set.write(self.claim_dir)
        _html(claim_set._repr_html_())
        print(claim_set.summary())
        return claim_set

    def benchmark(self, rows: list[dict[str, Any]]) -> Path:
        """Record measured speeds for the benchmark page."""
        from mdrepro.book import benchmarks

        return benchmarks.record(self.chapter.id, rows, self.bench_dir)

    def report(self):
        """The provenance table (rendered at the end of every chapter)."""
        return self.provenance.report(data=self.data)

    def __repr__(self) -> str:
        return (
            f"{self.chapter.id}: profile {self.profile}, device {self.device}, "
            f"{self.config.threads} thread(s), seed {self.seed}, output {self.output_dir}"
        )


def _markdown(text: str) -> None:
    try:
        from IPython.display import Markdown, display

        display(Markdown(text))
    except ImportError:  # pragma: no cover - IPython is a dependency
        print(text)


def _html(text: str) -> None:
    try:
        from IPython.display import HTML, display

        display(HTML(text))
    except ImportError:  # pragma: no cover
        print(text)


def headless(
    chapter: Chapter, profile: str, device: str, seed: int, params: Mapping[str, Any]
) -> ChapterContext:
    """A chapter's context without a notebook: no seeding, no style, no output folders (what
    the command line and the workflow use to plan and run units of work).
    """
    from mdrepro import config

    # no check that the device is usable here: a plan for a GPU cluster is made anywhere
    if device not in ("cpu", "cuda"):
        device = config.resolve_device(device)
    cfg = config.Config(config.check_profile(profile), device, threads=1)
    return ChapterContext(
        chapter=chapter,
        config=cfg,
        seed=int(seed),
        params=MappingProxyType(dict(params)),
        output_dir=ROOT / "build" / "headless",
        provenance=None,
    )


def start(
    chapter: Chapter,
    profile: str,
    device: str,
    seed: int,
    output_dir: str | Path,
    params: Mapping[str, Any],
    threads: int | None = None,
) -> ChapterContext:
    """Set a chapter up: configuration, seeds, threads, style, provenance, output folders.

    Parameters
    ----------
    chapter : Chapter
    profile : {"ci", "paper"}
    device : {"auto", "cpu", "cuda"}
    seed : int
    output_dir : path
        Relative paths are taken from the working directory (the notebook's folder).
    params : mapping
        The chapter's resolved parameters.
    threads : int, optional
        CPU threads (default ``MDREPRO_THREADS`` or every core).

    Returns
    -------
    ChapterContext
    """
    from mdrepro import config, plots
    from mdrepro.provenance import Provenance
    from mdrepro.seeding import seed_everything

    cfg = config.resolve(profile, device, threads)
    seed_everything(seed)
    if cfg.device == "cpu":
        import torch

        torch.set_num_threads(chapter.torch_threads or cfg.threads)
    plots.set_style()
    out = Path(output_dir)
    ctx = ChapterContext(
        chapter=chapter,
        config=cfg,
        seed=int(seed),
        params=MappingProxyType(dict(params)),
        output_dir=out,
        provenance=Provenance(chapter.id, cfg.profile, cfg.device, seed),
    )
    for d in (ctx.fig_dir, ctx.claim_dir, ctx.bench_dir):
        d.mkdir(parents=True, exist_ok=True)
    print(ctx)
    return ctx
