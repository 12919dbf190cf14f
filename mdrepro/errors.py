"""Exceptions of mdrepro.

Every message says, in one sentence, what was expected and what was found; the command line
prints it on one line and exits non-zero.
"""

from __future__ import annotations

from collections.abc import Iterable


class MdreproError(Exception):
    """Base class of the errors that mdrepro raises on purpose."""


class UnknownNameError(MdreproError, KeyError):
    """An unknown data set, chapter or profile name.

    Parameters
    ----------
    kind : str
        What was looked up, e.g. ``"data set"``.
    name : str
        The name that was asked for.
    valid : iterable of str
        The names that exist.
    """

    def __init__(self, kind: str, name: str, valid: Iterable[str]):
        self.kind = kind
        self.name = name
        self.valid = sorted(valid)
        super().__init__(f"unknown {kind} {name!r}; valid names: {', '.join(self.valid)}")

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return self.args[0]


class DataError(MdreproError, ValueError):
    """Input data that cannot be used as asked (missing file, wrong shape, NaN, ...)."""


class ChecksumError(DataError):
    """A cached file whose sha256 differs from the one its manifest recorded."""
