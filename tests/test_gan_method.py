"""The GAN method: protocol, update counts, objectives, and that training helps."""

import jax
import numpy as np
import pytest

from jaxgen import data as data_lib
from jaxgen import metrics
from jaxgen.engine import loop
from jaxgen.methods import gan
from tests import helpers


@pytest.fixture(scope="module")
def images(mnist_train):
  return jax.device_put(mnist_train["image"])


@pytest.mark.parametrize("objective", gan.OBJECTIVES)
def test_step_updates_both_players_with_finite_metrics(objective, images):
  config = helpers.tiny_gan_config(objective)
  method = gan.make(config, helpers.batches(images))
  state = method.init(jax.random.key(0))
  new_state, m = jax.jit(method.step)(state, jax.random.key(1))
  expected = {"d_loss", "g_loss", "d_real", "d_fake", "d_grad_norm", "g_grad_norm"}
  if objective == "wgan_gp":
    expected |= {"gradient_penalty", "wasserstein"}
  assert set(m) == expected
  assert all(np.isfinite(float(v)) for v in m.values())
  assert int(new_state.step) == 1
  for before, after in ((state.generator, new_state.generator), (state.critic, new_state.critic)):
    assert any(not np.array_equal(a, b) for a, b in zip(jax.tree.leaves(before), jax.tree.leaves(after)))
  if objective != "wgan_gp":  # Probabilities.
    assert 0.0 <= float(m["d_real"]) <= 1.0 and 0.0 <= float(m["d_fake"]) <= 1.0


def test_n_critic_critic_updates_per_generator_update(images):
  config = helpers.tiny_gan_config("wgan_gp")
  config.method.n_critic = 3
  method = gan.make(config, helpers.batches(images))
  state = method.init(jax.random.key(0))
  step = jax.jit(method.step)
  for i in range(2):
    state, _ = step(state, jax.random.key(i))
  # optax.adam's ScaleByAdamState counts its updates.
  assert int(state.critic_opt[0].count) == 6 and int(state.generator_opt[0].count) == 2


def test_sample_shape_and_range(images):
  method = gan.make(helpers.tiny_gan_config(), helpers.batches(images))
  x = method.sample(method.init(jax.random.key(0)), jax.random.key(1), 10)
  assert x.shape == (10, 28, 28, 1) and x.dtype == np.float32
  assert float(x.min()) >= -1.0 and float(x.max()) <= 1.0


def test_bad_method_config_is_refused(images):
  config = helpers.tiny_gan_config()
  config.method.objective = "hinge"
  with pytest.raises(ValueError, match="objective"):
    gan.make(config, helpers.batches(images))


def test_short_training_beats_the_untrained_generator(images, mnist_test, mnist_train):
  """400 WGAN-GP steps on real digits at least halve the pixel-space Fréchet distance to the test set.

  The metric (jaxgen.metrics.frechet_distance on raw pixels, 500 samples vs the
  500 test digits) is 0 for the data itself; an untrained generator's grey
  blobs score several hundred.
  """
  config = helpers.tiny_gan_config("wgan_gp")
  config.model.generator_widths = (128, 256, 512)
  config.model.critic_widths = (256, 128)
  config.method.batch_size = 64
  method = gan.make(config, helpers.batches(images))
  state = method.init(jax.random.key(0))
  test = data_lib.to_model_range(mnist_test["image"])
  key = jax.random.key(9)
  before = metrics.frechet_distance(method.sample(state, key, 500), test)
  run = jax.jit(lambda s, steps: loop.scan_steps(method.step, jax.random.key(1), s, steps))
  for start in range(0, 400, 100):
    state, m = run(state, np.arange(start, start + 100))
  after = metrics.frechet_distance(method.sample(state, key, 500), test)
  assert np.all(np.isfinite(m["d_loss"]))
  assert after < 0.5 * before, (before, after)


def test_critic_dropout_reaches_the_dcgan_critic():
  """`model.critic_dropout` is the DCGAN critic's dropout: 0 makes its training pass equal its eval pass."""
  model = helpers.tiny_gan_config().model
  model.architecture, model.critic_features = "dcgan", (4, 8)
  x = jax.random.normal(jax.random.key(0), (4, 28, 28, 1))
  outputs = {}
  for rate in (0.0, 0.3):
    model.critic_dropout = rate
    _, critic = gan.networks(model, (28, 28, 1))
    params = critic.init(jax.random.key(1), x)
    train = critic.apply(params, x, train=True, rngs={"dropout": jax.random.key(2)})
    outputs[rate] = (train, critic.apply(params, x, train=False))
  np.testing.assert_array_equal(*outputs[0.0])
  assert not np.allclose(*outputs[0.3], atol=1e-5)
