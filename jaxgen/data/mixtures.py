"""2-D Gaussian mixtures, the standard mode-collapse benchmarks, sampled on device.

`ring`: 8 Gaussians with std 0.01 whose means lie on the unit circle at angles
2*pi*k/8, k = 0..7 (Metz et al., 2017, Sec. 3.1; Srivastava et al., 2017,
Sec. 5.1). `grid`: 25 Gaussians with std 0.05 at means {-4, -2, 0, 2, 4}^2
(Srivastava et al., 2017; Lin et al., 2018, Sec. 5). All components have equal
weight.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np


class Mixture(NamedTuple):
  """An equal-weight isotropic Gaussian mixture.

  Attributes:
    means: float32 [K, 2] component means.
    std: the standard deviation of every component (same units as the means).
  """

  means: np.ndarray
  std: float


def ring(num_modes: int = 8, radius: float = 1.0, std: float = 0.01) -> Mixture:
  """Means at angle 2*pi*k/num_modes on a circle (not linspace(0, 2*pi, K), which repeats 0)."""
  angles = 2.0 * np.pi * np.arange(num_modes) / num_modes
  return Mixture(np.stack([radius * np.cos(angles), radius * np.sin(angles)], 1).astype(np.float32), std)


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> Mixture:
  """Means at {-(side-1)/2 .. (side-1)/2} * spacing on both axes, row-major."""
  ticks = (np.arange(side) - (side - 1) / 2.0) * spacing
  xs, ys = np.meshgrid(ticks, ticks, indexing="ij")
  return Mixture(np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32), std)


MIXTURES = {"ring": ring, "grid": grid}


def sample(mixture: Mixture, key: jax.Array, n: int) -> jax.Array:
  """n i.i.d. points of the mixture: a uniform component, plus isotropic noise.

  Args:
    mixture: the mixture.
    key: PRNG key (inside jit: `fold_in(key, step)` for reproducible batches).
    n: number of points, a Python int.

  Returns:
    float32 [n, 2].

  Example:
    >>> x = sample(ring(), jax.random.key(0), 1000)
    >>> bool(jnp.all(jnp.abs(jnp.linalg.norm(x, axis=1) - 1.0) < 0.06))
    True
  """
  k_mode, k_noise = jax.random.split(key)
  modes = jax.random.randint(k_mode, (n,), 0, len(mixture.means))
  return jnp.asarray(mixture.means)[modes] + mixture.std * jax.random.normal(k_noise, (n, 2))
