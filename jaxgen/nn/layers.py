"""Layers shared by several critics.

References:
  Salimans et al. (2016), "Improved Techniques for Training GANs", Sec. 3.2
  (minibatch discrimination).
"""

import functools

import flax.linen as nn
import jax
import jax.numpy as jnp


class MinibatchDiscrimination(nn.Module):
  r"""Appends to each example's features how close it is to the rest of the batch.

  Salimans et al. (2016, Sec. 3.2): with a learned tensor
  T in R^{A x (K * D)} (no bias), each row x_i of the batch becomes a matrix
  M_i = reshape(x_i T) in R^{K x D}; for each of the K kernels b,

  .. math::
    c_b(x_i, x_j) = \exp(-\|M_{i,b} - M_{j,b}\|_{L_1}), \qquad
    o(x_i)_b = \sum_{j \ne i} c_b(x_i, x_j).

  The self-term j = i (always exp(0) = 1) is *excluded* from the sum, so a
  lone example gets o = 0. The output is concat([x, o], -1). A critic with
  this layer scores each example depending on the rest of the batch, which
  lets it detect collapsed (too similar) batches; it must therefore not be
  combined with per-example penalties such as WGAN-GP's.

  `T` is the parameter "kernel", initialised from N(0, 0.05^2) as in the
  authors' code (openai/improved-gan). Memory is O(B^2 K D).

  Attributes:
    num_kernels: K, the number of kernels (output features added).
    kernel_dim: D, the dimension of each kernel's projection.

  Example:
    >>> layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)
    >>> x = jnp.ones((4, 5))
    >>> out, _ = layer.init_with_output(jax.random.key(0), x)
    >>> out.shape
    (4, 8)
    >>> [float(v) for v in out[0, 5:]]  # identical rows: c = 1 for each of the 3 others
    [3.0, 3.0, 3.0]
  """

  num_kernels: int
  kernel_dim: int

  @nn.compact
  def __call__(self, x: jax.Array) -> jax.Array:
    """Args:
      x: float32 [B, A] features of a batch.

    Returns:
      float32 [B, A + num_kernels]: x followed by o(x) (each entry in [0, B - 1]).

    Raises:
      ValueError: if x is not 2-D or num_kernels / kernel_dim are not positive.
    """
    if x.ndim != 2:
      raise ValueError(f"MinibatchDiscrimination expects x of shape [B, A], got {x.shape}; "
                       "flatten the features first.")
    if self.num_kernels < 1 or self.kernel_dim < 1:
      raise ValueError(f"num_kernels and kernel_dim must be >= 1, got {self.num_kernels} and "
                       f"{self.kernel_dim}.")
    t = self.param("kernel", nn.initializers.normal(0.05),
                   (x.shape[-1], self.num_kernels * self.kernel_dim), jnp.float32)
    m = (x @ t).reshape((x.shape[0], self.num_kernels, self.kernel_dim))  # [B, K, D]
    l1 = jnp.sum(jnp.abs(m[:, None] - m[None, :]), axis=-1)  # [B, B, K]
    not_self = 1.0 - jnp.eye(x.shape[0], dtype=m.dtype)  # [B, B]
    o = jnp.sum(jnp.exp(-l1) * not_self[:, :, None], axis=1)  # [B, K]
    return jnp.concatenate([x, o.astype(x.dtype)], axis=-1)


def check_critic_settings(name: str, num_outputs: int, minibatch_kernels: int) -> None:
  """The settings every critic shares: at least one output, minibatch discrimination off (0) or on.

  Raises:
    ValueError: num_outputs < 1 or minibatch_kernels < 0, naming the critic class `name`.
  """
  if num_outputs < 1:
    raise ValueError(f"{name}: num_outputs must be >= 1, got {num_outputs}.")
  if minibatch_kernels < 0:
    raise ValueError(f"{name}: minibatch_kernels must be >= 0 (0 = off), got {minibatch_kernels}.")



def spectral_normalized(layer: nn.Module, spectral_norm: bool, update_stats: bool):
  """`layer` itself, or `layer` with its weights divided by their largest singular value (`spectral_norm`).

  Spectral normalization, Miyato et al. (2018), "Spectral Normalization for
  Generative Adversarial Networks", Algorithm 1: sigma(W) is estimated by
  one power-iteration step per call from a vector u kept in the
  "batch_stats" collection (flax's `nn.SpectralNorm`; a kernel of any rank
  is read as a matrix [fan_in, out], the reshape of Miyato et al., Sec. 3.1);
  biases are left as they are. The layer's parameters keep their names.

  Args:
    layer: a flax layer with a kernel (`nn.Dense`, `jaxgen.nn.conv.Conv`).
    spectral_norm: whether to normalize.
    update_stats: advance u (and the stored sigma) by one power-iteration
      step; the call then needs `mutable=["batch_stats"]`.

  Returns:
    A callable x -> layer output.
  """
  if not spectral_norm:
    return layer
  return functools.partial(nn.SpectralNorm(layer), update_stats=update_stats)
