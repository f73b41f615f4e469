"""Which coverage metrics a dataset gets, as one pure function of generated samples.

`coverage_fn` picks the mode-coverage metrics of `config.data.name` (the
engine logs them every `train.eval_every` steps, vmapped over seeds):

| data            | metrics                                                  |
|-----------------|----------------------------------------------------------|
| `ring`, `grid`  | modes_captured, high_quality (fraction), kl (nats)       |
| `stacked_mnist` | modes (digit triples, of 1,000), kl (nats)               |
| `mnist*`        | modes (digit classes, of 10), kl (nats)                  |
| `letters`       | coverage, letters_present, entropy, confident, count/A-Z |

Digits are labelled by the cached MNIST classifier, letters by the cached
letter classifier (`jaxgen.metrics.classifier.load_classifier`, trained on
first use; `jaxgen.metrics.letters` defines the letter metrics).
"""

from typing import Callable

import jax

from jaxgen.data.real import RealData
from jaxgen.metrics import modes
from jaxgen.metrics.classifier import channel_labels, classifier_logits, load_classifier
from jaxgen.metrics.letters import series_metrics


def _mixture(real, params, confidence):
  return lambda samples: modes.mixture_coverage(samples, real.mixture.means, real.mixture.std)


def _letters(real, params, confidence):
  params = params if params is not None else load_classifier(name="letters").params
  return lambda samples: series_metrics(classifier_logits(params, samples, "letters"), confidence)


def _stacked_mnist(real, params, confidence):
  params = params if params is not None else load_classifier().params
  return lambda samples: modes.stacked_mnist_coverage(channel_labels(params, samples))


def _digits(real, params, confidence):
  params = params if params is not None else load_classifier().params
  return lambda samples: modes.histogram_coverage(channel_labels(params, samples)[:, 0], 10)


# config.data.name -> (real, classifier params or None, confidence) -> coverage of samples.
COVERAGE = {"ring": _mixture, "grid": _mixture, "letters": _letters, "stacked_mnist": _stacked_mnist,
            "mnist": _digits, "mnist_subset": _digits}


def coverage_fn(data_name: str, real: RealData, classifier_params=None, confidence: float = 0.9
                ) -> Callable[[jax.Array], dict[str, jax.Array]]:
  """The coverage metrics of `data_name` as a pure, jittable function of samples.

  Args:
    data_name: `config.data.name`, a key of COVERAGE.
    real: the run's `RealData` (its mixture for `ring` / `grid`).
    classifier_params: the classifier params (MNIST for digit data, letters
      for `letters`); None loads (or trains and caches) the default one.
    confidence: for `letters`, the probability a sample's top letter needs
      to count (`jaxgen.metrics.letters.letter_coverage`).

  Returns:
    samples (float32 [n, ...] in the data's range) -> dict of float32 [] metrics.

  Raises:
    ValueError: no coverage metric is defined for `data_name` (e.g. drum patterns).
  """
  if data_name not in COVERAGE:
    raise ValueError(f"no coverage metrics for data.name={data_name!r}; one of {sorted(COVERAGE)} (drop "
                     "train.eval_every to train without them)")
  return COVERAGE[data_name](real, classifier_params, confidence)
