r"""Convolutions as matrix products: flax's layers and numbers, at XLA:CPU's matrix-product speed.

XLA:CPU runs a convolution's forward pass well, but two of the convolutions
that training needs fall off its fast path (2-core CPU, jax 0.10.2, batch 64;
`benchmarks/steps.py` has the profile):

* the kernel gradient, a convolution contracting over the batch: 75 ms
  forward+backward for a 3x3 convolution 7x7x128 -> 256 called directly, but
  1,670 ms per iteration inside a `lax.scan` (any while loop: the engine's
  K-step loop, the critic iterations, an unrolled GAN's lookahead);
* a convolution with input dilation (`lax.conv_transpose`, and the input
  gradient of a strided convolution): the DCGAN generator's two
  `ConvTranspose` layers take 18 ms forward but 335 ms forward+backward.

Both are known upstream (jax-ml/jax issues 23783, 12868, 31662). Here every
convolution is written as what XLA:CPU runs well in and out of loops, one
matrix product and data movement around it:

* im2col (strided or not): the k_h * k_w shifted, strided windows of the
  padded input are concatenated on the channel axis ([N, H', W', taps * C_in])
  and multiplied by the kernel as a [taps * C_in, C_out] matrix. Gradients:
  two matrix products and pads of the windows (col2im).
* col2im, for input dilation d (a transposed convolution): the product of
  every input position with every tap, x @ W as [C_in, taps * C_out], is
  placed at output o = d * p + pad_lo - t (interior padding d - 1) and summed.
  Exactly the taps that touch data are multiplied, none of the zeros a
  dilated input holds (Dumoulin & Visin, 2016, Sec. 4; the same computation
  as a sub-pixel convolution, Shi et al., 2016). Gradients: a strided im2col.

Only how the sums are ordered differs: `Conv` and `ConvTranspose` are drop-in
replacements of `flax.linen.Conv` and `flax.linen.ConvTranspose` with the
same parameter names, shapes and initialisers (the same key gives the same
parameters; checkpoints are interchangeable), and tests check outputs and
gradients against flax's to 1e-5. On other backends (GPU, TPU) and for
layouts, groups or dilations not listed, `conv_general_dilated` is
`lax.conv_general_dilated`: cuDNN and the TPU's convolution units do better.
"""

import functools
import itertools
from typing import Sequence

import flax.linen as nn
import jax
import jax.numpy as jnp
from jax import lax


def _pairs(padding, in_shape, kernel_shape, strides):
  """Explicit (lo, hi) pads per spatial axis of a padding string or sequence."""
  if isinstance(padding, str):
    return lax.padtype_to_pads(in_shape, kernel_shape, strides, padding)
  return [tuple(p) for p in padding]


def _im2col_conv(x, kernel, strides, pads):
  """Stride-s, undilated NH..C x H..IO convolution as one matrix product (im2col)."""
  spatial = kernel.shape[:-2]
  x = lax.pad(x, jnp.zeros((), x.dtype), [(0, 0, 0), *[(lo, hi, 0) for lo, hi in pads], (0, 0, 0)])
  out = [(n - k) // s + 1 for n, k, s in zip(x.shape[1:-1], spatial, strides)]
  if any(o < 1 for o in out):
    raise ValueError(f"convolution of a {x.shape[1:-1]} padded input with a {spatial} kernel is empty")
  if all(k == 1 for k in spatial) and all(s == 1 for s in strides):
    patches = x
  else:
    windows = [
        lax.slice(x, (0, *start, 0), (x.shape[0], *[t + (o - 1) * s + 1 for t, o, s in zip(start, out, strides)],
                                      x.shape[-1]), (1, *strides, 1))
        for start in itertools.product(*[range(k) for k in spatial])]
    patches = jnp.concatenate(windows, axis=-1)  # Channel index = tap * C_in + c, the kernel's row order.
  y = jnp.dot(patches.reshape(-1, patches.shape[-1]), kernel.reshape(-1, kernel.shape[-1]))
  return y.reshape(x.shape[0], *out, kernel.shape[-1])


def _col2im_dilated_conv(x, kernel, dilation, pads):
  """Input-dilated convolution as one matrix product followed by col2im (the taps' outputs added in place).

  y[o] = sum_t kernel[t] x[p] over o = d * p + lo - t: every input position's
  product with every tap, [N, in.., taps, C_out], is placed with interior
  padding d - 1 at offset lo - t and summed.
  """
  spatial, (c_in, c_out) = kernel.shape[:-2], kernel.shape[-2:]
  n = len(spatial)
  in_shape = x.shape[1:-1]
  out = [(m - 1) * d + 1 + lo + hi - k + 1 for m, d, (lo, hi), k in zip(in_shape, dilation, pads, spatial)]
  w = jnp.moveaxis(kernel, n, 0).reshape(c_in, -1)  # [C_in, taps * C_out]
  cols = jnp.dot(x.reshape(-1, c_in), w).reshape(x.shape[0], *in_shape, -1, c_out)
  y = None
  for i, taps in enumerate(itertools.product(*[range(k) for k in spatial])):
    config = [(0, 0, 0)]
    for m, d, (lo, _), t, o in zip(in_shape, dilation, pads, taps, out):
      config.append((lo - t, o - ((m - 1) * d + 1) - (lo - t), d - 1))
    config.append((0, 0, 0))
    placed = lax.pad(cols[..., i, :], jnp.zeros((), x.dtype), config)
    y = placed if y is None else y + placed
  return y


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, batch_group_count=1, precision=None,
                         preferred_element_type=None):
  """`lax.conv_general_dilated`, computed as matrix products on XLA:CPU.

  Same signature and result as `jax.lax.conv_general_dilated` (so it can be
  passed as `flax.linen.Conv(conv_general_dilated=...)`). On a CPU, for
  channels-last inputs (N, spatial..., C) and kernels (spatial..., I, O),
  undilated kernels, no feature or batch groups, and either strides or an
  input dilation (not both), it is one matrix product with im2col before it,
  or col2im after it for an input dilation (module docstring). Everything else, and every other backend, goes to
  `lax.conv_general_dilated`.

  Args:
    lhs: float [N, spatial..., C_in] inputs (channels-last).
    rhs: float [spatial..., C_in, C_out] kernel.
    window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
      feature_group_count, batch_group_count, precision,
      preferred_element_type: as for `lax.conv_general_dilated`.

  Returns:
    float [N, out spatial..., C_out], equal to `lax.conv_general_dilated`'s
    up to floating-point summation order.
  """
  n = lhs.ndim - 2
  strides = tuple(window_strides)
  lhs_dilation = tuple(lhs_dilation or (1,) * n)
  rhs_dilation = tuple(rhs_dilation or (1,) * n)
  channels_last = lax.conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers) == _channels_last(n)
  dilated, strided = any(d != 1 for d in lhs_dilation), any(s != 1 for s in strides)
  if (jax.default_backend() != "cpu" or not channels_last or any(d != 1 for d in rhs_dilation)
      or feature_group_count != 1 or batch_group_count != 1 or (dilated and strided)):
    return lax.conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                                    dimension_numbers, feature_group_count, batch_group_count, precision,
                                    preferred_element_type)
  dtype = preferred_element_type or jnp.result_type(lhs, rhs)
  dilated_shape = [(s - 1) * d + 1 for s, d in zip(lhs.shape[1:-1], lhs_dilation)]
  pads = tuple(tuple(p) for p in _pairs(padding, dilated_shape, rhs.shape[:-2], strides))
  return _gemm_conv(lhs.astype(dtype), rhs.astype(dtype), strides, pads, lhs_dilation)


# Jitted so that a convolution called outside jit (a module's init) is one program, not dozens of small ones.
@functools.partial(jax.jit, static_argnums=(2, 3, 4))
def _gemm_conv(x, kernel, strides, pads, lhs_dilation):
  if any(d != 1 for d in lhs_dilation):
    return _col2im_dilated_conv(x, kernel, lhs_dilation, pads)
  return _im2col_conv(x, kernel, strides, pads)


def _channels_last(n: int) -> lax.ConvDimensionNumbers:
  """Dimension numbers of (N, spatial..., C) inputs and outputs and (spatial..., I, O) kernels."""
  spatial = tuple(range(1, n + 1))
  return lax.ConvDimensionNumbers((0, n + 1, *spatial), (n + 1, n, *range(n)), (0, n + 1, *spatial))


def transpose_padding(k: int, s: int, padding: str) -> tuple[int, int]:
  """The (lo, hi) pads of the dilated input that `lax.conv_transpose` uses for a padding string.

  "SAME" makes the output `s` times the input; "VALID" gives (n - 1) * s + k.
  The rule of `jax.lax.conv_transpose` (jax/_src/lax/convolution.py,
  `_conv_transpose_padding`), repeated because it is private there; a test
  compares the layers' outputs with flax's.
  """
  if padding == "SAME":
    total = k + s - 2
    lo = k - 1 if s > k - 1 else -(-total // 2)
  elif padding == "VALID":
    total, lo = k + s - 2 + max(k - s, 0), k - 1
  else:
    raise ValueError(f"padding must be 'SAME', 'VALID' or explicit (lo, hi) pairs, got {padding!r}")
  return lo, total - lo


Conv = functools.partial(nn.Conv, conv_general_dilated=conv_general_dilated)
Conv.__doc__ = "`flax.linen.Conv` computed by `conv_general_dilated` (matrix products on XLA:CPU)."


class ConvTranspose(nn.Module):
  """`flax.linen.ConvTranspose` (transpose_kernel=False) computed by `conv_general_dilated`.

  The same parameters ("kernel" [k.., C_in, features], "bias" [features]),
  initialisers and output as flax's `ConvTranspose` for string or explicit
  padding: y = conv(x dilated by `strides`, kernel, pads of
  `lax.conv_transpose`). On XLA:CPU it runs as one matrix product and col2im
  (module docstring).

  Attributes:
    features: output channels.
    kernel_size: spatial kernel shape, e.g. (5, 5) or (4,).
    strides: the upsampling factor per axis (default 1).
    padding: "SAME", "VALID" or explicit (lo, hi) pairs, as flax's.
    use_bias: add a bias.

  Example:
    >>> layer = ConvTranspose(4, (5, 5), strides=(2, 2))
    >>> y, _ = layer.init_with_output(jax.random.key(0), jnp.ones((1, 7, 7, 8)))
    >>> y.shape
    (1, 14, 14, 4)
  """

  features: int
  kernel_size: Sequence[int]
  strides: Sequence[int] | None = None
  padding: str | Sequence[tuple[int, int]] = "SAME"
  use_bias: bool = True
  kernel_init: nn.initializers.Initializer = nn.linear.default_kernel_init
  bias_init: nn.initializers.Initializer = nn.initializers.zeros_init()

  @nn.compact
  def __call__(self, inputs: jax.Array) -> jax.Array:
    """Args: inputs float32 [N, spatial..., C_in]. Returns float32 [N, upsampled spatial..., features]."""
    kernel_size = tuple(self.kernel_size)
    strides = tuple(self.strides or (1,) * len(kernel_size))
    kernel = self.param("kernel", self.kernel_init, (*kernel_size, inputs.shape[-1], self.features))
    if isinstance(self.padding, str):
      pads = [transpose_padding(k, s, self.padding) for k, s in zip(kernel_size, strides)]
    else:
      pads = [tuple(p) for p in self.padding]
    y = conv_general_dilated(inputs, kernel, (1,) * len(kernel_size), pads, lhs_dilation=strides,
                             dimension_numbers=_channels_last(len(kernel_size)))
    if self.use_bias:
      y = y + self.param("bias", self.bias_init, (self.features,))
    return y
