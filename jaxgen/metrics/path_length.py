r"""Perceptual path length (Karras et al., 2019, "A Style-Based Generator Architecture for GANs", Sec. 3).

PPL = E_{z1, z2 ~ N(0, I), t ~ U(0, 1)} [ d(G(slerp(z1, z2; t)), G(slerp(z1, z2; t + eps))) / eps^2 ],

the expected squared distance between the images of two latent codes eps
apart along an interpolation, per squared step: how fast the image changes
as the code moves. Karras et al. use eps = 1e-4, slerp in z space and the
LPIPS distance in VGG16 features; StyleGAN's code drops the samples below
the 1st and above the 99th percentile before averaging (`trim`). jaxgen's
studies use the MNIST classifier's penultimate features
(`jaxgen.metrics.classifier_features`) in place of VGG: d = ||f(a) -
f(b)||^2 (a squared Euclidean distance, as LPIPS is).
"""

from typing import Callable

import jax
import jax.numpy as jnp

from jaxgen.losses.latent_paths import slerp

INTERPOLATIONS = ("slerp", "lerp")


def squared_distance(a: jax.Array, b: jax.Array) -> jax.Array:
  """float32 [B], ||a - b||^2 per example of two batches [B, ...] (pixel space)."""
  return jnp.sum(jnp.square((a - b).reshape((a.shape[0], -1))), axis=-1)


def path_length_samples(generator_fn: Callable[[jax.Array], jax.Array], key: jax.Array, num_samples: int,
                        latent_dim: int, *, distance_fn: Callable = squared_distance, epsilon: float = 1e-4,
                        interpolation: str = "slerp") -> jax.Array:
  """float32 [num_samples], d(G(p(t)), G(p(t + eps))) / eps^2 for independent (z1, z2, t).

  Args:
    generator_fn: codes float32 [B, latent_dim] -> images [B, ...], in
      evaluation mode (no batch statistics).
    key: draws z1, z2 ~ N(0, I) and t ~ U(0, 1 - eps).
    num_samples: B, evaluated as one batch of 2 B codes.
    latent_dim: d.
    distance_fn: (images [B, ...], images [B, ...]) -> float32 [B] squared
      distances; default pixel space (`squared_distance`).
    epsilon: the step eps along the interpolation.
    interpolation: "slerp" (the paper's, in z) or "lerp" (straight lines).

  Raises:
    ValueError: an unknown interpolation.
  """
  if interpolation not in INTERPOLATIONS:
    raise ValueError(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
  k1, k2, kt = jax.random.split(key, 3)
  z1 = jax.random.normal(k1, (num_samples, latent_dim))
  z2 = jax.random.normal(k2, (num_samples, latent_dim))
  t = jax.random.uniform(kt, (num_samples,), maxval=1.0 - epsilon)
  if interpolation == "slerp":
    za, zb = slerp(z1, z2, t), slerp(z1, z2, t + epsilon)
  else:
    za, zb = z1 + t[:, None] * (z2 - z1), z1 + (t[:, None] + epsilon) * (z2 - z1)
  images = generator_fn(jnp.concatenate([za, zb]))
  return distance_fn(images[:num_samples], images[num_samples:]) / epsilon ** 2


def perceptual_path_length(samples: jax.Array, trim: float = 0.01) -> jax.Array:
  """float32 [], the mean of `path_length_samples` after dropping the `trim` lowest and highest fraction.

  Args:
    samples: float32 [B], from `path_length_samples`.
    trim: fraction in [0, 0.5) cut at each end (StyleGAN's code: 0.01,
      i.e. keep the 1st to 99th percentile); 0 keeps all.

  Example:
    >>> float(perceptual_path_length(jnp.array([1.0, 2.0, 3.0, 100.0]), trim=0.0))
    26.5
    >>> float(perceptual_path_length(jnp.arange(101.0), trim=0.1))
    50.0
  """
  if not 0.0 <= trim < 0.5:
    raise ValueError(f"trim must be in [0, 0.5), got {trim}")
  low, high = jnp.quantile(samples, trim), jnp.quantile(samples, 1.0 - trim)
  keep = (samples >= low) & (samples <= high)
  return jnp.sum(jnp.where(keep, samples, 0.0)) / jnp.sum(keep)
