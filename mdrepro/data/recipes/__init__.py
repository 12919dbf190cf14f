"""Recipes: how each registered data set is simulated.

A recipe gets the parameters of one profile and a :class:`~mdrepro.data.cache.CacheEntry`,
writes its files into ``entry.partial`` (scratch work into ``entry.scratch``), and returns the
provenance that goes into the manifest. It must be resumable: finished pieces are skipped, an
interrupted production run continues from its last checkpoint.

Each recipe lives in a module of its own family, so that the cache key of a data set can hold
the hash of exactly the code that makes it (:func:`code_hash`): editing the xTB recipe never
rebuilds the protein data sets.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cache

from mdrepro.errors import UnknownNameError

#: Recipe name -> module that defines it.
RECIPES = {
    "build_adk_equilibrium": "mdrepro.data.recipes.proteins",
    "build_ala100_smd": "mdrepro.data.recipes.proteins",
    "build_decaala_smd": "mdrepro.data.recipes.proteins",
    "build_xtb_md": "mdrepro.data.recipes.quantum",
    "build_fourwell_bd": "mdrepro.data.recipes.brownian",
    "build_trpcage_go": "mdrepro.data.recipes.gomodel",
}


def get(name: str) -> Callable:
    """The recipe function ``name``."""
    if name not in RECIPES:
        raise UnknownNameError("recipe", name, RECIPES)
    return getattr(importlib.import_module(RECIPES[name]), name)


@cache
def code_hash(name: str) -> str:
    """Hash (16 hex digits) of the sources of the recipe's module and every mdrepro module it
    imports (:func:`mdrepro.results.code_hash`).
    """
    from mdrepro.results import code_hash as _hash

    if name not in RECIPES:
        raise UnknownNameError("recipe", name, RECIPES)
    return _hash([RECIPES[name]])
