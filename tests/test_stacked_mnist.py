"""Stacked MNIST: on-device sampling of digit triples and the 1,000-mode coverage protocol."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen import data
from jaxgen.metrics.classifier import channel_labels
from jaxgen.metrics.modes import stacked_mnist_coverage


# One xdist worker trains this session fixture; the other worker runs the rest meanwhile.
pytestmark = pytest.mark.xdist_group("mnist_classifier")


def _tagged_digits(n: int = 30):
  """Image j is the constant 8 * j (so a pixel names its image) with label j % 10."""
  images = (8 * jnp.arange(n, dtype=jnp.uint8)).reshape(n, 1, 1, 1) * jnp.ones((1, 28, 28, 1), jnp.uint8)
  return images, jnp.arange(n, dtype=jnp.int32) % 10


def test_stacked_examples_shapes_and_channel_i_is_the_digit_of_labels_i():
  images, labels = _tagged_digits()
  key = jax.random.key(3)
  x, y = jax.jit(data.stacked_examples, static_argnums=3)(images, labels, key, 500)
  assert x.shape == (500, 28, 28, 3) and x.dtype == jnp.float32
  assert y.shape == (500, 3) and y.dtype == jnp.int32
  assert float(x.min()) >= -1.0 and float(x.max()) <= 1.0
  pixels = np.round((np.asarray(x) + 1.0) * 127.5).astype(np.int64)  # Back to uint8 values.
  assert np.all(pixels == pixels[:, :1, :1, :])  # Each channel is one whole (constant) image ...
  index = pixels[:, 0, 0, :] // 8
  np.testing.assert_array_equal(index % 10, y)  # ... whose label is y[:, channel].
  assert len(np.unique(index[:, 0])) == 30  # Every image gets drawn,
  assert abs(np.corrcoef(index[:, 0], index[:, 1])[0, 1]) < 0.15  # independently per channel.
  np.testing.assert_array_equal(data.stacked_batch(images, key, 500), x)  # Same key, same batch.


def test_stacked_examples_of_real_digits(mnist_train):
  images = jax.device_put(mnist_train["image"])
  x, y = data.stacked_examples(images, mnist_train["label"], jax.random.key(0), 64)
  by_pixels = {img.tobytes(): label for img, label in zip(mnist_train["image"], mnist_train["label"])}
  as_uint8 = np.round((np.asarray(x) + 1.0) * 127.5).astype(np.uint8)
  for c in range(3):
    got = [by_pixels[as_uint8[i, :, :, c:c + 1].tobytes()] for i in range(64)]
    np.testing.assert_array_equal(got, y[:, c])


def test_real_stacked_digits_cover_all_1000_modes(classifier, mnist_train):
  """The protocol's 26,000 samples (Srivastava et al., 2017, Sec. 5.2), here real: ~1,000 modes, KL ~ 0."""
  x, y = data.stacked_examples(jax.device_put(mnist_train["image"]), mnist_train["label"],
                               jax.random.key(1), 26_000)
  predicted = channel_labels(classifier.params, x)
  assert float(jnp.mean(predicted == y)) > 0.97  # Training digits: mostly correctly classified.
  coverage = stacked_mnist_coverage(predicted)
  assert float(coverage["modes"]) >= 990
  assert float(coverage["kl"]) < 0.05


def test_a_collapsed_generator_has_one_mode(classifier, mnist_train):
  x, _ = data.stacked_examples(jax.device_put(mnist_train["image"]), mnist_train["label"],
                               jax.random.key(2), 1)
  coverage = stacked_mnist_coverage(channel_labels(classifier.params, jnp.repeat(x, 500, axis=0)))
  assert float(coverage["modes"]) == 1
  assert float(coverage["kl"]) == pytest.approx(math.log(1000), rel=1e-5)


def test_held_out_triples_are_made_of_the_test_digits():
  """`experiment.held_out_examples` of Stacked MNIST: every channel of every triple is one of the test digits,
  in the model range (not the training digits, not converted twice)."""
  import functools  # pylint: disable=g-import-not-at-top
  from jaxgen import experiment  # pylint: disable=g-import-not-at-top
  from jaxgen.data.real import RealData  # pylint: disable=g-import-not-at-top

  rng = np.random.default_rng(0)
  train, test = (rng.integers(0, 256, (n, 28, 28, 1), np.uint8) for n in (6, 4))
  real = RealData(functools.partial(data.stacked_batch, jnp.asarray(train)), train={"image": train},
                  test={"image": test})
  triples = experiment.held_out_examples(real, 50)
  assert triples.shape == (50, 28, 28, 3)
  digits = np.asarray(data.to_model_range(test))[:, :, :, 0]
  for channel in np.moveaxis(triples, -1, 0).reshape(-1, 28, 28):
    assert np.any(np.all(np.abs(digits - channel) < 1e-6, axis=(1, 2)))
