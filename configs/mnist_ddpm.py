r"""DDPM on MNIST digits (`mnist_subset`): a small U-Net (16, 32, 32 channels at 28, 14, 7 pixels).

Command (from the repository root):

  python -m launch.train --config configs/mnist_ddpm.py --workdir runs/mnist_ddpm

The family's settings are `configs.base.ddpm` (T = 1000 linear betas,
epsilon prediction, batch 64, Adam 2e-4, EMA 0.999, 6,000 steps, DDIM
sampling with 100 steps and eta 1). eval.json has the pixel Fréchet distance
and the classes covered of 1,000 samples.

Measured (2-core CPU, seed 0): 6,000 steps in 50 minutes while two or
three other trainings shared the CPU (~2 steps/s; alone it runs 6.5-6.9
steps/s, about 15 minutes for the run; one step is 12 GFLOP by XLA's cost
analysis); pixel Fréchet distance 23.8 to the test digits with
all 10 classes covered (configs/mnist_wgan_gp.py: 29.0); sampling 1,000
digits with 100 DDIM steps took 3.4 minutes. The `diffusion` study compares
it with the WGAN-GP in classifier features and over the number of sampling
steps. This run was trained before the EMA's warm-up was added
(`jaxgen.methods.ddpm`); after 6,000 steps the two averages differ only in
the weight of the first iterates, at most 0.999^5000 < 1%.
`get_config("smoke")` runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  return base.ddpm("mnist_subset", arg)
