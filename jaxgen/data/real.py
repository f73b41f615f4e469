"""The real-data side of a run, chosen by `config.data.name`: an on-device sampler plus what evaluation needs.

| name            | a sample                                 | modes    |
|-----------------|------------------------------------------|----------|
| `mnist_subset`  | float32 [28, 28, 1] real digit           | 10       |
| `mnist`         | same, TFDS MNIST (must be prepared)      | 10       |
| `letters`       | float32 [28, 28, 1] capital letter       | 26       |
| `stacked_mnist` | float32 [28, 28, 3], 3 random digits     | 1,000    |
| `ring`          | float32 [2], 8-Gaussian ring             | 8        |
| `grid`          | float32 [2], 25-Gaussian grid            | 25       |
| `drum_patterns` | float32 [16 * bars, 9] in {-1, +1}       | 5 styles |
| `drum_midi`     | same, `bars` bars of your MIDI files     | -        |

`letters` (`jaxgen.data.letters`) has no test split: its validation split
is the held-out `test` here. Stacked MNIST is built from the `mnist_subset` training digits (Metz et al.,
2017, Sec. 3.3; Srivastava et al., 2017, Sec. 5.2). Drum patterns are 16
sixteenth-note steps per bar x 9 instruments, off -1 and on +1 (`jaxgen.data.drums`;
`data.bars`, 1 when absent, 2 or 4, is the bars per pattern):
`drum_patterns` is the synthetic five-style set (800 train / 200 test);
`drum_midi` reads every non-empty pattern of `bars` consecutive bars of the
MIDI files under `data.midi_dir` (e.g. the Groove MIDI Dataset) and keeps
every 5th (patterns 4, 9, 14, ... in file order) as the test split, with style -1.
"""

import functools
from typing import Callable, NamedTuple

import jax
import ml_collections
import numpy as np

from jaxgen.data import device, drums, loading, mixtures

MIDI_TEST_EVERY = 5
HELD_OUT_SPLIT = {"letters": "validation"}  # The split evaluation uses, where it is not "test".


class RealData(NamedTuple):
  """Real data of a run.

  Attributes:
    sample: (key, n) -> float32 [n, ...] in the models' range; pure, call it
      inside jitted steps (images are on the device, closed over).
    mixture: the `Mixture` of `ring` / `grid`, else None.
    train, test: host arrays of the split, else None (mixtures):
      {"image": uint8 [N, 28, 28, 1], "label": int32 [N]} for the digit
      datasets (for stacked MNIST: its source digits);
      {"pattern": uint8 [N, 16, 9] in {0, 1}, "style": int32 [N]} for the
      drum datasets (style -1, unknown, for `drum_midi`); `letters` also
      has "font", "weight" and "slant".
    sample_labelled: for the labelled image datasets (not stacked MNIST):
      (key, n) -> (the images `sample(key, n)` draws, {attribute: int32 [n]}
      for every label feature of the split), for conditional models (AC-GAN).
  """

  sample: Callable[[jax.Array, int], jax.Array]
  mixture: mixtures.Mixture | None = None
  train: dict[str, np.ndarray] | None = None
  test: dict[str, np.ndarray] | None = None
  sample_labelled: Callable[[jax.Array, int], tuple[jax.Array, dict[str, jax.Array]]] | None = None


def _midi_splits(midi_dir: str, bars: int = 1) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
  """`drum_midi`'s train / test: every 5th pattern of `bars` bars of the folder's MIDI files is a test one;
  style -1."""
  if not midi_dir:
    raise ValueError("data.name='drum_midi' reads MIDI files from a folder: set --config.data.midi_dir "
                     "(e.g. to the unpacked Groove MIDI Dataset, https://magenta.tensorflow.org/datasets/groove)")
  patterns = drums.load_midi_folder(midi_dir, bars)
  is_test = np.arange(len(patterns)) % MIDI_TEST_EVERY == MIDI_TEST_EVERY - 1
  return tuple({"pattern": patterns[mask], "style": np.full(int(mask.sum()), -1, np.int32)}
               for mask in (~is_test, is_test))


def _splits(name: str, data: ml_collections.ConfigDict):
  if name == "drum_patterns" and data.get("bars", 1) != 1:  # The builder config of multi-bar patterns.
    name = f"drum_patterns/bars_{data.bars}"
  return tuple(loading.load(name, split, data.data_dir or None) for split in ("train", HELD_OUT_SPLIT.get(name, "test")))


def _patterns(train, test) -> RealData:
  return RealData(functools.partial(device.pattern_batch, jax.device_put(train["pattern"])), train=train, test=test)


def _mixture_data(data):
  mixture = mixtures.MIXTURES[data.name]()
  return RealData(functools.partial(mixtures.sample, mixture), mixture=mixture)


def _stacked_mnist(data):
  train, test = _splits("mnist_subset", data)
  return RealData(functools.partial(device.stacked_batch, jax.device_put(train["image"])), train=train, test=test)


def _drum_midi(data):
  return _patterns(*_midi_splits(data.get("midi_dir", ""), data.get("bars", 1)))


def _prepared(data):
  """A dataset of `jaxgen.data.loading`: drum patterns, or (labelled) images."""
  train, test = _splits(data.name, data)
  if "pattern" in train:
    return _patterns(train, test)
  images = jax.device_put(train["image"])
  labels = {name: jax.device_put(values) for name, values in train.items() if name != "image"}
  return RealData(functools.partial(device.random_batch, images), train=train, test=test,
                  sample_labelled=functools.partial(device.labelled_batch, images, labels))


# data.name -> (data config) -> RealData.
BUILDERS = {**{name: _prepared for name in loading.DATASETS}, "stacked_mnist": _stacked_mnist,
            "drum_midi": _drum_midi, **{name: _mixture_data for name in mixtures.MIXTURES}}
NAMES = tuple(BUILDERS)


def make_real(data: ml_collections.ConfigDict) -> RealData:
  """Builds the real data of `data.name` (see the module table).

  Args:
    data: config with `name` and `data_dir` (TFDS data dir, "" for the
      default); for `drum_midi` also `midi_dir`, a folder of MIDI files.

  Raises:
    ValueError: for an unknown name, or `drum_midi` without `midi_dir`.
    DatasetNotFoundError: for `mnist` when it is not prepared.
    FileNotFoundError: for `drum_midi` when `midi_dir` holds no MIDI file.
  """
  if data.name not in BUILDERS:
    raise ValueError(f"data.name must be one of {NAMES}, got {data.name!r}")
  real = BUILDERS[data.name](data)
  # On a device mesh every batch a method draws is split over its `data` axis (the methods need no change).
  return real._replace(sample=device.split_over_data(real.sample),
                       sample_labelled=real.sample_labelled and device.split_over_data(real.sample_labelled))
