r"""DDPM on the 25-Gaussian grid: EXPECTED.

Command (from the repository root):

  python -m launch.sweep --config configs/grid_ddpm.py --seeds 3 --workdir runs/grid_ddpm

The family's settings are `configs.base.ddpm`. `get_config("smoke")` runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  return base.ddpm("grid", arg)
