"""The registry of data sets: a recipe and its parameters per profile.

Each data set is built by a *recipe* (a function in :mod:`mdrepro.data.recipes`) from the
parameters of one profile. Parameters, not code, decide the cache key: bump ``version`` when a
recipe changes what it writes. The specs live with the papers that use them
(``mdrepro/papers/<paper>/datasets.py``), which register them here.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mdrepro.config import check_profile
from mdrepro.errors import DataError, UnknownNameError


@dataclass(frozen=True)
class DatasetSpec:
    """A data set: what it is, how it is made, at which sizes.

    Attributes
    ----------
    name : str
        Registry name (``mdrepro data build NAME``).
    title : str
        One line for listings.
    recipe : str
        Function name in :mod:`mdrepro.data.recipes`.
    version : int
        Recipe version; part of the cache key.
    params : mapping
        Profile name -> recipe parameters.
    source : str
        What the original data were and where the documents say they came from.
    """

    name: str
    title: str
    recipe: str
    version: int
    params: Mapping[str, Mapping[str, Any]]
    source: str = ""

    def params_for(self, profile: str) -> dict[str, Any]:
        """Parameters of ``profile`` (raises for an unknown profile)."""
        check_profile(profile)
        return dict(self.params[profile])


#: The modules that register data sets (one per paper). They are imported on first use of the
#: registry, by name: the data layer never imports a paper package at import time.
DATASET_MODULES = (
    "mdrepro.papers.gupta2020.datasets",
    "mdrepro.papers.cava.datasets",
    "mdrepro.papers.sidky2020.datasets",
    "mdrepro.papers.winkler2020.datasets",
)

DATASETS: dict[str, DatasetSpec] = {}
_LOADED = False


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add a data set to the registry (each paper's ``datasets`` module calls this).

    Raises
    ------
    DataError
        If another spec already holds the name.
    """
    old = DATASETS.get(spec.name)
    if old is not None and old != spec:
        raise DataError(f"data set {spec.name!r} is registered twice with different specs")
    DATASETS[spec.name] = spec
    return spec


def _load_all() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for mod in DATASET_MODULES:
            importlib.import_module(mod)


def get(name: str) -> DatasetSpec:
    """The spec of data set ``name`` (raises :class:`UnknownNameError` listing valid names)."""
    _load_all()
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownNameError("data set", name, DATASETS) from None


def names() -> list[str]:
    """Registered data-set names, sorted."""
    _load_all()
    return sorted(DATASETS)
