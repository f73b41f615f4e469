"""Batches drawn on the device, inside jitted code, from arrays placed there once."""

import jax
import jax.numpy as jnp


def to_model_range(images: jax.Array) -> jax.Array:
  """uint8 pixels [0, 255] -> float32 in [-1, 1] (the models' convention)."""
  return (images.astype(jnp.float32) - 127.5) / 127.5  # Exactly -1 and 1 at 0 and 255.


def random_batch(images: jax.Array, key: jax.Array, batch_size: int) -> jax.Array:
  """A minibatch of i.i.d. examples (drawn uniformly with replacement).

  Args:
    images: uint8 [N, H, W, C] dataset already on the device.
    key: PRNG key; pass `fold_in(key, step)` so a step's batch is reproducible.
    batch_size: B, a Python int.

  Returns:
    float32 [B, H, W, C] in [-1, 1].
  """
  idx = jax.random.randint(key, (batch_size,), 0, images.shape[0])
  return to_model_range(jnp.take(images, idx, axis=0))
