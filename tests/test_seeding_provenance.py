"""mdrepro.seeding and mdrepro.provenance."""

import numpy as np
import torch

from mdrepro.provenance import Provenance, git_commit, hardware, versions
from mdrepro.seeding import seed_everything


def test_seed_everything_repeats_every_generator():
    rng = seed_everything(7)
    a = (rng.normal(), np.random.rand(), torch.rand(1).item())  # noqa: NPY002
    rng = seed_everything(7)
    b = (rng.normal(), np.random.rand(), torch.rand(1).item())  # noqa: NPY002
    assert a == b
    assert torch.are_deterministic_algorithms_enabled()


def test_provenance_report_lists_versions_hardware_and_data():
    p = Provenance("ch01", "ci", "cpu", 0)
    doc = p.collect()
    assert doc["chapter"] == "ch01" and doc["wall_time_s"] >= 0
    assert versions()["numpy"] == np.__version__
    assert hardware("cpu")["device"] == "cpu"
    assert git_commit() != ""
    table = p.report(data={"adk-equilibrium": "abc123"})
    assert table.loc["data: adk-equilibrium", "value"] == "abc123"
    assert table.loc["version: torch", "value"] == torch.__version__
