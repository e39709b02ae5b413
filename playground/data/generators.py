"""The 2-D generators: TensorFlow Playground's circle, xor, gauss, spiral and two regression sets, and a few extras.

Each reproduces the semantics of TF Playground's ``src/dataset.ts`` (same shapes, radii, noise model
and labels) with NumPy and an explicit ``np.random.Generator`` instead of a global ``Math.random``.
Every generator maps (n points, noise as a 0–0.5 fraction, rng, number of classes) to (X, y):
``datasets.Maker``; `datasets.generate` checks the arguments and wraps the result in a `Data`.

    >>> X, y = xor(4, 0.0, np.random.default_rng(0), 2)
    >>> X.shape, y.dtype.name
    ((4, 2), 'int64')
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["circle", "xor", "gauss", "spiral", "reg_plane", "reg_gauss", "moons", "blobs", "spiral3"]


# ------------------------------------------------------------ TF Playground generators

def _uniform(rng: np.random.Generator, a: float, b: float, n: int) -> np.ndarray:
    """TF's ``randUniform(a, b)``, n times: U(a, b)."""
    return rng.uniform(a, b, n)


def _halves(n: int) -> tuple[int, int]:
    """(negatives, positives): TF loops ``numSamples / 2`` per class; an odd n gives the extra to +."""
    return n // 2, n - n // 2


def _two_class(neg: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stack TF's positives (class 1) first, then negatives (class 0), as TF does."""
    X = np.concatenate([pos, neg])
    y = np.concatenate([np.ones(len(pos), np.int64), np.zeros(len(neg), np.int64)])
    return X, y


def circle(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Disc r < 2.5 vs ring 3.5 ≤ r ≤ 5; the label uses the *noisy* position, the point is clean."""
    radius = 5.0

    def ring(count: int, r_lo: float, r_hi: float) -> tuple[np.ndarray, np.ndarray]:
        r = _uniform(rng, r_lo, r_hi, count)
        angle = _uniform(rng, 0.0, 2 * math.pi, count)
        P = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
        jitter = _uniform(rng, -radius, radius, 2 * count).reshape(2, count).T * noise
        label = (np.hypot(*(P + jitter).T) < radius * 0.5).astype(np.int64)
        return P, label

    n_neg, n_pos = _halves(n)
    P_pos, y_pos = ring(n_pos, 0.0, radius * 0.5)
    P_neg, y_neg = ring(n_neg, radius * 0.7, radius)
    return np.concatenate([P_pos, P_neg]), np.concatenate([y_pos, y_neg])


def xor(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Quadrants: + where x·y ≥ 0. Coordinates are pushed 0.3 off the axes (TF's padding)."""
    P = _uniform(rng, -5.0, 5.0, 2 * n).reshape(n, 2)
    P += np.where(P > 0, 0.3, -0.3)
    jitter = _uniform(rng, -5.0, 5.0, 2 * n).reshape(n, 2) * noise
    noisy = P + jitter
    return P, (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)


def gauss(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussians at (2, 2) (+) and (−2, −2) (−).

    TF maps noise 0→0.5, 0.5→4 linearly and passes it to ``normalRandom`` as a
    *variance*, so the standard deviation is ``sqrt(0.5 + 7·noise)``.
    """
    std = math.sqrt(0.5 + (4.0 - 0.5) * noise / 0.5)
    n_neg, n_pos = _halves(n)
    pos = rng.normal(2.0, std, (n_pos, 2))
    neg = rng.normal(-2.0, std, (n_neg, 2))
    return _two_class(neg, pos)


def _spiral_arm(m: int, delta_t: float, noise: float, rng: np.random.Generator) -> np.ndarray:
    """TF's ``genSpiral``: r = i/m·5, t = 1.75·i/m·2π + Δt, plus U(−1, 1)·noise on each coordinate."""
    i = np.arange(m)
    r = i / m * 5.0
    t = 1.75 * i / m * 2 * math.pi + delta_t
    x = r * np.sin(t) + _uniform(rng, -1.0, 1.0, m) * noise
    y = r * np.cos(t) + _uniform(rng, -1.0, 1.0, m) * noise
    return np.column_stack([x, y])


def spiral(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals: arm Δt = 0 is +, arm Δt = π is −."""
    n_neg, n_pos = _halves(n)
    pos = _spiral_arm(n_pos, 0.0, noise, rng)
    neg = _spiral_arm(n_neg, math.pi, noise, rng)
    return _two_class(neg, pos)


def reg_plane(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Target (x + y)/10 (TF's linear map [−10, 10] → [−1, 1], unclamped) at a noisy position."""
    P = _uniform(rng, -6.0, 6.0, 2 * n).reshape(n, 2)
    jitter = _uniform(rng, -6.0, 6.0, 2 * n).reshape(n, 2) * noise
    return P, (P + jitter).sum(axis=1) / 10.0


_REG_GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1],
                           [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], dtype=np.float64)


def reg_gauss(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Six signed bumps; target = the bump value sign·clamp(1 − d/2, 0, 1) largest in |·|.

    ``d`` is the distance from the noisy position to each centre (TF's
    ``labelScale``: domain [0, 2] → range [1, 0], clamped).
    """
    P = _uniform(rng, -6.0, 6.0, 2 * n).reshape(n, 2)
    noisy = P + _uniform(rng, -6.0, 6.0, 2 * n).reshape(n, 2) * noise
    d = np.linalg.norm(noisy[:, None, :] - _REG_GAUSSIANS[None, :, :2], axis=2)  # (n, 6)
    values = _REG_GAUSSIANS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    # TF keeps the first bump with the strictly largest |value|, starting from 0; argmax
    # returns the first maximum too, and an all-zero row gives 0 either way.
    pick = np.argmax(np.abs(values), axis=1)
    return P, values[np.arange(n), pick]


# --------------------------------------------------------------------------- extras

def moons(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half-moons (scikit-learn's ``make_moons`` shape), scaled ×3.2 around the origin.

    Upper moon (class 0): (cos t, sin t); lower moon (class 1): (1 − cos t, 0.5 − sin t), t ~ U(0, π).
    Noise adds Gaussian jitter with std 2·noise (so up to 1.0 at 50 %).
    """
    n0, n1 = n - n // 2, n // 2
    t0, t1 = _uniform(rng, 0.0, math.pi, n0), _uniform(rng, 0.0, math.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = (np.concatenate([upper, lower]) - [0.5, 0.25]) * 3.2  # centre of the pair → origin
    X += rng.normal(0.0, 2.0 * noise, X.shape)  # scale 0 gives exact zeros at noise 0
    return X, np.repeat(np.arange(2, dtype=np.int64), [n0, n1])


def _per_class(n: int, k: int) -> np.ndarray:
    """n points shared out over k classes as evenly as possible, extras to the first classes."""
    return np.full(k, n // k) + (np.arange(k) < n % k)


def blobs(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """k Gaussian blobs centred on a circle of radius 3 (first at the top); std 0.6 + 2.8·noise."""
    counts = _per_class(n, k)
    angle = math.pi / 2 + 2 * math.pi * np.arange(k) / k
    centres = 3.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    return centres[y] + rng.normal(0.0, 0.6 + 2.8 * noise, (n, 2)), y


def spiral3(n: int, noise: float, rng: np.random.Generator, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Three spiral arms, as `spiral`, with Δt = 0, 2π/3, 4π/3 for classes 0, 1, 2."""
    counts = _per_class(n, 3)
    X = np.concatenate([_spiral_arm(int(m), 2 * math.pi * c / 3, noise, rng)
                        for c, m in enumerate(counts)])
    return X, np.repeat(np.arange(3, dtype=np.int64), counts)
