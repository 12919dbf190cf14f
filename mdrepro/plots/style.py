"""Figure style and units of the mdrepro figures.

Nothing is changed on import; notebooks call :func:`set_style` once.
"""

from __future__ import annotations

import matplotlib as mpl

from mdrepro.units import A_PER_NM

#: Angstrom per nm: data are kept in nm, figures show Angstrom as the paper does.
ANGSTROM_PER_NM = A_PER_NM
#: Colour of the "regions of fast evolution" bands (the paper's blue).
FAST_REGION_COLOR = "tab:blue"

_RC = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": "medium",
    "legend.frameon": False,
    "font.size": 10,
}


def axes_or_new(ax=None, **subplots_kw):
    """``ax`` itself, or the Axes of a new figure (``subplots_kw`` go to
    :func:`matplotlib.pyplot.subplots`): the ``ax=None`` convention of every plot function.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(**subplots_kw)
    return ax


def note_axes(text: str, ax=None):
    """An empty panel that says why there is nothing to plot (e.g. data without a record).

    Parameters
    ----------
    text : str
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = axes_or_new(ax, figsize=(6, 1.2))
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return ax


def set_style() -> None:
    """Apply the book's figure style (clean seaborn "ticks" theme, colour-blind palette).

    Falls back to matplotlib's default style with the same settings when seaborn is absent.
    Changes global :data:`matplotlib.rcParams`; call it once at the top of a notebook.
    """
    try:
        import seaborn as sns
    except ImportError:  # pragma: no cover - seaborn is a dependency
        mpl.style.use("default")
        mpl.rcParams.update(_RC)
        return
    sns.set_theme(context="notebook", style="ticks", palette="colorblind", rc=_RC)
