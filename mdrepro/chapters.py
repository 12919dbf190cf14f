"""The book's chapters: notebook, title, data sets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mdrepro.errors import UnknownNameError

ROOT = Path(__file__).resolve().parents[1]


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
    datasets : tuple of str
        Data sets it loads (built before it runs).
    """

    id: str
    stem: str
    title: str
    datasets: tuple[str, ...] = ()

    @property
    def notebook(self) -> Path:
        """Source notebook (stored without outputs)."""
        return ROOT / "notebooks" / f"{self.stem}.ipynb"


CHAPTERS: dict[str, Chapter] = {
    c.id: c
    for c in [
        Chapter(
            "ch01",
            "ch01_md_datasets",
            "1. MD data sets for forecasting: ADK equilibrium and 100-alanine steered MD",
            ("adk-equilibrium", "ala100-smd"),
        ),
        Chapter(
            "ch02",
            "ch02_lstm_forecasting",
            "2. Forecasting MD with LSTMs: history, lead time, learning rate, Kirchhoff "
            "decomposition",
            ("adk-equilibrium", "ala100-smd"),
        ),
        Chapter(
            "ch03",
            "ch03_lstm_vae",
            "3. LSTM-VAE latent generation of deca-alanine steered MD, with bonded energies",
            ("decaala-smd",),
        ),
        Chapter(
            "ch04",
            "ch04_latent_space_simulators",
            "4. Molecular latent space simulators: four-well and Trp-cage",
            ("fourwell-bd", "trpcage-go"),
        ),
        Chapter(
            "ch05",
            "ch05_interpolation",
            "5. Bi-directional interpolation of MD trajectories: malondialdehyde and benzene",
            ("mda-xtb", "benzene-xtb"),
        ),
    ]
}


def get_chapter(name: str) -> Chapter:
    """Look a chapter up by id (``ch01``) or notebook stem."""
    for c in CHAPTERS.values():
        if name in (c.id, c.stem):
            return c
    raise UnknownNameError("chapter", name, CHAPTERS)
