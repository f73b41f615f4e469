"""Fully connected generator and critic for small images and 2-D points.

The widths follow the MLP GAN baselines of Goodfellow et al. (2014) as commonly
re-implemented (e.g. the PyTorch-GAN `gan.py` reference): generator
`[Dense -> LeakyReLU(0.2)] x 4` with widths 128, 256, 512, 1024, then a Dense
layer to the pixels and `tanh`; critic 784 -> 512 -> 256 -> 1 with LeakyReLU.
For 2-D mixture benchmarks (Metz et al., 2017; Srivastava et al., 2017) the
generator ends in a linear layer instead (`output_activation="linear"`).

No normalisation layers, so the modules have parameters only (no batch
statistics) and, unless minibatch discrimination is switched on, a critic's
output for one example does not depend on the others — which the WGAN-GP
penalty requires (Gulrajani et al., 2017, Sec. 4).

Both modules take `train` so that every generator and critic in `jaxgen.nn`
is called the same way; here it has no effect.
"""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from jaxgen.nn.layers import MinibatchDiscrimination, check_critic_settings, spectral_normalized

_OUTPUT_ACTIVATIONS = ("tanh", "linear")


class MLPGenerator(nn.Module):
  """Maps latent codes to images in [-1, 1] (tanh) or to unbounded points (linear).

  Attributes:
    output_shape: shape of one sample, e.g. (28, 28, 1) for MNIST or (2,) for
      2-D mixture points.
    widths: hidden layer widths, each followed by LeakyReLU.
    negative_slope: LeakyReLU slope.
    output_activation: "tanh" (images in [-1, 1]) or "linear" (no squashing,
      e.g. for 2-D mixtures whose modes lie outside [-1, 1]).

  Example:
    >>> g = MLPGenerator(output_shape=(2,), widths=(8,), output_activation="linear")
    >>> x, _ = g.init_with_output(jax.random.key(0), jnp.zeros((5, 3)))
    >>> x.shape, x.dtype
    ((5, 2), dtype('float32'))
  """

  output_shape: Sequence[int] = (28, 28, 1)
  widths: Sequence[int] = (128, 256, 512, 1024)
  negative_slope: float = 0.2
  output_activation: str = "tanh"

  def __post_init__(self):
    if self.output_activation not in _OUTPUT_ACTIVATIONS:
      raise ValueError(f"MLPGenerator: output_activation must be one of {_OUTPUT_ACTIVATIONS}, "
                       f"got {self.output_activation!r}.")
    super().__post_init__()

  @nn.compact
  def __call__(self, z: jax.Array, train: bool = False) -> jax.Array:
    """Args:
      z: float32 [B, latent_dim] latent codes.
      train: ignored (accepted for a uniform call convention).

    Returns:
      float32 [B, *output_shape]; in [-1, 1] when output_activation == "tanh".
    """
    del train
    h = z
    for width in self.widths:
      h = nn.leaky_relu(nn.Dense(width)(h), self.negative_slope)
    x = nn.Dense(int(np.prod(self.output_shape)))(h)
    if self.output_activation == "tanh":
      x = jnp.tanh(x)
    return x.reshape((z.shape[0], *self.output_shape))


class MLPCritic(nn.Module):
  """Maps samples to unnormalised scores (logits for a GAN discriminator).

  The last hidden activations are sown as `("intermediates", "features")` for
  feature matching (Salimans et al., 2016, Sec. 3.1). Read them with
  `_, state = critic.apply({"params": p}, x, mutable=["intermediates"])`;
  `state["intermediates"]["features"]` is a 1-tuple holding float32
  [B, widths[-1]] (flax's `sow` appends to a tuple; `init` does not store
  them, so pass only the "params" collection to `apply`).

  Attributes:
    widths: hidden layer widths, each followed by LeakyReLU.
    negative_slope: LeakyReLU slope.
    num_outputs: number of logits per example; 1 for a GAN discriminator or
      critic, num_generators + 1 for MAD-GAN (Ghosh et al., 2018).
    minibatch_kernels: if > 0, a `MinibatchDiscrimination` layer with this many
      kernels (Salimans et al., 2016, Sec. 3.2) is inserted before the output
      layer; the scores then depend on the whole batch (do not combine with
      WGAN-GP). 0 switches it off.
    minibatch_kernel_dim: dimension of each minibatch-discrimination kernel.
    spectral_norm: divide every Dense kernel by its largest singular value
      (Miyato et al., 2018; `spectral_normalized`): its power-iteration
      state lives in "batch_stats", advanced by calls with `train=True`,
      which then need `mutable=["batch_stats"]`. The minibatch layer is not
      normalized.

  Example:
    >>> critic = MLPCritic(widths=(16, 8), num_outputs=3)
    >>> out, _ = critic.init_with_output(jax.random.key(0), jnp.zeros((4, 28, 28, 1)))
    >>> out.shape
    (4, 3)
  """

  widths: Sequence[int] = (512, 256)
  negative_slope: float = 0.2
  num_outputs: int = 1
  minibatch_kernels: int = 0
  minibatch_kernel_dim: int = 5
  spectral_norm: bool = False

  def __post_init__(self):
    check_critic_settings("MLPCritic", self.num_outputs, self.minibatch_kernels)
    super().__post_init__()

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    """Args:
      x: float32 [B, ...] samples, e.g. [B, H, W, C] images or [B, 2] points.
      train: advance spectral normalization's power iteration (nothing else
        depends on it).

    Returns:
      float32 [B] scores when num_outputs == 1, else float32 [B, num_outputs].
    """
    dense = lambda width: spectral_normalized(nn.Dense(width), self.spectral_norm, update_stats=train)
    h = x.reshape((x.shape[0], -1))
    for width in self.widths:
      h = nn.leaky_relu(dense(width)(h), self.negative_slope)
    self.sow("intermediates", "features", h)
    if self.minibatch_kernels > 0:
      h = MinibatchDiscrimination(self.minibatch_kernels, self.minibatch_kernel_dim)(h)
    out = dense(self.num_outputs)(h)
    return out[:, 0] if self.num_outputs == 1 else out
