"""The mode-collapse fixes of methods/gan.py: unrolled GAN, MAD-GAN, PacGAN, feature matching, R1 and R2."""

import functools

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from jaxgen import nn as nets
from jaxgen.data import mixtures
from jaxgen.losses import gan as gan_losses
from jaxgen.methods import gan
from tests import helpers
from tests.helpers import tiny_ring_config

RING = functools.partial(mixtures.sample, mixtures.ring())


def reference_plain_gan_step(config, state, key):
  """One non-saturating GAN step written from scratch: Goodfellow et al. (2014), Algorithm 1 with k = 1,
  with the key schedule documented in methods/gan.py (critic keys, then the generator's)."""
  c, b = config.model, config.method.batch_size
  generator = nets.MLPGenerator(output_shape=(2,), widths=c.generator_widths, output_activation="linear")
  critic = nets.MLPCritic(widths=c.critic_widths)
  adam = lambda o: optax.adam(o.learning_rate, b1=o.b1, b2=o.b2)
  k_critic, k_gen = jax.random.split(key)
  k_data, k_z, _ = jax.random.split(jax.random.split(k_critic, 1)[0], 3)
  real = RING(k_data, b)
  fake = generator.apply(state.generator, jax.random.normal(k_z, (b, c.latent_dim)))
  d_loss = lambda p: gan_losses.critic_loss_minimax(critic.apply(p, real), critic.apply(p, fake))
  grads = jax.grad(d_loss)(state.critic)
  updates, c_opt = adam(config.optimizer.critic).update(grads, state.critic_opt, state.critic)
  c_params = optax.apply_updates(state.critic, updates)
  _, k_z, _, _ = jax.random.split(k_gen, 4)
  z = jax.random.normal(k_z, (b, c.latent_dim))
  g_loss = lambda g: gan_losses.generator_loss_non_saturating(critic.apply(c_params, generator.apply({"params": g}, z)))
  g_grads = jax.grad(g_loss)(state.generator["params"])
  updates, g_opt = adam(config.optimizer.generator).update(g_grads, state.generator_opt,
                                                            state.generator["params"])
  return gan.GANState(step=state.step + 1, generator={"params": optax.apply_updates(state.generator["params"], updates)},
                      critic=c_params, generator_opt=g_opt, critic_opt=c_opt)


def test_unroll_steps_zero_is_exactly_the_plain_gan():
  config = tiny_ring_config(**{"method.unroll_steps": 0, "optimizer.generator.decay_steps": 0,
                              "optimizer.critic.decay_steps": 0})
  method = gan.make(config, RING)
  state = method.init(jax.random.key(0))
  ours, reference = state, state
  for i in range(3):
    ours, _ = jax.jit(method.step)(ours, jax.random.key(i))
    reference = jax.jit(functools.partial(reference_plain_gan_step, config))(reference, jax.random.key(i))
  chex.assert_trees_all_close(ours, reference, rtol=1e-6, atol=1e-7)


def test_unrolling_changes_the_generator_update_only():
  """The lookahead shapes the generator's gradient; the critic's real update is the plain one."""
  helpers.assert_only_the_generator_update_differs(
      gan.make(tiny_ring_config(), RING), gan.make(tiny_ring_config(**{"method.unroll_steps": 3}), RING))


def test_unrolled_generator_gradient_flows_through_the_critic_updates():
  """With K unrolled steps the generator loss depends on theta_G also through theta_D^K(theta_G):
  zeroing the critic's learning rate removes exactly that path, and the update must change."""
  config = tiny_ring_config(**{"method.unroll_steps": 2})
  method = gan.make(config, RING)
  state = method.init(jax.random.key(0))
  frozen_cfg = tiny_ring_config(**{"method.unroll_steps": 2, "optimizer.critic.learning_rate": 0.0})
  frozen_plain = tiny_ring_config(**{"method.unroll_steps": 0, "optimizer.critic.learning_rate": 0.0})
  with_lr0, _ = jax.jit(gan.make(frozen_cfg, RING).step)(state, jax.random.key(3))
  plain_lr0, _ = jax.jit(gan.make(frozen_plain, RING).step)(state, jax.random.key(3))
  # A critic that does not move makes the lookahead an identity: the plain GAN again.
  chex.assert_trees_all_close(with_lr0, plain_lr0, rtol=1e-6, atol=1e-8)
  moving, _ = jax.jit(method.step)(state, jax.random.key(3))
  diff = jax.tree.map(lambda a, b: float(jnp.max(jnp.abs(a - b))), moving.generator, plain_lr0.generator)
  assert max(jax.tree.leaves(diff)) > 1e-6


def test_madgan_discriminator_has_k_plus_1_outputs_and_the_hand_computed_loss():
  k = 3
  method = gan.make(tiny_ring_config(**{"method.num_generators": k, "method.batch_size": 12}), RING)
  state = method.init(jax.random.key(0))
  critic = nets.MLPCritic(widths=(16,), num_outputs=k + 1)
  assert critic.apply(state.critic, jnp.zeros((5, 2))).shape == (5, k + 1)
  # Generators are separate: parameters stacked on a leading axis of size k.
  assert all(leaf.shape[0] == k for leaf in jax.tree.leaves(state.generator))
  # Hand case with k = 2: p(real | x_real) = 2 / (1 + 1 + 2) = 1/2; p(generator 0 | fake) = 3 / (3 + 1 + 1) = 3/5.
  real_logits = jnp.array([[0.0, 0.0, np.log(2.0)]])
  fake_logits = jnp.array([[np.log(3.0), 0.0, 0.0]])
  loss = gan_losses.critic_loss_madgan(real_logits, fake_logits, jnp.array([0]))
  np.testing.assert_allclose(float(loss), (np.log(2) + np.log(5 / 3)) / 2, rtol=1e-6)
  # Generator: -log p(real | fake) = -log(1/5).
  np.testing.assert_allclose(float(gan_losses.generator_loss_madgan(fake_logits)), np.log(5), rtol=1e-6)


def test_madgan_samples_are_a_uniform_mixture_of_the_generators():
  k = 4
  config = tiny_ring_config(**{"method.num_generators": k, "method.batch_size": 8})
  method = gan.make(config, RING)
  state = method.init(jax.random.key(0))
  x = method.sample(state, jax.random.key(1), 10)
  z = jax.random.normal(jax.random.key(1), (k, 3, config.model.latent_dim))
  generator = nets.MLPGenerator(output_shape=(2,), widths=(16, 16), output_activation="linear")
  per_generator = jax.vmap(generator.apply)(state.generator, z)  # [k, 3, 2]
  for i in range(10):  # Sample i comes from generator i mod k.
    np.testing.assert_allclose(x[i], per_generator[i % k, i // k], rtol=1e-6)
  _, metrics = jax.jit(method.step)(state, jax.random.key(2))
  assert all(np.isfinite(float(v)) for v in metrics.values())


def test_pacgan_critic_sees_pack_samples_at_once():
  method = gan.make(tiny_ring_config(**{"method.pack": 3}), RING)
  state = method.init(jax.random.key(0))
  assert state.critic["params"]["Dense_0"]["kernel"].shape[0] == 2 * 3
  packed = gan.pack_samples(jnp.arange(24.0).reshape(6, 2, 2), 3)  # [6, 2, C=2] -> [2, 2, 6]
  np.testing.assert_array_equal(packed[1, 0], [12, 13, 16, 17, 20, 21])
  new_state, metrics = jax.jit(method.step)(state, jax.random.key(1))
  assert int(new_state.step) == 1 and all(np.isfinite(float(v)) for v in metrics.values())


def _output_layer(critic_params) -> str:
  return max(critic_params["params"], key=lambda name: int(name.split("_")[1]))  # Dense_<last>.


@pytest.mark.parametrize("feature_matching", [True, False])
def test_feature_matching_generator_ignores_the_critics_output_layer(feature_matching):
  """With feature matching the generator's gradient comes from the critic's hidden features only, so scaling
  the (frozen) critic's output layer leaves its update unchanged; with the plain objective it changes it."""
  config = tiny_ring_config(**{"method.feature_matching": feature_matching, "optimizer.critic.learning_rate": 0.0})
  method = gan.make(config, RING)
  state = method.init(jax.random.key(0))
  out = _output_layer(state.critic)
  scaled = state.replace(critic=jax.tree.map(lambda x: x, state.critic))
  scaled.critic["params"][out] = jax.tree.map(lambda w: 3.0 * w, state.critic["params"][out])
  step = jax.jit(method.step)
  new, _ = step(state, jax.random.key(1))
  new_scaled, _ = step(scaled, jax.random.key(1))
  same = all(np.allclose(a, b, rtol=1e-6, atol=1e-8)
             for a, b in zip(jax.tree.leaves(new.generator), jax.tree.leaves(new_scaled.generator)))
  changed = not np.array_equal(jax.tree.leaves(state.generator)[0], jax.tree.leaves(new.generator)[0])
  assert changed and same == feature_matching


def test_incompatible_switches_are_refused_with_every_reason():
  config = tiny_ring_config(**{"method.num_generators": 3, "method.objective": "wgan_gp", "method.batch_size": 16})
  with pytest.raises(ValueError, match="MAD-GAN.*multiple of method.num_generators"):
    gan.make(config, RING)


def test_generator_average_follows_its_formula_trains_as_before_and_is_what_samples_come_from():
  """Yazici et al. (2019), Eq. 2, with ema_update's warm-up: d_t = min(decay, (1 + t) / (10 + t))."""
  plain, averaged = gan.make(tiny_ring_config(), RING), gan.make(tiny_ring_config(**{"method.ema_decay": 0.5}), RING)
  p_state, a_state = plain.init(jax.random.key(0)), averaged.init(jax.random.key(0))
  assert type(p_state) is gan.GANState  # Off: the state (and so old checkpoints) holds no average.
  expected = a_state.generator["params"]
  for t in range(3):
    p_state, _ = jax.jit(plain.step)(p_state, jax.random.key(t))
    a_state, _ = jax.jit(averaged.step)(a_state, jax.random.key(t))
    d = min(0.5, (1 + t) / (10 + t))  # 0.1, 2/11, 0.25: the warm-up, not yet 0.5.
    expected = jax.tree.map(lambda e, p, d=d: d * e + (1 - d) * p, expected, a_state.generator["params"])
  chex.assert_trees_all_equal(a_state.generator, p_state.generator)  # Training itself is unchanged.
  chex.assert_trees_all_equal(a_state.critic, p_state.critic)
  chex.assert_trees_all_close(a_state.generator_ema, expected, rtol=1e-6, atol=1e-7)
  z = jax.random.normal(jax.random.key(9), (8, 4))
  frozen = lambda method: jax.jit(lambda state: method.frozen_generator(state)(z))
  from_average = frozen(plain)(p_state.replace(generator={"params": expected}))
  np.testing.assert_allclose(frozen(averaged)(a_state), from_average, rtol=1e-5, atol=1e-6)
  assert float(jnp.max(jnp.abs(from_average - frozen(plain)(p_state)))) > 1e-4
  np.testing.assert_allclose(averaged.sample(a_state, jax.random.key(3), 8),
                             plain.sample(p_state.replace(generator={"params": expected}), jax.random.key(3), 8),
                             rtol=1e-5, atol=1e-6)
  with pytest.raises(ValueError, match="ema_decay must be in"):
    gan.make(tiny_ring_config(**{"method.ema_decay": 1.0}), RING)


def test_r1_and_r2_add_exactly_their_penalty_to_the_critic_loss():
  """R1 / R2 (Mescheder et al., 2018): from the same state and key, the critic's loss grows by exactly the
  logged penalty (gamma/2 E ||grad D||^2 at the real or the generated batch); both on: the sum, with
  WGAN-GP's penalty too."""
  def metrics(**overrides):
    config = tiny_ring_config(**{"method.objective": "non_saturating", **overrides})
    method = gan.make(config, RING)
    return jax.jit(method.step)(method.init(jax.random.key(0)), jax.random.key(1))[1]

  plain = metrics()
  for name, key in (("r1_penalty", "method.r1_gamma"), ("r2_penalty", "method.r2_gamma")):
    on = metrics(**{key: 4.0})
    assert float(on[name]) > 0 and name not in plain
    np.testing.assert_allclose(on["d_loss"] - plain["d_loss"], on[name], rtol=1e-5)
    np.testing.assert_allclose(on["d_real"], plain["d_real"], rtol=1e-6)  # Same critic outputs before the update.
  wgan = metrics(**{"method.objective": "wgan_gp"})
  every = metrics(**{"method.objective": "wgan_gp", "method.r1_gamma": 4.0, "method.r2_gamma": 4.0})
  np.testing.assert_allclose(every["d_loss"] - wgan["d_loss"], every["r1_penalty"] + every["r2_penalty"], rtol=1e-5)
  np.testing.assert_allclose(every["gradient_penalty"], wgan["gradient_penalty"], rtol=1e-6)
  with pytest.raises(ValueError, match="r1_gamma need.*per-example critic"):
    gan.make(tiny_ring_config(**{"method.r1_gamma": 1.0, "model.minibatch_kernels": 3}), RING)
  with pytest.raises(ValueError, match="MAD-GAN.*r1_gamma"):
    gan.make(tiny_ring_config(**{"method.r1_gamma": 1.0, "method.num_generators": 2}), RING)


def test_spectral_norm_keeps_the_power_iteration_in_the_state_and_tracks_each_kernel():
  """Miyato et al. (2018): the critic's u and sigma live in state.critic["batch_stats"], every critic update
  advances them (so sigma follows the moving kernel), and the optimizer state covers the parameters only."""
  config = tiny_ring_config(**{"model.spectral_norm": True, "model.critic_widths": (16, 16)})
  method = gan.make(config, RING)
  state = method.init(jax.random.key(0))
  plain = gan.make(tiny_ring_config(**{"model.critic_widths": (16, 16)}), RING)
  assert jax.tree.structure(state.critic_opt) == jax.tree.structure(plain.init(jax.random.key(0)).critic_opt)
  step = jax.jit(method.step)
  first, _ = step(state, jax.random.key(1))
  u = lambda s: s.critic["batch_stats"]["SpectralNorm_0"]["Dense_0/kernel/u"]
  assert not np.allclose(u(first), u(state))
  for i in range(40):
    state, _ = step(state, jax.random.key(i))
  for layer in ("Dense_0", "Dense_1", "Dense_2"):
    kernel = np.asarray(state.critic["params"][layer]["kernel"])
    sigma = [v for path, v in jax.tree_util.tree_leaves_with_path(state.critic["batch_stats"])
             if f"{layer}/kernel/sigma" in jax.tree_util.keystr(path)]
    np.testing.assert_allclose(sigma, [np.linalg.svd(kernel, compute_uv=False)[0]], rtol=0.02)


def test_path_regularisers_add_exactly_their_term_to_the_generator_loss_and_keep_the_running_mean():
  """The latent-geometry regularisers: from the same state and key the critic update is unchanged and the
  generator's loss grows by exactly the logged weighted terms; path length's running mean moves by `decay`."""
  def run(**overrides):
    method = gan.make(tiny_ring_config(**overrides), RING)
    state = method.init(jax.random.key(0))
    return (state,) + jax.jit(method.step)(state, jax.random.key(1))

  _, plain_state, plain = run()
  start, both_state, both = run(**{"method.path_length_weight": 0.5, "method.path_length_decay": 0.25,
                                   "method.path_energy_weight": 0.5})
  assert float(both["path_length_penalty"]) > 0 and float(both["path_energy"]) > 0
  assert "path_length_penalty" not in plain and "path_energy" not in plain
  np.testing.assert_allclose(both["g_loss"] - plain["g_loss"], both["path_length_penalty"] + both["path_energy"],
                             rtol=1e-5)
  np.testing.assert_allclose(both["d_loss"], plain["d_loss"], rtol=1e-6)
  chex.assert_trees_all_close(both_state.critic, plain_state.critic)  # The critic's update does not see them.
  assert not np.allclose(both_state.generator["params"]["Dense_0"]["kernel"],
                         plain_state.generator["params"]["Dense_0"]["kernel"])
  assert float(start.generator["path_length"]["mean"]) == 0.0
  a = float(both_state.generator["path_length"]["mean"])
  assert a == float(both["path_length"]) and a > 0
  # Path length alone (same key for it): the same penalty, and a <- a + decay (mean length - a) from a = 0 with
  # the same lengths gives twice the running mean for twice the decay. Path energy keeps no state.
  _, state, alone = run(**{"method.path_length_weight": 0.5, "method.path_length_decay": 0.5})
  np.testing.assert_allclose(alone["path_length_penalty"], both["path_length_penalty"], rtol=1e-6)
  np.testing.assert_allclose(alone["g_loss"] - plain["g_loss"], alone["path_length_penalty"], rtol=1e-5)
  assert float(state.generator["path_length"]["mean"]) == pytest.approx(2 * a, rel=1e-6)
  assert set(both_state.generator) == set(plain_state.generator) | {"path_length"}
  with pytest.raises(ValueError, match="path_length_weight need.*mlp"):
    gan.make(tiny_ring_config(**{"method.path_length_weight": 1.0, "method.num_generators": 2}), RING)
