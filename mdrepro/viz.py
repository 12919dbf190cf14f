"""Molecular views: an interactive nglview widget and a static matplotlib fallback.

Both show chosen frames of an :class:`mdtraj.Trajectory` the way the first document's
Fig. 2B / 4A do: the full (high-dimensional) structure in green and its reduced, C-alpha
representation as red balls on top of it.

Nothing is imported at module import time beyond numpy: nglview (and through it ipywidgets)
is imported inside :func:`trajectory_view`, matplotlib inside :func:`static_snapshots`.

The widget renders in the HTML book without a network: when a notebook that displays it is
executed with papermill (nbclient ``store_widget_state=True``, the default), the widget state,
structures included, is written to the notebook's ``metadata.widgets``; MyST-NB embeds it and
loads the vendored JavaScript of ``book/_widgets/`` (see ``_config.yml``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from mdrepro.errors import DataError

if TYPE_CHECKING:  # pragma: no cover - typing only
    import mdtraj
    import nglview
    from matplotlib.axes import Axes

__all__ = ["FULL_COLOR", "REDUCED_COLOR", "default_frames", "static_snapshots", "trajectory_view"]

#: Colour of the full (high-dimensional) structure, green as in the paper's figures.
FULL_COLOR = "#4daf4a"
#: Colour of the reduced (C-alpha) representation, red as in the paper's figures.
REDUCED_COLOR = "#e41a1c"
#: Number of frames shown when none are chosen.
DEFAULT_N_FRAMES = 5


def default_frames(n_frames: int, n: int = DEFAULT_N_FRAMES) -> np.ndarray:
    """Evenly spaced frame indices, first and last included.

    Parameters
    ----------
    n_frames : int
        Number of frames in the trajectory, >= 1.
    n : int, optional
        Largest number of indices to return.

    Returns
    -------
    numpy.ndarray of int, shape (min(n, n_frames),)
        Sorted, unique frame indices.
    """
    if n_frames < 1:
        raise DataError(f"expected a trajectory with at least one frame, found {n_frames}")
    return np.unique(np.linspace(0, n_frames - 1, min(n, n_frames)).round().astype(int))


def _frame_indices(traj: mdtraj.Trajectory, frames: Any) -> np.ndarray:
    """Validate ``frames`` (None, an int or a sequence of ints) against ``traj``."""
    if frames is None:
        return default_frames(traj.n_frames)
    idx = np.atleast_1d(np.asarray(frames))
    if idx.size == 0:
        raise DataError("expected at least one frame index, found an empty selection")
    if idx.ndim != 1 or not np.issubdtype(idx.dtype, np.integer):
        raise DataError(f"expected integer frame indices, found {np.asarray(frames)!r}")
    bad = idx[(idx < -traj.n_frames) | (idx >= traj.n_frames)]
    if bad.size:
        raise DataError(
            f"expected frame indices in [0, {traj.n_frames}) for a trajectory of "
            f"{traj.n_frames} frames, found {bad.tolist()}"
        )
    return np.where(idx < 0, idx + traj.n_frames, idx)


def _select(traj: mdtraj.Trajectory, selection: str | None, what: str) -> np.ndarray:
    """Atom indices of an mdtraj selection string (all atoms for None); never empty."""
    if selection is None:
        return np.arange(traj.n_atoms)
    idx = traj.topology.select(selection)
    if idx.size == 0:
        raise DataError(f"expected the {what} {selection!r} to match atoms, found none")
    return idx


def _prepare(
    traj: mdtraj.Trajectory,
    frames: Any,
    selection: str | None,
    reduced_selection: str | None,
    superpose: bool,
) -> tuple[mdtraj.Trajectory, np.ndarray, np.ndarray | None]:
    """Slice frames and atoms, optionally superpose on the first chosen frame.

    Returns the sliced trajectory, the chosen frame indices of the input, and the indices of
    the reduced atoms in the sliced trajectory (None when ``reduced_selection`` is None).
    """
    idx = _frame_indices(traj, frames)
    atoms = _select(traj, selection, "selection")
    sub = traj[idx].atom_slice(atoms)
    reduced = None
    if reduced_selection is not None:
        reduced = _select(sub, reduced_selection, "reduced selection")
    if superpose and sub.n_frames > 1:
        align = reduced if reduced is not None and reduced.size >= 3 else None
        sub = sub.superpose(sub, frame=0, atom_indices=align)
    return sub, idx, reduced


def trajectory_view(
    traj: mdtraj.Trajectory,
    frames: int | Sequence[int] | np.ndarray | None = None,
    selection: str | None = None,
    representation: str = "cartoon",
    *,
    color: str = FULL_COLOR,
    opacity: float = 1.0,
    reduced_selection: str | None = "name CA",
    reduced_color: str = REDUCED_COLOR,
    reduced_radius: float = 0.8,
    superpose: bool = True,
    height: str = "420px",
    background: str = "white",
) -> nglview.NGLWidget:
    """Interactive 3D view of chosen frames of a trajectory, overlaid.

    Each chosen frame becomes one NGL component (a PDB text embedded in the widget state, so
    the view needs neither the kernel nor the network once the notebook has been executed):
    the full structure drawn with ``representation`` in ``color`` and, on top, the reduced
    atoms (C-alpha by default) as balls in ``reduced_color``.

    Parameters
    ----------
    traj : mdtraj.Trajectory
        Trajectory with ``n_frames`` frames; coordinates in nm (NGL receives them in Å).
    frames : int or sequence of int, optional
        Frame indices to show, e.g. snapshots at several times; negative indices count from
        the end. Default: up to 5 evenly spaced frames, first and last included.
    selection : str, optional
        mdtraj atom selection that is shown (e.g. ``"protein"``, ``"not water"``);
        default all atoms.
    representation : str, optional
        NGL representation of the full structure: ``"cartoon"`` (proteins), ``"licorice"``,
        ``"ball+stick"``, ``"line"``, ``"backbone"``, ... For peptides too short for a
        cartoon use ``"licorice"``.
    color : str, optional
        Colour of the full structure (CSS colour or hex).
    opacity : float, optional
        Opacity of the full structure, in (0, 1]; lower it when many frames overlap.
    reduced_selection : str or None, optional
        mdtraj selection of the reduced representation (default C-alpha atoms), within
        ``selection``; None shows the full structure only.
    reduced_color : str, optional
        Colour of the reduced atoms.
    reduced_radius : float, optional
        Radius of the reduced atoms' balls, in Å (NGL units).
    superpose : bool, optional
        Superpose the chosen frames on the first one (on the reduced atoms when there are at
        least three, else on all shown atoms) so that they overlay.
    height : str, optional
        CSS height of the view.
    background : str, optional
        Background colour of the view.

    Returns
    -------
    nglview.NGLWidget
        The widget; display it as the last expression of a cell (or with ``display``).

    Raises
    ------
    DataError
        If a frame index is out of range, no frame is chosen, or a selection matches no atom.
    ValueError
        If ``opacity`` is not in (0, 1].

    Notes
    -----
    For the widget to render in the HTML book, the notebook must be executed with papermill
    (or nbclient) with ``store_widget_state=True`` (the default) and keep its
    ``metadata.widgets["application/vnd.jupyter.widget-state+json"]``.

    Every frame is stored as PDB text (about 80 bytes per atom) in the notebook and in the HTML
    page: ADK (3341 atoms) at 5 frames adds about 1.3 MB. Trim with ``selection`` (e.g.
    ``"not element H"``) and ``frames`` for large systems.

    Examples
    --------
    >>> view = trajectory_view(traj, frames=[0, 50, 99], representation="licorice")
    >>> view  # doctest: +SKIP
    """
    if not 0.0 < opacity <= 1.0:
        raise ValueError(f"expected opacity in (0, 1], found {opacity}")
    import nglview

    sub, _, reduced = _prepare(traj, frames, selection, reduced_selection, superpose)

    view = nglview.NGLWidget()
    view.background = background
    for i in range(sub.n_frames):
        pdb = _pdb_text(sub[i])
        # add_component, not add_structure: the latter re-centres through a deprecated alias
        # that logs a warning into the notebook's output.
        view.add_component(nglview.TextStructure(pdb), default_representation=False)
        view.add_representation(
            representation, selection="all", color=color, opacity=opacity, component=i
        )
        if reduced is not None:
            view.add_representation(
                "spacefill",
                selection=reduced,
                color=reduced_color,
                radius_type="size",
                radius_size=reduced_radius,
                component=i,
            )
    view.layout.height = height
    # Zoom to fit once every component is loaded. nglview keeps "autoView" (view.center) out of
    # the message archive that an embedded view replays, so the HTML book would show the
    # molecule small and off-centre; code run through `_js` is archived and replayed in order.
    view._js("this.stage.autoView(0);")
    return view


def _pdb_text(frame: mdtraj.Trajectory) -> str:
    """PDB text of a one-frame trajectory (coordinates in Å, CONECT records included)."""
    fd, path = tempfile.mkstemp(suffix=".pdb")
    os.close(fd)
    try:
        frame.save_pdb(path)
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    finally:
        os.remove(path)


def _principal_axes(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre and the two leading principal axes of a point cloud of shape (n, 3)."""
    centre = xyz.mean(axis=0)
    if xyz.shape[0] < 3:
        return centre, np.eye(3)[:2]
    _, _, vt = np.linalg.svd(xyz - centre, full_matrices=False)
    return centre, vt[:2]


def static_snapshots(
    traj: mdtraj.Trajectory,
    frames: int | Sequence[int] | np.ndarray | None = None,
    times_ps: Sequence[float] | np.ndarray | None = None,
    ax: Axes | Sequence[Axes] | np.ndarray | None = None,
    *,
    selection: str | None = None,
    reduced_selection: str | None = "name CA",
    color: str = FULL_COLOR,
    reduced_color: str = REDUCED_COLOR,
    superpose: bool = True,
    panel_size: float = 2.6,
) -> np.ndarray:
    """Static image of chosen frames: a row of 2-D projections, for PDF and readers without JS.

    Every panel projects one frame onto the same plane, spanned by the two principal axes of
    the reduced atoms of the first chosen frame (after superposition on it), so the panels are
    directly comparable. The full structure is drawn as its bonds (atoms as dots where the
    topology has no bonds) in ``color``, the reduced atoms as a red trace with balls.

    Parameters
    ----------
    traj : mdtraj.Trajectory
        Trajectory, coordinates in nm (plotted in Å).
    frames : int or sequence of int, optional
        Frame indices, one panel each. Default: up to 5 evenly spaced frames.
    times_ps : sequence of float, optional
        Time of each chosen frame in ps, shape (n_panels,), used in the panel titles
        (default: the frame indices).
    ax : matplotlib Axes or sequence of Axes, optional
        Axes to draw in, one per frame; default a new figure with one row of panels.
    selection : str, optional
        mdtraj selection of the atoms drawn; default all atoms.
    reduced_selection : str or None, optional
        mdtraj selection of the reduced representation (default C-alpha atoms); None draws
        the full structure only (the plane is then that of all drawn atoms).
    color, reduced_color : str, optional
        Colours of the full structure and of the reduced representation.
    superpose : bool, optional
        Superpose the frames on the first chosen one before projecting.
    panel_size : float, optional
        Width and height of a panel in inches, when a new figure is made.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes, shape (n_panels,)
        The panels; ``axes[0].figure`` is the figure.

    Raises
    ------
    DataError
        If a frame index is out of range, a selection matches no atom, or ``times_ps`` or
        ``ax`` does not have one entry per frame.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    sub, idx, reduced = _prepare(traj, frames, selection, reduced_selection, superpose)
    n = sub.n_frames
    if times_ps is not None:
        times = np.asarray(times_ps, dtype=float).ravel()
        if times.shape != (n,):
            raise DataError(f"expected {n} times (one per frame), found {times.size}")
    if ax is None:
        fig, axes = plt.subplots(
            1, n, figsize=(panel_size * n, panel_size), squeeze=False, layout="constrained"
        )
        axes = axes[0]
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
        if axes.size != n:
            raise DataError(f"expected {n} axes (one per frame), found {axes.size}")

    xyz = 10.0 * sub.xyz  # nm -> Å
    ref_atoms = reduced if reduced is not None else np.arange(sub.n_atoms)
    centre, basis = _principal_axes(xyz[0, ref_atoms])
    proj = (xyz - centre) @ basis.T  # (n_frames, n_atoms, 2)
    bonds = np.array([(a.index, b.index) for a, b in sub.topology.bonds], dtype=int)
    bonds = bonds.reshape(-1, 2)

    for k, axk in enumerate(axes):
        p = proj[k]
        if bonds.size:
            axk.add_collection(
                LineCollection(p[bonds], colors=color, linewidths=1.2, alpha=0.8, zorder=1)
            )
        else:
            axk.scatter(p[:, 0], p[:, 1], s=6, color=color, alpha=0.8, zorder=1, lw=0)
        if reduced is not None:
            r = p[reduced]
            axk.plot(r[:, 0], r[:, 1], "-", color=reduced_color, lw=1.0, zorder=2)
            axk.scatter(r[:, 0], r[:, 1], s=18, color=reduced_color, zorder=3, lw=0)
        label = f"t = {times[k]:g} ps" if times_ps is not None else f"frame {idx[k]}"
        axk.set_title(label)
        axk.set_aspect("equal", adjustable="box")
        axk.set_xlabel("PC 1 (Å)")
        if k == 0:
            axk.set_ylabel("PC 2 (Å)")
    # Same limits on every panel, centred on the reference frame, at least 5 Å wide.
    half = np.maximum(np.abs(proj).reshape(-1, 2).max(axis=0) * 1.08, 2.5)
    for axk in axes:
        axk.set_xlim(-half[0], half[0])
        axk.set_ylim(-half[1], half[1])
    return axes
