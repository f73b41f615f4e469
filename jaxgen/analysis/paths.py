r"""Minimum-energy latent paths between two images' codes.

For target images xA, xB with codes zA, zB (from `inversion.invert`), a
path Z: [0, 1] -> R^d with Z(0) = zA, Z(1) = zB has the energy

  U(Z) = \int_0^1 ( ||G(Z(t)) - xA||^2 + ||G(Z(t)) - xB||^2 ) ||dZ/dt|| dt,

a line integral in arc length: it does not depend on how the path is
parameterised, only on the curve, and it is small for a path that stays
where the generator makes images close to both targets. A path is stored
as N + 1 codes [N + 1, d], read as the polygon through them; the norms are
sums of squares over all pixels. `path_energy` (the trapezoidal rule in arc
length) and `slerp` live in `jaxgen.losses.latent_paths`, shared with the
generator regularisers and the path-length metric.

The straight line and spherical interpolation (slerp; Shoemake 1985, used
for GAN latents by White 2016, "Sampling Generative Networks") are the
usual fixed paths; `optimize_path` descends U on the interior points.
"""

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import optax

from jaxgen.losses.latent_paths import path_energy, slerp


def straight_path(za: jax.Array, zb: jax.Array, num_points: int) -> jax.Array:
  """float32 [num_points, d], evenly spaced points of the segment from za to zb (ends included)."""
  t = jnp.linspace(0.0, 1.0, num_points)[:, None]
  return (1.0 - t) * za + t * zb


def slerp_path(za: jax.Array, zb: jax.Array, num_points: int) -> jax.Array:
  """float32 [num_points, d], `slerp` from za to zb at evenly spaced t (ends included)."""
  return slerp(za, zb, jnp.linspace(0.0, 1.0, num_points))


def resample(path: jax.Array, num_points: int) -> jax.Array:
  """float32 [num_points, d], points evenly spaced in arc length along the polygon `path` [N + 1, d].

  The ends are kept exactly; a path of zero length gives its first point
  repeated.

  Example:
    >>> resample(jnp.array([[0.0, 0.0], [0.0, 0.0], [4.0, 0.0]]), 3).tolist()
    [[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]]
  """
  lengths = jnp.linalg.norm(path[1:] - path[:-1], axis=-1)
  arc = jnp.concatenate([jnp.zeros(1), jnp.cumsum(lengths)])
  targets = jnp.linspace(0.0, 1.0, num_points) * arc[-1]
  # Segment k holds target s when arc[k] <= s < arc[k+1]; zero-length segments are never chosen.
  k = jnp.clip(jnp.searchsorted(arc, targets, side="right") - 1, 0, path.shape[0] - 2)
  within = jnp.clip((targets - arc[k]) / jnp.maximum(lengths[k], 1e-12), 0.0, 1.0)[:, None]
  points = path[k] + within * (path[k + 1] - path[k])
  return points.at[0].set(path[0]).at[-1].set(path[-1])


class OptimizedPath(NamedTuple):
  """What `optimize_path` found.

  Attributes:
    path: float32 [N + 1, d], the path of lowest fine energy seen (the
      starting path included), evenly spaced in arc length.
    energy: float32 [], its U on the fine resampling.
    history: float32 [rounds + 1], the fine U of the iterate after each
      round of `resample_every` updates (history[0]: the starting path).
  """

  path: jax.Array
  energy: jax.Array
  history: jax.Array


def optimize_path(generator_fn: Callable[[jax.Array], jax.Array], xa: jax.Array, xb: jax.Array,
                  initial_path: jax.Array, *, steps: int = 300, learning_rate: float = 0.01,
                  resample_every: int = 10, fine_points: int | None = None) -> OptimizedPath:
  """Gradient descent (Adam) on U over the interior points of a path, the ends fixed.

  The discretised U cannot tell how the points are spread along the curve,
  and a descent left alone bunches them where the integrand is large,
  underestimating U. So every `resample_every` updates the points are moved
  back to even spacing in arc length (`resample`), and every reported energy
  is U on a finer resampling (`fine_points` points) of the polygon. The
  result is the best path by that fine U over all rounds, never worse than
  the starting path. One `lax.scan`; jit and vmap over pairs as needed.

  Args:
    generator_fn: codes float32 [B, d] -> images [B, ...].
    xa, xb: float32 target images (no batch axis).
    initial_path: float32 [N + 1, d], N >= 2; its ends are zA and zB
      (e.g. `straight_path(za, zb, 17)`).
    steps: Adam updates, a positive multiple of `resample_every`.
    learning_rate: Adam's step size.
    resample_every: updates between re-spacings.
    fine_points: points of the resampling that energies are measured on;
      None: 4 N + 1.

  Returns:
    An `OptimizedPath`.

  Raises:
    ValueError: fewer than 3 points, or `steps` not a positive multiple of
      `resample_every`.
  """
  n_points = initial_path.shape[0]
  if n_points < 3 or resample_every < 1 or steps < 1 or steps % resample_every:
    raise ValueError(f"need >= 3 path points and steps a positive multiple of resample_every; got "
                     f"{n_points} points, steps={steps}, resample_every={resample_every}")
  fine_points = fine_points or 4 * (n_points - 1) + 1
  za, zb = initial_path[0], initial_path[-1]
  whole = lambda interior: jnp.concatenate([za[None], interior, zb[None]])
  fine_energy = lambda path: path_energy(generator_fn, resample(path, fine_points), xa, xb)
  energy = lambda interior: path_energy(generator_fn, whole(interior), xa, xb)
  optimizer = optax.adam(learning_rate)

  def update(carry, _):
    interior, opt_state = carry
    updates, opt_state = optimizer.update(jax.grad(energy)(interior), opt_state, interior)
    return (optax.apply_updates(interior, updates), opt_state), None

  def round_(carry, _):
    interior, opt_state, best_path, best_energy = carry
    (interior, opt_state), _ = jax.lax.scan(update, (interior, opt_state), None, length=resample_every)
    path = resample(whole(interior), n_points)
    u = fine_energy(path)
    better = u < best_energy
    best_path, best_energy = jnp.where(better, path, best_path), jnp.where(better, u, best_energy)
    return (path[1:-1], opt_state, best_path, best_energy), u

  start = resample(initial_path, n_points)
  u0 = fine_energy(start)
  interior = start[1:-1]
  carry = (interior, optimizer.init(interior), start, u0)
  (_, _, best_path, best_energy), history = jax.lax.scan(round_, carry, None, length=steps // resample_every)
  return OptimizedPath(best_path, best_energy, jnp.concatenate([u0[None], history]))
