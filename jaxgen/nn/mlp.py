"""Fully connected generator and critic for small images (e.g. 28x28x1 MNIST).

The widths follow the MLP GAN baselines of Goodfellow et al. (2014) as commonly
re-implemented (e.g. the PyTorch-GAN `gan.py` reference): generator
`[Dense -> LeakyReLU(0.2)] x 4` with widths 128, 256, 512, 1024, then a Dense
layer to the pixels and `tanh`; critic 784 -> 512 -> 256 -> 1 with LeakyReLU.
No normalisation layers, so the modules have parameters only (no batch
statistics) and a critic's output for one example does not depend on the
others — which the WGAN-GP penalty requires (Gulrajani et al., 2017, Sec. 4).
"""

from typing import Sequence

import flax.linen as nn
import jax.numpy as jnp
import numpy as np


class MLPGenerator(nn.Module):
  """Maps latent codes to images in [-1, 1].

  Attributes:
    image_shape: (H, W, C) of the output images, e.g. (28, 28, 1).
    widths: hidden layer widths, each followed by LeakyReLU(0.2).
    negative_slope: LeakyReLU slope.
  """

  image_shape: Sequence[int] = (28, 28, 1)
  widths: Sequence[int] = (128, 256, 512, 1024)
  negative_slope: float = 0.2

  @nn.compact
  def __call__(self, z: jnp.ndarray) -> jnp.ndarray:
    """Args: z: float32 [B, latent_dim]. Returns: float32 [B, H, W, C] in [-1, 1]."""
    h = z
    for width in self.widths:
      h = nn.leaky_relu(nn.Dense(width)(h), self.negative_slope)
    x = jnp.tanh(nn.Dense(int(np.prod(self.image_shape)))(h))
    return x.reshape((z.shape[0], *self.image_shape))


class MLPCritic(nn.Module):
  """Maps images to one unnormalised score (a logit for a GAN discriminator).

  Attributes:
    widths: hidden layer widths, each followed by LeakyReLU(0.2).
    negative_slope: LeakyReLU slope.
  """

  widths: Sequence[int] = (512, 256)
  negative_slope: float = 0.2

  @nn.compact
  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    """Args: x: float32 [B, H, W, C]. Returns: float32 [B] scores."""
    h = x.reshape((x.shape[0], -1))
    for width in self.widths:
      h = nn.leaky_relu(nn.Dense(width)(h), self.negative_slope)
    return nn.Dense(1)(h)[:, 0]
