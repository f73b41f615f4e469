"""GAN losses against values computed by hand with `math`."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxgen.losses import gan as gan_losses
from jaxgen.nn import MLPCritic


def sigmoid(x):
  return 1.0 / (1.0 + math.exp(-x))


def test_discriminator_loss_is_bce():
  real, fake = [2.0, -0.5], [-1.0, 3.0]
  expected = (-(math.log(sigmoid(2.0)) + math.log(sigmoid(-0.5))) / 2
              - (math.log(1 - sigmoid(-1.0)) + math.log(1 - sigmoid(3.0))) / 2)
  assert float(gan_losses.critic_loss_minimax(jnp.array(real), jnp.array(fake))) == pytest.approx(expected, rel=1e-6)
  # At D = 1/2 everywhere the loss is 2 log 2.
  assert float(gan_losses.critic_loss_minimax(jnp.zeros(4), jnp.zeros(4))) == pytest.approx(2 * math.log(2), rel=1e-6)


def test_generator_losses_by_hand():
  logits = jnp.array([0.0, math.log(3.0)])  # D(G(z)) = 0.5 and 0.75.
  minimax = (math.log(1 - 0.5) + math.log(1 - 0.75)) / 2
  non_saturating = -(math.log(0.5) + math.log(0.75)) / 2
  assert float(gan_losses.generator_loss_minimax(logits)) == pytest.approx(minimax, rel=1e-6)
  assert float(gan_losses.generator_loss_non_saturating(logits)) == pytest.approx(non_saturating, rel=1e-6)


def test_saturation_and_large_logits():
  """Where D rejects fakes confidently, the minimax gradient vanishes but the non-saturating one does not."""
  confident_reject = jnp.array([-30.0])
  g_minimax = jax.grad(gan_losses.generator_loss_minimax)(confident_reject)
  g_ns = jax.grad(gan_losses.generator_loss_non_saturating)(confident_reject)
  assert abs(float(g_minimax[0])) < 1e-12
  assert float(g_ns[0]) == pytest.approx(-1.0, abs=1e-6)
  for loss in (gan_losses.generator_loss_minimax, gan_losses.generator_loss_non_saturating):
    assert np.isfinite(float(loss(jnp.array([200.0, -200.0]))))


def test_wasserstein_losses():
  real, fake = jnp.array([1.0, 3.0]), jnp.array([-2.0, 0.0, 1.0])
  assert float(gan_losses.critic_loss_wasserstein(real, fake)) == pytest.approx(-1.0 / 3 - 2.0)
  assert float(gan_losses.generator_loss_wasserstein(fake)) == pytest.approx(1.0 / 3)


def test_gradient_penalty_linear_critic_norm_is_weight_norm():
  """C(x) = <w, x> + b has grad_x C = w everywhere, so the penalty is lambda (||w|| - 1)^2."""
  w = jnp.zeros((4, 4, 1)).at[0, 0, 0].set(2.0).at[3, 2, 0].set(math.sqrt(5.0))  # ||w|| = 3
  critic = lambda x: jnp.sum(x * w, axis=(1, 2, 3)) + 0.7
  real = jax.random.normal(jax.random.key(0), (8, 4, 4, 1))
  fake = jax.random.normal(jax.random.key(1), (8, 4, 4, 1))
  penalty = gan_losses.gradient_penalty(critic, real, fake, jax.random.key(2), weight=10.0)
  assert float(penalty) == pytest.approx(10.0 * (3.0 - 1.0) ** 2, rel=1e-5)


def test_gradient_penalty_interpolates_per_example():
  """C(x) = ||x||^2 / 2 has grad x_hat; with fake = 0, ||x_hat_i|| = eps_i ||real_i||."""
  critic = lambda x: 0.5 * jnp.sum(x ** 2, axis=(1, 2, 3))
  real = jax.random.normal(jax.random.key(0), (16, 3, 3, 2))
  key = jax.random.key(5)
  penalty = gan_losses.gradient_penalty(critic, real, jnp.zeros_like(real), key, weight=1.0)
  eps = np.asarray(jax.random.uniform(key, (16, 1, 1, 1))).reshape(-1)
  norms = eps * np.linalg.norm(np.asarray(real).reshape(16, -1), axis=1)
  assert len(np.unique(eps)) == 16  # One epsilon per example.
  assert float(penalty) == pytest.approx(np.mean((norms - 1.0) ** 2), rel=1e-5)


def test_r1_on_a_linear_critic_is_half_gamma_times_the_squared_weight_norm():
  """Mescheder et al. (2018), Eq. 9: D(x) = <w, x> + b has grad w everywhere, so R1 = gamma/2 ||w||^2; on
  D(x) = ||x||^2 / 2 (grad x) it is gamma/2 times the mean squared norm of the batch."""
  w = jnp.zeros((4, 4, 1)).at[0, 0, 0].set(2.0).at[3, 2, 0].set(math.sqrt(5.0))  # ||w||^2 = 9
  x = jax.random.normal(jax.random.key(0), (8, 4, 4, 1))
  linear = lambda v: jnp.sum(v * w, axis=(1, 2, 3)) + 0.7
  assert float(gan_losses.zero_centred_gradient_penalty(linear, x, gamma=10.0)) == pytest.approx(45.0, rel=1e-5)
  quadratic = lambda v: 0.5 * jnp.sum(v ** 2, axis=(1, 2, 3))
  expected = 0.5 * 3.0 * np.mean(np.sum(np.asarray(x).reshape(8, -1) ** 2, axis=1))
  assert float(gan_losses.zero_centred_gradient_penalty(quadratic, x, gamma=3.0)) == pytest.approx(expected, rel=1e-5)
  assert float(gan_losses.zero_centred_gradient_penalty(linear, x, gamma=0.0)) == 0.0


def test_gradient_penalty_of_constant_critic_is_finite():
  """A critic with zero weights has an exactly zero input gradient: penalty = lambda, gradients finite."""
  critic = MLPCritic(widths=(8,))
  x = jnp.ones((4, 5, 5, 1))
  params = jax.tree.map(jnp.zeros_like, critic.init(jax.random.key(0), x))

  def penalty(p):
    return gan_losses.gradient_penalty(lambda v: critic.apply(p, v), x, -x, jax.random.key(1), weight=10.0)

  value, grads = jax.value_and_grad(penalty)(params)
  assert float(value) == pytest.approx(10.0)
  assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree.leaves(grads))


def test_gradient_penalty_rejects_shape_mismatch():
  with pytest.raises(ValueError, match="same shape"):
    gan_losses.gradient_penalty(lambda x: x.sum((1, 2, 3)), jnp.zeros((2, 3, 3, 1)),
                                jnp.zeros((3, 3, 3, 1)), jax.random.key(0))


def test_critic_output_is_per_example():
  """The penalty needs per-example critics: perturbing example 0 leaves the score of example 1."""
  critic = MLPCritic(widths=(16, 8))
  x = jax.random.normal(jax.random.key(0), (2, 4, 4, 1))
  params = critic.init(jax.random.key(1), x)
  a = critic.apply(params, x)
  b = critic.apply(params, x.at[0].add(1.0))
  assert a.shape == (2,)
  assert float(a[1]) == float(b[1]) and float(a[0]) != float(b[0])
