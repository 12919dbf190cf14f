r"""LSTM-VAE: a VAE for backbone frames and an LSTM that walks its latent space.

Step 1, the VAE (Cava et al., Sect. 2.2.1): an encoder Linear(3N, 100) - Linear(100, 100) -
Linear(100, 60) twice (mean and log-variance), a decoder Linear(60, 100) - Linear(100, 100) -
Linear(100, 3N), ReLU between layers and dropout (p = 0.05) after every layer but the last of
each network. Frames are centred (centre of mass removed) and, as data augmentation, rotated by
random rigid rotations. The loss (Eqs. 1-2 of the paper) is

.. math::

    L = L_\mathrm{recon} + L_\mathrm{KL}
        + \sum_{t \in \{\mathrm{bonds, angles, torsions}\}} \log\left(1 + \mathrm{MSE}(V_t(x),
        V_t(\hat x))\right) + \mathrm{MSE}(d_\mathrm{E2E}(x), d_\mathrm{E2E}(\hat x)),

with :math:`L_\mathrm{recon}` the mean squared coordinate error in Å^2, :math:`L_\mathrm{KL}` the
Gaussian KL divergence summed over latent dimensions and divided by 3N (the ELBO per coordinate)
and :math:`V_t` the bonded energies (kJ/mol) of :mod:`mdrepro.models.energy`. The paper takes
"the log of the MSE" of the energies; ``log(1 + MSE)`` is the same for large errors and stays
finite when an error vanishes.

Step 2, the latent LSTM (Sect. 2.2.2): frames are encoded (posterior means); from the first
latent vector of a window the LSTM generates the next ones autoregressively, each step adding a
predicted "action vector" to the current latent vector; the loss is the MSE between the
generated and the encoded true sequence.

Coordinates enter and leave every public function in nm; the networks see Å.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from mdrepro.errors import DataError
from mdrepro.models.energy import TERMS, BondedEnergy
from mdrepro.training import TrainResult

__all__ = [
    "LatentLSTM",
    "MoleculeVAE",
    "center",
    "encode_frames",
    "end_to_end",
    "generate",
    "latent_windows",
    "random_rotations",
    "reconstruct",
    "train_lstm",
    "train_vae",
    "vae_loss",
]

#: Å per nm: the networks work in Å (the paper's unit).
A_PER_NM = 10.0


# ----------------------------------------------------------------------------- geometry
def center(xyz, masses=None):
    """Remove the centre of mass (or of geometry) of each frame.

    Parameters
    ----------
    xyz : numpy.ndarray or torch.Tensor
        Shape (..., n_atoms, 3).
    masses : array_like of shape (n_atoms,), optional
        Atomic masses (default: equal weights, the centre of geometry).

    Returns
    -------
    Same type and shape as ``xyz``.
    """
    is_np = isinstance(xyz, np.ndarray)
    x = torch.as_tensor(xyz)
    if masses is None:
        c = x.mean(-2, keepdim=True)
    else:
        m = torch.as_tensor(np.asarray(masses, dtype=np.float64), dtype=x.dtype)
        if m.shape != (x.shape[-2],):
            raise DataError(f"expected {x.shape[-2]} masses, found shape {tuple(m.shape)}")
        c = (x * m[:, None]).sum(-2, keepdim=True) / m.sum()
    out = x - c
    return out.numpy() if is_np else out


def random_rotations(n: int, generator: torch.Generator | None = None, dtype=torch.float32):
    """Uniformly distributed random rotation matrices (from normalised Gaussian quaternions).

    Parameters
    ----------
    n : int
        Number of matrices.
    generator : torch.Generator, optional
    dtype : torch.dtype

    Returns
    -------
    torch.Tensor
        Shape (n, 3, 3), orthogonal with determinant +1.
    """
    q = torch.randn(n, 4, generator=generator, dtype=torch.float64)
    q = q / torch.linalg.vector_norm(q, dim=1, keepdim=True)
    w, x, y, z = q.unbind(1)
    r = torch.stack(
        [
            1 - 2 * (y * y + z * z),
            2 * (x * y - z * w),
            2 * (x * z + y * w),
            2 * (x * y + z * w),
            1 - 2 * (x * x + z * z),
            2 * (y * z - x * w),
            2 * (x * z - y * w),
            2 * (y * z + x * w),
            1 - 2 * (x * x + y * y),
        ],
        dim=1,
    ).reshape(n, 3, 3)
    return r.to(dtype)


def rotate(xyz: torch.Tensor, rotations: torch.Tensor) -> torch.Tensor:
    """Apply one rotation per frame: (B, n_atoms, 3) x (B, 3, 3) -> (B, n_atoms, 3)."""
    return xyz @ rotations.transpose(1, 2)


def end_to_end(xyz, first: int, last: int):
    """End2End distance: the distance between atoms ``first`` and ``last`` of each frame.

    Parameters
    ----------
    xyz : numpy.ndarray or torch.Tensor
        Shape (..., n_atoms, 3).
    first, last : int
        Atom indices (the C-alpha atoms of the first and last residue).

    Returns
    -------
    Same type as ``xyz``, shape ``xyz.shape[:-2]``, in the unit of ``xyz``.
    """
    if isinstance(xyz, np.ndarray):
        return np.linalg.norm(xyz[..., last, :] - xyz[..., first, :], axis=-1)
    return torch.linalg.vector_norm(xyz[..., last, :] - xyz[..., first, :], dim=-1)


# ----------------------------------------------------------------------------- the VAE
def _mlp(sizes: Sequence[int], dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers += [nn.ReLU(), nn.Dropout(dropout)]
    return nn.Sequential(*layers)


class MoleculeVAE(nn.Module):
    """The paper's VAE for frames of ``n_atoms`` atoms.

    Parameters
    ----------
    n_atoms : int
        Atoms per frame (40 for the deca-alanine backbone: input width 120).
    hidden : int
        Width of the hidden layers (100).
    latent : int
        Latent dimension (60).
    dropout : float
        Dropout after every hidden layer (0.05), not after the last layer.
    """

    def __init__(self, n_atoms: int = 40, hidden: int = 100, latent: int = 60, dropout=0.05):
        super().__init__()
        self.n_atoms, self.latent = int(n_atoms), int(latent)
        d = 3 * self.n_atoms
        self.encoder = _mlp([d, hidden, hidden], dropout)
        self.encoder.append(nn.ReLU())
        self.encoder.append(nn.Dropout(dropout))
        self.mean = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.decoder = _mlp([latent, hidden, hidden, d], dropout)

    def encode(self, xyz: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior mean and log-variance, each (B, latent), of frames (B, n_atoms, 3) in nm."""
        if xyz.ndim != 3 or xyz.shape[1:] != (self.n_atoms, 3):
            raise DataError(
                f"expected frames of shape (B, {self.n_atoms}, 3), found {tuple(xyz.shape)}"
            )
        h = self.encoder(xyz.reshape(xyz.shape[0], -1) * A_PER_NM)
        return self.mean(h), self.logvar(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Frames (B, n_atoms, 3) in nm from latent vectors (B, latent)."""
        return self.decoder(z).reshape(z.shape[0], self.n_atoms, 3) / A_PER_NM

    def forward(self, xyz: torch.Tensor):
        """Reconstruction (B, n_atoms, 3) nm, mean and log-variance (B, latent)."""
        mu, logvar = self.encode(xyz)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar) if self.training else mu
        return self.decode(z), mu, logvar


def vae_loss(
    model: MoleculeVAE,
    xyz: torch.Tensor,
    energy: BondedEnergy | None,
    e2e_atoms: tuple[int, int],
    energy_weight: float = 1.0,
    cv_weight: float = 1.0,
) -> dict[str, torch.Tensor]:
    """The paper's VAE loss on a batch of centred frames.

    Parameters
    ----------
    model : MoleculeVAE
    xyz : torch.Tensor
        Shape (B, n_atoms, 3), nm.
    energy : BondedEnergy or None
        None (or ``energy_weight = 0``) drops the energy terms (the ablation).
    e2e_atoms : (int, int)
        Atoms of the End2End distance.
    energy_weight, cv_weight : float
        Factors of the energy and CV terms (1 in the paper).

    Returns
    -------
    dict of str to torch.Tensor
        Scalars ``recon`` (Å^2), ``kl``, ``bonds``, ``angles``, ``torsions`` (log(1 + MSE) of
        kJ/mol energies), ``cv`` (Å^2) and ``total``.
    """
    rec, mu, logvar = model(xyz)
    out = {"recon": ((rec - xyz) * A_PER_NM).pow(2).mean()}
    kl = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(-1).mean()
    out["kl"] = kl / (3 * model.n_atoms)
    total = out["recon"] + out["kl"]
    if energy is not None:
        e_in = energy(xyz)
        e_rec = energy(rec)
        for t in TERMS:
            out[t] = torch.log1p((e_rec[t] - e_in[t].detach()).pow(2).mean())
            if energy_weight:
                total = total + energy_weight * out[t]
    d_in = end_to_end(xyz, *e2e_atoms) * A_PER_NM
    d_rec = end_to_end(rec, *e2e_atoms) * A_PER_NM
    out["cv"] = (d_rec - d_in).pow(2).mean()
    out["total"] = total + cv_weight * out["cv"]
    return out


def train_vae(
    model: MoleculeVAE,
    xyz: np.ndarray,
    energy: BondedEnergy | None,
    e2e_atoms: tuple[int, int],
    epochs: int = 8,
    batch_size: int = 64,
    lr: float = 1e-3,
    rotations_per_frame: int = 1,
    augment: bool = True,
    use_energy: bool = True,
    seed: int = 0,
    device: str = "cpu",
    progress: bool = False,
) -> TrainResult:
    """Train the VAE with Adam on centred, randomly rotated frames.

    Parameters
    ----------
    model : MoleculeVAE
    xyz : numpy.ndarray
        Centred training frames (n_frames, n_atoms, 3), nm.
    energy : BondedEnergy or None
    e2e_atoms : (int, int)
    epochs, batch_size : int
    lr : float
    rotations_per_frame : int
        Randomly rotated copies of every frame per epoch (the augmentation factor).
    augment : bool
        Rotate (False: frames as recorded).
    use_energy : bool
        Include the energy terms (False: the ablation; the terms are still logged).
    seed : int
        Seeds shuffling, rotations, dropout and the reparameterisation noise.
    device : str
    progress : bool

    Returns
    -------
    mdrepro.training.TrainResult
    """
    import time

    from tqdm.auto import tqdm

    x_all = torch.as_tensor(np.asarray(xyz), dtype=torch.float32)
    if x_all.ndim != 3 or x_all.shape[0] < 1:
        raise DataError(f"expected training frames (n, n_atoms, 3), found {tuple(x_all.shape)}")
    dev = torch.device(device)
    model.to(dev)
    if energy is not None:
        energy.to(dev)
    gen = torch.Generator().manual_seed(int(seed))
    torch.manual_seed(int(seed))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    hist: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    n = x_all.shape[0] * int(rotations_per_frame)
    for _ in tqdm(range(int(epochs)), desc="VAE", disable=not progress):
        model.train()
        idx = torch.randperm(n, generator=gen) % x_all.shape[0]
        sums: dict[str, float] = {}
        n_batches = 0
        for b in range(0, n, batch_size):
            x = x_all[idx[b : b + batch_size]]
            if augment:
                x = rotate(x, random_rotations(x.shape[0], gen))
            parts = vae_loss(
                model, x.to(dev), energy, e2e_atoms, energy_weight=1.0 if use_energy else 0.0
            )
            opt.zero_grad()
            parts["total"].backward()
            opt.step()
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + float(v.detach())
            n_batches += 1
        for k, v in sums.items():
            hist.setdefault(k, []).append(v / n_batches)
    model.eval()
    return TrainResult.from_epochs(
        hist["total"], components=hist, wall_s=time.perf_counter() - t0, device=str(dev)
    )


@torch.no_grad()
def encode_frames(model: MoleculeVAE, xyz: np.ndarray, device: str = "cpu") -> np.ndarray:
    """Posterior means (n_frames, latent) of centred frames (n_frames, n_atoms, 3) in nm."""
    model.eval()
    x = torch.as_tensor(np.asarray(xyz), dtype=torch.float32, device=torch.device(device))
    return model.encode(x)[0].cpu().numpy()


def rotation_sensitivity(
    model: MoleculeVAE, xyz: np.ndarray, n_rotations: int = 20, seed: int = 0
) -> float:
    """How much the encoding of a frame moves when the frame is rotated, relative to how much it
    moves between frames.

    Each centred frame is rotated by ``n_rotations`` uniformly random rotations and encoded
    (posterior means). The result is the mean over frames of the RMS distance of a rotated
    frame's encoding from that frame's mean encoding, divided by the RMS distance of the frames'
    encodings from their mean across frames. A rotation-invariant encoder gives 0; an encoder
    that places orientations as far apart as conformations gives about 1.

    Parameters
    ----------
    model : MoleculeVAE
    xyz : numpy.ndarray, shape (n_frames, n_atoms, 3)
        Centred frames, nm (at least 2).
    n_rotations : int
    seed : int
        Seed of the random rotations.

    Returns
    -------
    float
        Dimensionless ratio.
    """
    from scipy.spatial.transform import Rotation

    xyz = np.asarray(xyz, dtype=np.float64)
    if xyz.ndim != 3 or len(xyz) < 2:
        raise DataError(f"expected at least 2 frames (n, n_atoms, 3), found shape {xyz.shape}")
    rot = Rotation.random(n_rotations, random_state=seed).as_matrix()  # (R, 3, 3)
    z = encode_frames(model, xyz)  # (n, latent)
    across = np.sqrt(np.mean(np.sum((z - z.mean(axis=0)) ** 2, axis=1)))
    within = []
    for x in xyz:
        zr = encode_frames(model, np.einsum("rij,aj->rai", rot, x))  # (R, latent)
        within.append(np.sqrt(np.mean(np.sum((zr - zr.mean(axis=0)) ** 2, axis=1))))
    return float(np.mean(within) / across)


@torch.no_grad()
def reconstruct(model: MoleculeVAE, xyz: np.ndarray, device: str = "cpu") -> np.ndarray:
    """Decoded posterior means: reconstructions (n_frames, n_atoms, 3) in nm."""
    model.eval()
    z = torch.as_tensor(encode_frames(model, xyz, device), device=torch.device(device))
    return model.decode(z).cpu().numpy()


# ----------------------------------------------------------------------------- latent LSTM
class LatentLSTM(nn.Module):
    """An LSTM that steps through latent space: ``z_{t+1} = z_t + W h_t``.

    Parameters
    ----------
    latent : int
        Latent dimension (60).
    hidden : int
        LSTM units (the paper does not state it; 100 here).
    """

    def __init__(self, latent: int = 60, hidden: int = 100):
        super().__init__()
        self.latent = int(latent)
        self.cell = nn.LSTMCell(self.latent, hidden)
        self.action = nn.Linear(hidden, self.latent)

    def forward(self, z0: torch.Tensor, n_steps: int) -> torch.Tensor:
        """Generate ``n_steps`` latent vectors autoregressively from ``z0``.

        Parameters
        ----------
        z0 : torch.Tensor
            Start states, shape (B, latent).
        n_steps : int

        Returns
        -------
        torch.Tensor
            Shape (B, n_steps, latent): ``z_1 ... z_n`` (``z0`` not included).
        """
        if z0.ndim != 2 or z0.shape[1] != self.latent:
            raise DataError(f"expected start states (B, {self.latent}), found {tuple(z0.shape)}")
        state = None
        z, out = z0, []
        for _ in range(int(n_steps)):
            h, c = self.cell(z, state)
            state = (h, c)
            z = z + self.action(h)
            out.append(z)
        return torch.stack(out, 1)


def latent_windows(z: Sequence[np.ndarray], length: int = 10, stride: int = 1) -> np.ndarray:
    """Windows of ``length + 1`` latent vectors, frames ``stride`` apart, from each sequence.

    Parameters
    ----------
    z : sequence of numpy.ndarray
        One (n_frames, latent) array per trajectory (windows never cross trajectories).
    length : int
        Steps per window (the paper: 10).
    stride : int
        Frames between consecutive steps.

    Returns
    -------
    numpy.ndarray
        Shape (n_windows, length + 1, latent): a start state and ``length`` targets.
    """
    out = []
    span = length * stride
    for zi in z:
        for s in range(0, zi.shape[0] - span):
            out.append(zi[s : s + span + 1 : stride])
    if not out:
        raise DataError(
            f"expected trajectories longer than {span} frames for windows of {length} steps "
            f"{stride} frames apart, found lengths {[len(x) for x in z]}"
        )
    return np.stack(out).astype(np.float32)


def train_lstm(
    model: LatentLSTM,
    windows: np.ndarray,
    epochs: int = 22,
    batch_size: int = 64,
    lr: float = 1e-3,
    seed: int = 0,
    device: str = "cpu",
    progress: bool = False,
) -> TrainResult:
    """Train the latent LSTM on encoded windows (loss: MSE of the generated sequence).

    Parameters
    ----------
    model : LatentLSTM
    windows : numpy.ndarray
        Shape (n_windows, length + 1, latent) (see :func:`latent_windows`).
    epochs, batch_size : int
    lr : float
    seed : int
    device : str
    progress : bool

    Returns
    -------
    mdrepro.training.TrainResult
        ``losses["mse"]`` per epoch.
    """
    import time

    from tqdm.auto import tqdm

    w = torch.as_tensor(windows, dtype=torch.float32)
    if w.ndim != 3 or w.shape[1] < 2 or w.shape[2] != model.latent:
        raise DataError(
            f"expected windows (n, length + 1, {model.latent}), found {tuple(w.shape)}"
        )
    dev = torch.device(device)
    model.to(dev)
    gen = torch.Generator().manual_seed(int(seed))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    mse: list[float] = []
    t0 = time.perf_counter()
    for _ in tqdm(range(int(epochs)), desc="LSTM", disable=not progress):
        model.train()
        idx = torch.randperm(w.shape[0], generator=gen)
        total, nb = 0.0, 0
        for b in range(0, w.shape[0], batch_size):
            x = w[idx[b : b + batch_size]].to(dev)
            pred = model(x[:, 0], x.shape[1] - 1)
            loss = (pred - x[:, 1:]).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach())
            nb += 1
        mse.append(total / nb)
    model.eval()
    return TrainResult.from_epochs(
        mse, components={"mse": mse}, wall_s=time.perf_counter() - t0, device=str(dev)
    )


@torch.no_grad()
def generate(
    vae: MoleculeVAE, lstm: LatentLSTM, start_xyz: np.ndarray, n_steps: int, device: str = "cpu"
) -> np.ndarray:
    """Encode start frames, walk ``n_steps`` in latent space and decode.

    Parameters
    ----------
    vae : MoleculeVAE
    lstm : LatentLSTM
    start_xyz : numpy.ndarray
        Centred start frames, shape (B, n_atoms, 3) or (n_atoms, 3), nm.
    n_steps : int

    Returns
    -------
    numpy.ndarray
        Shape (B, n_steps + 1, n_atoms, 3) in nm (or (n_steps + 1, n_atoms, 3) for one start):
        the decoded start state, then the generated frames.
    """
    x = np.asarray(start_xyz, dtype=np.float32)
    single = x.ndim == 2
    if single:
        x = x[None]
    dev = torch.device(device)
    vae.eval()
    lstm.eval()
    lstm.to(dev)
    z0 = torch.as_tensor(encode_frames(vae, x, device), device=dev)
    z = torch.cat([z0[:, None], lstm(z0, n_steps)], 1)
    frames = vae.decode(z.reshape(-1, z.shape[-1])).reshape(x.shape[0], n_steps + 1, -1, 3)
    out = frames.cpu().numpy()
    return out[0] if single else out
