"""mdrepro.analysis.smoluchowski: implied timescales of 1-D diffusion to grid convergence."""

import numpy as np
import pytest

from mdrepro.analysis.smoluchowski import converged_timescales, grid_timescales


def test_harmonic_well_gives_the_ornstein_uhlenbeck_spectrum():
    """V = x^2 / 2 kT with unit diffusivity relaxes with rates 1, 2, 3: t = 1, 1/2, 1/3."""
    ref = converged_timescales(lambda x: 0.5 * x**2, -10.0, 10.0, k=3, rtol=1e-5)
    assert ref.converged
    assert ref.timescales == pytest.approx([1.0, 0.5, 1.0 / 3.0], rel=1e-3)


def test_refinement_converges_and_reports_every_grid():
    from mdrepro.simulate.fourwell import potential

    ref = converged_timescales(lambda x: potential(x, 4.0), -1.5, 1.5, rtol=1e-4)
    assert ref.converged and ref.change <= 1e-4 and len(ref.grids) == ref.table.shape[0] >= 2
    coarse_error = np.abs(ref.table[0] - ref.timescales) / ref.timescales
    assert coarse_error.max() > ref.change  # the coarse grid is measurably off
    assert "n=250" in ref.text()


def test_agrees_with_the_dense_rate_matrix_of_the_chapter():
    """Same discretisation as sidky2020.study.fourwell_reference (dense eigenvalues)."""
    from mdrepro.papers.sidky2020.study import analytic_timescales, fourwell_reference
    from mdrepro.simulate.fourwell import potential

    dense = analytic_timescales(fourwell_reference(4.0)["generator"], 3)
    tri = grid_timescales(lambda x: potential(x, 4.0), -1.0, 1.0, 100, 3)
    assert tri == pytest.approx(dense, rel=1e-8)


def test_unconverged_refinement_says_so():
    ref = converged_timescales(lambda x: 0.5 * x**2, -10.0, 10.0, grids=(20, 40), rtol=1e-9)
    assert not ref.converged


def test_bad_grid_is_one_clear_error():
    with pytest.raises(ValueError, match="expected n >= 5 cells"):
        grid_timescales(lambda x: x, 0.0, 1.0, 3)
