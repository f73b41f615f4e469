r"""DDPM on the MNIST digits (mnist_subset): EXPECTED.

Command (from the repository root):

  python -m launch.sweep --config configs/mnist_ddpm.py --seeds 3 --workdir runs/mnist_ddpm

The family's settings are `configs.base.ddpm`. `get_config("smoke")` runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  return base.ddpm("mnist_subset", arg)
