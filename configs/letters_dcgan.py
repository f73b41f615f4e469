r"""Vanilla DCGAN on `letters` (26 capital letters in 22 fonts): per-letter coverage over training.

Command (from the repository root), 3 seeds:

  python -m launch.sweep --config configs/letters_dcgan.py --seeds 3 --workdir runs/letters_dcgan

The whole study (vanilla, fixes, AC-GAN, report and figures) is
`python -m launch.reproduce letters --workdir runs/letters`.

Every `eval_every` steps, 1,000 samples are labelled by the cached letter
classifier (`python -m launch.classifier --dataset letters`, or trained on
first use) and metrics.jsonl gets the coverage time series
(`jaxgen.metrics.letters.letter_coverage`): coverage (letters present / 26;
a letter is present when at least one sample is classified as it with
probability >= eval.confidence), the entropy of the letter histogram
(nats; log 26 = 3.26 is uniform), the fraction of confident samples, and
`count/<letter>` for the survival curves. Collapse onset is the first
evaluation after which coverage stays below `eval.collapse_fraction` of its
running maximum (`jaxgen.metrics.series.collapse_onset`).

Run time and result (2-core CPU, 2026-12-03): 3 seeds in one sweep, 19
minutes; 25.7 +- 0.33 of 26 letters present at the end, no collapse onset,
no letter lost (the README's letters section has the whole study).
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  c = base.gan("letters")
  c.model.architecture = "dcgan"
  c.model.latent_dim = 100
  c.train.steps = 3000  # 3 seeds x 5 settings of the letters study in ~2 hours on a 2-core CPU.
  c.train.steps_per_call = 10  # ~4 s per call on a 2-core CPU: a live progress bar.
  c.train.log_every = 50
  c.train.eval_every = 250
  c.train.checkpoint_every = 1000
  c.train.figure_every = 750  # Sample grids at four points of training.
  c.eval.num_samples = 1000  # Final evaluation.
  c.eval.series_samples = 1000  # Every eval_every steps (the coverage time series).
  c.eval.figure_samples = 260  # Saved every figure_every steps (figures/samples/): the alphabet grids.
  c.eval.confidence = 0.9  # A sample counts for a letter when the classifier gives it this probability.
  c.eval.collapse_fraction = 0.75  # Collapse onset: coverage stays below this fraction of its running maximum.
  if arg == "smoke":
    base.shrink_to_smoke(c)
    c.model.generator_features = 8
    c.model.critic_features = (8, 16)
    c.model.latent_dim = 16
    c.train.eval_every = 10
    c.train.figure_every = 10  # Two alphabet grids: the study draws them over training.
    c.eval.num_samples = c.eval.series_samples = 100
    c.eval.figure_samples = 52
  elif arg:
    raise ValueError(f"unknown config argument {arg!r}; use '' or 'smoke'")
  return c
