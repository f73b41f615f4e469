r"""Non-saturating GAN, MLP generator and discriminator, on real MNIST digits.

Command (from the repository root):

  python -m launch.train --config configs/mnist_gan.py --workdir runs/mnist_gan

Expected: about 3.5 minutes on a 2-core CPU (measured: 200 s, ~53 steps/s)
for 10,000 steps at batch 64. Samples in runs/mnist_gan/figures/samples.png are
digit-shaped by step 2,000; at the end eval.json reports a pixel-space Fréchet
distance to the test digits of ~41 (an untrained generator: several hundred)
and `classes_covered` = 10 (nearest-neighbour labels of 1,000 samples).

Variants: `--config.method.objective=minimax` for the original saturating
game (Goodfellow et al., 2014, Eq. 1), which learns more slowly at the start;
`--config.data.name=mnist` for the full TFDS MNIST when it is prepared.
`get_config("smoke")` (`--config configs/mnist_gan.py:smoke`) runs in seconds.
"""

import ml_collections

from configs import base


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  c = base.gan("mnist_subset")  # Offline: 4,500 train / 500 test real digits. Or "mnist".
  if arg == "smoke":
    base.shrink_to_smoke(c)
  elif arg:
    raise ValueError(f"unknown config argument {arg!r}; use '' or 'smoke'")
  return c
