"""Letter coverage, collapse onset and letter survival; the letter classifier (a letters run end to end is the
letters study's smoke run, tests/test_studies.py)."""

import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen import data
from jaxgen.data.letters import LETTERS
from jaxgen.metrics import classifier as classifier_lib
from jaxgen.metrics import letters as letter_metrics
from jaxgen.metrics import series as series_metrics


# One xdist worker trains this session fixture; the other worker runs the rest meanwhile.
pytestmark = pytest.mark.xdist_group("letters_classifier")


def _logits(labels, confident):
  """Logits [N, 26] whose top letter is labels[i], with probability ~1 if confident[i] else ~0.5."""
  logits = np.zeros((len(labels), 26), np.float32)
  for i, (k, sure) in enumerate(zip(labels, confident)):
    logits[i, k] = 20.0
    if not sure:
      logits[i, (k + 1) % 26] = 20.0  # Two letters at 0.5 each.
  return jnp.asarray(logits)


def test_coverage_counts_only_confident_samples_on_a_hand_histogram():
  # A x3, B x1, C x1 unconfident, Z x2: counts A 3, B 1, Z 2; 3 letters present.
  labels = [0, 0, 0, 1, 2, 25, 25]
  out = letter_metrics.letter_coverage(_logits(labels, [1, 1, 1, 1, 0, 1, 1]), confidence=0.9)
  want = np.zeros(26)
  want[[0, 1, 25]] = [3, 1, 2]
  np.testing.assert_array_equal(out["counts"], want)
  assert float(out["letters_present"]) == 3 and float(out["coverage"]) == pytest.approx(3 / 26)
  p = np.array([3, 1, 2]) / 6
  assert float(out["entropy"]) == pytest.approx(-np.sum(p * np.log(p)), abs=1e-6)
  assert float(out["confident"]) == pytest.approx(6 / 7)
  assert letter_metrics.missing_letters(out["counts"]) == [l for l in LETTERS if l not in "ABZ"]
  uniform = letter_metrics.letter_coverage(_logits(list(range(26)) * 2, [1] * 52), 0.9)
  assert float(uniform["coverage"]) == 1.0 and float(uniform["entropy"]) == pytest.approx(np.log(26), abs=1e-5)
  nothing = letter_metrics.letter_coverage(_logits([3, 4], [0, 0]), 0.9)  # No confident sample: 0, not NaN.
  assert float(nothing["coverage"]) == 0.0 and float(nothing["entropy"]) == 0.0
  flat = letter_metrics.series_metrics(_logits(labels, [1] * 7), 0.9)
  assert flat["count/C"] == 1 and flat["count/Z"] == 2 and "counts" not in flat


def test_collapse_onset_on_synthetic_series():
  steps = [100, 200, 300, 400, 500, 600]
  onset = series_metrics.collapse_onset
  assert onset(steps, [5, 20, 26, 25, 12, 10], 0.75) == 500  # 12 < 0.75 * 26, and stays below.
  assert onset(steps, [5, 20, 26, 10, 24, 23], 0.75) is None  # Recovered: ends above 19.5.
  assert onset(steps, [5, 20, 26, 10, 24, 12], 0.75) == 600  # The dip at 400 is not the onset: 500 recovered.
  assert onset(steps, [26, 5, 5, 5, 5, 5], 0.75) == 200
  assert onset(steps, [1, 2, 3, 4, 5, 6], 0.75) is None
  assert onset(steps, [8, 8, 7, 8, 7, 7], 1.0) == 500  # fraction 1: never again as many as it once had.
  with pytest.raises(ValueError, match="fraction"):
    onset(steps, [1] * 6, 1.5)


def test_lost_steps_marks_letters_that_vanish_for_good():
  steps = [10, 20, 30, 40]
  counts = np.zeros((4, 26))
  counts[:, 0] = [5, 6, 7, 8]  # A: always there.
  counts[:, 16] = [4, 2, 0, 0]  # Q: gone from step 30.
  counts[:, 23] = [3, 0, 2, 0]  # X: back at 30, gone from 40.
  counts[:, 25] = [0, 0, 0, 0]  # Z: never there.
  lost = series_metrics.lost_steps(steps, counts, LETTERS)
  assert lost["A"] is None and lost["Q"] == 30 and lost["X"] is None and lost["Z"] is None  # X: only the last.
  lost = series_metrics.lost_steps(steps, counts, LETTERS, min_evaluations=1)
  assert lost["Q"] == 30 and lost["X"] == 40


def test_letter_classifier_reaches_95_percent_on_validation(letter_classifier, tfds_data_dir):
  validation = data.load("letters", "validation", data_dir=tfds_data_dir)
  logits = classifier_lib.classifier_logits(letter_classifier.params, data.to_model_range(validation["image"]),
                                            "letters")
  accuracy = float(np.mean(np.argmax(logits, -1) == validation["label"]))
  assert accuracy >= 0.95
  assert letter_classifier.test_accuracy == pytest.approx(accuracy, abs=1e-6)
  # Real letters are covered: 1,000 validation images give all 26 letters with high entropy.
  out = letter_metrics.letter_coverage(logits[:1000], 0.9)
  assert float(out["letters_present"]) == 26 and float(out["entropy"]) > np.log(26) - 0.05
