r"""Functionals of a generator along latent paths: path energy, StyleGAN2's path-length penalty, slerp.

The building blocks of the latent-geometry lab, shared by the analysis
(`jaxgen.analysis.paths`: minimum-energy paths), the generator regularisers
(`jaxgen.methods.gan`) and perceptual path length (`jaxgen.metrics.path_length`).
A generator here is an apply-function `generator_fn`: codes float32 [B, d]
-> samples [B, ...], each sample a function of its own code only (no batch
statistics: the per-example Jacobians below need that).
"""

from typing import Callable

import jax
import jax.numpy as jnp


def slerp(za: jax.Array, zb: jax.Array, t: jax.Array) -> jax.Array:
  """Spherical interpolation (Shoemake, 1985; for GAN latents White, 2016, "Sampling Generative Networks").

  p(t) = sin((1 - t) w) / sin(w) za + sin(t w) / sin(w) zb, w the angle
  between za and zb: a great-circle arc when |za| = |zb| (the norm moves
  smoothly between them otherwise); the straight line where za and zb are
  (nearly) parallel.

  Args:
    za, zb: float32 [..., d] codes.
    t: float32 [...] or broadcastable to za's leading axes; 0 gives za, 1 gives zb.

  Returns:
    float32 [..., d].

  Example:
    >>> [round(float(v), 4) for v in slerp(jnp.array([2.0, 0.0]), jnp.array([0.0, 2.0]), jnp.array(0.5))]
    [1.4142, 1.4142]
  """
  t = jnp.asarray(t)[..., None]
  norms = jnp.linalg.norm(za, axis=-1, keepdims=True) * jnp.linalg.norm(zb, axis=-1, keepdims=True)
  w = jnp.arccos(jnp.clip(jnp.sum(za * zb, -1, keepdims=True) / jnp.maximum(norms, 1e-12), -1.0, 1.0))
  sin_w = jnp.sin(w)
  safe = sin_w > 1e-6
  arc = (jnp.sin((1.0 - t) * w) * za + jnp.sin(t * w) * zb) / jnp.where(safe, sin_w, 1.0)
  return jnp.where(safe, arc, (1.0 - t) * za + t * zb)


def path_energy(generator_fn: Callable[[jax.Array], jax.Array], path: jax.Array, xa: jax.Array,
                xb: jax.Array) -> jax.Array:
  r"""float32 [], U of a polygonal latent path, by the trapezoidal rule in arc length.

  U(Z) = \int_0^1 ( ||G(Z(t)) - xA||^2 + ||G(Z(t)) - xB||^2 ) ||dZ/dt|| dt
  (norms: sums of squares over all pixels). With f_k the integrand at code
  z_k and L_k = ||z_{k+1} - z_k||,  U ~= sum_k (f_k + f_{k+1}) / 2 * L_k:
  exact where f is linear along each segment, O(max L_k^2) error otherwise
  (compare paths on a fine resampling, `jaxgen.analysis.paths.resample`).

  Args:
    generator_fn: codes float32 [B, d] -> samples [B, ...].
    path: float32 [N + 1, d], N >= 1 segments, ends included.
    xa, xb: float32 targets of the sample shape (no batch axis).

  Example (G = identity on R^1, targets 0 and 1, the path from 0 to 1:
  f(t) = t^2 + (1 - t)^2, whose integral is 2/3):
    >>> path = jnp.linspace(0.0, 1.0, 1001)[:, None]
    >>> round(float(path_energy(lambda z: z, path, jnp.zeros(1), jnp.ones(1))), 6)
    0.666667
  """
  flat = generator_fn(path).reshape((path.shape[0], -1))
  f = jnp.sum(jnp.square(flat - xa.reshape(-1)), -1) + jnp.sum(jnp.square(flat - xb.reshape(-1)), -1)
  lengths = jnp.linalg.norm(path[1:] - path[:-1], axis=-1)
  return jnp.sum(0.5 * (f[:-1] + f[1:]) * lengths)


def path_length_penalty(generator_fn: Callable[[jax.Array], jax.Array], z: jax.Array, key: jax.Array,
                        mean_length: jax.Array) -> tuple[jax.Array, jax.Array]:
  r"""StyleGAN2's path-length penalty, E (||J_z^T y||_2 - a)^2 (Karras et al., 2020, Sec. 3.2, Eq. 4).

  J_z is the Jacobian of G at z (here the input code: jaxgen's generators
  have no mapping network, so z plays the role of the paper's w), y has
  i.i.d. N(0, 1) / sqrt(H W) entries, and a is a running mean of the
  lengths kept by the caller (the paper: an exponential moving average with
  decay 0.01). J^T y is one vector-Jacobian product of the batch function,
  which is the per-example product because each sample depends on its own
  code only.

  Args:
    generator_fn: codes float32 [B, d] -> samples [B, H, W, C] (or [B, D]
      points: then H W = D).
    z: float32 [B, d] codes.
    key: draws y.
    mean_length: float32 [], the running mean a.

  Returns:
    (penalty float32 [], lengths float32 [B] = ||J^T y|| per example; the
    caller updates a with their mean).

  Example (G(z) = 2 z on R^2 -> R^2: J^T y = 2 y):
    >>> penalty, lengths = path_length_penalty(lambda z: 2.0 * z, jnp.zeros((1, 2)), jax.random.key(0), 0.0)
    >>> bool(jnp.allclose(penalty, lengths[0] ** 2))
    True
  """
  x, vjp = jax.vjp(generator_fn, z)
  pixels = x.shape[1] * x.shape[2] if x.ndim == 4 else x[0].size
  y = jax.random.normal(key, x.shape, x.dtype) / jnp.sqrt(pixels)
  (jt_y,) = vjp(y)
  lengths = jnp.linalg.norm(jt_y.reshape((z.shape[0], -1)), axis=-1)
  return jnp.mean(jnp.square(lengths - mean_length)), lengths
