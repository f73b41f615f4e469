"""Shapes, hand-computed values and batch (in)dependence of the `jaxgen.nn` modules."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen.nn import (DCGANCritic, DCGANGenerator, MinibatchDiscrimination, MLPCritic,
                       MLPGenerator)

KEY = jax.random.key(0)


def _normal(seed, shape, scale=1.0):
  return scale * jax.random.normal(jax.random.key(seed), shape)


# ----------------------------------------------------------------------------- MLP


@pytest.mark.parametrize("channels", [1, 3])
def test_mlp_generator_shape_dtype_range(channels):
  g = MLPGenerator(output_shape=(28, 28, channels), widths=(16, 32))
  z = _normal(1, (5, 8))
  params = g.init(KEY, z)["params"]
  x = g.apply({"params": params}, z, train=True)
  assert x.shape == (5, 28, 28, channels) and x.dtype == jnp.float32
  assert float(jnp.max(jnp.abs(x))) <= 1.0
  np.testing.assert_array_equal(x, g.apply({"params": params}, z))  # `train` has no effect


def test_mlp_generator_linear_output_is_not_squashed():
  z = _normal(1, (64, 4), scale=10.0)
  linear = MLPGenerator(output_shape=(2,), widths=(32,), output_activation="linear")
  tanh = MLPGenerator(output_shape=(2,), widths=(32,), output_activation="tanh")
  params = linear.init(KEY, z)["params"]  # same parameter tree for both
  x_linear = linear.apply({"params": params}, z)
  x_tanh = tanh.apply({"params": params}, z)
  assert x_linear.shape == x_tanh.shape == (64, 2)
  assert float(jnp.max(jnp.abs(x_linear))) > 1.0
  assert float(jnp.max(jnp.abs(x_tanh))) <= 1.0
  np.testing.assert_allclose(x_tanh, jnp.tanh(x_linear), rtol=1e-5, atol=1e-6)


def test_mlp_generator_rejects_unknown_activation():
  with pytest.raises(ValueError, match="output_activation"):
    MLPGenerator(output_activation="sigmoid")


@pytest.mark.parametrize("num_outputs,expected", [(1, (6,)), (3, (6, 3))])
@pytest.mark.parametrize("channels", [1, 3])
def test_mlp_critic_shapes(num_outputs, expected, channels):
  critic = MLPCritic(widths=(16, 8), num_outputs=num_outputs)
  x = _normal(2, (6, 28, 28, channels))
  params = critic.init(KEY, x)["params"]
  assert "intermediates" not in critic.init(KEY, x)
  out = critic.apply({"params": params}, x)
  assert out.shape == expected and out.dtype == jnp.float32
  assert params["Dense_0"]["kernel"].shape == (28 * 28 * channels, 16)


def test_mlp_critic_sows_last_hidden_features():
  critic = MLPCritic(widths=(16, 8), minibatch_kernels=4, minibatch_kernel_dim=3)
  x = _normal(3, (5, 2))
  params = critic.init(KEY, x)["params"]
  out, state = critic.apply({"params": params}, x, mutable=["intermediates"])
  (features,) = state["intermediates"]["features"]
  assert features.shape == (5, 8)
  # They are the second hidden layer's LeakyReLU output, computed here by hand.
  h = x
  for name in ("Dense_0", "Dense_1"):
    h = nn.leaky_relu(h @ params[name]["kernel"] + params[name]["bias"], 0.2)
  np.testing.assert_allclose(features, h, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(out, critic.apply({"params": params}, x), rtol=1e-6)


def test_mlp_critic_scores_examples_independently_without_minibatch_discrimination():
  x = _normal(4, (6, 10))
  plain = MLPCritic(widths=(16, 8))
  params = plain.init(KEY, x)["params"]
  full = plain.apply({"params": params}, x)
  alone = jnp.stack([plain.apply({"params": params}, x[i:i + 1])[0] for i in range(6)])
  np.testing.assert_allclose(full, alone, rtol=1e-5, atol=1e-6)
  other_batch = x.at[1:].set(_normal(5, (5, 10)))
  np.testing.assert_allclose(plain.apply({"params": params}, other_batch)[0], full[0], rtol=1e-5,
                             atol=1e-6)


def test_mlp_critic_with_minibatch_discrimination_depends_on_batch():
  x = _normal(4, (6, 10))
  mbd = MLPCritic(widths=(16, 8), minibatch_kernels=8, minibatch_kernel_dim=3)
  params = mbd.init(KEY, x)["params"]
  assert params["MinibatchDiscrimination_0"]["kernel"].shape == (8, 8 * 3)
  full = mbd.apply({"params": params}, x)
  alone = mbd.apply({"params": params}, x[:1])
  duplicated = mbd.apply({"params": params}, jnp.concatenate([x[:1]] * 6))
  assert abs(float(full[0] - alone[0])) > 1e-4
  assert abs(float(duplicated[0] - full[0])) > 1e-4


# ------------------------------------------------------------- MinibatchDiscrimination


def test_minibatch_discrimination_by_hand():
  """B = 3, A = 2, K = 2 kernels of dimension D = 2, T chosen by hand, loops in numpy."""
  x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 2.0]], np.float32)
  t = np.array([[1.0, 0.0, 0.5, -1.0],
                [0.0, 2.0, 0.5, 1.0]], np.float32)  # [A, K * D]
  layer = MinibatchDiscrimination(num_kernels=2, kernel_dim=2)
  out = layer.apply({"params": {"kernel": jnp.asarray(t)}}, jnp.asarray(x))

  m = (x @ t).reshape(3, 2, 2)
  expected = np.zeros((3, 2))
  for i in range(3):
    for b in range(2):
      expected[i, b] = sum(np.exp(-np.abs(m[i, b] - m[j, b]).sum()) for j in range(3) if j != i)
  # Spot-check one entry fully by hand: M_0 = [[1, 0], [.5, -1]], M_1 = [[0, 2], [.5, 1]],
  # M_2 = [[1, 4], [1.5, 1]]; kernel 0 of example 0: exp(-(1 + 2)) + exp(-(0 + 4)).
  assert expected[0, 0] == pytest.approx(np.exp(-3.0) + np.exp(-4.0))
  assert out.shape == (3, 4) and out.dtype == jnp.float32
  np.testing.assert_allclose(out[:, :2], x)
  np.testing.assert_allclose(out[:, 2:], expected, rtol=1e-5)


def test_minibatch_discrimination_excludes_self_and_rejects_bad_input():
  layer = MinibatchDiscrimination(num_kernels=3, kernel_dim=2)
  x = _normal(6, (1, 4))
  params = layer.init(KEY, x)["params"]
  np.testing.assert_array_equal(layer.apply({"params": params}, x)[:, 4:], 0.0)  # no other example
  with pytest.raises(ValueError, match="flatten"):
    layer.apply({"params": params}, jnp.zeros((2, 2, 2)))


# ----------------------------------------------------------------------------- DCGAN


@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_generator_shape_dtype_range(channels):
  g = DCGANGenerator(output_shape=(28, 28, channels), features=8)
  z = _normal(7, (3, 16))
  variables = g.init(KEY, z)
  assert variables["params"]["Dense_0"]["kernel"].shape == (16, 7 * 7 * 8)
  assert "bias" not in variables["params"]["Dense_0"]
  x = g.apply(variables, z)
  assert x.shape == (3, 28, 28, channels) and x.dtype == jnp.float32
  assert float(jnp.max(jnp.abs(x))) <= 1.0


def test_dcgan_generator_rejects_bad_output_shape():
  with pytest.raises(ValueError, match="divisible by 4"):
    DCGANGenerator(output_shape=(30, 30, 1))


def test_dcgan_generator_batch_norm_train_and_eval():
  g = DCGANGenerator(features=8)
  z = _normal(8, (4, 16))
  variables = g.init(KEY, z)
  x_train, updates = g.apply(variables, z, train=True, mutable=["batch_stats"])
  assert x_train.shape == (4, 28, 28, 1)
  old, new = variables["batch_stats"], updates["batch_stats"]
  assert jax.tree.structure(old) == jax.tree.structure(new)
  for a, b in zip(jax.tree.leaves(old), jax.tree.leaves(new)):
    assert a.shape == b.shape and not np.allclose(a, b)
  # momentum 0.9: new mean = 0.1 * batch mean of the projection (old mean 0).
  proj = z @ variables["params"]["Dense_0"]["kernel"]
  np.testing.assert_allclose(new["BatchNorm_0"]["mean"], 0.1 * proj.mean(0), rtol=1e-4, atol=1e-6)

  # train=True normalises with the batch: an example's image depends on the others.
  x_train_alone, _ = g.apply(variables, z[:2], train=True, mutable=["batch_stats"])
  assert not np.allclose(x_train_alone[0], x_train[0], atol=1e-4)
  # train=False uses running averages: deterministic and independent of the batch.
  variables = {"params": variables["params"], **updates}
  x_eval = g.apply(variables, z)
  np.testing.assert_array_equal(x_eval, g.apply(variables, z))
  np.testing.assert_allclose(g.apply(variables, z[:1])[0], x_eval[0], rtol=1e-5, atol=1e-6)
  assert not np.allclose(x_eval, x_train, atol=1e-4)


@pytest.mark.parametrize("num_outputs,expected", [(1, (3,)), (3, (3, 3))])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_discriminator_shapes_and_features(num_outputs, expected, channels):
  d = DCGANCritic(features=(4, 8), num_outputs=num_outputs, minibatch_kernels=5)
  x = _normal(9, (3, 28, 28, channels))
  params = d.init(KEY, x)["params"]
  out, state = d.apply({"params": params}, x, mutable=["intermediates"])
  assert out.shape == expected and out.dtype == jnp.float32
  (features,) = state["intermediates"]["features"]
  assert features.shape == (3, 7 * 7 * 8)
  assert params["MinibatchDiscrimination_0"]["kernel"].shape == (7 * 7 * 8, 5 * 5)
  assert params["Dense_0"]["kernel"].shape == (7 * 7 * 8 + 5, num_outputs)


def test_dcgan_discriminator_dropout():
  d = DCGANCritic(features=(4, 8), dropout_rate=0.5)
  x = _normal(10, (4, 28, 28, 1))
  params = d.init(KEY, x)["params"]
  eval_a = d.apply({"params": params}, x)
  np.testing.assert_array_equal(eval_a, d.apply({"params": params}, x, train=False))
  train_1 = d.apply({"params": params}, x, train=True, rngs={"dropout": jax.random.key(1)})
  train_1_again = d.apply({"params": params}, x, train=True, rngs={"dropout": jax.random.key(1)})
  train_2 = d.apply({"params": params}, x, train=True, rngs={"dropout": jax.random.key(2)})
  np.testing.assert_array_equal(train_1, train_1_again)
  assert not np.allclose(train_1, train_2, atol=1e-5)
  assert not np.allclose(train_1, eval_a, atol=1e-5)
  # Without minibatch discrimination the eval scores are per example.
  np.testing.assert_allclose(d.apply({"params": params}, x[:1])[0], eval_a[0], rtol=1e-5,
                             atol=1e-6)


# ----------------------------------------------------------------------------- spectral normalization


def _power_iterate(module, variables, x, steps):
  """`steps` training calls: each advances the power iteration kept in "batch_stats" by one step."""
  advance = jax.jit(lambda v: {**v, **module.apply(v, x, train=True, mutable=["batch_stats"],
                                                  rngs={"dropout": KEY})[1]})
  for _ in range(steps):
    variables = advance(variables)
  return variables


def test_spectral_norm_divides_each_kernel_by_its_largest_singular_value():
  """Miyato et al. (2018), Algorithm 1, on a known matrix: W = R diag(3, 0.5) has sigma(W) = 3, so after a few
  power-iteration steps the layer computes x W / 3; the output layer's [2, 1] kernel is divided by its norm."""
  critic = MLPCritic(widths=(2,), spectral_norm=True)
  x = _normal(3, (5, 2))
  variables = critic.init(KEY, x)
  angle = 0.3
  rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
  kernel = rotation @ np.diag([3.0, 0.5])
  params = {"Dense_0": {"kernel": jnp.asarray(kernel, jnp.float32), "bias": jnp.array([0.1, -0.2])},
            "Dense_1": {"kernel": jnp.array([[2.0], [-1.0]]), "bias": jnp.array([0.3])}}
  assert set(variables["params"]) == set(params)  # Spectral norm keeps the layers' parameter names.
  variables = _power_iterate(critic, {**variables, "params": params}, x, steps=10)
  stats = variables["batch_stats"]
  np.testing.assert_allclose(stats["SpectralNorm_0"]["Dense_0/kernel/sigma"], 3.0, rtol=1e-5)
  np.testing.assert_allclose(stats["SpectralNorm_1"]["Dense_1/kernel/sigma"], np.sqrt(5.0), rtol=1e-5)
  hidden = np.asarray(x) @ (kernel / 3.0) + np.array([0.1, -0.2])
  hidden = np.where(hidden > 0, hidden, 0.2 * hidden)
  expected = hidden @ (np.array([2.0, -1.0]) / np.sqrt(5.0)) + 0.3
  np.testing.assert_allclose(critic.apply(variables, x), expected, rtol=1e-5, atol=1e-6)
  plain = MLPCritic(widths=(2,))
  assert not np.allclose(plain.apply({"params": params}, x), expected, atol=1e-3)  # The switch is not ignored.


def test_dcgan_critic_spectral_norm_reads_a_convolution_kernel_as_a_fan_in_by_out_matrix():
  critic = DCGANCritic(features=(4, 8), spectral_norm=True)
  x = _normal(4, (2, 28, 28, 1))
  variables = _power_iterate(critic, jax.jit(critic.init)(KEY, x), x, steps=60)
  for layer in ("Conv_0", "Conv_1", "Dense_0"):
    kernel = np.asarray(variables["params"][layer]["kernel"])
    top = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
    sigma = [v for k, v in jax.tree_util.tree_leaves_with_path(variables["batch_stats"])
             if f"{layer}/kernel/sigma" in jax.tree_util.keystr(k)]
    np.testing.assert_allclose(sigma, [top], rtol=1e-3)
