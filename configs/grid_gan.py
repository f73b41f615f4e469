r"""Vanilla (non-saturating) GAN on the 25-Gaussian grid: the mode-collapse baseline.

Command (from the repository root), 5 seeds in one program:

  python -m launch.sweep --config configs/grid_gan.py --seeds 5 --workdir runs/grid_gan

25 Gaussians of std 0.05 at {-4, -2, 0, 2, 4}^2 (jaxgen.data.mixtures); the
same networks and metrics as configs/ring_gan.py. Expected results: the
`mode_collapse` study's report (`python -m launch.reproduce mode_collapse`).
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  return base.mixture_gan("grid", arg)
