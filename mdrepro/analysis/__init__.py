"""Analysis of MD trajectories for the forecasting chapters (numpy/scipy only).

Trajectories are ``(T, N, 3)`` arrays in nm with frames ``dt`` apart; see
:mod:`mdrepro.analysis.timeseries` for the conventions. Bad input raises
:class:`mdrepro.errors.DataError` (a :class:`ValueError`).
"""

from mdrepro.analysis.kurtosis import KurtosisClasses, excess_kurtosis, kurtosis_classes
from mdrepro.analysis.structure import end_to_end_distance, radius_of_gyration
from mdrepro.analysis.timeseries import (
    autocorrelation,
    decorrelation_time,
    fast_regions,
    lead_time_table,
    rmsd_eq1,
    rmsd_to_first,
    static_model_rmsd,
    static_model_rmsd_multi,
)

__all__ = [
    "KurtosisClasses",
    "autocorrelation",
    "decorrelation_time",
    "end_to_end_distance",
    "excess_kurtosis",
    "fast_regions",
    "kurtosis_classes",
    "lead_time_table",
    "radius_of_gyration",
    "rmsd_eq1",
    "rmsd_to_first",
    "static_model_rmsd",
    "static_model_rmsd_multi",
]
