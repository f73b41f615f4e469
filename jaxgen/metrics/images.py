"""Sample-quality metrics for small image datasets, computed in pixel space.

`frechet_distance` is the Fréchet (2-Wasserstein) distance between Gaussians
fitted to two sets of vectors (Dowson & Landau, 1982; used on Inception
features as FID by Heusel et al., 2017, Eq. 6). jaxgen applies it to raw
pixels of 28x28 digits: no pretrained network is needed (none can be fetched
offline), it is zero for identical distributions and grows with both mean and
covariance mismatch, which is what "the trained generator is better than the
untrained one" needs. Its values are not comparable to published FIDs.

`nearest_neighbour_labels` labels each sample with the class of its nearest
(L2, pixels) training image; 1-NN on MNIST pixels is ~95% accurate on real
test digits, so the histogram of these labels shows which digit classes a
generator produces (mode coverage).
"""

import jax
import jax.numpy as jnp
import numpy as np


def gaussian_frechet_distance(mu1, cov1, mu2, cov2) -> float:
  r"""Fréchet distance between N(mu1, cov1) and N(mu2, cov2), in float64.

  .. math::
    d^2 = \lVert\mu_1 - \mu_2\rVert^2 + \operatorname{tr}\big(\Sigma_1 + \Sigma_2
          - 2(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2})^{1/2}\big)

  The matrix square roots use symmetric eigendecompositions (eigenvalues
  clipped at 0), so singular covariances are fine. Float64 matters: in
  float32 the trace terms of 784-pixel covariances cancel to errors ~0.1.

  Args:
    mu1, mu2: float [D] means.
    cov1, cov2: float [D, D] symmetric positive semi-definite covariances.

  Returns:
    Python float, in squared units of the inputs (>= 0 up to rounding).

  Example:
    >>> import numpy as np
    >>> gaussian_frechet_distance(np.zeros(2), np.eye(2), np.ones(2), 4 * np.eye(2))
    4.0
  """
  mu1, mu2, cov1, cov2 = (np.asarray(a, np.float64) for a in (mu1, mu2, cov1, cov2))
  w, v = np.linalg.eigh(cov1)
  s1 = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
  cross = np.linalg.eigvalsh(s1 @ cov2 @ s1)
  trace_sqrt = np.sum(np.sqrt(np.clip(cross, 0.0, None)))
  return float(np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2.0 * trace_sqrt)


def frechet_distance(x, y) -> float:
  r"""Fréchet distance between Gaussians fitted to two samples (float64 moments).

  With fewer samples than dimensions (pixels of a few hundred digits) the
  covariances have rank < D and the D x D eigendecompositions are wasted
  work. Writing the covariances as A^T A and B^T B, with A = (x - mean)/sqrt(N - 1)
  [N, D] and B likewise [M, D], the nonzero eigenvalues of
  \Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2} are those of (A B^T)(A B^T)^T, so

  .. math::
    \operatorname{tr}(\Sigma_1^{1/2}\Sigma_2\Sigma_1^{1/2})^{1/2} = \lVert A B^T\rVert_*,

  the sum of the singular values of the [N, M] matrix A B^T. That route is
  taken when min(N, M) < D; it equals the covariance route to rounding.

  Args:
    x: float [N, ...] samples; flattened to [N, D].
    y: float [M, ...] samples with the same trailing shape.

  Returns:
    Python float.

  Raises:
    ValueError: if fewer than 2 samples are given or trailing shapes differ.
  """
  if x.shape[1:] != y.shape[1:] or len(x) < 2 or len(y) < 2:
    raise ValueError(f"need >= 2 samples of equal shape, got {x.shape} and {y.shape}")
  x = np.asarray(x, np.float64).reshape(len(x), -1)
  y = np.asarray(y, np.float64).reshape(len(y), -1)
  mx, my = x.mean(0), y.mean(0)
  if min(len(x), len(y)) >= x.shape[1]:
    return gaussian_frechet_distance(mx, np.cov(x, rowvar=False), my, np.cov(y, rowvar=False))
  a, b = (x - mx) / np.sqrt(len(x) - 1), (y - my) / np.sqrt(len(y) - 1)
  trace_sqrt = np.sum(np.linalg.svd(a @ b.T, compute_uv=False))
  return float(np.sum((mx - my) ** 2) + np.sum(a * a) + np.sum(b * b) - 2.0 * trace_sqrt)


def nearest_neighbour_labels(samples: jax.Array, reference: jax.Array, labels: jax.Array,
                             chunk: int = 256) -> jax.Array:
  """Label of each sample's nearest reference example (L2 distance over all pixels).

  Args:
    samples: float [N, ...].
    reference: float [M, ...] with the same trailing shape (same value range).
    labels: int [M] labels of `reference`.
    chunk: samples compared at once (bounds memory to chunk x M distances).

  Returns:
    int [N] labels.
  """
  ref = jnp.reshape(reference, (len(reference), -1))
  ref_sq = jnp.sum(ref * ref, axis=1)
  idx = jnp.concatenate([_nearest(samples[i:i + chunk], ref, ref_sq) for i in range(0, len(samples), chunk)])
  return jnp.asarray(labels)[idx]


@jax.jit  # The reference is an argument, not a constant of the program: one compile per shape, for every call.
def _nearest(s: jax.Array, ref: jax.Array, ref_sq: jax.Array) -> jax.Array:
  """Index in ref (float [M, D]; ref_sq its squared norms [M]) of each of s's (float [n, ...]) nearest rows."""
  s = jnp.reshape(s, (len(s), -1))
  # ||s - r||^2 = ||s||^2 - 2 s.r + ||r||^2; ||s||^2 does not change the argmin.
  return jnp.argmin(ref_sq[None, :] - 2.0 * s @ ref.T, axis=1)


def class_histogram(labels, num_classes: int) -> np.ndarray:
  """Fraction of `labels` (int [N]) in each of `num_classes` classes, float [num_classes]."""
  return np.bincount(np.asarray(labels), minlength=num_classes) / len(labels)


def sample_quality(samples, test_images, train_images, train_labels, num_classes: int = 10,
                   min_fraction: float = 0.02) -> dict:
  """Summary of generated images against a dataset, as reported in `eval.json`.

  Args:
    samples: float [N, H, W, C] generated images in [-1, 1].
    test_images: float [M, H, W, C] held-out real images in [-1, 1].
    train_images: float [T, H, W, C] training images in [-1, 1] (1-NN reference).
    train_labels: int [T].
    num_classes: number of classes.
    min_fraction: a class counts as covered when at least this fraction of
      samples is nearest to it (1/5 of its share under uniform classes).

  Returns:
    {"frechet_distance_pixels": float, "class_fractions": list of floats,
     "classes_covered": int}.
  """
  fractions = class_histogram(nearest_neighbour_labels(samples, train_images, train_labels), num_classes)
  return {
      "frechet_distance_pixels": float(frechet_distance(samples, test_images)),
      "class_fractions": [round(float(f), 4) for f in fractions],
      "classes_covered": int(np.sum(fractions >= min_fraction)),
  }
