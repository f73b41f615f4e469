"""DCGAN generator and discriminator for 28x28 images (MNIST, stacked MNIST).

The architecture guidelines are those of Radford et al. (2016, Sec. 3): strided
(transposed) convolutions instead of pooling, batch normalisation in the
generator, ReLU in the generator with a tanh output, LeakyReLU(0.2) in the
discriminator, no fully connected hidden layers apart from the generator's
projection of z. The layer sizes follow the Keras/TensorFlow DCGAN MNIST
tutorial: z -> Dense(7*7*F) -> BN -> ReLU -> 5x5 transposed conv to 14x14x(F/2)
-> BN -> ReLU -> 5x5 transposed conv to 28x28xC -> tanh; the discriminator is
two 5x5 stride-2 convolutions (64, 128) each followed by LeakyReLU(0.2) and
Dropout(0.3), then one Dense layer.

Every call takes `train`:

* Generator: `train=True` normalises with batch statistics and updates the
  running averages, so call it as
  `x, updates = g.apply({"params": p, "batch_stats": s}, z, train=True,
  mutable=["batch_stats"])`; `train=False` uses the running averages and
  is deterministic.
* Discriminator: `train=True` applies dropout and needs
  `rngs={"dropout": key}`; `train=False` is deterministic.
"""

from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp

from jaxgen.nn.conv import Conv, ConvTranspose
from jaxgen.nn.layers import MinibatchDiscrimination, check_critic_settings, spectral_normalized

_KERNEL = (5, 5)


class DCGANGenerator(nn.Module):
  """Maps latent codes to images in [-1, 1] with transposed convolutions.

  Attributes:
    output_shape: (H, W, C) of the images, H and W divisible by 4, e.g.
      (28, 28, 1) for MNIST or (28, 28, 3) for stacked MNIST. The projection
      is to (H/4, W/4, features), i.e. 7x7 for 28x28.
    features: channels after the projection; the middle layer has
      features // 2.
    momentum: decay of the BatchNorm running averages (0.9 averages over
      roughly the last 10 batches).

  Example:
    >>> g = DCGANGenerator(features=8)
    >>> variables = g.init(jax.random.key(0), jnp.zeros((2, 16)))
    >>> sorted(variables)
    ['batch_stats', 'params']
    >>> g.apply(variables, jnp.zeros((2, 16))).shape
    (2, 28, 28, 1)
  """

  output_shape: Sequence[int] = (28, 28, 1)
  features: int = 128
  momentum: float = 0.9

  def __post_init__(self):
    if len(self.output_shape) != 3 or self.output_shape[0] % 4 or self.output_shape[1] % 4:
      raise ValueError(f"DCGANGenerator: output_shape must be (H, W, C) with H and W divisible "
                       f"by 4, got {tuple(self.output_shape)}.")
    if self.features < 2:
      raise ValueError(f"DCGANGenerator: features must be >= 2, got {self.features}.")
    super().__post_init__()

  @nn.compact
  def __call__(self, z: jax.Array, train: bool = False) -> jax.Array:
    """Args:
      z: float32 [B, latent_dim] latent codes.
      train: batch statistics (True; pass mutable=["batch_stats"]) or running
        averages (False) in the BatchNorm layers.

    Returns:
      float32 [B, H, W, C] images in [-1, 1].
    """
    height, width, channels = self.output_shape
    norm = lambda: nn.BatchNorm(use_running_average=not train, momentum=self.momentum)
    h = nn.Dense((height // 4) * (width // 4) * self.features, use_bias=False)(z)
    h = nn.relu(norm()(h))
    h = h.reshape((z.shape[0], height // 4, width // 4, self.features))
    h = ConvTranspose(self.features // 2, _KERNEL, strides=(2, 2), padding="SAME",
                         use_bias=False)(h)
    h = nn.relu(norm()(h))  # [B, H/2, W/2, features/2]
    h = ConvTranspose(channels, _KERNEL, strides=(2, 2), padding="SAME")(h)
    return jnp.tanh(h)


class DCGANCritic(nn.Module):
  """Maps images to logits with strided convolutions, LeakyReLU and dropout.

  The flattened output of the last convolution block is sown as
  `("intermediates", "features")`, float32 [B, H' * W' * features[-1]] with
  H' = ceil(H / 2^len(features)) (7 * 7 * 128 = 6272 for 28x28 inputs and the
  defaults), for feature matching (Salimans et al., 2016, Sec. 3.1); read it
  with `mutable=["intermediates"]` as for `MLPCritic`.

  Attributes:
    features: channels of the stride-2 convolutions.
    dropout_rate: dropout after each convolution block when training.
    negative_slope: LeakyReLU slope.
    num_outputs: logits per example; 1 for a GAN, num_generators + 1 for
      MAD-GAN (Ghosh et al., 2018).
    minibatch_kernels: if > 0, minibatch discrimination (Salimans et al., 2016,
      Sec. 3.2) with this many kernels before the output layer.
    minibatch_kernel_dim: dimension of each minibatch-discrimination kernel.
    spectral_norm: divide every convolution and Dense kernel by its largest
      singular value (Miyato et al., 2018; as `MLPCritic.spectral_norm`).

  Example:
    >>> d = DCGANCritic(features=(4, 8))
    >>> out, _ = d.init_with_output(jax.random.key(0), jnp.zeros((3, 28, 28, 1)))
    >>> out.shape
    (3,)
  """

  features: Sequence[int] = (64, 128)
  dropout_rate: float = 0.3
  negative_slope: float = 0.2
  num_outputs: int = 1
  minibatch_kernels: int = 0
  minibatch_kernel_dim: int = 5
  spectral_norm: bool = False

  def __post_init__(self):
    check_critic_settings("DCGANCritic", self.num_outputs, self.minibatch_kernels)
    super().__post_init__()

  @nn.compact
  def __call__(self, x: jax.Array, train: bool = False) -> jax.Array:
    """Args:
      x: float32 [B, H, W, C] images in [-1, 1].
      train: apply dropout (needs rngs={"dropout": key}) and advance
        spectral normalization's power iteration.

    Returns:
      float32 [B] logits when num_outputs == 1, else float32 [B, num_outputs].
    """
    normalized = lambda layer: spectral_normalized(layer, self.spectral_norm, update_stats=train)
    h = x
    for width in self.features:
      h = normalized(Conv(width, _KERNEL, strides=(2, 2), padding="SAME"))(h)
      h = nn.leaky_relu(h, self.negative_slope)
      h = nn.Dropout(self.dropout_rate, deterministic=not train)(h)
    h = h.reshape((x.shape[0], -1))
    self.sow("intermediates", "features", h)
    if self.minibatch_kernels > 0:
      h = MinibatchDiscrimination(self.minibatch_kernels, self.minibatch_kernel_dim)(h)
    out = normalized(nn.Dense(self.num_outputs))(h)
    return out[:, 0] if self.num_outputs == 1 else out
