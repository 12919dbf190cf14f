"""One package per reproduced document, and the registry of the book's chapters.

=================  ==============================================================  ========
package            document                                                        chapters
=================  ==============================================================  ========
``gupta2020``      Gupta, Cava et al. (2020), *Mind reading of the proteins*       ch01, ch02
``cava``           Cava et al. (undated, after Oct 2022), *Latent sequence         ch03
                   generation of steered molecular dynamics*
``sidky2020``      Sidky, Chen & Ferguson (2020), *Molecular latent space           ch04
                   simulators*
``winkler2020``    Winkler & Sauceda (2020), *Interpolation of MD trajectories      ch05
                   with bi-directional neural networks*
=================  ==============================================================  ========

Each package holds ``params.py`` (the paper's protocol as the ``paper`` profile, ``ci`` as
overrides, the paper's quoted facts), ``datasets.py`` (its data-set recipes and loaders),
``study.py`` (units of work returning typed results), ``figures.py`` (one function per paper
figure) and ``claims.py`` (checks on typed results). Importing this package is cheap: it reads
only each paper's chapter list.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from mdrepro.book.chapter import Chapter, ChapterContext
from mdrepro.errors import UnknownNameError

#: Paper packages, in the book's order.
PAPERS = ("gupta2020", "cava", "sidky2020", "winkler2020")


def paper(name: str) -> ModuleType:
    """The package of paper ``name`` (e.g. ``"gupta2020"``)."""
    if name not in PAPERS:
        raise UnknownNameError("paper", name, PAPERS)
    return importlib.import_module(f"mdrepro.papers.{name}")


def chapters() -> dict[str, Chapter]:
    """Every chapter of the book, by id, in order."""
    out: dict[str, Chapter] = {}
    for name in PAPERS:
        for ch in paper(name).CHAPTERS:
            out[ch.id] = ch
    return dict(sorted(out.items()))


def get_chapter(name: str) -> Chapter:
    """Look a chapter up by id (``ch01``) or notebook stem."""
    for c in chapters().values():
        if name in (c.id, c.stem):
            return c
    raise UnknownNameError("chapter", name, chapters())


def module(chapter: str | Chapter, part: str) -> ModuleType:
    """``params``, ``datasets``, ``study``, ``figures`` or ``claims`` of a chapter's paper."""
    ch = chapter if isinstance(chapter, Chapter) else get_chapter(chapter)
    return importlib.import_module(f"mdrepro.papers.{ch.paper}.{part}")


def context(
    chapter: str, profile: str = "ci", device: str = "cpu", seed: int = 0, **overrides: Any
) -> ChapterContext:
    """A chapter's context for planning and running its units outside a notebook."""
    from mdrepro.book.chapter import headless

    ch = get_chapter(chapter)
    params = module(ch, "params").resolve(ch.id, profile, seed=seed, **overrides)
    return headless(ch, profile, device, seed, params)


def jobs(
    chapter: str, profile: str = "ci", device: str = "cpu", seed: int = 0, **overrides: Any
) -> list:
    """Every unit of work of a chapter on its built-in data (:class:`mdrepro.results.Job`);
    ``overrides`` go to the paper's ``params.resolve`` as in :func:`setup`.
    """
    ctx = context(chapter, profile, device, seed, **overrides)
    return module(ctx.chapter, "study").chapter_jobs(ctx)


def store(chapter: str):
    """The results store of a chapter's paper."""
    return module(chapter, "study").store()


def setup(
    chapter: str,
    profile: str = "ci",
    device: str = "auto",
    seed: int = 0,
    output_dir: str | Path = "../book/executed",
    threads: int | None = None,
    **overrides: Any,
) -> ChapterContext:
    """The one set-up call of a chapter notebook.

    Parameters
    ----------
    chapter : str
        Chapter id.
    profile, device, seed, output_dir
        The notebook's parameters.
    threads : int, optional
        CPU threads (default ``MDREPRO_THREADS`` or every core).
    **overrides
        Notebook parameters that change the chapter's parameters (``seeds``, ``epochs``,
        ...): the paper's ``params.resolve`` says which it accepts; None means "keep".

    Returns
    -------
    mdrepro.book.chapter.ChapterContext
    """
    from mdrepro.book.chapter import start

    ch = get_chapter(chapter)
    params = module(ch, "params").resolve(ch.id, profile, seed=seed, **overrides)
    return start(ch, profile, device, seed, output_dir, params, threads=threads)
