"""Parameters and quoted facts of Sidky, Chen & Ferguson (2020).

``LSS`` is the paper's protocol (the ``paper`` profile): the networks, optimisers and sizes of
the paper and of the authors' code. ``CI_LSS`` lists what ci changes, and why. Lags are in
frames of the data (5 ps apart in ``trpcage-go``).
"""

from __future__ import annotations

from typing import Any

from mdrepro.errors import UnknownNameError
from mdrepro.profiles import by_profile, derive

# ------------------------------------------------------------------------------ paper's facts
#: Free-energy RMSE between LSS and MD along psi_1 (Fig. 3), kT.
PAPER_FES_RMSE_KT = 0.91
#: Folded-state C-alpha RMSD to native, LSS / MD (Sect. 3.2: 0.28 nm / 0.20 nm).
PAPER_FOLDED_RMSD_RATIO = 0.28 / 0.20
#: Spread of the radius of gyration, LSS / MD (Sect. 3.2: 0.13 nm / 0.16 nm).
PAPER_RG_STD_RATIO = 0.13 / 0.16
#: Table 1 timescale errors normalised to equal simulated time (sigma_MD / sigma_LSS over
#: sqrt(100)): geometric mean of 5.1, 9.3 and 12 over 10.
PAPER_TS_ERROR_PER_TIME = (5.1 * 9.3 * 12) ** (1 / 3) / 10

LSS: dict[str, Any] = {
    "seeds": [0, 1, 2],  # ours: three, the fewest the book's verdict rule draws from
    "fourwell": {
        "lag": 100,
        "n_kernels": 8,
        "hidden": [100, 100],
        "lr": 1e-3,
        "lr_decay": 0.95,
        "batch_size": 1000,
        "epochs": 100,
        "patience": 10,
        "pair_stride": 1,
        "n_synthetic": 20,  # ours: 20 trajectories as long as the training one
        "msm_bins": 100,
    },
    "lag": 4,
    "m": 3,
    "srv_outputs": 5,
    "srv_hidden": [100, 100],
    "srv_lr": 0.01,
    "srv_batch": 200_000,
    "srv_epochs": 200,
    "patience": 10,
    "mdn_kernels": 24,
    "mdn_hidden": [100, 100],
    "mdn_lr": 1e-3,
    "mdn_lr_decay": 0.97,
    "mdn_batch": 1000,
    "mdn_epochs": 100,
    "gan_noise": 50,
    "gan_hidden": [200, 200, 200],
    "gan_lr": 5e-5,
    "gan_batch": 256,
    "gan_epochs": 52,
    "gan_critic_steps": 5,
    "gan_penalty": 10.0,
    "gan_max_steps": None,
    "gan_optimizer": "rmsprop",
    "n_traj": 100,
    "n_blocks": 5,
    "acf_max_steps": 10,
    "fes_bins": 50,
    "decode_stride": 50,
    "tica_dim": 3,
    "core_quantiles": [0.15, 0.85],
}

#: What ci changes: 60 ns of Go-model MD instead of 2 us, so shorter fits with faster decays.
CI_LSS: dict[str, Any] = {
    # sized by the claims: at three seeds the spread of ch04.fourwell-kernel and
    # ch04.timescales-within-errors put their decide_at at about 4 seeds (verdict log)
    "seeds": [0, 1, 2, 3, 4],
    "fourwell": {
        "lr": 2e-3,
        "lr_decay": 0.9,
        "batch_size": 512,
        "epochs": 30,
        "patience": 8,
        "pair_stride": 2,  # every 2nd pair of frames trains
    },
    "lag": 2,
    "srv_batch": 2000,
    "srv_epochs": 40,
    "patience": 6,
    "mdn_lr": 2e-3,
    "mdn_lr_decay": 0.9,
    "mdn_batch": 512,
    "mdn_epochs": 40,
    # Adam 5e-4 converges in the few generator steps ci affords; paper: RMSprop 5e-5.
    "gan_lr": 5e-4,
    "gan_batch": 128,
    # A cap, not a protocol: the paper stops where the "training loss stabilized"; with 60
    # epochs the ci cWGAN was still improving on 2 of 3 seeds (mdrepro.book.fits), so ci
    # gives it room to reach the plateau that the fit report checks.
    "gan_epochs": 120,
    "gan_optimizer": "adam",
    "fes_bins": 40,
    "decode_stride": 20,
}


def resolve(
    chapter: str, profile: str, seed: int = 0, overrides: dict | None = None
) -> dict[str, Any]:
    """Parameters of chapter 4 under ``profile``.

    Parameters
    ----------
    chapter : {"ch04"}
    profile : {"ci", "paper"}
    seed : int
        Offset added to the profile's seeds (the chapter shows the first).
    overrides : dict, optional
        Parameter overrides (the smoke tests use tiny sizes).
    """
    if chapter != "ch04":
        raise UnknownNameError("chapter of sidky2020", chapter, ("ch04",))
    p = derive(by_profile(LSS, CI_LSS, profile), overrides)
    p["seeds"] = [seed + s for s in p["seeds"]]
    return p
