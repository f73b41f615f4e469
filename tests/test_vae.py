"""The VAE methods: ELBO bookkeeping, dead units found, the LSTM decoder is causal, beta grids as vmapped sweeps."""

import copy
import json
import functools

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from configs import drums_hvae, grid_vae, mnist_vae
from jaxgen import engine
from jaxgen import experiment
from jaxgen.data import drums, mixtures, pattern_batch
from jaxgen.engine.loop import run_keys
from jaxgen.methods import hvae, vae
from jaxgen.metrics import active_units
from jaxgen.nn import DrumDecoder
from tests import helpers


@functools.cache
def drum_sampler():
  patterns, _ = drums.generate_patterns(seed=0, per_style=40)
  return functools.partial(pattern_batch, jax.device_put(patterns))


def tiny_vae_config(**overrides):
  c = mnist_vae.get_config("smoke")
  c.model.latent_dim = 4
  c.update_from_flattened_dict(overrides)
  return c


def test_step_loss_is_the_negative_elbo_with_its_weight():
  """At free_bits 0: loss = recon_nll + kl_weight * a(t) * KL, with the logged pieces; a(0) = 0 for linear warm-up."""
  config = drums_hvae.get_config("smoke")
  config.method.kl_weight = 2.0
  method = hvae.make(config, drum_sampler())
  state = method.init(jax.random.key(0))
  _, metrics = jax.jit(method.step)(state, jax.random.key(1))
  np.testing.assert_allclose(metrics["loss"], metrics["recon_nll"] + 2.0 * (metrics["kl_high"] + metrics["kl_low"]),
                             rtol=1e-5)
  np.testing.assert_allclose(sum(metrics[f"kl_low/{d:02d}"] for d in range(12)), metrics["kl_low"], rtol=1e-5)
  config.update_from_flattened_dict({"method.kl_schedule.kind": "linear", "method.kl_schedule.warmup_steps": 10})
  method = hvae.make(config, drum_sampler())
  _, metrics = jax.jit(method.step)(method.init(jax.random.key(0)), jax.random.key(1))
  assert float(metrics["kl_weight"]) == 0.0
  np.testing.assert_allclose(metrics["loss"], metrics["recon_nll"], rtol=1e-6)


def test_free_bits_floor_each_dimension_in_the_loss():
  config = drums_hvae.get_config("smoke")
  config.method.free_bits = 100.0  # Far above any dimension's KL at init: the KL term is the constant 16 * 100.
  method = hvae.make(config, drum_sampler())
  _, metrics = jax.jit(method.step)(method.init(jax.random.key(0)), jax.random.key(1))
  np.testing.assert_allclose(metrics["loss"], metrics["recon_nll"] + 16 * 100.0, rtol=1e-5)


def test_training_beats_the_untrained_model_and_z_high_collapses_without_annealing(tmp_path):
  """400 steps at beta 1: the test ELBO improves a lot, z_low carries the pattern, z_high carries ~nothing."""
  config = drums_hvae.get_config("smoke")
  config.train.steps, config.train.checkpoint_every, config.train.figure_every = 400, 400, 400
  config.train.log_every = 100
  method = hvae.make(config, drum_sampler())
  patterns, _ = drums.generate_patterns(seed=1, per_style=20)
  x = 2.0 * patterns.astype(np.float32) - 1.0
  untrained = method.elbo_terms(method.init(run_keys(0)["init"]), x, jax.random.key(0))
  state = engine.train(method, config, tmp_path, progress=False)
  trained = method.elbo_terms(state, x, jax.random.key(0))
  neg_elbo = lambda t: float(np.mean(t["recon_nll"] + t["kl_high"] + t["kl_low"]))
  assert neg_elbo(trained) < 0.6 * neg_elbo(untrained)
  assert float(trained["kl_low"].mean()) > 2.0
  assert float(trained["kl_high"].mean()) < 0.1


def test_active_units_finds_the_dead_dimensions_of_a_model():
  """Zero the encoder's mean head for dimensions 1 and 3: exactly those two are inactive."""
  config = tiny_vae_config()
  images = np.random.default_rng(0).integers(0, 256, (64, 28, 28, 1), np.uint8)
  method = vae.make(config, helpers.batches(images))
  state = method.init(jax.random.key(0))
  params = jax.tree.map(lambda p: p, state.params)
  head = params["encoder"]["params"]["Dense_2"]  # GaussianMLP: two hidden layers, then the mean head.
  head["kernel"] = head["kernel"].at[:, jnp.array([1, 3])].set(0.0)
  head["bias"] = head["bias"].at[jnp.array([1, 3])].set(0.3)
  state = state.replace(params=params)
  x = (images.astype(np.float32) - 127.5) / 127.5
  count, variances = active_units(method.encode(state, x, jax.random.key(1))["mean"])
  assert int(count) == 2
  np.testing.assert_array_equal(np.asarray(variances) > 0.01, [True, False, True, False])


def test_lstm_decoder_is_autoregressive():
  """Step t's logits depend on the pattern before t only (teacher forcing), and `generate` gives binary patterns."""
  decoder = DrumDecoder(kind="lstm", channels=(16,))
  z = jax.random.normal(jax.random.key(0), (2, 5))
  targets = jax.random.bernoulli(jax.random.key(1), 0.3, (2, 16, 9)).astype(jnp.float32)
  params = decoder.init(jax.random.key(2), z, targets)
  changed = targets.at[:, 6:].set(1.0 - targets[:, 6:])
  a, b = decoder.apply(params, z, targets), decoder.apply(params, z, changed)
  np.testing.assert_array_equal(a[:, :7], b[:, :7])  # Step 6 sees steps 0-5 only.
  assert not np.allclose(a[:, 7:], b[:, 7:])
  patterns = decoder.apply(params, z, jax.random.key(3), method="generate")
  assert patterns.shape == (2, 16, 9) and set(np.unique(patterns)) <= {0.0, 1.0}


def test_gaussian_likelihood_is_the_decoders_gaussian_and_samples_are_its_draws():
  """model.likelihood=gaussian (the 2-D mixtures): recon_nll is -log N(x; mean(z), exp(log_scale(z))^2) of the
  decoder's two heads at the posterior sample, and the samples' variance is the law of total variance of
  p(x | z) over z ~ N(0, I): E[exp(2 log_scale)] + Var[mean], per coordinate."""
  config = grid_vae.get_config("smoke")
  sampler = lambda key, n: mixtures.sample(mixtures.grid(), key, n)
  method = vae.make(config, sampler)
  state = method.init(jax.random.key(0))
  params = jax.tree.map(lambda p: p, state.params)
  head = params["decoder"]["params"]["Dense_2"]  # MLPDecoder's output: (mean, log_scale) of both coordinates.
  head["bias"] = head["bias"].at[2:].set(jnp.array([-1.0, 0.5]))  # Scales 0.37 and 1.65 rather than ~1.
  state = state.replace(params=params)
  x = sampler(jax.random.key(1), 64)
  z = method.encode(state, x, jax.random.key(2))["z"]
  mean, log_scale = np.split(np.asarray(method.decode(state, z), np.float64), 2, axis=-1)
  nll = np.sum(0.5 * np.log(2 * np.pi) + log_scale + 0.5 * ((np.asarray(x) - mean) / np.exp(log_scale)) ** 2, -1)
  np.testing.assert_allclose(method.elbo_terms(state, x, jax.random.key(2))["recon_nll"], nll, rtol=1e-4)
  config.model.likelihood = "bernoulli"
  bernoulli = vae.make(config, sampler)
  assert bernoulli.decode(bernoulli.init(jax.random.key(0)), z).shape == (64, 2)  # One head: logits.

  samples = np.asarray(method.sample(state, jax.random.key(3), 40_000), np.float64)
  mean, log_scale = np.split(np.asarray(method.decode(state, jax.random.normal(jax.random.key(4), (40_000, 2))),
                                        np.float64), 2, axis=-1)
  np.testing.assert_allclose(samples.var(0), np.exp(2 * log_scale).mean(0) + mean.var(0), rtol=0.05)
  np.testing.assert_allclose(samples.mean(0), mean.mean(0), atol=0.02 * float(np.sqrt(samples.var(0).max())))  # ~4 s.e.


def test_echo_vae_rate_is_minus_log_scale_and_samples_need_no_big_batch():
  config = tiny_vae_config(**{"model.encoder": "echo"})
  images = np.random.default_rng(0).integers(0, 256, (64, 28, 28, 1), np.uint8)
  method = vae.make(config, helpers.batches(images))
  state = method.init(jax.random.key(0))
  x = (images[:16].astype(np.float32) - 127.5) / 127.5
  posterior = method.encode(state, x, jax.random.key(1))
  terms = method.elbo_terms(state, x, jax.random.key(1))
  np.testing.assert_allclose(terms["kl"], -posterior["log_scale"].sum(-1), rtol=1e-6)
  assert np.all(np.asarray(terms["kl"]) > 4 * -np.log(config.model.echo_clip) - 1e-5)  # S < clip in every dim.
  samples = method.sample(state, jax.random.key(2), 3)  # Fewer than echo_d_max: a larger real batch is drawn.
  assert samples.shape == (3, 28, 28, 1) and np.all(np.abs(np.asarray(samples)) <= 1)
  with pytest.raises(ValueError, match="echo_d_max"):
    vae.make(tiny_vae_config(**{"model.encoder": "echo", "model.echo_d_max": 16}), helpers.batches(images))


def test_beta_grid_as_a_vmapped_sweep_matches_single_runs(tmp_path):
  """Member i of a sweep with settings {"kl_weight": betas} is the single run of seed i with kl_weight betas[i]."""
  config = tiny_vae_config()
  config.train.steps = 10
  images = np.random.default_rng(0).integers(0, 256, (64, 28, 28, 1), np.uint8)
  method = vae.make(config, helpers.batches(images))
  sweep = engine.train(method, config, tmp_path / "sweep", progress=False, seeds=[0, 1],
                       settings={"kl_weight": [0.5, 4.0]})
  one = copy.deepcopy(config)
  one.seed, one.method.kl_weight = 1, 4.0
  single = engine.train(vae.make(one, helpers.batches(images)), one, tmp_path / "single", progress=False)
  chex.assert_trees_all_close(jax.tree.map(lambda x: x[1], sweep), single, rtol=1e-4, atol=1e-5)
  with pytest.raises(engine.ConfigMismatchError):  # Resuming with other settings is refused.
    engine.train(method, config, tmp_path / "sweep", progress=False, seeds=[0, 1], settings={"kl_weight": [1.0, 4.0]})
  with pytest.raises(ValueError, match="one entry per seed"):
    engine.train(method, config, tmp_path / "other", progress=False, seeds=[0, 1], settings={"kl_weight": [1.0]})


def test_a_drum_run_writes_piano_rolls_and_evaluates_the_diagnostics(tmp_path, tfds_data_dir):
  """The smoke drum config end to end: training, figures of patterns, and eval.json's numbers."""
  config = drums_hvae.get_config("smoke")
  config.data.data_dir = tfds_data_dir
  config.eval.num_samples = 50
  result, *_ = experiment.train_and_evaluate(config, tmp_path, progress=False)
  assert json.loads((tmp_path / "eval.json").read_text()) == result
  assert (tmp_path / "figures" / "samples.png").read_bytes()[:4] == b"\x89PNG"
  np.testing.assert_allclose(result["elbo"], -(result["recon_nll"] + result["kl_high"] + result["kl_low"]), rtol=1e-5)
  assert len(result["kl_per_dim_high"]) == 4 and len(result["kl_per_dim_low"]) == 12
  assert 0 <= result["active_units_high"] <= 4 and 0 <= result["active_units_low"] <= 12
  assert 0.0 <= result["validity"] <= 1.0 and 0.0 <= result["diversity"] <= 1.0
  assert sum(result["sample_styles"]) == 50 and 0.0 <= result["style_accuracy"] <= 1.0
