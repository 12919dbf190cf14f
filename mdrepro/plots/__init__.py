"""Figures of the mdrepro book (matplotlib).

Every plotting function takes ``ax=None`` (a new figure if None) and returns the Axes; data
come in nm (and fs, ps, pN, kcal/mol as named) and are shown in Angstrom where lengths are
plotted. :func:`set_style` is explicit: nothing changes on import.
"""

from mdrepro.plots.forecast import (
    plot_layout_comparison,
    plot_lead_sweep,
    plot_loss_curves,
    plot_lr_curves,
    plot_rmsd_comparison,
)
from mdrepro.plots.generation import (
    plot_deviation_distributions,
    plot_end_to_end_sequence,
    plot_energy_distributions,
    plot_training_history,
)
from mdrepro.plots.interpolation import (
    plot_distributions,
    plot_error_profiles,
    plot_free_energy,
    plot_interpolation_traces,
    plot_spectra,
)
from mdrepro.plots.md import (
    plot_autocorrelation,
    plot_kurtosis,
    plot_lead_distributions,
    plot_pulling,
    plot_rmsd_time,
    save_figure,
)
from mdrepro.plots.style import ANGSTROM_PER_NM, axes_or_new, note_axes, set_style

__all__ = [
    "plot_deviation_distributions",
    "plot_end_to_end_sequence",
    "plot_energy_distributions",
    "plot_training_history",
    "ANGSTROM_PER_NM",
    "plot_autocorrelation",
    "plot_kurtosis",
    "plot_layout_comparison",
    "plot_lead_distributions",
    "plot_lead_sweep",
    "plot_loss_curves",
    "plot_lr_curves",
    "plot_pulling",
    "plot_rmsd_comparison",
    "plot_rmsd_time",
    "axes_or_new",
    "note_axes",
    "save_figure",
    "set_style",
]
__all__ += [
    "plot_distributions",
    "plot_error_profiles",
    "plot_free_energy",
    "plot_interpolation_traces",
    "plot_spectra",
]
from mdrepro.plots.lss import (  # noqa: E402
    plot_ca_trace,
    plot_density_1d,
    plot_fes_1d,
    plot_timescale_bars,
    plot_traces,
    plot_transition_matrix,
)

__all__ += [
    "plot_ca_trace",
    "plot_density_1d",
    "plot_fes_1d",
    "plot_timescale_bars",
    "plot_traces",
    "plot_transition_matrix",
]
