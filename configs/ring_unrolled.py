r"""Unrolled GAN (Metz et al., 2017) on the 8-Gaussian ring: 5 simulated critic steps.

Command (from the repository root), 8 seeds in one program:

  python -m launch.sweep --config configs/ring_unrolled.py --seeds 8 --workdir runs/ring_unrolled

and the unrolling depth as a grid (one 8-seed sweep program per value):

  python -m launch.sweep --config configs/ring_unrolled.py --seeds 8 --workdir runs/ring_unroll_grid \
      --grid method.unroll_steps=0,1,5,10

Everything else is configs/ring_gan.py. Expected results: the `mode_collapse`
study's report (`python -m launch.reproduce mode_collapse`).
"""

import ml_collections

from configs import ring_gan


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  c = ring_gan.get_config(arg)
  c.method.unroll_steps = 5
  return c
