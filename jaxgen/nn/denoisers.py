"""Diffusion denoisers: networks (x_t, t) -> prediction of the noise (or v) of `jaxgen.losses.diffusion`.

`UNet` is the DDPM U-Net of Ho et al. (2020, App. B; itself PixelCNN++'s
backbone) scaled down for 28x28 images: residual blocks with group
normalisation and the timestep embedding added inside each block, a 3x3
strided convolution down and nearest-neighbour upsampling + 3x3 convolution
up, skip connections concatenated, optional self-attention at 7x7. Its
convolutions are `jaxgen.nn.conv.Conv` (matrix products on XLA:CPU, flax's
on other backends). `MLPDenoiser` is the same idea for 2-D points.
"""

import math
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgen.nn.conv import Conv


def timestep_embedding(t: jax.Array, dim: int, max_period: float = 10_000.0) -> jax.Array:
  """Sinusoidal embedding of timesteps (Vaswani et al., 2017, Sec. 3.5, as used by Ho et al., 2020).

  [sin(t w_0), ..., sin(t w_{h-1}), cos(t w_0), ..., cos(t w_{h-1})] with
  h = dim / 2 and w_k = max_period^(-k / (h - 1)), as in the DDPM authors'
  `get_timestep_embedding`.

  Args:
    t: int32 or float32 [B] timesteps.
    dim: even embedding size >= 4.
    max_period: the longest wavelength.

  Returns:
    float32 [B, dim].

  Example:
    >>> timestep_embedding(jnp.array([0]), 4).tolist()
    [[0.0, 0.0, 1.0, 1.0]]
  """
  if dim % 2 or dim < 4:
    raise ValueError(f"timestep_embedding: dim must be even and >= 4, got {dim}")
  half = dim // 2
  freqs = jnp.exp(-math.log(max_period) * jnp.arange(half, dtype=jnp.float32) / (half - 1))
  args = jnp.asarray(t, jnp.float32)[:, None] * freqs[None]
  return jnp.concatenate([jnp.sin(args), jnp.cos(args)], axis=-1)


class MLPDenoiser(nn.Module):
  """(x_t [B, D], t int32 [B]) -> float32 [B, D] for low-dimensional data such as 2-D mixtures.

  Each hidden layer: Dense on [h, embedding of t] -> SiLU, the embedding
  (sinusoidal, then Dense + SiLU) entering every layer so the network cannot
  forget t. Output layer zero-initialised, so the untrained model predicts 0.

  Example:
    >>> m = MLPDenoiser(widths=(16,))
    >>> y, _ = m.init_with_output(jax.random.key(0), jnp.zeros((3, 2)), jnp.array([0, 5, 9]))
    >>> y.shape
    (3, 2)
  """

  widths: Sequence[int] = (256, 256, 256)
  time_dim: int = 64

  @nn.compact
  def __call__(self, x: jax.Array, t: jax.Array) -> jax.Array:
    emb = nn.silu(nn.Dense(self.time_dim)(timestep_embedding(t, self.time_dim)))
    h = x
    for width in self.widths:
      h = nn.silu(nn.Dense(width)(jnp.concatenate([h, emb], axis=-1)))
    return nn.Dense(x.shape[-1], kernel_init=nn.initializers.zeros)(h)


class ResBlock(nn.Module):
  """GroupNorm -> SiLU -> 3x3 conv, + Dense(time embedding), GroupNorm -> SiLU -> dropout -> 3x3 conv, + skip."""

  features: int
  groups: int = 8
  dropout_rate: float = 0.0

  @nn.compact
  def __call__(self, x: jax.Array, emb: jax.Array, train: bool) -> jax.Array:
    h = Conv(self.features, (3, 3))(nn.silu(nn.GroupNorm(self.groups)(x)))
    h = h + nn.Dense(self.features)(nn.silu(emb))[:, None, None, :]
    h = nn.Dropout(self.dropout_rate, deterministic=not train)(nn.silu(nn.GroupNorm(self.groups)(h)))
    h = Conv(self.features, (3, 3), kernel_init=nn.initializers.zeros)(h)  # Each block starts as the identity.
    skip = x if x.shape[-1] == self.features else Conv(self.features, (1, 1))(x)
    return skip + h


class AttentionBlock(nn.Module):
  """Self-attention over the pixels of a feature map, pre-GroupNorm, residual (Ho et al., 2020, App. B)."""

  groups: int = 8
  num_heads: int = 1

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    b, h, w, c = x.shape
    tokens = nn.GroupNorm(self.groups)(x).reshape(b, h * w, c)
    out = nn.MultiHeadDotProductAttention(num_heads=self.num_heads, out_kernel_init=nn.initializers.zeros)(tokens)
    return x + out.reshape(b, h, w, c)


class UNet(nn.Module):
  """(x_t float32 [B, H, W, C], t int32 [B]) -> float32 [B, H, W, C]; H and W divisible by 2^(levels - 1).

  Attributes:
    channels: feature channels per resolution level, e.g. (32, 64, 64) for
      28 -> 14 -> 7; one residual block per level on the way down, two on
      the way up (one per skip), as a lighter DDPM U-Net.
    attention: self-attention after the blocks of the lowest resolution and
      in the middle.
    dropout_rate: in the residual blocks (Ho et al.: 0.1 on CIFAR-10).
    groups: GroupNorm groups (every entry of `channels` divisible by it).

  Example:
    >>> net = UNet(channels=(8, 16), groups=4)
    >>> y, _ = net.init_with_output(jax.random.key(0), jnp.zeros((2, 28, 28, 1)), jnp.array([0, 999]))
    >>> y.shape
    (2, 28, 28, 1)
  """

  channels: Sequence[int] = (32, 64, 64)
  attention: bool = False
  dropout_rate: float = 0.0
  groups: int = 8

  @nn.compact
  def __call__(self, x: jax.Array, t: jax.Array, train: bool = False) -> jax.Array:
    block = lambda c: ResBlock(c, self.groups, self.dropout_rate)
    emb_dim = 4 * self.channels[0]
    emb = nn.Dense(emb_dim)(nn.silu(nn.Dense(emb_dim)(timestep_embedding(t, self.channels[0]))))

    h = Conv(self.channels[0], (3, 3))(x)
    skips = []
    for level, c in enumerate(self.channels):
      if level:
        h = Conv(c, (3, 3), strides=(2, 2))(h)  # Downsample.
      h = block(c)(h, emb, train)
      if self.attention and level == len(self.channels) - 1:
        h = AttentionBlock(self.groups)(h)
      skips.append(h)

    h = block(self.channels[-1])(h, emb, train)
    if self.attention:
      h = AttentionBlock(self.groups)(h)
    h = block(self.channels[-1])(h, emb, train)

    for level in reversed(range(len(self.channels))):
      h = block(self.channels[level])(jnp.concatenate([h, skips[level]], axis=-1), emb, train)
      if level:
        h = jnp.repeat(jnp.repeat(h, 2, axis=1), 2, axis=2)  # Nearest-neighbour upsampling.
        h = Conv(self.channels[level - 1], (3, 3))(h)
    h = nn.silu(nn.GroupNorm(self.groups)(h))
    return Conv(x.shape[-1], (3, 3), kernel_init=nn.initializers.zeros)(h)
