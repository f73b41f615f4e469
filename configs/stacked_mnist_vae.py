r"""VAE on Stacked MNIST (1,000 modes): the conv VAE on three stacked digits, Bernoulli pixels.

Command (from the repository root), 3 seeds in one program:

  python -m launch.sweep --config configs/stacked_mnist_vae.py --seeds 3 --workdir runs/stacked_mnist_vae

The family's settings are `configs.base.vae` (two stride-2 convolutions to
a 16-D Gaussian posterior, a transposed-conv decoder to 28x28x3 Bernoulli
logits, beta 1, batch 64, Adam 1e-3, 10,000 steps); samples are the mean
images of z ~ N(0, I); metrics as for `configs/stacked_mnist_dcgan.py`
(modes of 1,000 and KL by the MNIST classifier on 26,000 samples, Fréchet
distance and precision/recall in its features), and eval.json adds the ELBO
diagnostics on 10,000 triples of test digits.

Measured (2-core CPU, 3 seeds, 14 minutes with two other trainings sharing
the CPU, plus 3 of evaluation): 900 ± 8.4 of 1,000 modes, KL 0.478 ± 0.052
nats, Fréchet distance 618 ± 13, precision 0.97 ± 0.014, recall 0.0009 ±
0.0002 (26,000 samples); test ELBO -405 ± 1.5 nats per triple, rate 33.6 ±
0.25, 16 of 16 active units (mean ± s.e.). Its mean images are blurred
digits: they sit among the real ones in classifier features (precision) but
cover few of them (recall). `get_config("smoke")` runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  return base.vae("stacked_mnist", arg)
