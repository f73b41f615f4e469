r"""WGAN-GP, MLP generator and critic, on real MNIST digits (Gulrajani et al., 2017).

Command (from the repository root):

  python -m launch.train --config configs/mnist_wgan_gp.py --workdir runs/mnist_wgan_gp

Expected: about 7.5 minutes on a 2-core CPU (measured: 452 s in all, ~19
generator steps/s, each with n_critic=5 critic steps) for 8,000 generator
steps at batch 64. Samples in runs/mnist_wgan_gp/figures/samples.png are
recognisable digits of all ten classes; eval.json reports a pixel-space
Fréchet distance to the test digits of ~29 and `classes_covered` = 10. Killing
the run and giving the same command again resumes from the last checkpoint
(every 500 steps) and ends with bit-identical parameters.

Defaults are Algorithm 1 of the paper: lambda = 10, n_critic = 5, Adam with
learning rate 1e-4 and betas (0.5, 0.9). `get_config("smoke")`
(`--config configs/mnist_wgan_gp.py:smoke`) runs in seconds.
"""

import ml_collections

from configs import base
from configs import mnist_gan


def get_config(arg: str = "") -> ml_collections.ConfigDict:
  """The config; `arg="smoke"` shrinks it to a seconds-long run for tests."""
  c = mnist_gan.get_config()
  c.method.objective = "wgan_gp"
  c.method.n_critic = 5
  c.method.gradient_penalty = 10.0
  for opt in (c.optimizer.generator, c.optimizer.critic):
    opt.learning_rate, opt.b1, opt.b2 = 1e-4, 0.5, 0.9
  c.train.steps = 8000
  c.train.checkpoint_every = 500
  c.train.figure_every = 500
  if arg == "smoke":
    base.shrink_to_smoke(c)
  elif arg:
    raise ValueError(f"unknown config argument {arg!r}; use '' or 'smoke'")
  return c
