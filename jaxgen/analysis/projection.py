"""Linear projections of latent codes for figures."""

import numpy as np


def pca(points: np.ndarray, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
  """Principal component analysis by SVD of the centred points (Pearson, 1901).

  Args:
    points: float [N, D], one code per row.
    k: components to keep, 1 <= k <= min(N, D).

  Returns:
    (float [N, k] the centred points projected on the top-k principal axes,
    float [k] the fraction of the total variance each axis explains; zeros
    when the points do not vary).

  Raises:
    ValueError: points is not 2-D or k is out of range.

  Example:
    >>> projected, explained = pca(np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]]), 1)
    >>> np.abs(projected[:, 0]).tolist(), explained.tolist()
    ([2.0, 0.0, 2.0], [1.0])
  """
  points = np.asarray(points, np.float64)
  if points.ndim != 2 or not 1 <= k <= min(points.shape):
    raise ValueError(f"pca: points must be [N, D] and 1 <= k <= min(N, D); got shape {points.shape}, k={k}")
  centred = points - points.mean(0)
  _, s, vt = np.linalg.svd(centred, full_matrices=False)
  return centred @ vt[:k].T, s[:k] ** 2 / max(np.sum(s ** 2), 1e-12)
