r"""DDPM on MNIST digits (`mnist_subset`): a small U-Net (16, 32, 32 channels at 28, 14, 7 pixels).

Command (from the repository root):

  python -m launch.train --config configs/mnist_ddpm.py --workdir runs/mnist_ddpm

The family's settings are `configs.base.ddpm` (T = 1000 linear betas,
epsilon prediction, batch 64, Adam 2e-4, EMA 0.999, 6,000 steps, DDIM
sampling with 100 steps and eta 1). eval.json has the pixel Fréchet distance
and the classes covered of 1,000 samples.

Not yet run to the end: one training step took 1.0 s on the 2-core CPU
while two other trainings shared it; the
U-Net's small convolutions are far from the machine's GEMM rate (its
im2col products have only 16-32 output channels), to be profiled.
`get_config("smoke")` runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  return base.ddpm("mnist_subset", arg)
