"""mdrepro.plots.forecast: each function draws, honours a given Axes, converts nm to Å."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mdrepro.plots import (  # noqa: E402
    plot_layout_comparison,
    plot_lead_sweep,
    plot_loss_curves,
    plot_lr_curves,
    plot_rmsd_comparison,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def curves():
    e = np.arange(6)
    return {
        "history 1": [1.0 / (1 + e), 1.1 / (1 + e)],
        "history 5": [0.5 / (1 + e)],
        "history 10": np.r_[0.4 / (1 + e[:3]), [np.nan] * 3],  # diverged seed
    }


@pytest.mark.parametrize("use_given", [False, True])
def test_loss_curves(use_given):
    given = plt.subplots()[1] if use_given else None
    ax = plot_loss_curves(curves(), ax=given)
    if use_given:
        assert ax is given
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(curves())
    med = ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(
        med, np.median([1.0 / (1 + np.arange(6)), 1.1 / (1 + np.arange(6))], axis=0)
    )
    assert len(ax.collections) == 1  # one band: only history 1 has two seeds
    assert any(line.get_marker() == "x" for line in ax.get_lines())
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="at least one"):
        plot_loss_curves({})
    with pytest.raises(ValueError, match="1-D loss curves"):
        plot_loss_curves({"a": [np.zeros((2, 2))]})


def test_lr_curves_show_verdicts():
    ax = plot_lr_curves(
        {"lr 1": [np.ones(4)], "lr 0.01": [np.linspace(1, 0.1, 4)]}, verdicts={"lr 1": "unstable"}
    )
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["lr 1 (unstable)", "lr 0.01"]


@pytest.mark.parametrize("kind", ["violin", "box"])
def test_rmsd_comparison_in_angstrom(kind):
    rng = np.random.default_rng(0)
    d = {
        "LSTM": rng.uniform(0.01, 0.03, 200),
        "static": rng.uniform(0.02, 0.04, 200),
        "ARIMA": np.full(5, np.nan),
    }
    given = plt.subplots()[1]
    ax = plot_rmsd_comparison(d, ax=given, kind=kind)
    assert ax is given
    assert [t.get_text() for t in ax.get_xticklabels()] == ["LSTM", "static", "ARIMA"]
    lo, hi = ax.get_ylim()
    assert lo < 0.2 and hi > 0.35 and hi < 1.0  # Å, not nm
    assert "Å" in ax.get_ylabel()
    assert any(t.get_text() == "n/a" for t in ax.texts)
    with pytest.raises(ValueError, match="kind"):
        plot_rmsd_comparison(d, kind="hist")


def test_lead_sweep():
    leads = np.array([10.0, 50.0, 150.0])
    ax = plot_lead_sweep(
        leads, [0.3, 0.4, 0.5], [0.2, 0.4, 0.8], [0.25, 0.35, 0.45], [0.35, 0.45, 0.55]
    )
    ax = plot_lead_sweep(
        leads, [0.2, 0.4, 0.6], [0.2, 0.4, 0.8], ax=ax, label="variant", colour="tab:green"
    )
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["LSTM", "static model", "variant"]  # static drawn once
    assert ax.get_xscale() == "log" and len(ax.collections) == 1
    with pytest.raises(ValueError, match="one length"):
        plot_lead_sweep(leads, [1.0, 2.0], [1.0, 2.0, 3.0])


def test_layout_comparison():
    rng = np.random.default_rng(1)
    ax = plot_layout_comparison(
        {"Kirchhoff": rng.uniform(0.01, 0.02, 50), "whole structure": rng.uniform(0.05, 0.06, 50)},
        static=np.full(50, 0.03),
    )
    assert ax.get_lines()[-1].get_ydata()[0] == pytest.approx(0.3)  # static median, Å
