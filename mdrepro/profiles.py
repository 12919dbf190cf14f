"""Profiles as overrides: the paper's protocol, and what ``ci`` changes in it.

Every paper package writes its parameters once, as the paper's own protocol (the ``paper``
profile), and the ``ci`` profile as a small dict of *overrides* with a reason for each. A reader
sees at a glance what ci changes; a value the paper states is written exactly once.

>>> paper = {"epochs": 100, "sizes": {"adk": 10, "smd": 20}}
>>> derive(paper, {"sizes": {"adk": 2}})
{'epochs': 100, 'sizes': {'adk': 2, 'smd': 20}}
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from mdrepro.errors import DataError, UnknownNameError

PROFILES = ("ci", "paper")


def derive(base: Mapping[str, Any], overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """A deep copy of ``base`` with ``overrides`` applied (nested dicts merge key by key).

    Raises
    ------
    DataError
        If an override names a key that ``base`` does not have: a typo would otherwise pass
        silently and the run would use the paper's value.
    """
    out = copy.deepcopy(dict(base))
    for key, value in (overrides or {}).items():
        if key not in out:
            raise DataError(
                f"expected an override of a known parameter ({', '.join(sorted(out))}), "
                f"found {key!r}"
            )
        if isinstance(value, Mapping) and isinstance(out[key], Mapping):
            out[key] = derive(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def by_profile(
    paper: Mapping[str, Any], ci_overrides: Mapping[str, Any], profile: str
) -> dict[str, Any]:
    """Parameters of ``profile``: ``paper`` itself, or ``paper`` with the ci overrides."""
    if profile not in PROFILES:
        raise UnknownNameError("profile", profile, PROFILES)
    return derive(paper, ci_overrides) if profile == "ci" else copy.deepcopy(dict(paper))


def flat_keys(params: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every key of a nested parameter dict, dotted (``"fourwell.lag"``)."""
    out = []
    for k, v in params.items():
        name = f"{prefix}{k}"
        out.append(name)
        if isinstance(v, Mapping) and all(isinstance(x, str) for x in v):
            out += flat_keys(v, f"{name}.")
    return out
