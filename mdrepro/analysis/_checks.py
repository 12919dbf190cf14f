"""Input checks shared by :mod:`mdrepro.analysis`.

Every check raises :class:`mdrepro.errors.DataError` (a :class:`ValueError`) whose message says,
in one sentence, what was expected and what was found.
"""

from __future__ import annotations

import numbers

import numpy as np

from mdrepro.errors import DataError

#: Elements of float64 scratch memory that one block of a blocked computation may use (32 MiB).
BLOCK_ELEMENTS = 1 << 22


def as_real_array(x, name: str) -> np.ndarray:
    """``x`` as a real floating-point array (float arrays are not copied)."""
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        return arr
    if arr.dtype.kind in "iub":
        return arr.astype(np.float64)
    raise DataError(f"expected real numbers in {name}, found dtype {arr.dtype}")


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise if ``arr`` holds NaN or infinity (one float64 sum, no large temporary)."""
    if arr.size and not np.isfinite(np.sum(arr, dtype=np.float64)):
        bad = int(np.count_nonzero(~np.isfinite(arr)))
        if bad:  # the sum may also overflow for finite but absurd values
            raise DataError(f"expected finite values in {name}, found {bad} NaN or infinite")


def as_frames(x, name: str = "X", min_frames: int = 1) -> np.ndarray:
    """Check a trajectory ``(T, N, 3)``: real, finite, at least ``min_frames`` frames."""
    arr = as_real_array(x, name)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.shape[1] < 1:
        raise DataError(f"expected {name} with shape (T, N, 3), found shape {arr.shape}")
    if arr.shape[0] < min_frames:
        noun = "frame" if min_frames == 1 else "frames"
        raise DataError(f"expected at least {min_frames} {noun} in {name}, found {arr.shape[0]}")
    check_finite(arr, name)
    return arr


def as_series(x, name: str = "x", min_length: int = 2) -> np.ndarray:
    """Check a 1-D time series: real, finite, at least ``min_length`` points."""
    arr = as_real_array(x, name)
    if arr.ndim != 1:
        raise DataError(f"expected a 1-D series {name}, found shape {arr.shape}")
    if arr.shape[0] < min_length:
        raise DataError(f"expected at least {min_length} points in {name}, found {arr.shape[0]}")
    check_finite(arr, name)
    return arr


def as_int(value, name: str, minimum: int | None = None) -> int:
    """An integer parameter (integral floats such as ``15.0`` are accepted)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DataError(f"expected an integer {name}, found {value!r}")
    if not isinstance(value, numbers.Integral):
        if not float(value).is_integer():
            raise DataError(f"expected an integer {name}, found {value!r}")
    out = int(value)
    if minimum is not None and out < minimum:
        raise DataError(f"expected {name} >= {minimum}, found {out}")
    return out


def as_positive(value, name: str) -> float:
    """A finite, strictly positive real parameter (a time step, say)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise DataError(f"expected a positive number for {name}, found {value!r}")
    out = float(value)
    if not np.isfinite(out) or out <= 0:
        raise DataError(f"expected a finite {name} > 0, found {out}")
    return out


def check_lead(lead, n_frames: int, name: str = "X") -> int:
    """A lead in frames, ``>= 1``, that ``n_frames`` frames can serve."""
    lead = as_int(lead, "lead (frames)", minimum=1)
    if n_frames < lead + 1:
        raise DataError(
            f"lead={lead} frames needs at least {lead + 1} frames, found {n_frames} in {name}"
        )
    return lead


def block_rows(row_size: int) -> int:
    """Rows of ``row_size`` elements per block so a block stays under :data:`BLOCK_ELEMENTS`."""
    return max(1, BLOCK_ELEMENTS // max(1, row_size))
