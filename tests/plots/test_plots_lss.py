"""LSS chapter plots: each draws on the given Axes and returns it."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mdrepro import plots  # noqa: E402


def test_lss_plots_return_their_axes():
    rng = np.random.default_rng(0)
    edges = np.linspace(-1, 1, 11)
    c = 0.5 * (edges[1:] + edges[:-1])
    fig, axes = plt.subplots(2, 3)
    a = axes.ravel()
    assert (
        plots.plot_density_1d(c, np.ones(10) / 2, {"x": rng.uniform(-1, 1, 100)}, edges, ax=a[0])
        is a[0]
    )
    assert plots.plot_traces({"x": (np.arange(5), np.arange(5.0))}, ax=a[1]) is a[1]
    assert plots.plot_transition_matrix(np.eye(10), edges, ax=a[2], title="P") is a[2]
    ts = {"A": np.array([1.0, 0.5]), "B": np.array([1.1, 0.4])}
    assert plots.plot_timescale_bars(ts, {"A": np.array([0.1, 0.1])}, ax=a[3]) is a[3]
    assert plots.plot_fes_1d(c, {"MD": (c**2, 0.1 * np.ones(10))}, ax=a[4]) is a[4]
    x = rng.normal(size=(20, 3))
    assert plots.plot_ca_trace(x, ax=a[5], ref_nm=x) is a[5]
    assert plots.plot_ca_trace(x).figure is not None
    plt.close("all")
