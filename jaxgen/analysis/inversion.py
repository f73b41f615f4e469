r"""GAN inversion: the code z* = argmin_z ||G(z) - x||^2 of an image, from many starting codes at once.

A generator is not injective and the objective is not convex in z, so
gradient descent from different starts can end in different local minima.
`invert` runs all (image, start) pairs as one batch through the frozen
generator, and `distinct_minima` counts how many different minima the starts
of one image reached.

The method is the optimisation-based inversion of Creswell & Bharath (2018,
"Inverting the Generator of a Generative Adversarial Network") and Lipton &
Tripathi (2017, "Precise Recovery of Latent Vectors from Generative
Adversarial Networks"), whose "stochastic clipping" keeps codes inside the
prior's support; here the optional projection onto the typical shell of
N(0, I), ||z|| = sqrt(d), plays that role.
"""

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import optax

LOSSES = ("l2", "l1")


class Inversion(NamedTuple):
  """What `invert` found.

  Attributes:
    z: float32 [M, S, d], the final code of each image (M) and start (S).
    errors: float32 [M, S], the final reconstruction error of each: mean
      over pixels of the squared ("l2") or absolute ("l1") difference, the
      prior term excluded.
    history: float32 [steps, M, S], the reconstruction error before each
      update (history[0] is the error of the starting codes).
  """

  z: jax.Array
  errors: jax.Array
  history: jax.Array


def reconstruction_error(images: jax.Array, targets: jax.Array, loss: str = "l2") -> jax.Array:
  """float32 [B], per example the mean over its pixels of (images - targets)^2 ("l2") or |images - targets| ("l1").

  Args:
    images, targets: float [B, ...] (images [B, H, W, C] or points [B, D]).

  Raises:
    ValueError: an unknown loss.
  """
  if loss not in LOSSES:
    raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
  diff = (images - targets).reshape((images.shape[0], -1))
  return jnp.mean(jnp.square(diff) if loss == "l2" else jnp.abs(diff), axis=-1)


def project_to_shell(z: jax.Array) -> jax.Array:
  """float32 [..., d]: z rescaled to norm sqrt(d), where N(0, I_d) puts almost all its mass for large d."""
  d = z.shape[-1]
  return z * (jnp.sqrt(d) / jnp.maximum(jnp.linalg.norm(z, axis=-1, keepdims=True), 1e-12))


def invert(generator_fn: Callable[[jax.Array], jax.Array], x: jax.Array, z0: jax.Array, *, steps: int = 500,
           learning_rate: float = 0.05, loss: str = "l2", prior_weight: float = 0.0, shell: bool = False,
           optimizer: optax.GradientTransformation | None = None) -> Inversion:
  r"""Minimises ||G(z) - x||^2 (+ prior_weight ||z||^2) over z from every start of every image.

  The objective of pair (m, s) is  e(G(z_ms), x_m) + prior_weight * ||z_ms||^2
  with e the per-pixel mean error of `loss`. All M * S codes go through the
  generator as one batch and are updated together; the optimizer minimises
  the sum of the objectives, which for Adam (elementwise) is the same as M * S
  independent runs. With `shell`, each update is followed by the projection
  z <- sqrt(d) z / ||z|| (cf. Lipton & Tripathi's stochastic clipping). The
  steps run as one `lax.scan`; jit the call (with `generator_fn` closed over)
  to compile it once.

  Args:
    generator_fn: frozen generator, float32 codes [B, d] -> images [B, ...]
      (e.g. `lambda z: gan.apply_generator(g, g_vars, z, train=False)[0]`).
    x: float32 [M, ...], target images in the generator's output range.
    z0: float32 [M, S, d], starting codes (S starts per image).
    steps: optimizer updates (>= 1).
    learning_rate: Adam's step size (ignored when `optimizer` is given).
    loss: "l2" (squared error) or "l1".
    prior_weight: lambda >= 0 of the Gaussian prior term lambda ||z||^2.
    shell: project the codes onto ||z|| = sqrt(d) after each update.
    optimizer: an optax transformation to use instead of Adam.

  Returns:
    An `Inversion`: final codes, final errors and the error history.

  Raises:
    ValueError: mismatched shapes, steps < 1, an unknown loss or a
      negative prior weight.

  Example (a linear generator, one image, two starts; both recover z = (1, -2)):
    >>> a = jnp.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> out = invert(lambda z: z @ a.T, jnp.array([[1.0, -4.0, -1.0]]), jnp.zeros((1, 2, 2)),
    ...              steps=2000, learning_rate=0.05)
    >>> jnp.round(out.z, 3).tolist(), bool(out.errors.max() < 1e-6)
    ([[[1.0, -2.0], [1.0, -2.0]]], True)
  """
  if z0.ndim != 3 or z0.shape[0] != x.shape[0]:
    raise ValueError(f"z0 must be [M, S, d] with M = x.shape[0] = {x.shape[0]}, got {z0.shape}")
  if steps < 1 or prior_weight < 0:
    raise ValueError(f"need steps >= 1 and prior_weight >= 0, got {steps} and {prior_weight}")
  if loss not in LOSSES:
    raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
  m, s, d = z0.shape
  targets = jnp.repeat(x, s, axis=0)  # [M * S, ...], row m * S + j is image m.
  optimizer = optimizer or optax.adam(learning_rate)

  def objective(z):
    errors = reconstruction_error(generator_fn(z), targets, loss)
    return jnp.sum(errors) + prior_weight * jnp.sum(jnp.square(z)), errors

  def update(carry, _):
    z, opt_state = carry
    (_, errors), grad = jax.value_and_grad(objective, has_aux=True)(z)
    updates, opt_state = optimizer.update(grad, opt_state, z)
    z = optax.apply_updates(z, updates)
    return (project_to_shell(z) if shell else z, opt_state), errors

  z = z0.reshape((m * s, d))
  z = project_to_shell(z) if shell else z
  (z, _), history = jax.lax.scan(update, (z, optimizer.init(z)), None, length=steps)
  errors = reconstruction_error(generator_fn(z), targets, loss)
  return Inversion(z.reshape((m, s, d)), errors.reshape((m, s)), history.reshape((steps, m, s)))


def distinct_minima(z: jax.Array, threshold: float) -> jax.Array:
  """int32 [], how many clusters the codes of one image's starts form.

  Two codes are in the same cluster when a chain of codes links them with
  every link shorter than `threshold` (single linkage: the connected
  components of the graph ||z_i - z_j|| < threshold). Codes that converged
  to one minimum lie within the optimiser's tolerance of each other, codes
  in different basins are typically O(sqrt(d)) apart; the studies use a
  threshold of 0.1 sqrt(d) (documented where used).

  Args:
    z: float [S, d], the final codes of S starts.
    threshold: distance (same units as z) below which two codes are linked.

  Example:
    >>> int(distinct_minima(jnp.array([[0.0, 0.0], [0.05, 0.0], [0.1, 0.0], [3.0, 0.0]]), 0.06))
    2
  """
  dist = jnp.linalg.norm(z[:, None, :] - z[None, :, :], axis=-1)
  reach = (dist < threshold).astype(jnp.float32)
  for _ in range(max(1, (z.shape[0] - 1).bit_length())):  # Transitive closure by repeated squaring.
    reach = jnp.minimum(reach @ reach, 1.0)
  first = jnp.argmax(reach > 0, axis=1)  # Each code's cluster is named by its lowest-index member.
  return jnp.sum(first == jnp.arange(z.shape[0])).astype(jnp.int32)


def pairwise_distances(z: jax.Array, images: jax.Array) -> tuple[jax.Array, jax.Array]:
  """(float [P] ||z_i - z_j||, float [P] ||G(z_i) - G(z_j)||) over the P = S(S-1)/2 pairs i < j of one image's starts.

  Args:
    z: float [S, d] codes; images: float [S, ...] their generated images.
  """
  i, j = jnp.triu_indices(z.shape[0], k=1)
  flat = images.reshape((images.shape[0], -1))
  return jnp.linalg.norm(z[i] - z[j], axis=-1), jnp.linalg.norm(flat[i] - flat[j], axis=-1)
