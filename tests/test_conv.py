"""jaxgen.nn.conv: flax's convolutions, computed as matrix products, give flax's numbers."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen.nn import conv

# (input spatial shape, kernel, stride, padding, C_in, C_out): the DCGAN's layers, the conv VAE's and the
# drum model's 1-D ones, and odd cases (VALID, stride 3, uneven explicit pads).
CASES = [
    ((7, 7), 5, 2, "SAME", 16, 8),
    ((14, 14), 5, 2, "SAME", 8, 3),
    ((7, 7), 4, 2, "SAME", 4, 4),
    ((16,), 4, 2, "SAME", 9, 4),
    ((5, 9), 3, 3, "VALID", 3, 4),
    ((7, 7), 3, 1, ((1, 2), (0, 1)), 3, 4),
    ((6, 5), 1, 2, "SAME", 3, 2),  # Kernel smaller than the stride: phases without taps.
    ((9, 8), 4, 3, ((2, 0), (1, 3)), 2, 3),
]


def _loss_and_grads(module, params, x):
  return jax.jit(jax.value_and_grad(lambda p, x: jnp.sum(jnp.sin(module.apply(p, x))), argnums=(0, 1)))(params, x)


def _assert_close(ours, flax_ones):
  for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(flax_ones)):
    np.testing.assert_allclose(a, b, atol=1e-5 * max(1.0, float(jnp.abs(b).max())), rtol=0)


@pytest.mark.parametrize("transpose", [False, True], ids=["Conv", "ConvTranspose"])
@pytest.mark.parametrize("shape,k,stride,padding,c_in,c_out", CASES)
def test_same_parameters_outputs_and_gradients_as_flax(transpose, shape, k, stride, padding, c_in, c_out):
  ours_cls, flax_cls = (conv.ConvTranspose, nn.ConvTranspose) if transpose else (conv.Conv, nn.Conv)
  kwargs = dict(kernel_size=(k,) * len(shape), strides=(stride,) * len(shape), padding=padding)
  ours, theirs = ours_cls(c_out, **kwargs), flax_cls(c_out, **kwargs)
  x = jax.random.normal(jax.random.key(1), (3, *shape, c_in))
  params = theirs.init(jax.random.key(0), x)
  assert jax.tree.all(jax.tree.map(jnp.array_equal, ours.init(jax.random.key(0), x), params))
  y = theirs.apply(params, x)
  assert ours.apply(params, x).shape == y.shape
  _assert_close(ours.apply(params, x), y)
  _assert_close(_loss_and_grads(ours, params, x), _loss_and_grads(theirs, params, x))


def test_kernel_gradient_inside_a_scan_equals_the_direct_one():
  # The engine scans K steps; the matrix-product form must give the same gradient there as called directly.
  layer = conv.ConvTranspose(4, (5, 5), strides=(2, 2))
  x = jax.random.normal(jax.random.key(1), (2, 7, 7, 8))
  params = layer.init(jax.random.key(0), x)
  grad = jax.grad(lambda p, x: jnp.sum(layer.apply(p, x) ** 2))
  direct = jax.jit(grad)(params, x)
  scanned = jax.jit(lambda p, x: jax.lax.scan(lambda c, _: (c, grad(p, x)), 0, length=2)[1])(params, x)
  _assert_close(jax.tree.map(lambda g: g[1], scanned), direct)


def test_other_layouts_and_groups_are_lax_conv():
  x = jax.random.normal(jax.random.key(0), (2, 4, 9, 9))  # NCHW
  w = jax.random.normal(jax.random.key(1), (6, 2, 3, 3))  # OIHW, 2 groups
  args = ((1, 1), "SAME")
  ours = conv.conv_general_dilated(x, w, *args, feature_group_count=2)
  np.testing.assert_array_equal(ours, jax.lax.conv_general_dilated(x, w, *args, feature_group_count=2))


def test_transpose_padding_rejects_unknown_string():
  with pytest.raises(ValueError, match="SAME"):
    conv.transpose_padding(5, 2, "FULL")
