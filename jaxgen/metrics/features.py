"""Sample quality and coverage in the feature space of jaxgen's MNIST classifier.

* Fréchet distance between Gaussians fitted to real and generated features
  (Heusel et al., 2017, Eq. 6, "FID"), with the penultimate layer of
  `jaxgen.nn.classifier.MNISTClassifier` in place of Inception; values are
  not comparable to published FIDs.
* Precision and recall of Kynkäänniemi et al. (2019), "Improved Precision and
  Recall Metric for Assessing Generative Models", Sec. 3, Eq. 1-2: precision
  is the fraction of generated samples that fall inside the estimated manifold
  of the real data (quality), recall the fraction of real samples inside the
  manifold of the generated ones (coverage; low under mode collapse).

Images with several channels (Stacked MNIST) are described by the features
of each channel, concatenated (`jaxgen.metrics.classifier.channel_features`).
"""

import functools

import jax
import jax.numpy as jnp

from jaxgen.metrics.classifier import channel_features
from jaxgen.metrics.images import frechet_distance


def _squared_distances(a: jax.Array, b: jax.Array) -> jax.Array:
  """float [m, D], [n, D] -> [m, n] squared L2 distances (||a||^2 - 2 a.b + ||b||^2, clipped at 0)."""
  d = jnp.sum(a * a, 1)[:, None] - 2.0 * a @ b.T + jnp.sum(b * b, 1)[None, :]
  return jnp.maximum(d, 0.0)


def _map_rows(fn, x: jax.Array, chunk: int) -> jax.Array:
  """fn(rows [chunk, D], first_row_index) -> [chunk] over the rows of x [N, D], `chunk` rows at a time."""
  n = x.shape[0]
  chunks = -(-n // chunk)
  padded = jnp.pad(x, ((0, chunks * chunk - n), (0, 0))).reshape((chunks, chunk, x.shape[1]))
  out = jax.lax.map(lambda args: fn(*args), (padded, jnp.arange(chunks) * chunk))
  return out.reshape(-1)[:n]


def _kth_neighbour_radii(x: jax.Array, k: int, chunk: int) -> jax.Array:
  """float [N]: squared distance of each row of x [N, D] to its k-th nearest other row."""
  def radii(rows, first):
    d = _squared_distances(rows, x)
    is_self = (first + jnp.arange(rows.shape[0]))[:, None] == jnp.arange(x.shape[0])[None, :]
    d = jnp.where(is_self, -1.0, d)  # Self is then exactly the nearest; the k others follow.
    return -jax.lax.top_k(-d, k + 1)[0][:, k]
  return _map_rows(radii, x, chunk)


def _inside_manifold(queries: jax.Array, support: jax.Array, radii: jax.Array, chunk: int) -> jax.Array:
  """bool [Q]: whether each query lies in some ball (center support[j], squared radius radii[j])."""
  def inside(rows, first):
    del first
    return jnp.any(_squared_distances(rows, support) <= radii[None, :], axis=1)
  return _map_rows(inside, queries, chunk)


@functools.partial(jax.jit, static_argnames=("k", "chunk"))
def precision_recall(real_features: jax.Array, fake_features: jax.Array, k: int = 3,
                     chunk: int = 1000) -> dict[str, jax.Array]:
  r"""Improved precision and recall (Kynkäänniemi et al., 2019, Sec. 3, Eq. 1-2).

  The manifold of a set \Phi is the union of balls B(\phi, NN_k(\phi)) around
  its points, with NN_k(\phi) the distance from \phi to its k-th nearest
  neighbour in \Phi other than itself (duplicates count as neighbours at
  distance 0). With f(\phi, \Phi) = 1 when \phi lies in the manifold of \Phi
  (distance <= radius, boundary included):

  .. math::
    \mathrm{precision} = \frac{1}{|\Phi_g|} \sum_{\phi_g \in \Phi_g} f(\phi_g, \Phi_r), \qquad
    \mathrm{recall} = \frac{1}{|\Phi_r|} \sum_{\phi_r \in \Phi_r} f(\phi_r, \Phi_g)

  Pairwise distances are computed `chunk` rows at a time (memory about
  chunk x max(N, M) floats), so 10,000 x 10,000 fits easily. The paper uses
  k = 3 and 50,000 samples per set. Float32 rounding of the distances (relative
  ~1e-6) decides points exactly on a ball's boundary either way.

  Args:
    real_features: float [N, D] features of real data.
    fake_features: float [M, D] features of generated samples.
    k: neighbour rank defining the radii, a Python int, 1 <= k < min(N, M).
    chunk: rows per block of the distance computations, a Python int.

  Returns:
    {"precision": float32 [], "recall": float32 []}, each a fraction in [0, 1].

  Raises:
    ValueError: if the feature sizes differ, inputs are not 2-D, or k is out of range.

  Example:
    >>> real = jnp.array([[0.0], [1.0], [2.0]])
    >>> out = precision_recall(real, jnp.array([[0.5], [9.0]]), k=1)
    >>> float(out["precision"]), float(out["recall"])
    (0.5, 1.0)

    Real balls have radius 1, so 0.5 is inside and 9 outside; the two fake
    points are each other's nearest neighbour, so their balls have radius 8.5
    and cover every real point (an outlier inflates recall).
  """
  if real_features.ndim != 2 or fake_features.shape[1:] != real_features.shape[1:]:
    raise ValueError(f"need features [N, D] and [M, D], got {real_features.shape} and {fake_features.shape}")
  if not 1 <= k < min(len(real_features), len(fake_features)):
    raise ValueError(f"k={k} must be in [1, min(N, M)) = [1, {min(len(real_features), len(fake_features))})")
  real = jnp.asarray(real_features, jnp.float32)
  fake = jnp.asarray(fake_features, jnp.float32)
  chunk = max(1, min(chunk, max(len(real), len(fake))))
  real_radii = _kth_neighbour_radii(real, k, chunk)
  fake_radii = _kth_neighbour_radii(fake, k, chunk)
  precision = jnp.mean(_inside_manifold(fake, real, real_radii, chunk).astype(jnp.float32))
  recall = jnp.mean(_inside_manifold(real, fake, fake_radii, chunk).astype(jnp.float32))
  return {"precision": precision, "recall": recall}


def classifier_frechet_distance(params, real_images: jax.Array, fake_images: jax.Array,
                                batch_size: int = 100) -> float:
  """Fréchet distance between the classifier features of real and generated images.

  `jaxgen.metrics.images.frechet_distance` (Heusel et al., 2017, Eq. 6) applied
  to `channel_features` (D = 128 per channel).

  Args:
    params: `Classifier.params` from `jaxgen.metrics.classifier.load_classifier`.
    real_images: float [N, 28, 28, C] in [-1, 1].
    fake_images: float [M, 28, 28, C] in [-1, 1], the same C.
    batch_size: images classified at once.

  Returns:
    Python float >= 0 (up to rounding), in squared feature units.

  Raises:
    ValueError: if the shapes differ or a set has fewer than 2 images.
  """
  if real_images.shape[1:] != fake_images.shape[1:]:
    raise ValueError(f"image shapes differ: {real_images.shape} and {fake_images.shape}")
  return frechet_distance(channel_features(params, real_images, batch_size=batch_size),
                          channel_features(params, fake_images, batch_size=batch_size))


def feature_metrics(params, samples: jax.Array, real_images: jax.Array, k: int = 3,
                    batch_size: int = 100) -> dict[str, float]:
  """Fréchet distance, precision and recall of samples in classifier feature space.

  Features are the classifier's penultimate activations of every channel,
  concatenated (`channel_features`); see `precision_recall` for the
  definitions (Kynkäänniemi et al., 2019) and `classifier_frechet_distance`.

  Args:
    params: `Classifier.params` from `jaxgen.metrics.classifier.load_classifier`.
    samples: float [M, 28, 28, C] generated images in [-1, 1].
    real_images: float [N, 28, 28, C] real images in [-1, 1] (ideally held out,
      and as many as samples).
    k: neighbour rank of the precision/recall manifolds.
    batch_size: images classified at once.

  Returns:
    {"frechet_distance": float, "precision": float, "recall": float} (Python floats).

  Raises:
    ValueError: if shapes differ, a set has < 2 images, or k >= min(N, M).
  """
  if samples.shape[1:] != real_images.shape[1:]:
    raise ValueError(f"image shapes differ: samples {samples.shape}, real {real_images.shape}")
  fake = channel_features(params, samples, batch_size=batch_size)
  real = channel_features(params, real_images, batch_size=batch_size)
  pr = precision_recall(real, fake, k=k)
  return {"frechet_distance": float(frechet_distance(real, fake)),
          "precision": float(pr["precision"]), "recall": float(pr["recall"])}
