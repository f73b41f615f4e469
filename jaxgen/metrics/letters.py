r"""Per-letter coverage of a generator on `letters`, and when it collapses.

A generated image counts for letter k when the cached letter classifier
(`jaxgen.metrics.classifier.load_classifier(name="letters")`) gives it
probability >= `confidence` for k; unconfident images count for no letter. From
N samples (1,000 by default):

  counts_k      confident samples of letter k, k = 0..25 (A..Z)
  coverage      #{k : counts_k > 0} / 26, letters present (fraction)
  entropy       -\sum_k p_k \log p_k of p = counts / \sum counts, nats
                (log 26 = 3.258 for a uniform alphabet, 0 for one letter)
  confident     fraction of samples that count for some letter

The time series of these (logged every `train.eval_every` steps) gives the
collapse onset and per-letter survival (`jaxgen.metrics.series`).
This is the mode-coverage protocol of Stacked MNIST (Metz et al., 2017,
Sec. 3.3) with letters as the modes and a confidence threshold, so that
blurry non-letters do not count as coverage.

`letter_coverage` is pure jnp (jit/vmap-able).
"""

import jax
import jax.numpy as jnp
import numpy as np

from jaxgen.data.letters import LETTERS
from jaxgen.metrics.modes import histogram_coverage


def letter_coverage(logits: jax.Array, confidence: float) -> dict[str, jax.Array]:
  """Letter counts, coverage and histogram entropy of classified samples.

  Args:
    logits: float32 [N, 26] letter-classifier logits of N generated images.
    confidence: probability (0..1) a sample's top letter needs to count.

  Returns:
    {"counts": float32 [26], "coverage": float32 [] in [0, 1],
     "letters_present": float32 [] in 0..26, "entropy": float32 [] nats,
     "confident": float32 [] fraction of the N samples}.

  Example:
    >>> logits = jnp.full((3, 26), -10.0).at[0, 0].set(10.0).at[1, 0].set(10.0).at[2, 1].set(10.0)
    >>> out = letter_coverage(logits, 0.9)
    >>> out["counts"][:3].tolist(), round(float(out["coverage"]) * 26), round(float(out["entropy"]), 4)
    ([2.0, 1.0, 0.0], 2, 0.6365)
  """
  probs = jax.nn.softmax(logits, axis=-1)
  labels = jnp.argmax(probs, axis=-1)
  confident = jnp.max(probs, axis=-1) >= confidence
  present = histogram_coverage(labels, len(LETTERS), confident)["modes"]
  counts = jnp.zeros(len(LETTERS), jnp.float32).at[labels].add(confident.astype(jnp.float32))
  p = counts / jnp.maximum(counts.sum(), 1.0)
  entropy = -jnp.sum(jnp.where(p > 0, p * jnp.log(jnp.where(p > 0, p, 1.0)), 0.0))
  return {"counts": counts, "coverage": present / len(LETTERS), "letters_present": present,
          "entropy": entropy, "confident": jnp.mean(confident.astype(jnp.float32))}


def series_metrics(logits: jax.Array, confidence: float) -> dict[str, jax.Array]:
  """`letter_coverage` as flat scalars for metrics.jsonl: coverage, letters_present, entropy, confident and
  `count/A` ... `count/Z` (names with "/" are left out of the loss curves)."""
  out = letter_coverage(logits, confidence)
  counts = out.pop("counts")
  return {**out, **{f"count/{letter}": counts[k] for k, letter in enumerate(LETTERS)}}


def missing_letters(counts) -> list[str]:
  """The letters with no confident sample, from counts [26] (any array-like), in alphabetical order."""
  return [letter for letter, c in zip(LETTERS, np.asarray(counts)) if c <= 0]
