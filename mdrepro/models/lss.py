"""The three networks of a molecular latent space simulator (Sidky, Chen & Ferguson 2020).

* :class:`SRVEncoder` and :func:`vamp2_score` / :func:`fit_srv`: a state-free reversible
  VAMPnet (SRV). Twin lobes that share their weights map ``x_t`` and ``x_{t+tau}``; the loss is
  minus the VAMP-2 score of the symmetrised (reversible) time-lagged covariances; after training
  the network outputs are rotated into the transfer-operator eigenfunctions ``psi_i``
  (:meth:`SRVEncoder.transform`).
* :class:`MDN` and :func:`fit_mdn`: a mixture density network for the transition density
  ``p_tau(y_{t+tau} | y_t)`` as ``C`` Gaussian kernels with softmax weights and sigmoid-bounded
  means (data scaled to ``[0, 1]``), diagonal widths; :meth:`MDN.sample` propagates many
  trajectories at once.
* :class:`CWGAN` (generator and critic) with :func:`gradient_penalty` and :func:`fit_cwgan`:
  a conditional Wasserstein GAN with gradient penalty that decodes latent coordinates into
  (aligned, standardised) C-alpha coordinates.

All networks are plain ``torch.nn.Module`` objects; the fits are seeded, device-aware and stop
early on validation losses. Arrays come in as numpy ``float`` and are used as float32.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from mdrepro.errors import DataError
from mdrepro.training import TrainResult

__all__ = [
    "CWGAN",
    "MDN",
    "MinMaxScaler",
    "SRVEncoder",
    "fit_cwgan",
    "fit_mdn",
    "fit_srv",
    "gradient_penalty",
    "vamp2_score",
]


@dataclass
class MinMaxScaler:
    """Affine map of each column into ``[margin, 1 - margin]`` (fit on training data).

    Attributes
    ----------
    lo, hi : numpy.ndarray, shape (d,)
        Column minimum and maximum of the fitted data.
    margin : float
        Room left at both ends, so that sigmoid-bounded means can reach every data value.
    """

    lo: np.ndarray
    hi: np.ndarray
    margin: float = 0.05

    @classmethod
    def fit(cls, y: np.ndarray, margin: float = 0.05) -> MinMaxScaler:
        """Fit on the columns of ``y`` ``(n, d)``."""
        y = np.asarray(y, dtype=float).reshape(len(y), -1)
        return cls(y.min(0), y.max(0), margin)

    def transform(self, y):
        """Data -> ``[margin, 1 - margin]``."""
        span = np.where(self.hi > self.lo, self.hi - self.lo, 1.0)
        return self.margin + (1 - 2 * self.margin) * (np.asarray(y) - self.lo) / span

    def inverse(self, s):
        """``[margin, 1 - margin]`` -> data units."""
        span = np.where(self.hi > self.lo, self.hi - self.lo, 1.0)
        return self.lo + (np.asarray(s) - self.margin) / (1 - 2 * self.margin) * span


def _mlp(d_in: int, hidden: list[int], act, batch_norm: bool = False) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for h in hidden:
        layers.append(nn.Linear(d_in, h))
        if batch_norm:
            layers.append(nn.BatchNorm1d(h))
        layers.append(act())
        d_in = h
    return layers


def _tensor(x, device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(x), dtype=torch.float32, device=device)


# --------------------------------------------------------------------------------------- SRV
def _sym_inv_sqrt(c: torch.Tensor, eps: float) -> torch.Tensor:
    w, v = torch.linalg.eigh(c)
    w = torch.clamp(w, min=eps)
    return v @ torch.diag(w.rsqrt()) @ v.T


def _covariances(z0: torch.Tensor, z1: torch.Tensor, symmetric: bool):
    n = z0.shape[0]
    if symmetric:
        mu = 0.5 * (z0.mean(0) + z1.mean(0))
        a, b = z0 - mu, z1 - mu
        c00 = (a.T @ a + b.T @ b) / (2 * n)
        c01 = (a.T @ b + b.T @ a) / (2 * n)
        return c00, c01, c00
    a, b = z0 - z0.mean(0), z1 - z1.mean(0)
    return a.T @ a / n, a.T @ b / n, b.T @ b / n


def vamp2_score(z0, z1, symmetric: bool = True, eps: float = 1e-6) -> torch.Tensor:
    """VAMP-2 score of the features ``z0 = f(x_t)``, ``z1 = f(x_{t+tau})`` (without the +1
    of the constant function).

    Parameters
    ----------
    z0, z1 : torch.Tensor, shape (n, d)
    symmetric : bool
        Symmetrise the covariances (reversible dynamics, as the SRV); otherwise the plain
        VAMP-2 score ``|C00^-1/2 C01 C11^-1/2|_F^2``.
    eps : float
        Eigenvalue floor of the instantaneous covariances.

    Returns
    -------
    torch.Tensor
        Scalar score (sum of squared singular values).
    """
    c00, c01, c11 = _covariances(z0, z1, symmetric)
    k = _sym_inv_sqrt(c00, eps) @ c01 @ _sym_inv_sqrt(c11, eps)
    return (k**2).sum()


class SRVEncoder(nn.Module):
    """SRV lobe: ``d_in -> hidden (tanh, batch norm) -> n_out``; one network for both lobes.

    After :func:`fit_srv`, :meth:`transform` returns the eigenfunction estimates ``psi_i``
    (zero mean, unit variance under the symmetrised statistics, ordered by eigenvalue).
    """

    def __init__(self, d_in: int, n_out: int = 5, hidden=(100, 100)):
        super().__init__()
        self.net = nn.Sequential(
            *_mlp(d_in, list(hidden), nn.Tanh, True), nn.Linear(hidden[-1], n_out)
        )
        self.register_buffer("x_mean", torch.zeros(d_in))
        self.register_buffer("x_std", torch.ones(d_in))
        self.register_buffer("z_mean", torch.zeros(n_out))
        self.register_buffer("rotation", torch.eye(n_out))
        self.register_buffer("eigenvalues", torch.zeros(n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Network outputs of standardised inputs ``(B, d)``."""
        return self.net((x - self.x_mean) / self.x_std)

    @torch.no_grad()
    def set_basis(self, x0: torch.Tensor, x1: torch.Tensor, eps: float = 1e-6) -> None:
        """Solve ``C01 v = lambda C00 v`` (symmetrised) on the network outputs."""
        self.eval()
        z0, z1 = self(x0), self(x1)
        c00, c01, _ = _covariances(z0, z1, True)
        w = _sym_inv_sqrt(c00, eps)
        lam, u = torch.linalg.eigh(w @ c01 @ w)
        order = torch.argsort(lam, descending=True)
        self.eigenvalues.copy_(lam[order])
        self.rotation.copy_(w @ u[:, order])
        self.z_mean.copy_(0.5 * (z0.mean(0) + z1.mean(0)))

    @torch.no_grad()
    def transform(self, x, m: int | None = None, batch: int = 65536) -> np.ndarray:
        """Eigenfunctions ``psi_1..psi_m`` of ``x`` ``(n, d_in)`` -> ``(n, m)``."""
        self.eval()
        dev = self.x_mean.device
        out = []
        for s in range(0, len(x), batch):
            z = self(_tensor(x[s : s + batch], dev))
            out.append(((z - self.z_mean) @ self.rotation).cpu().numpy())
        psi = np.concatenate(out)
        return psi if m is None else psi[:, :m]


def _batches(n: int, batch_size: int, gen: torch.Generator):
    perm = torch.randperm(n, generator=gen)
    return [perm[s : s + batch_size] for s in range(0, n, batch_size)]


def _early_stop_loop(
    model, opt, step_fn, val_fn, n_train, epochs, batch_size, patience, seed, lr_decay=1.0
):
    """Generic epoch loop: ``step_fn(idx)`` -> loss (float), ``val_fn()`` -> loss; the learning
    rate is multiplied by ``lr_decay`` after every epoch.
    """
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, lr_decay)
    gen = torch.Generator().manual_seed(seed)
    train_loss, val_loss, best_epoch, epochs_run = [], [], 0, 0
    best, best_state, wait = math.inf, None, 0
    t0 = time.perf_counter()
    for epoch in range(1, epochs + 1):
        model.train()
        losses = [step_fn(idx) for idx in _batches(n_train, batch_size, gen)]
        train_loss.append(float(np.mean(losses)))
        v = float(val_fn())
        val_loss.append(v)
        epochs_run = epoch
        sched.step()
        if v < best - 1e-6:
            best, wait, best_epoch = v, 0, epoch
            best_state = {k: t.detach().clone() for k, t in model.state_dict().items()}
        else:
            wait += 1
            if patience is not None and wait >= patience:
                break
    if best_state is not None:
        model.load_state_dict(best_state)
    return TrainResult.from_epochs(
        train_loss,
        val_loss,
        best_epoch=best_epoch,
        epochs=epochs_run,
        wall_s=time.perf_counter() - t0,
    )


def fit_srv(
    x0,
    x1,
    val_fraction: float = 0.2,
    n_out: int = 5,
    hidden=(100, 100),
    lr: float = 0.01,
    batch_size: int = 2000,
    epochs: int = 30,
    patience: int = 5,
    seed: int = 0,
    device: str = "cpu",
) -> tuple[SRVEncoder, TrainResult]:
    """Train an SRV on time-lagged pairs with Adam, early stopping on validation VAMP-2.

    Parameters
    ----------
    x0, x1 : numpy.ndarray, shape (n_pairs, d)
        Features at ``t`` and ``t + tau``; the last ``val_fraction`` of the pairs validate.
    n_out : int
        Network outputs (eigenfunctions estimated).

    Returns
    -------
    SRVEncoder
        With its eigenfunction basis set on all pairs.
    TrainResult
        Losses are minus the symmetrised VAMP-2 score.
    """
    x0, x1 = np.asarray(x0), np.asarray(x1)
    if x0.shape != x1.shape or x0.ndim != 2 or len(x0) < 10:
        raise DataError(
            f"expected two (n >= 10, d) arrays of equal shape, found {x0.shape}, {x1.shape}"
        )
    torch.manual_seed(seed)
    dev = torch.device(device)
    n_val = max(2, int(len(x0) * val_fraction))
    t0, t1 = _tensor(x0, dev), _tensor(x1, dev)
    tr0, tr1, va0, va1 = t0[:-n_val], t1[:-n_val], t0[-n_val:], t1[-n_val:]
    model = SRVEncoder(x0.shape[1], n_out, hidden).to(dev)
    both = torch.cat([tr0, tr1])
    model.x_mean.copy_(both.mean(0))
    model.x_std.copy_(both.std(0).clamp_min(1e-6))
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def step(idx):
        idx = idx.to(dev)
        loss = -vamp2_score(model(tr0[idx]), model(tr1[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    def val():
        model.eval()
        with torch.no_grad():
            return -vamp2_score(model(va0), model(va1)).item()

    res = _early_stop_loop(model, opt, step, val, len(tr0), epochs, batch_size, patience, seed)
    model.set_basis(t0, t1)
    return model, res


# --------------------------------------------------------------------------------------- MDN
class MDN(nn.Module):
    """Mixture density network ``p(y | x) = sum_c alpha_c(x) N(y; mu_c(x), diag sigma_c(x)^2)``.

    Parameters
    ----------
    d_in, d_out : int
        Dimensions of the condition ``x`` and the target ``y`` (both scaled to ``[0, 1]``).
    n_kernels : int
        ``C``.
    hidden : sequence of int
        ReLU hidden layers.
    """

    def __init__(self, d_in: int, d_out: int, n_kernels: int = 8, hidden=(100, 100)):
        super().__init__()
        self.d_out, self.n_kernels = d_out, n_kernels
        self.body = nn.Sequential(*_mlp(d_in, list(hidden), nn.ReLU))
        self.logits = nn.Linear(hidden[-1], n_kernels)
        self.mu = nn.Linear(hidden[-1], n_kernels * d_out)
        self.log_sigma = nn.Linear(hidden[-1], n_kernels * d_out)

    def forward(self, x: torch.Tensor):
        """Log weights ``(n, C)``, means ``(n, C, d)`` in (0, 1), widths ``(n, C, d)``."""
        h = self.body(x)
        log_alpha = torch.log_softmax(self.logits(h), -1)
        mu = torch.sigmoid(self.mu(h)).view(-1, self.n_kernels, self.d_out)
        sigma = torch.exp(self.log_sigma(h).clamp(-9.0, 2.0)).view(-1, self.n_kernels, self.d_out)
        return log_alpha, mu, sigma

    def log_prob(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """``log p(y | x)`` per row, ``(n,)``."""
        log_alpha, mu, sigma = self(x)
        z = (y[:, None, :] - mu) / sigma
        comp = (
            -0.5 * (z**2).sum(-1)
            - torch.log(sigma).sum(-1)
            - 0.5 * self.d_out * math.log(2 * math.pi)
        )
        return torch.logsumexp(log_alpha + comp, -1)

    @torch.no_grad()
    def sample(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """One draw of ``y`` for each row of ``x`` ``(n, d_in)`` -> ``(n, d_out)``."""
        log_alpha, mu, sigma = self(x)
        c = torch.multinomial(log_alpha.exp(), 1, generator=generator)[:, 0]
        rows = torch.arange(len(x), device=x.device)
        eps = torch.randn(mu[rows, c].shape, generator=generator, device=x.device)
        return mu[rows, c] + sigma[rows, c] * eps

    @torch.no_grad()
    def simulate(self, y0, n_steps: int, seed: int = 0, clip: bool = True) -> np.ndarray:
        """Propagate trajectories: ``y_{k+1} ~ p(. | y_k)``, all rows in one batch.

        Parameters
        ----------
        y0 : numpy.ndarray, shape (n_traj, d) (scaled)
        n_steps : int
            Steps of one lag time each.
        clip : bool
            Keep states inside ``[0, 1]`` (the range the network was trained on).

        Returns
        -------
        numpy.ndarray, shape (n_traj, n_steps + 1, d)
        """
        self.eval()
        dev = next(self.parameters()).device
        gen = torch.Generator(device=dev).manual_seed(seed)
        y = _tensor(y0, dev).reshape(-1, self.d_out)
        out = torch.empty((len(y), n_steps + 1, self.d_out), device=dev)
        out[:, 0] = y
        for k in range(n_steps):
            y = self.sample(y, gen)
            if clip:
                y = y.clamp(0.0, 1.0)
            out[:, k + 1] = y
        return out.cpu().numpy()


def fit_mdn(
    y0,
    y1,
    n_kernels: int = 8,
    hidden=(100, 100),
    lr: float = 1e-3,
    batch_size: int = 1000,
    epochs: int = 50,
    patience: int = 5,
    val_fraction: float = 0.2,
    seed: int = 0,
    device: str = "cpu",
    lr_decay: float = 1.0,
) -> tuple[MDN, TrainResult]:
    """Fit an MDN to pairs ``(y_t, y_{t+tau})`` (scaled to [0, 1]) by maximum likelihood.

    Adam (learning rate times ``lr_decay`` after each epoch); the last ``val_fraction`` of the
    pairs validate; early stopping with ``patience`` on the validation negative log-likelihood
    (per pair, nats), whose best weights are kept.

    Returns
    -------
    MDN, TrainResult
    """
    y0 = np.asarray(y0, dtype=float).reshape(len(y0), -1)
    y1 = np.asarray(y1, dtype=float).reshape(len(y1), -1)
    if y0.shape != y1.shape or len(y0) < 10:
        raise DataError(f"expected paired (n >= 10, d) arrays, found {y0.shape} and {y1.shape}")
    torch.manual_seed(seed)
    dev = torch.device(device)
    n_val = max(2, int(len(y0) * val_fraction))
    a, b = _tensor(y0, dev), _tensor(y1, dev)
    ta, tb, va, vb = a[:-n_val], b[:-n_val], a[-n_val:], b[-n_val:]
    model = MDN(y0.shape[1], y1.shape[1], n_kernels, hidden).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def step(idx):
        idx = idx.to(dev)
        loss = -model.log_prob(ta[idx], tb[idx]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    def val():
        model.eval()
        with torch.no_grad():
            return -model.log_prob(va, vb).mean().item()

    res = _early_stop_loop(
        model, opt, step, val, len(ta), epochs, batch_size, patience, seed, lr_decay
    )
    return model, res


# ------------------------------------------------------------------------------------- cWGAN
class CWGAN(nn.Module):
    """Conditional WGAN: generator ``G(noise, psi) -> x`` and critic ``D(x, psi) -> score``.

    Parameters
    ----------
    d_x : int
        Dimension of a configuration (``3 N`` standardised aligned coordinates).
    d_cond : int
        Latent dimension ``m``.
    noise : int
        Noise dimension (50 in the paper).
    hidden : sequence of int
        Swish (SiLU) hidden layers of both networks.
    """

    def __init__(self, d_x: int, d_cond: int, noise: int = 50, hidden=(200, 200, 200)):
        super().__init__()
        self.d_x, self.d_cond, self.noise = d_x, d_cond, noise
        self.generator = nn.Sequential(
            *_mlp(noise + d_cond, list(hidden), nn.SiLU), nn.Linear(hidden[-1], d_x)
        )
        self.critic = nn.Sequential(
            *_mlp(d_x + d_cond, list(hidden), nn.SiLU), nn.Linear(hidden[-1], 1)
        )

    def generate(
        self, cond: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """One configuration per condition row ``(n, d_cond)`` -> ``(n, d_x)``."""
        z = torch.randn((len(cond), self.noise), generator=generator, device=cond.device)
        return self.generator(torch.cat([z, cond], -1))

    def score(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """Critic value ``(n,)``."""
        return self.critic(torch.cat([x, cond], -1))[:, 0]

    @torch.no_grad()
    def decode(self, cond, seed: int = 0, batch: int = 65536) -> np.ndarray:
        """Decode latent rows ``(n, d_cond)`` -> ``(n, d_x)`` numpy, in batches."""
        self.eval()
        dev = next(self.parameters()).device
        gen = torch.Generator(device=dev).manual_seed(seed)
        out = [
            self.generate(_tensor(cond[s : s + batch], dev), gen).cpu().numpy()
            for s in range(0, len(cond), batch)
        ]
        return np.concatenate(out) if out else np.zeros((0, self.d_x), np.float32)


def gradient_penalty(
    critic_fn, real: torch.Tensor, fake: torch.Tensor, cond: torch.Tensor, generator=None
):
    """WGAN-GP penalty ``E[(|grad_x D(x_hat, c)|_2 - 1)^2]`` on random interpolates ``x_hat``.

    Parameters
    ----------
    critic_fn : callable
        ``critic_fn(x, cond) -> (n,)``.
    real, fake : torch.Tensor, shape (n, d_x)
    cond : torch.Tensor, shape (n, d_cond)

    Returns
    -------
    torch.Tensor
        Scalar (differentiable with respect to the critic's parameters).
    """
    eps = torch.rand((len(real), 1), generator=generator, device=real.device)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = critic_fn(x_hat, cond)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return ((grad.norm(dim=1) - 1) ** 2).mean()


def fit_cwgan(
    x,
    cond,
    noise: int = 50,
    hidden=(200, 200, 200),
    lr: float = 5e-5,
    batch_size: int = 256,
    epochs: int = 50,
    n_critic: int = 5,
    penalty: float = 10.0,
    seed: int = 0,
    device: str = "cpu",
    max_steps: int | None = None,
    optimizer: str = "rmsprop",
) -> tuple[CWGAN, TrainResult]:
    """Train a cWGAN-GP: ``n_critic`` critic steps per generator step.

    Parameters
    ----------
    x : numpy.ndarray, shape (n, d_x)
        Configurations (standardised).
    cond : numpy.ndarray, shape (n, d_cond)
        Their latent coordinates.
    max_steps : int, optional
        Stop after this many generator steps (a budget for the ci profile).
    optimizer : {"rmsprop", "adam"}
        RMSprop (the authors' choice) or Adam with ``betas = (0.5, 0.9)`` (Gulrajani et al.
        2017), which converges in far fewer steps.

    Returns
    -------
    CWGAN
    TrainResult
        ``train_loss``: per-epoch mean critic estimate of the Wasserstein distance
        ``E[D(real)] - E[D(fake)]``; ``val_loss``: mean generator loss.
    """
    x = np.asarray(x, dtype=float)
    cond = np.asarray(cond, dtype=float).reshape(len(cond), -1)
    if len(x) != len(cond) or len(x) < 2:
        raise DataError(
            f"expected as many conditions as configurations, found {len(cond)}, {len(x)}"
        )
    torch.manual_seed(seed)
    dev = torch.device(device)
    gen = torch.Generator(device=dev).manual_seed(seed)
    X, C = _tensor(x, dev), _tensor(cond, dev)
    model = CWGAN(x.shape[1], cond.shape[1], noise, hidden).to(dev)
    if optimizer == "rmsprop":
        opt_d = torch.optim.RMSprop(model.critic.parameters(), lr=lr)
        opt_g = torch.optim.RMSprop(model.generator.parameters(), lr=lr)
    elif optimizer == "adam":
        opt_d = torch.optim.Adam(model.critic.parameters(), lr=lr, betas=(0.5, 0.9))
        opt_g = torch.optim.Adam(model.generator.parameters(), lr=lr, betas=(0.5, 0.9))
    else:
        raise DataError(f"expected optimizer 'rmsprop' or 'adam', found {optimizer!r}")
    w_hist, g_hist, epochs_run = [], [], 0
    t0 = time.perf_counter()
    g_steps = 0
    n = len(X)
    for epoch in range(1, epochs + 1):
        w_est, g_loss = [], []
        for b, idx in enumerate(
            _batches(n, batch_size, torch.Generator().manual_seed(seed + epoch))
        ):
            idx = idx.to(dev)
            real, c = X[idx], C[idx]
            fake = model.generate(c, gen).detach()
            d_real, d_fake = model.score(real, c).mean(), model.score(fake, c).mean()
            gp = gradient_penalty(model.score, real, fake, c, gen)
            loss_d = d_fake - d_real + penalty * gp
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            w_est.append((d_real - d_fake).item())
            if (b + 1) % n_critic == 0:
                loss_g = -model.score(model.generate(c, gen), c).mean()
                opt_g.zero_grad()
                loss_g.backward()
                opt_g.step()
                g_loss.append(loss_g.item())
                g_steps += 1
                if max_steps is not None and g_steps >= max_steps:
                    break
        w_hist.append(float(np.mean(w_est)))
        g_hist.append(float(np.mean(g_loss)) if g_loss else float("nan"))
        epochs_run = epoch
        if max_steps is not None and g_steps >= max_steps:
            break
    res = TrainResult.from_epochs(
        w_hist, g_hist, best_epoch=epochs_run, epochs=epochs_run, wall_s=time.perf_counter() - t0
    )
    return model, res
