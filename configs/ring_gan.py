r"""Vanilla (non-saturating) GAN on the 8-Gaussian ring: the mode-collapse baseline.

Command (from the repository root), 5 seeds in one program:

  python -m launch.sweep --config configs/ring_gan.py --seeds 5 --workdir runs/ring_gan

The data are 8 Gaussians of std 0.01 on the unit circle (jaxgen.data.mixtures);
the metrics (jaxgen.metrics.modes, VEEGAN/PacGAN protocol on 2,500 samples) are
logged every `train.eval_every` steps, so figures/losses.png shows when modes
are lost. The generator and discriminator are MLPs of 3 x 128 and 2 x 128
ReLU-free LeakyReLU layers; Adam 1e-3 (beta1 0.5) for both.

Expected: see the `mode_collapse` study (`python -m launch.reproduce
mode_collapse`), whose report lists this config's modes captured, high-quality
fraction and KL beside the published rows. `get_config("smoke")` runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  return base.mixture_gan("ring", arg)
