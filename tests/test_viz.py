"""mdrepro.viz: the nglview view and the static fallback, on a hand-built peptide."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import mdtraj as md  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection  # noqa: E402

from mdrepro import viz  # noqa: E402
from mdrepro.errors import DataError  # noqa: E402

HEAVY = [("N", "N"), ("CA", "C"), ("C", "C"), ("O", "O"), ("CB", "C")]


def peptide(n_res: int = 4, n_frames: int = 6, seed: int = 0, bonds: bool = True):
    """A poly-alanine-like chain (N, CA, C, O, CB per residue) jiggling about a zigzag, nm."""
    top = md.Topology()
    chain = top.add_chain()
    prev_c = None
    for i in range(n_res):
        res = top.add_residue("ALA", chain, resSeq=i + 1)
        a = {name: top.add_atom(name, md.element.get_by_symbol(sym), res) for name, sym in HEAVY}
        if bonds:
            for x, y in [("N", "CA"), ("CA", "C"), ("C", "O"), ("CA", "CB")]:
                top.add_bond(a[x], a[y])
            if prev_c is not None:
                top.add_bond(prev_c, a["N"])
        prev_c = a["C"]
    rng = np.random.default_rng(seed)
    n_atoms = top.n_atoms
    base = np.c_[
        np.arange(n_atoms) * 0.12,
        0.08 * (np.arange(n_atoms) % 2),
        0.03 * np.sin(np.arange(n_atoms)),
    ]
    xyz = base[None] + 0.01 * rng.standard_normal((n_frames, n_atoms, 3))
    return md.Trajectory(xyz.astype(np.float32), top, time=np.arange(n_frames) * 2.0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_import_has_no_side_effects():
    code = (
        "import sys, mdrepro.viz; "
        "print('nglview' in sys.modules, 'ipywidgets' in sys.modules, "
        "'matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


def test_default_frames_evenly_spaced_with_ends():
    assert viz.default_frames(1).tolist() == [0]
    assert viz.default_frames(3).tolist() == [0, 1, 2]
    assert viz.default_frames(101).tolist() == [0, 25, 50, 75, 100]
    assert viz.default_frames(101, n=2).tolist() == [0, 100]
    with pytest.raises(DataError, match="at least one frame"):
        viz.default_frames(0)


# --- static fallback ---------------------------------------------------------------------


def test_static_snapshots_one_panel_per_frame_with_expected_artists():
    traj = peptide()
    axes = viz.static_snapshots(traj, [0, 2, 5], times_ps=traj.time[[0, 2, 5]])
    assert isinstance(axes, np.ndarray) and axes.shape == (3,)
    fig = axes[0].figure
    assert len(fig.axes) == 3
    for ax, t in zip(axes, [0.0, 4.0, 10.0], strict=True):
        assert ax.get_title() == f"t = {t:g} ps"
        # bonds (LineCollection) + reduced balls (PathCollection); reduced trace (Line2D)
        kinds = sorted(type(c).__name__ for c in ax.collections)
        assert kinds == ["LineCollection", "PathCollection"]
        assert len(ax.lines) == 1
        bonds = next(c for c in ax.collections if isinstance(c, LineCollection))
        assert len(bonds.get_segments()) == traj.topology.n_bonds
        balls = next(c for c in ax.collections if isinstance(c, PathCollection))
        assert balls.get_offsets().shape == (4, 2)  # one C-alpha per residue
    assert axes[0].get_xlabel() == "PC 1 (Å)"


def test_static_snapshots_projection_matches_independent_pca():
    traj = peptide(n_res=6, n_frames=3)
    axes = viz.static_snapshots(traj, [0], superpose=False)
    ca = traj.topology.select("name CA")
    pts = 10.0 * traj.xyz[0, ca].astype(float)  # Å
    centred = pts - pts.mean(axis=0)
    evals, evecs = np.linalg.eigh(np.cov(centred.T))
    expected = centred @ evecs[:, ::-1][:, :2]
    got = np.asarray(axes[0].lines[0].get_xydata())
    for k in range(2):  # principal axes are defined up to sign
        sign = np.sign(expected[:, k] @ got[:, k])
        np.testing.assert_allclose(got[:, k], sign * expected[:, k], atol=1e-4)


def test_static_snapshots_default_titles_and_given_axes():
    traj = peptide(n_frames=10)
    fig, given = plt.subplots(2, 3)
    axes = viz.static_snapshots(traj, None, ax=given.ravel()[:5])
    assert [a.get_title() for a in axes] == ["frame 0", "frame 2", "frame 4", "frame 7", "frame 9"]
    assert all(a.figure is fig for a in axes)


def test_static_snapshots_without_bonds_or_reduced_atoms():
    traj = peptide(bonds=False)
    axes = viz.static_snapshots(traj, [0, -1], reduced_selection=None)
    for ax in axes:
        assert len(ax.lines) == 0
        assert [type(c).__name__ for c in ax.collections] == ["PathCollection"]
        assert ax.collections[0].get_offsets().shape == (traj.n_atoms, 2)
    assert axes[1].get_title() == f"frame {traj.n_frames - 1}"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"frames": [0, 6]}, r"frame indices in \[0, 6\).*found \[6\]"),
        ({"frames": []}, "at least one frame"),
        ({"frames": [0.5]}, "integer frame indices"),
        ({"frames": [0, 1], "times_ps": [1.0]}, "expected 2 times"),
        ({"frames": [0], "selection": "name XX"}, "selection 'name XX'"),
        ({"frames": [0], "reduced_selection": "name P"}, "reduced selection 'name P'"),
    ],
)
def test_static_snapshots_errors(kwargs, match):
    with pytest.raises(DataError, match=match):
        viz.static_snapshots(peptide(), **kwargs)


def test_static_snapshots_wrong_number_of_axes():
    _, axes = plt.subplots(1, 2)
    with pytest.raises(DataError, match="expected 3 axes"):
        viz.static_snapshots(peptide(), [0, 1, 2], ax=axes)


# --- nglview widget ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nglview():
    return pytest.importorskip("nglview")


def _calls(view, name):
    return [m for m in view._ngl_msg_archive if m["methodName"] == name]


def test_trajectory_view_builds_overlaid_components(nglview):
    traj = peptide()
    view = viz.trajectory_view(traj, frames=[0, 3, 5], representation="licorice")
    assert isinstance(view, nglview.NGLWidget)
    loads = _calls(view, "loadFile")
    assert len(loads) == 3
    pdb = loads[0]["args"][0]["data"]
    assert pdb.count("ATOM") == traj.n_atoms and loads[0]["kwargs"]["ext"] == "pdb"
    reps = _calls(view, "addRepresentation")
    assert [r["args"][0] for r in reps] == ["licorice", "spacefill"] * 3
    assert [r["component_index"] for r in reps] == [0, 0, 1, 1, 2, 2]
    ca = traj.topology.select("name CA")
    balls = reps[1]["kwargs"]
    assert balls["sele"] == "@" + ",".join(map(str, ca))
    assert balls["color"] == viz.REDUCED_COLOR
    assert reps[0]["kwargs"]["color"] == viz.FULL_COLOR
    # zoom-to-fit is archived, so the embedded (HTML) view replays it after loading
    assert any("autoView" in m["args"][0] for m in _calls(view, "executeCode"))


def test_trajectory_view_superposes_frames(nglview):
    traj = peptide(n_frames=2)
    traj.xyz[1] += np.float32(0.5)  # a rigid shift: superposition must remove it
    view = viz.trajectory_view(traj, frames=[0, 1])
    coords = []
    for load in _calls(view, "loadFile"):
        lines = [ln for ln in load["args"][0]["data"].splitlines() if ln.startswith("ATOM")]
        coords.append(
            np.array([[float(ln[30:38]), float(ln[38:46]), float(ln[46:54])] for ln in lines])
        )
    assert np.abs(coords[0] - coords[1]).max() < 1.0  # Å; noise ~0.1 Å, the shift was 5 Å


def test_trajectory_view_options(nglview):
    traj = peptide()
    view = viz.trajectory_view(
        traj, frames=2, selection="name CA or name C or name N", reduced_selection=None
    )
    assert len(_calls(view, "loadFile")) == 1
    assert [r["args"][0] for r in _calls(view, "addRepresentation")] == ["cartoon"]
    pdb = _calls(view, "loadFile")[0]["args"][0]["data"]
    assert pdb.count("ATOM") == 12
    with pytest.raises(ValueError, match="opacity"):
        viz.trajectory_view(traj, opacity=0.0)
    with pytest.raises(DataError, match="frame indices"):
        viz.trajectory_view(traj, frames=[99])


@pytest.mark.slow
def test_widget_state_saved_by_papermill(nglview, tmp_path):
    """A papermill run stores the view (structures included) in the notebook metadata."""
    nbformat = pytest.importorskip("nbformat")
    papermill = pytest.importorskip("papermill")
    traj = peptide()
    traj[0].save_pdb(str(tmp_path / "pep.pdb"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import mdtraj as md\nfrom mdrepro import viz\n"
            "viz.trajectory_view(md.load('pep.pdb'), representation='licorice')"
        )
    ]
    nbformat.write(nb, tmp_path / "in.ipynb")
    papermill.execute_notebook(
        str(tmp_path / "in.ipynb"),
        str(tmp_path / "out.ipynb"),
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    state = out.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    ngl = [m for m in state.values() if m["model_name"] == "NGLModel"]
    assert len(ngl) == 1
    archive = ngl[0]["state"]["_ngl_msg_archive"]
    assert [m["methodName"] for m in archive].count("loadFile") == 1
    views = [
        o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
        for o in out.cells[0].outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert any(state[v]["model_name"] == "NGLModel" for v in views)
