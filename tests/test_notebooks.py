"""Smoke runs of the chapter notebooks through papermill, at the smallest size.

The notebooks take users' own trajectories as parameters; here they get tiny synthetic ones
(written to DCD + PDB like a user's files), so every cell runs in seconds without a simulation.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _peptide_topology(n_res: int):
    import mdtraj as md

    top = md.Topology()
    chain = top.add_chain()
    for i in range(n_res):
        res = top.add_residue("ALA", chain, resSeq=i + 1)
        for name, sym in [("N", "N"), ("CA", "C"), ("C", "C"), ("O", "O"), ("CB", "C")]:
            top.add_atom(name, md.element.get_by_symbol(sym), res)
    return top


def _write(tmp: Path, stem: str, xyz: np.ndarray, top) -> tuple[str, str]:
    import mdtraj as md

    traj = md.Trajectory(xyz.astype(np.float32), top)
    traj[0].save_pdb(str(tmp / f"{stem}.pdb"))
    traj.save_dcd(str(tmp / f"{stem}.dcd"))
    return str(tmp / f"{stem}.dcd"), str(tmp / f"{stem}.pdb")


def _tiny_sets(tmp: Path, n_frames: int = 300, n_res: int = 12):
    """An 'equilibrium' peptide (2 copies, AR(1) jiggle) and a 'pulled' one, in nm."""
    rng = np.random.default_rng(0)
    top = _peptide_topology(n_res)
    n = top.n_atoms
    base = np.c_[np.arange(n) * 0.08, 0.05 * np.sin(np.arange(n)), np.zeros(n)]
    eq = []
    for k in range(2):
        x = np.zeros((n_frames, n, 3))
        for t in range(1, n_frames):
            x[t] = 0.97 * x[t - 1] + 0.01 * rng.standard_normal((n, 3))
        eq.append(_write(tmp, f"eq{k}", base + x, top))
    ramp = np.linspace(0, 1, n_frames)[:, None] * np.clip(np.arange(n) / n - 0.5, 0, None)
    pulled = base[None] + 0.005 * rng.standard_normal((n_frames, n, 3))
    pulled[..., 0] += 4.0 * ramp
    smd = _write(tmp, "smd", pulled, top)
    return eq, smd


def test_ch01_runs_end_to_end_on_user_files(tmp_path):
    pm = pytest.importorskip("papermill")
    eq, smd = _tiny_sets(tmp_path)
    out_dir = tmp_path / "executed"
    pm.execute_notebook(
        str(REPO / "notebooks" / "ch01_md_datasets.ipynb"),
        str(tmp_path / "ch01.ipynb"),
        parameters={
            "PROFILE": "ci",
            "DEVICE": "cpu",
            "OUTPUT_DIR": str(out_dir),
            "ADK_TRAJECTORY": [e[0] for e in eq],
            "ADK_TOPOLOGY": eq[0][1],
            "ADK_FRAME_FS": 10.0,
            "SMD_TRAJECTORY": smd[0],
            "SMD_TOPOLOGY": smd[1],
            "SMD_FRAME_FS": 100.0,
        },
        kernel_name="python3",
        cwd=str(REPO / "notebooks"),
        progress_bar=False,
    )
    claims = json.loads((out_dir / "claims" / "ch01.json").read_text())
    assert claims["chapter"] == "ch01" and len(claims["claims"]) == 6
    figs = {p.stem for p in (out_dir / "figures").glob("*.png")}
    assert {"ch01_fig2a", "ch01_fig2c", "ch01_fig3_fig5", "ch01_fig4b", "ch01_fig4de"} <= figs
