"""AC-GAN: its losses by hand, the auxiliary-loss drop detector, the adaptive weight, and conditional training."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import letters_acgan
from jaxgen import data as data_lib
from jaxgen.data.real import RealData
from jaxgen.losses import gan as gan_losses
from jaxgen.methods import METHODS, acgan
from jaxgen import experiment
from tests import helpers

SIDE = 8  # Synthetic images are 8x8: class c is a bright 4x4 square in quadrant c.


def squares(n: int, seed: int = 0):
  """(uint8 [n, 8, 8, 1] images, {"label": int [n] in 0..3, "slant": int [n] in 0..1}), a little pixel noise."""
  rng = np.random.default_rng(seed)
  label, slant = rng.integers(0, 4, n), rng.integers(0, 2, n)
  images = rng.integers(0, 40, (n, SIDE, SIDE, 1))
  for i, c in enumerate(label):
    row, col = 4 * (c // 2), 4 * (c % 2)
    images[i, row:row + 4, col:col + 4] = 255 - images[i, row:row + 4, col:col + 4]
  return images.astype(np.uint8), {"label": label, "slant": slant}


def sampler(n: int = 512):
  images, labels = squares(n)
  return functools.partial(data_lib.labelled_batch, jnp.asarray(images), {k: jnp.asarray(v) for k, v in labels.items()})


def quadrant_class(x) -> np.ndarray:
  """The nearest-template class of images [n, 8, 8, 1]: the quadrant with the largest mean."""
  x = np.asarray(x)[..., 0].reshape(-1, 2, 4, 2, 4).mean((2, 4))  # [n, 2, 2]
  return x.reshape(-1, 4).argmax(-1)


def tiny_config(**overrides):
  """letters_acgan's smoke config with an MLP on 8x8 images of 4 classes: compiles in seconds."""
  c = letters_acgan.get_config("smoke")
  c.model.architecture = "mlp"
  c.model.latent_dim = 4
  c.model.generator_widths = (64, 64)
  c.model.critic_widths = (64, 32)
  c.method.num_classes = (4,)
  c.method.batch_size = 32
  for opt in (c.optimizer.generator, c.optimizer.critic):
    opt.learning_rate = 1e-3
  c.update_from_flattened_dict(overrides)
  return c


def softplus(v):
  return math.log1p(math.exp(v))


def cross_entropy(logits, label):
  return math.log(sum(math.exp(v) for v in logits)) - logits[label]


def test_losses_and_heads_on_a_hand_case():
  # Two examples: [real/fake logit | 3-class head | 2-class head].
  real = [[1.5, 2.0, -1.0, 0.5, 0.3, -0.7], [-0.5, 0.1, 0.2, 3.0, -2.0, 1.0]]
  fake = [[-2.0, 0.0, 1.0, -1.0, 2.5, 0.5], [0.7, -0.3, 0.4, 0.9, 0.0, 0.0]]
  real_y, fake_y = ([0, 2], [1, 0]), ([1, 0], [0, 1])
  w = 0.7

  def aux(out, ys):  # Per-head cross-entropy by hand (log-sum-exp), batch mean, summed over heads.
    return sum(np.mean([cross_entropy(row[lo:hi], y[i]) for i, row in enumerate(out)])
               for (lo, hi), y in zip(((1, 4), (4, 6)), ys))

  aux_real, aux_fake = aux(real, real_y), aux(fake, fake_y)
  bce = np.mean([softplus(-r[0]) for r in real]) + np.mean([softplus(f[0]) for f in fake])
  j = lambda v: jnp.array(v, jnp.float32)
  labels = lambda ys: [jnp.array(y) for y in ys]

  source, heads = gan_losses.split_acgan_outputs(j(real), (3, 2))
  assert source.shape == (2,) and [h.shape for h in heads] == [(2, 3), (2, 2)]
  np.testing.assert_allclose(heads[1], np.array(real)[:, 4:])
  np.testing.assert_allclose(gan_losses.auxiliary_classifier_loss(heads, labels(real_y)), aux_real, rtol=1e-5)
  d_loss, terms = gan_losses.critic_loss_acgan(j(real), j(fake), labels(real_y), labels(fake_y), (3, 2), w)
  np.testing.assert_allclose(d_loss, bce + w * (aux_real + aux_fake), rtol=1e-5)
  np.testing.assert_allclose([terms["aux_real"], terms["aux_fake"]], [aux_real, aux_fake], rtol=1e-5)
  g_ns, _ = gan_losses.generator_loss_acgan(j(fake), labels(fake_y), (3, 2), w)
  np.testing.assert_allclose(g_ns, np.mean([softplus(-f[0]) for f in fake]) + w * aux_fake, rtol=1e-5)
  g_mm, _ = gan_losses.generator_loss_acgan(j(fake), labels(fake_y), (3, 2), w,
                                          gan_losses.generator_loss_minimax)
  np.testing.assert_allclose(g_mm, -np.mean([softplus(f[0]) for f in fake]) + w * aux_fake, rtol=1e-5)
  with pytest.raises(ValueError, match="1 \\+ sum"):
    gan_losses.split_acgan_outputs(j(real), (3, 3))


@functools.partial(jax.jit, static_argnums=(1, 2))
def in_step_fired(series, window, threshold):
  """Runs the in-step detector over a series: bool [T], fired at each step."""
  def body(carry, x):
    history, active = carry
    history, active, fired, _ = acgan.drop_detector_update(history, active, x[0], x[1].astype(jnp.int32), threshold)
    return (history, active), fired
  init = (jnp.zeros((2 * window,), jnp.float32), jnp.array(False))
  return jax.lax.scan(body, init, (series, jnp.arange(series.shape[0], dtype=jnp.float32)))[1]


def test_drop_detector_fires_once_per_sharp_drop_and_agrees_with_the_series_version():
  window, threshold = 5, 0.5
  rng = np.random.default_rng(0)
  sharp = np.concatenate([np.full(30, 2.0), np.full(30, 0.2)]).astype(np.float32)
  slow = (2.0 * 0.99 ** np.arange(200)).astype(np.float32)
  early = np.concatenate([[10.0, 10.0, 10.0], np.ones(20)]).astype(np.float32)  # Drops before the window is full.
  noisy = (np.repeat([3.0, 1.0, 1.0, 0.3], 40) * (1 + 0.02 * rng.standard_normal(160))).astype(np.float32)
  # The sharp drop (first low value at t = 30): r(t) = 0.18, 0.36, 0.54 at t = 30, 31, 32 (newer half 1.64, 1.28,
  # 0.92 against 2), above 0.5 until t = 38, then 0.
  expected = {"sharp": [32], "slow": [], "early": [2 * window - 1], "noisy": [43, 123]}
  for name, series in (("sharp", sharp), ("slow", slow), ("early", early), ("noisy", noisy)):
    fired = np.flatnonzero(np.asarray(in_step_fired(jnp.asarray(series), window, threshold)))
    assert fired.tolist() == expected[name], name
    np.testing.assert_array_equal(acgan.aux_drop_events(series, window, threshold), fired, err_msg=name)
  sizes = acgan.relative_drop(np.lib.stride_tricks.sliding_window_view(sharp, 2 * window))
  assert np.sum(np.asarray(sizes) > threshold) == 7  # The drop stays on for 7 steps but fires once.


@pytest.fixture(scope="module")
def two_attributes():
  """(method, its jitted step, an initial state) of a tiny AC-GAN on label and slant, with every remedy on."""
  config = tiny_config(**{"method.attributes": ("label", "slant"), "method.num_classes": (4, 2),
                          "method.latent_noise": 0.1, "method.aux_drop_window": 2,
                          "method.adaptive_aux_factor": 2.0, "method.max_aux_scale": 3.0})
  method = acgan.make(config, sampler())
  return method, jax.jit(method.step), jax.jit(method.init)(jax.random.key(0))


def test_adaptive_weight_multiplies_on_a_fired_drop_capped_at_the_maximum(two_attributes):
  _, step, state = two_attributes
  state = state.replace(step=jnp.int32(10), aux_history=jnp.array([100.0, 100.0, 0.1, 0.1]))
  state, m = step(state, jax.random.key(1))  # The window becomes [100, 0.1, 0.1, ~2]: a drop of ~0.99.
  assert float(m["aux_drop"]) == 1.0 and float(m["aux_drop_size"]) > 0.9 and float(m["aux_scale"]) == 1.0
  assert float(state.aux_scale) == 2.0 and bool(state.drop_active)
  state, m = step(state, jax.random.key(2))  # The loss rose again: no drop; the weight keeps its new scale.
  assert float(m["aux_drop"]) == 0.0 and float(m["aux_weight"]) == 2.0 and float(state.aux_scale) == 2.0
  dropped = jnp.array([100.0, 100.0, 0.1, 0.1])
  capped, _ = step(state.replace(aux_history=dropped, drop_active=jnp.array(False)), jax.random.key(3))
  assert float(capped.aux_scale) == 3.0  # min(2 * 2, 3).
  still_on, m = step(state.replace(aux_history=dropped, drop_active=jnp.array(True)), jax.random.key(3))
  assert float(m["aux_drop"]) == 0.0 and float(still_on.aux_scale) == 2.0  # Not a rising edge.


def test_training_makes_generate_honour_the_class(two_attributes):
  """200 steps on the squares: generated images of class c have their square in quadrant c."""
  method, step, state = two_attributes
  labels = {"label": jnp.arange(200) % 4, "slant": jnp.arange(200) % 2}
  before = np.mean(quadrant_class(method.generate_conditional(state, jax.random.key(9), labels)) == labels["label"])
  accuracy = []
  for i in range(200):
    state, m = step(state, jax.random.fold_in(jax.random.key(1), i))
    accuracy.append(float(m["aux_accuracy_fake"]))
    assert np.isfinite(float(m["d_loss"])) and np.isfinite(float(m["g_loss"]))
  after = np.mean(quadrant_class(method.generate_conditional(state, jax.random.key(9), labels)) == labels["label"])
  assert after > 0.9 and before < 0.5, (before, after)
  assert np.mean(accuracy[-20:]) > 0.9
  x = method.sample(state, jax.random.key(3), 8)  # The first attribute balanced: 0, 1, 2, 3, 0, 1, 2, 3.
  assert np.mean(quadrant_class(x) == np.arange(8) % 4) > 0.7


def test_two_attributes_heads_codes_and_metrics(two_attributes):
  method, step, state = two_attributes
  assert state.generator["params"]["Dense_0"]["kernel"].shape[0] == 4 + 4 + 2  # [z, onehot(label), onehot(slant)].
  assert state.critic["params"]["Dense_2"]["kernel"].shape[1] == 1 + 4 + 2
  logits = method.classify(state, jnp.zeros((5, SIDE, SIDE, 1)))
  assert {k: v.shape for k, v in logits.items()} == {"label": (5, 4), "slant": (5, 2)}
  state, m = step(state, jax.random.key(1))
  assert set(m) == {"d_loss", "g_loss", "d_real", "d_fake", "d_grad_norm", "g_grad_norm", "aux_real", "d_aux_fake",
                    "aux_fake", "aux_accuracy_fake", "aux_weight", "aux_scale", "aux_drop", "aux_drop_size"}
  assert all(v.shape == () and v.dtype == jnp.float32 and np.isfinite(float(v)) for v in m.values())
  key, zeros = jax.random.key(2), jnp.zeros(6, jnp.int32)
  base = method.generate_conditional(state, key, {"label": zeros, "slant": zeros})
  assert base.shape == (6, SIDE, SIDE, 1)
  assert not np.allclose(base, method.generate_conditional(state, key, {"label": zeros, "slant": zeros + 1}))
  assert not np.allclose(base, method.generate_conditional(state, key, {"label": zeros + 3, "slant": zeros}))
  with pytest.raises(ValueError, match="slant"):
    method.generate_conditional(state, key, {"label": zeros})
  quiet = acgan.make(tiny_config(**{"method.attributes": ("label", "slant"), "method.num_classes": (4, 2)}),
                     sampler())  # Latent noise is for training only: sampling is the same.
  np.testing.assert_array_equal(method.sample(state, key, 4), quiet.sample(state, key, 4))


def test_bad_configs_are_refused_naming_the_setting():
  def error(**overrides):
    with pytest.raises(ValueError) as e:
      acgan.make(tiny_config(**overrides), sampler())
    return str(e.value)

  assert "num_classes" in error(**{"method.num_classes": (4, 2)})
  message = error(**{"method.objective": "hinge", "method.adaptive_aux_factor": 0.5})
  assert "objective" in message and "adaptive_aux_factor" in message  # Every bad setting, in one error.
  assert "per-example critic" in error(**{"method.objective": "wgan_gp", "model.minibatch_kernels": 4})
  assert "aux_weight" in error(**{"method.aux_weight.kind": "exponential"})
  assert "not labels of the data" in error(**{"method.attributes": ("font",)})
  for fix, value in (("pack", 2), ("num_generators", 3), ("feature_matching", True)):
    config = tiny_config()
    config.method[fix] = value
    with pytest.raises(ValueError, match=fix):
      acgan.make(config, sampler())
  config = tiny_config()
  config.method.pack = 1  # A fix switched off is accepted; an unknown key is not.
  config.method.lookahead = 5
  with pytest.raises(ValueError, match="lookahead"):
    acgan.make(config, sampler())
  del config.method["lookahead"]
  del config.method["aux_drop_window"]
  with pytest.raises(ValueError, match="aux_drop_window"):
    acgan.make(config, sampler())
  assert METHODS["acgan"] is acgan.make and letters_acgan.get_config().method.num_classes == (26,)


def test_build_gives_acgan_the_labelled_sampler(monkeypatch):
  images, labels = squares(64)
  real = RealData(sample=None, train={"image": images, **labels}, sample_labelled=sampler())
  monkeypatch.setattr(experiment, "make_real", lambda data: real)
  config = tiny_config()
  del config.train["eval_every"]  # No coverage classifier.
  _, method, _ = experiment.build(config)
  _, metrics = method.step(method.init(jax.random.key(0)), jax.random.key(1))  # real.sample is None: it must
  assert np.isfinite(float(metrics["aux_real"]))  # train on the labelled sampler.
  config.method.num_classes = (3,)
  with pytest.raises(ValueError, match="'label' has labels 0..3"):
    experiment.build(config)
  config.method.attributes, config.method.num_classes = ("weight",), (2,)
  with pytest.raises(ValueError, match="'weight' is not a label"):
    experiment.build(config)
  monkeypatch.setattr(experiment, "make_real", lambda data: real._replace(sample_labelled=None))
  with pytest.raises(ValueError, match="has none"):
    experiment.build(config)


def test_acgan_unrolled_changes_the_generator_update_only():
  """AC-GAN with the unrolled GAN's lookahead (Metz et al., 2017): the same critic update, another generator one."""
  helpers.assert_only_the_generator_update_differs(
      acgan.make(tiny_config(), sampler()), acgan.make(tiny_config(**{"method.unroll_steps": 2}), sampler()),
      warmup_steps=3)


def test_acgan_wgan_gp_adds_the_penalty_of_the_source_score_to_the_critic_loss():
  """AC-WGAN-GP (Gulrajani et al., 2017, Table 3): the objective comes from the GAN's registry, and the
  critic's loss is its Wasserstein term plus the auxiliary terms plus the penalty, which lambda scales."""
  base = tiny_config(**{"method.objective": "wgan_gp", "method.n_critic": 1})
  state = acgan.make(base, sampler()).init(jax.random.key(0))
  metrics = {}
  for weight in (0.0, 10.0):
    base.method.gradient_penalty = weight
    _, metrics[weight] = jax.jit(acgan.make(base, sampler()).step)(state, jax.random.key(3))
  with_penalty = metrics[10.0]
  assert float(with_penalty["gradient_penalty"]) > 0.0 and float(metrics[0.0]["gradient_penalty"]) == 0.0
  np.testing.assert_allclose(with_penalty["d_loss"] - metrics[0.0]["d_loss"], with_penalty["gradient_penalty"],
                             rtol=1e-5)
  # The Wasserstein statistics replace the probabilities: d_real and d_fake are raw scores.
  np.testing.assert_allclose(with_penalty["wasserstein"], with_penalty["d_real"] - with_penalty["d_fake"], rtol=1e-5)
  aux = with_penalty["aux_weight"] * (with_penalty["aux_real"] + with_penalty["d_aux_fake"])
  np.testing.assert_allclose(with_penalty["d_loss"], -with_penalty["wasserstein"] + aux
                             + with_penalty["gradient_penalty"], rtol=1e-4, atol=1e-5)
