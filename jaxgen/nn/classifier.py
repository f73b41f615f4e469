"""A small convolutional MNIST classifier, the feature extractor of jaxgen's metrics.

Generated digits are scored in the space of a classifier trained on real
digits: its predicted class labels the Stacked MNIST modes (Metz et al., 2017,
Sec. 3.3; Srivastava et al., 2017, Sec. 5.2), and its penultimate activations
are the features of the Fréchet distance (the role Inception plays in FID,
Heusel et al., 2017) and of precision/recall (Kynkäänniemi et al., 2019).

The architecture is the classic LeNet-like Keras/Flax MNIST example (there
with 32 and 64 channels), narrowed to 16 and 32 channels to train in seconds
on a CPU: Conv(3x3)-ReLU-MaxPool(2) twice, Dense(128)-ReLU (the features),
Dense to the 10 logits. No normalisation layers: the module has
parameters only, and an example's output does not depend on the
rest of the batch. Dropout (Srivastava et al., 2014) on the features is
applied only when `train=True`.
"""

import flax.linen as nn
import jax.numpy as jnp

from jaxgen.nn.conv import Conv


def _max_pool_2x2(h: jnp.ndarray) -> jnp.ndarray:
  """`nn.max_pool(h, (2, 2), strides=(2, 2))` for even H, W, as reshape + max.

  Same values; its gradient avoids XLA:CPU's select-and-scatter, which makes
  a training step of this network about 2x slower on a CPU.
  """
  b, height, width, c = h.shape
  return h.reshape((b, height // 2, 2, width // 2, 2, c)).max(axis=(2, 4))


class MNISTClassifier(nn.Module):
  """Digit classifier with a documented penultimate feature layer.

  `__call__` returns logits and also sows the penultimate features into the
  "intermediates" collection (as `("features",)`); to get the features alone,
  call `model.apply(params, x, method=MNISTClassifier.features)`.

  Attributes:
    channels: output channels of the two 3x3 convolutions.
    feature_dim: D, width of the penultimate (feature) layer.
    num_classes: number of logits.
    dropout_rate: dropout probability on the features during training.

  Example:
    >>> import jax
    >>> model = MNISTClassifier()
    >>> x = jnp.zeros((2, 28, 28, 1))
    >>> params = model.init(jax.random.key(0), x)
    >>> model.apply(params, x).shape, model.apply(params, x, method=MNISTClassifier.features).shape
    ((2, 10), (2, 128))
  """

  channels: tuple[int, int] = (16, 32)
  feature_dim: int = 128
  num_classes: int = 10
  dropout_rate: float = 0.0

  def setup(self):
    self.conv1 = Conv(self.channels[0], (3, 3))
    self.conv2 = Conv(self.channels[1], (3, 3))
    self.hidden = nn.Dense(self.feature_dim)
    self.head = nn.Dense(self.num_classes)
    self.dropout = nn.Dropout(self.dropout_rate)

  def features(self, x: jnp.ndarray) -> jnp.ndarray:
    """Penultimate activations (after ReLU, so >= 0).

    Args:
      x: float32 [B, 28, 28, 1] images in [-1, 1].

    Returns:
      float32 [B, feature_dim].
    """
    h = _max_pool_2x2(nn.relu(self.conv1(x)))  # [B, 14, 14, channels[0]]
    h = _max_pool_2x2(nn.relu(self.conv2(h)))  # [B, 7, 7, channels[1]]
    return nn.relu(self.hidden(h.reshape((x.shape[0], -1))))

  def __call__(self, x: jnp.ndarray, train: bool = False) -> jnp.ndarray:
    """Class logits; sows the features as `intermediates/features`.

    Args:
      x: float32 [B, 28, 28, 1] images in [-1, 1].
      train: apply dropout (then pass `rngs={"dropout": key}` to `apply`).

    Returns:
      float32 [B, num_classes] unnormalised log-probabilities.
    """
    h = self.features(x)
    self.sow("intermediates", "features", h)
    return self.head(self.dropout(h, deterministic=not train))


class DrumStyleClassifier(nn.Module):
  """Style classifier of one-bar drum patterns: an MLP on the flattened [16, 9] grid.

  The patterns of `jaxgen.data.drums` are bar-aligned, so a style is a set of
  (step, instrument) cells; a fully connected layer sees them by position,
  which a translation-invariant convolution over time would have to relearn.
  Dense(hidden)-ReLU per hidden width, then Dense to the logits.

  Attributes:
    hidden: widths of the hidden layers.
    num_classes: number of logits (5 styles).

  Example:
    >>> import jax
    >>> model = DrumStyleClassifier()
    >>> x = -jnp.ones((3, 16, 9))
    >>> model.apply(model.init(jax.random.key(0), x), x).shape
    (3, 5)
  """

  hidden: tuple[int, ...] = (128,)
  num_classes: int = 5

  @nn.compact
  def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
    """Style logits.

    Args:
      x: float32 [B, 16, 9] patterns with off -1, on +1.

    Returns:
      float32 [B, num_classes] unnormalised log-probabilities.
    """
    h = x.reshape((x.shape[0], -1))
    for width in self.hidden:
      h = nn.relu(nn.Dense(width)(h))
    return nn.Dense(self.num_classes)(h)
