"""Profiles as overrides: the paper's protocol, and what ``ci`` changes in it.

Every paper package writes its parameters once, as the paper's own protocol (the ``paper``
profile), and the ``ci`` profile as a small dict of *overrides* with a reason for each. A reader
sees at a glance what ci changes; a value the paper states is written exactly once.

Between the two, a paper may declare an ``extended`` tier: the ci profile with a second, small
dict of overrides, for claims that ci cannot decide but two CPU cores can in about an hour or
two. A paper that declares none has no extended tier (asking for it is an error, not a silent
copy of ci).

>>> paper = {"epochs": 100, "sizes": {"adk": 10, "smd": 20}}
>>> derive(paper, {"sizes": {"adk": 2}})
{'epochs': 100, 'sizes': {'adk': 2, 'smd': 20}}
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from mdrepro.errors import DataError, UnknownNameError

#: Profiles, smallest first (``extended`` is ci plus a paper's extended overrides).
PROFILES = ("ci", "extended", "paper")


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
    paper: Mapping[str, Any],
    ci_overrides: Mapping[str, Any],
    profile: str,
    extended_overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Parameters of ``profile``: ``paper`` itself, ``paper`` with the ci overrides, or (for
    ``extended``) ``paper`` with the ci overrides and then the extended ones.

    >>> by_profile({"epochs": 100}, {"epochs": 10}, "extended", {"epochs": 40})
    {'epochs': 40}

    Raises
    ------
    UnknownNameError
        For a profile other than ci, extended or paper.
    DataError
        For ``extended`` when the paper declares no extended overrides.
    """
    if profile not in PROFILES:
        raise UnknownNameError("profile", profile, PROFILES)
    if profile == "paper":
        return copy.deepcopy(dict(paper))
    ci = derive(paper, ci_overrides)
    if profile == "ci":
        return ci
    if extended_overrides is None:
        raise DataError(
            "expected a chapter with an extended tier (it declares extended overrides of its "
            "ci parameters), found none: run it with --profile ci or paper"
        )
    return derive(ci, extended_overrides)


def flat_keys(params: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Every key of a nested parameter dict, dotted (``"fourwell.lag"``)."""
    out = []
    for k, v in params.items():
        name = f"{prefix}{k}"
        out.append(name)
        if isinstance(v, Mapping) and all(isinstance(x, str) for x in v):
            out += flat_keys(v, f"{name}.")
    return out
