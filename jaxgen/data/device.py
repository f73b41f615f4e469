"""Batches drawn on the device, inside jitted code, from arrays placed there once.

On a device mesh with a `data` axis (`jaxgen.engine.mesh`), every batch that
`jaxgen.data.make_real`'s samplers return is split over that axis by
`shard_batch`: the datasets themselves are replicated (each device holds the
whole in-memory array, 3.5 MB for `mnist_subset`, so any device can draw any
example), and the compiler partitions the step that consumes the batch,
reducing its gradients over `data`.
"""

import jax
import jax.numpy as jnp
from jax.sharding import PartitionSpec

DATA_AXIS = "data"  # The mesh axis that splits a batch (`jaxgen.engine.mesh`).


def shard_batch(batch):
  """Constrains every array of `batch` (leading axis B) to be split over the context mesh's `data` axis.

  The identity outside a mesh (`jax.set_mesh`) or when the mesh has no
  `data` axis larger than 1, so single-device programs are unchanged. B must
  be divisible by the axis size (`jaxgen.engine.mesh.make` checks the
  config's batch size).
  """
  mesh = jax.sharding.get_abstract_mesh()
  if mesh.empty or DATA_AXIS not in mesh.axis_names or mesh.shape[DATA_AXIS] == 1:
    return batch
  return jax.tree.map(lambda x: jax.lax.with_sharding_constraint(x, PartitionSpec(DATA_AXIS)), batch)


def split_over_data(sampler):
  """`sampler` (key, n) -> batch, with its output split over the mesh's `data` axis (`shard_batch`)."""
  return lambda key, n: shard_batch(sampler(key, n))


def to_model_range(images: jax.Array) -> jax.Array:
  """uint8 pixels [0, 255] -> float32 in [-1, 1] (the models' convention)."""
  return (images.astype(jnp.float32) - 127.5) / 127.5  # Exactly -1 and 1 at 0 and 255.


def patterns_to_model_range(patterns: jax.Array) -> jax.Array:
  """Drum patterns {0, 1} (any dtype) -> float32 {-1, +1}, off -1 and on +1 (the models' convention)."""
  return jnp.asarray(patterns, jnp.float32) * 2.0 - 1.0


def random_batch(images: jax.Array, key: jax.Array, batch_size: int) -> jax.Array:
  """A minibatch of i.i.d. examples (drawn uniformly with replacement).

  Args:
    images: uint8 [N, H, W, C] dataset already on the device.
    key: PRNG key; pass `fold_in(key, step)` so a step's batch is reproducible.
    batch_size: B, a Python int.

  Returns:
    float32 [B, H, W, C] in [-1, 1].
  """
  return to_model_range(_random_rows(images, key, batch_size))  # The rows of `labelled_batch`.


def labelled_batch(images: jax.Array, labels: dict[str, jax.Array], key: jax.Array, batch_size: int
                   ) -> tuple[jax.Array, dict[str, jax.Array]]:
  """`random_batch` with the examples' labels: the same key draws the same images.

  Args:
    images: uint8 [N, H, W, C] dataset already on the device.
    labels: {attribute: int [N]} class labels of the images (e.g. letter and slant), on the device.
    key: PRNG key; pass `fold_in(key, step)`.
    batch_size: B, a Python int.

  Returns:
    (float32 [B, H, W, C] in [-1, 1], {attribute: int32 [B]}).

  Example:
    >>> x, y = labelled_batch(jnp.zeros((3, 1, 1, 1), jnp.uint8), {"label": jnp.arange(3)}, jax.random.key(0), 2)
    >>> x.shape, y["label"].shape
    ((2, 1, 1, 1), (2,))
  """
  idx = jax.random.randint(key, (batch_size,), 0, images.shape[0])
  return (to_model_range(jnp.take(images, idx, axis=0)),
          {name: jnp.take(values, idx, axis=0).astype(jnp.int32) for name, values in labels.items()})


def _random_rows(data: jax.Array, key: jax.Array, n: int) -> jax.Array:
  """[N, ...] -> [n, ...]: n rows drawn uniformly with replacement."""
  return jnp.take(data, jax.random.randint(key, (n,), 0, data.shape[0]), axis=0)


def pattern_batch(patterns: jax.Array, key: jax.Array, batch_size: int) -> jax.Array:
  """A minibatch of i.i.d. drum patterns (drawn uniformly with replacement), off -1 and on +1.

  Args:
    patterns: uint8 [N, 16, 9] in {0, 1} (see `jaxgen.data.drums`) already on the device.
    key: PRNG key; pass `fold_in(key, step)` so a step's batch is reproducible.
    batch_size: B, a Python int.

  Returns:
    float32 [B, 16, 9] in {-1, +1} (the models' [-1, 1] convention).

  Example:
    >>> x = pattern_batch(jnp.array([[[0, 1]]], jnp.uint8), jax.random.key(0), 3)
    >>> x.tolist()
    [[[-1.0, 1.0]], [[-1.0, 1.0]], [[-1.0, 1.0]]]
  """
  return patterns_to_model_range(_random_rows(patterns, key, batch_size))


def _stacked_indices(num_images: int, key: jax.Array, n: int) -> jax.Array:
  """int32 [n, 3]: an independent uniform dataset index for every channel of every example."""
  return jax.random.randint(key, (n, 3), 0, num_images)


def _stack_channels(images: jax.Array, idx: jax.Array) -> jax.Array:
  """uint8 [N, H, W, 1] and int [n, 3] -> float32 [n, H, W, 3]: channel c is images[idx[:, c]]."""
  digits = jnp.take(images[..., 0], idx, axis=0)  # [n, 3, H, W]
  return to_model_range(jnp.moveaxis(digits, 1, -1))


def stacked_batch(images: jax.Array, key: jax.Array, n: int) -> jax.Array:
  """A batch of Stacked MNIST: three independent random digits as the RGB channels.

  Each channel is a digit drawn uniformly with replacement, independently of
  the other channels, so with 10 classes there are 10^3 = 1,000 modes (digit
  triples) of (near) equal probability (Metz et al., 2017, Sec. 3.3;
  Srivastava et al., 2017, Sec. 5.2). Pure jnp: call it inside jitted code
  with `fold_in(key, step)`.

  Args:
    images: uint8 [N, H, W, 1] single-channel digits already on the device
      (e.g. MNIST, H = W = 28).
    key: PRNG key.
    n: batch size, a Python int.

  Returns:
    float32 [n, H, W, 3] in [-1, 1].

  Example:
    >>> digits = jnp.arange(4, dtype=jnp.uint8).reshape(4, 1, 1, 1) * 85  # 0, 85, 170, 255
    >>> x = stacked_batch(digits, jax.random.key(0), 5)
    >>> x.shape, bool(jnp.all(jnp.isin(x, to_model_range(digits))))
    ((5, 1, 1, 3), True)
  """
  return _stack_channels(images, _stacked_indices(images.shape[0], key, n))


def stacked_examples(images: jax.Array, labels: jax.Array, key: jax.Array, n: int
                     ) -> tuple[jax.Array, jax.Array]:
  """`stacked_batch` with the digit label of every channel (the example's mode).

  Same key, same images as `stacked_batch(images, key, n)`.

  Args:
    images: uint8 [N, H, W, 1] digits on the device.
    labels: int [N] their classes (0-9 for MNIST).
    key: PRNG key.
    n: number of examples, a Python int.

  Returns:
    (x, y): x float32 [n, H, W, 3] in [-1, 1] and y int32 [n, 3], where
    channel c of x[i] is a digit of class y[i, c]; the Stacked MNIST mode of
    x[i] is 100 * y[i, 0] + 10 * y[i, 1] + y[i, 2].
  """
  idx = _stacked_indices(images.shape[0], key, n)
  return _stack_channels(images, idx), jnp.take(jnp.asarray(labels), idx, axis=0).astype(jnp.int32)
