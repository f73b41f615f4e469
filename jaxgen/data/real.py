"""The real-data side of a run, chosen by `config.data.name`: an on-device sampler plus what evaluation needs.

| name            | a sample                                 | modes |
|-----------------|------------------------------------------|-------|
| `mnist_subset`  | float32 [28, 28, 1] real digit           | 10    |
| `mnist`         | same, TFDS MNIST (must be prepared)      | 10    |
| `stacked_mnist` | float32 [28, 28, 3], 3 random digits     | 1,000 |
| `ring`          | float32 [2], 8-Gaussian ring             | 8     |
| `grid`          | float32 [2], 25-Gaussian grid            | 25    |

Stacked MNIST is built from the `mnist_subset` training digits (Metz et al.,
2017, Sec. 3.3; Srivastava et al., 2017, Sec. 5.2).
"""

import functools
from typing import Callable, NamedTuple

import jax
import ml_collections
import numpy as np

from jaxgen.data import device, loading, mixtures

NAMES = loading.DATASETS + ("stacked_mnist",) + tuple(mixtures.MIXTURES)


class RealData(NamedTuple):
  """Real data of a run.

  Attributes:
    sample: (key, n) -> float32 [n, ...] in the models' range; pure, call it
      inside jitted steps (images are on the device, closed over).
    mixture: the `Mixture` of `ring` / `grid`, else None.
    train, test: {"image": uint8 [N, 28, 28, 1], "label": int32 [N]} host
      arrays of the digit datasets (for stacked MNIST: its source digits), else None.
  """

  sample: Callable[[jax.Array, int], jax.Array]
  mixture: mixtures.Mixture | None = None
  train: dict[str, np.ndarray] | None = None
  test: dict[str, np.ndarray] | None = None


def make_real(data: ml_collections.ConfigDict) -> RealData:
  """Builds the real data of `data.name` (see the module table).

  Args:
    data: config with `name` and `data_dir` (TFDS data dir, "" for the default).

  Raises:
    ValueError: for an unknown name.
    DatasetNotFoundError: for `mnist` when it is not prepared.
  """
  if data.name not in NAMES:
    raise ValueError(f"data.name must be one of {NAMES}, got {data.name!r}")
  if data.name in mixtures.MIXTURES:
    mixture = mixtures.MIXTURES[data.name]()
    return RealData(functools.partial(mixtures.sample, mixture), mixture=mixture)
  source = "mnist_subset" if data.name == "stacked_mnist" else data.name
  train = loading.load(source, "train", data.data_dir or None)
  test = loading.load(source, "test", data.data_dir or None)
  images = jax.device_put(train["image"])
  batch = device.stacked_batch if data.name == "stacked_mnist" else device.random_batch
  return RealData(functools.partial(batch, images), train=train, test=test)
