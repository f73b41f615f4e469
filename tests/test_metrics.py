"""Pixel-space Fréchet distance and nearest-neighbour class labels."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen import data
from jaxgen import metrics


def test_gaussian_frechet_distance_closed_form_for_diagonal_covariances():
  """For diagonal covariances d^2 = ||mu1 - mu2||^2 + sum_i (sqrt(a_i) - sqrt(b_i))^2."""
  a, b = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
  mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
  expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)  # 5 + 4 + 1
  got = metrics.gaussian_frechet_distance(mu1, np.diag(a), mu2, np.diag(b))
  assert float(got) == pytest.approx(expected, rel=1e-5)


def test_gaussian_frechet_distance_non_commuting_covariances():
  """Against the 2x2 closed form tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)) for M = S1^1/2 S2 S1^1/2."""
  c1 = np.array([[2.0, 0.5], [0.5, 1.0]])
  c2 = np.array([[1.0, -0.3], [-0.3, 3.0]])
  m = np.linalg.cholesky(c1).T  # Any square root R with R^T R = c1 gives the same spectrum.
  prod = m @ c2 @ m.T
  tr_sqrt = np.sqrt(np.trace(prod) + 2 * np.sqrt(np.linalg.det(prod)))
  expected = np.trace(c1) + np.trace(c2) - 2 * tr_sqrt
  got = metrics.gaussian_frechet_distance(np.zeros(2), c1, np.zeros(2), c2)
  assert float(got) == pytest.approx(expected, rel=1e-4)


def test_frechet_distance_of_samples():
  x = jax.random.normal(jax.random.key(0), (4000, 3))
  assert float(metrics.frechet_distance(x, x)) == pytest.approx(0.0, abs=1e-3)
  shifted = metrics.frechet_distance(x, x + 2.0)  # Mean shift 2 in each of 3 dims: 12.
  assert float(shifted) == pytest.approx(12.0, rel=1e-3)
  with pytest.raises(ValueError):
    metrics.frechet_distance(x, x[:, :2])


def test_frechet_distance_with_fewer_samples_than_dimensions_equals_the_covariance_route():
  """Below D samples the distance is computed from the samples' cross products (the nuclear norm of A B^T);
  it must equal the D x D covariance formula on the same rank-deficient covariances."""
  rng = np.random.default_rng(0)
  x = rng.normal(size=(30, 50)) @ rng.normal(size=(50, 50))  # Correlated, so the cross term is not diagonal.
  y = 0.5 + rng.normal(size=(40, 50)) * np.linspace(0.2, 2.0, 50)
  expected = metrics.gaussian_frechet_distance(x.mean(0), np.cov(x, rowvar=False), y.mean(0),
                                               np.cov(y, rowvar=False))
  assert metrics.frechet_distance(x, y) == pytest.approx(expected, rel=1e-7)  # The D x D route clips ~1e-13 eigenvalues.
  assert metrics.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-8)


def test_nearest_neighbour_labels_and_class_histogram():
  reference = jnp.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
  labels = jnp.array([2, 0, 1])
  samples = jnp.array([[9.0, 1.0], [1.0, 1.0], [0.5, 8.0], [11.0, -1.0]])
  got = metrics.nearest_neighbour_labels(samples, reference, labels, chunk=3)  # Two chunks.
  np.testing.assert_array_equal(got, [0, 2, 1, 0])
  np.testing.assert_allclose(metrics.class_histogram(got, 4), [0.5, 0.25, 0.25, 0.0])


def test_nearest_neighbour_classifies_real_test_digits(mnist_train, mnist_test):
  """1-NN in pixels recognises held-out real digits (~90%+), so it can label generated ones."""
  to_float = data.to_model_range
  predicted = metrics.nearest_neighbour_labels(to_float(mnist_test["image"]), to_float(mnist_train["image"]),
                                               mnist_train["label"])
  assert np.mean(np.asarray(predicted) == mnist_test["label"]) > 0.85
  report = metrics.sample_quality(to_float(mnist_test["image"]), to_float(mnist_test["image"][::-1]),
                                  to_float(mnist_train["image"]), mnist_train["label"])
  assert report["classes_covered"] == 10
  assert report["frechet_distance_pixels"] == pytest.approx(0.0, abs=1e-2)
