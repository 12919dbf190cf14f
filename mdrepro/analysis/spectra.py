"""Vibrational spectra: the density of states from the velocity autocorrelation."""

from __future__ import annotations

import numpy as np

from mdrepro.units import CM1_PER_THZ, PS_PER_FS

__all__ = ["vdos"]


def vdos(velocities: np.ndarray, masses: np.ndarray, frame_interval_fs: float):
    """Vibrational density of states: Fourier transform of the mass-weighted velocity
    autocorrelation (Wiener-Khinchin, via the power spectrum of the velocities).

    Parameters
    ----------
    velocities : numpy.ndarray, shape (T, N, 3)
    masses : numpy.ndarray, shape (N,)
    frame_interval_fs : float

    Returns
    -------
    wavenumber : numpy.ndarray, shape (T // 2 + 1,)
        cm^-1.
    spectrum : numpy.ndarray, shape (T // 2 + 1,)
        Normalised to unit area on the wavenumber grid.
    """
    v = velocities - velocities.mean(axis=0)
    T = v.shape[0]
    window = np.hanning(T)[:, None, None]
    power = np.abs(np.fft.rfft(v * window, axis=0)) ** 2
    spec = np.einsum("fni,n->f", power, masses)
    freq_thz = np.fft.rfftfreq(T, d=frame_interval_fs * PS_PER_FS)
    wn = freq_thz * CM1_PER_THZ
    area = np.trapezoid(spec, wn)
    return wn, spec / area if area > 0 else spec
