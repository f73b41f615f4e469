r"""DDPM on Stacked MNIST (1,000 modes): the MNIST U-Net on three stacked digits.

Command (from the repository root), 3 seeds:

  python -m launch.sweep --config configs/stacked_mnist_ddpm.py --seeds 3 --workdir runs/stacked_mnist_ddpm

The family's settings are `configs.base.ddpm`, sampled with 50 steps; metrics as for
`configs/stacked_mnist_dcgan.py` (modes of 1,000 and KL by the MNIST
classifier, Fréchet distance and precision/recall in its features).

Measured (2-core CPU, 3 seeds, 6,000 steps: 1 h 44 min of training, the
CPU shared for about half of it, ~1.8 sweep steps/s alone; the evaluation
of 3 x 10,000 samples, `--config.eval.num_samples=10000` as in the diffusion
study, 45 min, ~90 s per 1,000 samples): 911 ± 11 of 1,000 modes, KL 0.60 ±
0.04 nats, Fréchet distance 560 ± 10, precision 0.81 ± 0.02, recall 0.002 ±
0.001 (mean ± s.e.). The config's own 26,000 samples per seed take about
2 hours to score on that CPU. `get_config("smoke")` runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  c = base.ddpm("stacked_mnist", arg)
  if arg != "smoke":
    # 50 network evaluations per sample, not 100: the diffusion study draws 10,000 per seed, and on MNIST
    # ancestral sampling gave the same quality at 50 steps as at 100 (README: FD 48.4 and 48.8).
    c.method.sample_steps = 50
  return c
