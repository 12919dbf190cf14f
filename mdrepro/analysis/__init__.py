"""Generic analysis of MD trajectories, shared by every paper (numpy, scipy, deeptime).

One quantity per module:

* :mod:`~mdrepro.analysis.timeseries` - Eq. 1 RMSD, the static model, fast regions,
  autocorrelation and decorrelation time;
* :mod:`~mdrepro.analysis.kurtosis` - per-particle kurtosis and its classes;
* :mod:`~mdrepro.analysis.structure` - radius of gyration, end-to-end and pair distances;
* :mod:`~mdrepro.analysis.alignment` - optimal superposition and RMSD after it;
* :mod:`~mdrepro.analysis.free_energy` - 1-D and 2-D free energies, block errors, RMSEs;
* :mod:`~mdrepro.analysis.timescales` - exponential ACF fits, block errors, MSM implied
  timescales, transition counts;
* :mod:`~mdrepro.analysis.spectra` - vibrational density of states.

Trajectories are ``(T, N, 3)`` arrays in nm. Bad input raises
:class:`mdrepro.errors.DataError` (a :class:`ValueError`).
"""

from mdrepro.analysis.alignment import kabsch_align, rmsd_to
from mdrepro.analysis.free_energy import (
    aligned_rmse,
    block_free_energy,
    free_energy_1d,
    free_energy_2d,
    free_energy_rmse,
)
from mdrepro.analysis.kurtosis import KurtosisClasses, excess_kurtosis, kurtosis_classes
from mdrepro.analysis.spectra import vdos
from mdrepro.analysis.structure import end_to_end_distance, pair_distances, radius_of_gyration
from mdrepro.analysis.timescales import (
    acf_timescale,
    block_timescales,
    count_transitions,
    msm_timescales,
    split_blocks,
)
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
    "acf_timescale",
    "aligned_rmse",
    "autocorrelation",
    "block_free_energy",
    "block_timescales",
    "count_transitions",
    "decorrelation_time",
    "end_to_end_distance",
    "excess_kurtosis",
    "fast_regions",
    "free_energy_1d",
    "free_energy_2d",
    "free_energy_rmse",
    "kabsch_align",
    "kurtosis_classes",
    "lead_time_table",
    "msm_timescales",
    "pair_distances",
    "radius_of_gyration",
    "rmsd_eq1",
    "rmsd_to",
    "rmsd_to_first",
    "split_blocks",
    "static_model_rmsd",
    "static_model_rmsd_multi",
    "vdos",
]
