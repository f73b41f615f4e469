r"""DDPM on the 25-Gaussian grid: the ring's MLP denoiser on the harder 2-D benchmark.

Command (from the repository root), 3 seeds in one program:

  python -m launch.sweep --config configs/grid_ddpm.py --seeds 3 --workdir runs/grid_ddpm

The family's settings are `configs.base.ddpm`; see `configs/ring_ddpm.py`.

Measured (2-core CPU, 3 seeds, 4.7 minutes while another training shared
the CPU): 25 ± 0 of 25 modes in every seed, 97.3% ± 0.3 high-quality
samples, KL 0.0068 ± 0.0004 nats (mean ± s.e.); the best GAN here,
`configs/grid_best.py`, reaches 25 ± 0 and 85.1% ± 0.55 (5 seeds). `get_config("smoke")` runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  return base.ddpm("grid", arg)
