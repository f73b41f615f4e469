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
  and multiplied by the kernel as a [taps * C_in, C_out] matrix. The input is
  first cut into its stride phases (space-to-depth), so that every window is
  a contiguous slice of one phase. Gradients: two matrix products and, for
  the input, each phase's shifted windows summed (col2im).
* col2im, for input dilation d (a transposed convolution): the product of
  every input position with every tap, x @ W as [C_in, taps * C_out], is
  added into the output phase each tap writes to, shifted, and the d^n
  phases are interleaved (depth-to-space). Exactly the taps that touch data
  are multiplied, none of the zeros a dilated input holds (Dumoulin & Visin,
  2016, Sec. 4; the same computation as a sub-pixel convolution, Shi et al.,
  2016). Gradients: a strided im2col.

How the taps are cut apart matters as much as the products: differentiating
`cols[..., i, :]` or a strided slice gives one zero-padded copy of the whole
array per tap, all summed, and XLA fuses that into a loop that reads 25
padded operands per element (a quarter of the DCGAN step). `lax.split`
differentiates into one concatenation and contiguous slices of a phase into
shifted copies of that phase only: the DCGAN step went from 3.1 to 3.7-3.9
steps/s (`benchmarks/steps.py`, same hour).

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
import numpy as np
from jax import lax


def _pairs(padding, in_shape, kernel_shape, strides):
  """Explicit (lo, hi) pads per spatial axis of a padding string or sequence."""
  if isinstance(padding, str):
    return lax.padtype_to_pads(in_shape, kernel_shape, strides, padding)
  return [tuple(p) for p in padding]


def _split(x, axis: int) -> list[jax.Array]:
  """The slices of `x` along `axis`, that axis dropped: `lax.split`, whose gradient is one concatenation.

  (Indexing `x[..., i, :]` once per slice would be differentiated into one
  zero-padded copy of the whole of `x` per slice, all summed: for the
  DCGAN's 25 taps, 25 conditional reads per element, a fifth of the step.)
  """
  return [jnp.squeeze(part, axis) for part in lax.split(x, (1,) * x.shape[axis], axis=axis)]


def _im2col_conv(x, kernel, strides, pads):
  """Stride-s, undilated NH..C x H..IO convolution as one matrix product (im2col).

  Tap t = a * s + r of the kernel reads input positions s * (a + o) + r, i.e.
  the contiguous window [a, a + out) of the input's phase r (its positions
  r, r + s, r + 2s, ...). So the padded input is cut into its s^n phases once
  (a reshape, a transpose, a split) and every window is a contiguous slice of
  one phase: the windows' gradients are then shifted copies of a phase, not
  zero-interleaved copies of the whole input.
  """
  spatial, n, batch, c_in = kernel.shape[:-2], len(strides), x.shape[0], x.shape[-1]
  padded = [m + lo + hi for m, (lo, hi) in zip(x.shape[1:-1], pads)]
  out = [(p - k) // s + 1 for p, k, s in zip(padded, spatial, strides)]
  if any(o < 1 for o in out):
    raise ValueError(f"convolution of a {tuple(padded)} padded input with a {spatial} kernel is empty")
  if all(k == 1 for k in spatial) and all(s == 1 for s in strides):
    patches = x
  else:
    length = [(k - 1) // s + o for k, s, o in zip(spatial, strides, out)]  # Positions per phase that taps read.
    config = [(lo, j * s - m - lo, 0) for m, (lo, _), j, s in zip(x.shape[1:-1], pads, length, strides)]
    x = lax.pad(x, jnp.zeros((), x.dtype), [(0, 0, 0), *config, (0, 0, 0)])  # Crops what no tap reads.
    x = x.reshape(batch, *itertools.chain(*zip(length, strides)), c_in)
    x = x.transpose(0, *range(2, 2 * n + 1, 2), *range(1, 2 * n, 2), 2 * n + 1)  # [N, s.., length.., C]
    phases = _split(x.reshape(batch, -1, *length, c_in), 1)  # Row-major over the phase r.
    windows = []
    for taps in itertools.product(*[range(k) for k in spatial]):
      phase = phases[int(np.ravel_multi_index([t % s for t, s in zip(taps, strides)], strides))]
      start = [t // s for t, s in zip(taps, strides)]
      windows.append(lax.slice(phase, (0, *start, 0), (batch, *[a + o for a, o in zip(start, out)], c_in)))
    patches = jnp.concatenate(windows, axis=-1)  # Channel index = tap * C_in + c, the kernel's row order.
  y = jnp.dot(patches.reshape(-1, patches.shape[-1]), kernel.reshape(-1, kernel.shape[-1]))
  return y.reshape(batch, *out, kernel.shape[-1])


def _col2im_dilated_conv(x, kernel, dilation, pads):
  """Input-dilated convolution as one matrix product followed by col2im (the taps' outputs added in place).

  y[o] = sum_t kernel[t] x[p] over o = d * p + lo - t. Output phase r (the
  positions o = d * q + r) receives exactly the taps t = lo - r (mod d), each
  an integer shift of that tap's products: y[d * q + r] = sum_t cols_t[q + e],
  e = (r - lo + t) / d. So each phase is a sum of shifted [N, in.., C_out]
  products, and the phases are interleaved once (depth-to-space) at the end;
  nothing is computed for the zeros an input dilation inserts.
  """
  spatial, (c_in, c_out) = kernel.shape[:-2], kernel.shape[-2:]
  n, batch, in_shape = len(spatial), x.shape[0], x.shape[1:-1]
  out = [(m - 1) * d + 1 + lo + hi - k + 1 for m, d, (lo, hi), k in zip(in_shape, dilation, pads, spatial)]
  per_phase = [-(-o // d) for o, d in zip(out, dilation)]  # Positions per output phase (the last ones cut below).
  w = jnp.moveaxis(kernel, n, 0).reshape(c_in, -1)  # [C_in, taps * C_out]
  cols = _split(jnp.dot(x.reshape(-1, c_in), w).reshape(batch, *in_shape, -1, c_out), n + 1)
  taps = list(itertools.product(*[range(k) for k in spatial]))
  phases = []
  for r in itertools.product(*[range(d) for d in dilation]):
    y = jnp.zeros((batch, *per_phase, c_out), x.dtype)  # Stays zero where a phase has no tap (kernel < stride).
    for i, t in enumerate(taps):
      if all((lo - ri - ti) % d == 0 for (lo, _), ri, ti, d in zip(pads, r, t, dilation)):
        shift = [(ri - lo + ti) // d for (lo, _), ri, ti, d in zip(pads, r, t, dilation)]
        config = [(-e, q - m + e, 0) for e, q, m in zip(shift, per_phase, in_shape)]
        y = y + lax.pad(cols[i], jnp.zeros((), x.dtype), [(0, 0, 0), *config, (0, 0, 0)])
    phases.append(y)
  y = jnp.stack(phases, axis=n + 1).reshape(batch, *per_phase, *dilation, c_out)
  y = y.transpose(0, *itertools.chain(*[(1 + j, 1 + n + j) for j in range(n)]), 2 * n + 1)
  y = y.reshape(batch, *[q * d for q, d in zip(per_phase, dilation)], c_out)
  return y[(slice(None), *[slice(0, o) for o in out])]


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
