"""mdrepro.plots: every function draws data, honours a given Axes, and converts nm to Å."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mdrepro.plots import (  # noqa: E402
    plot_autocorrelation,
    plot_kurtosis,
    plot_lead_distributions,
    plot_pulling,
    plot_rmsd_time,
    save_figure,
    set_style,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def given_ax():
    return plt.subplots()[1]


@pytest.mark.parametrize("use_given", [False, True])
def test_plot_rmsd_time(use_given, given_ax):
    t = np.arange(100) * 10.0
    y = np.linspace(0.0, 0.2, 100)
    ax = plot_rmsd_time(
        t, y, regions=[[100.0, 200.0], [500.0, 500.0]], ax=given_ax if use_given else None
    )
    if use_given:
        assert ax is given_ax
    assert len(ax.lines) == 1 and len(ax.patches) == 2
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 10 * y)  # nm -> Å
    assert "Å" in ax.get_ylabel() and "fs" in ax.get_xlabel()
    x0, x1 = ax.patches[1].get_x(), ax.patches[1].get_x() + ax.patches[1].get_width()
    assert (x0, x1) == pytest.approx((495.0, 505.0))  # one-frame region widened to one frame


def test_plot_rmsd_time_without_regions_and_errors():
    ax = plot_rmsd_time([0.0, 1.0, 2.0], [0.0, 0.1, 0.2], label="copy 0")
    assert len(ax.lines) == 1 and not ax.patches
    assert plot_rmsd_time([0.0, 1.0], [0.0, 0.1], regions=np.zeros((0, 2))).lines
    with pytest.raises(ValueError, match="expected 3 values in rmsd_nm, found 2"):
        plot_rmsd_time([0.0, 1.0, 2.0], [0.0, 0.1])


@pytest.mark.parametrize("labels", [None, np.r_[np.zeros(5, int), np.ones(5, int)]])
def test_plot_kurtosis(labels, given_ax):
    k = np.random.default_rng(0).normal(size=(10, 3))
    ax = plot_kurtosis(k, ax=given_ax, labels=labels)
    assert ax is given_ax
    if labels is None:
        assert len(ax.lines) == 4  # x, y, z and the zero line
        np.testing.assert_allclose(ax.lines[1].get_ydata(), k[:, 0])
    else:
        assert len(ax.collections) == 3
    assert ax.get_legend() is not None
    assert plot_kurtosis(k[:, 0]).lines
    with pytest.raises(ValueError, match="shape"):
        plot_kurtosis(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="10 integer class labels"):
        plot_kurtosis(k, labels=[0, 1])


@pytest.mark.parametrize("kind", ["kde", "hist"])
def test_plot_lead_distributions(kind, given_ax):
    rng = np.random.default_rng(1)
    table = {
        10.0: np.abs(rng.normal(0.01, 0.002, 300)),
        50.0: np.abs(rng.normal(0.03, 0.005, 300)),
    }
    ax = plot_lead_distributions(table, kind=kind, ax=given_ax)
    assert ax is given_ax
    assert len(ax.lines) + len(ax.patches) == 2
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["10 fs", "50 fs"]
    if kind == "kde":
        x = ax.lines[0].get_xdata()
        assert 0.05 < x[np.argmax(ax.lines[0].get_ydata())] < 0.15  # in Å: 0.1
    assert "Å" in ax.get_xlabel()


def test_plot_lead_distributions_edge_cases():
    ax = plot_lead_distributions({10: np.full(5, 0.01), 20: [0.02]})
    assert len(ax.lines) == 2  # constant errors are drawn as vertical lines
    with pytest.raises(ValueError, match="kind"):
        plot_lead_distributions({10: [0.1, 0.2]}, kind="violin")
    with pytest.raises(ValueError, match="at least one lead"):
        plot_lead_distributions({})
    with pytest.raises(ValueError, match="finite"):
        plot_lead_distributions({10: [0.1, np.nan]})


@pytest.mark.parametrize("logx", [False, True])
def test_plot_autocorrelation(logx, given_ax):
    lag = np.arange(50) * 10.0
    acf = np.exp(-lag / 100.0)
    ax = plot_autocorrelation(lag, acf, tau_fs=100.0, ax=given_ax, label="Rg", logx=logx)
    assert ax is given_ax
    assert len(ax.lines[0].get_xdata()) == (49 if logx else 50)
    assert any(np.allclose(line.get_xdata(), 100.0) for line in ax.lines[1:])
    assert ax.get_xscale() == ("log" if logx else "linear")
    assert len(plot_autocorrelation(lag, acf, tau_fs=np.inf).lines) == 1


def test_plot_pulling(given_ax):
    t = np.linspace(0.0, 100.0, 50)
    f = np.sin(t) * 100.0
    ax = plot_pulling(t, f, work_kcal=np.cumsum(np.abs(f)) * 1e-3, ax=given_ax)
    assert ax is given_ax
    assert len(ax.lines) == 1 and len(ax.figure.axes) == 2
    assert ax.figure.axes[-1].get_ylabel() == "work (kcal/mol)"
    assert "pN" in ax.get_ylabel()
    assert len(plot_pulling(t, f).figure.axes) == 1


def test_save_figure(tmp_path):
    ax = plot_rmsd_time([0.0, 1.0], [0.0, 0.1])
    path = save_figure(ax.figure, "fig2a", tmp_path / "figs")
    assert path == tmp_path / "figs" / "fig2a.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert save_figure(ax, "again.png", tmp_path).name == "again.png"
    _, axes = plt.subplots(1, 2)  # an array of Axes, as multi-panel plot functions return
    assert save_figure(axes, "panels", tmp_path).read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="plain file name"):
        save_figure(ax.figure, "../escape", tmp_path)


def test_set_style_is_explicit():
    before = dict(matplotlib.rcParams)
    import mdrepro.plots  # noqa: F401  (importing changes nothing)

    assert dict(matplotlib.rcParams) == before
    with matplotlib.rc_context():
        set_style()
        assert matplotlib.rcParams["savefig.dpi"] == 150
        assert not matplotlib.rcParams["axes.spines.top"]
