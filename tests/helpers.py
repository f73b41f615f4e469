"""Small configs and methods shared by the tests."""

import functools

import chex
import jax
import jax.numpy as jnp
import ml_collections

from configs import mnist_wgan_gp
from jaxgen.data import random_batch
from jaxgen.methods.base import Method


def tiny_gan_config(objective: str = "wgan_gp") -> ml_collections.ConfigDict:
  """The smoke WGAN-GP config with narrow networks: compiles and runs in a few seconds."""
  c = mnist_wgan_gp.get_config("smoke")
  c.model.generator_widths = (32, 64)
  c.model.critic_widths = (64, 32)
  c.model.latent_dim = 16
  c.method.objective = objective
  if objective != "wgan_gp":
    c.method.n_critic = 1
  return c


def batches(images):
  """The real-data sampler of a uint8 [N, 28, 28, 1] array: random minibatches, on device."""
  return functools.partial(random_batch, jax.device_put(images))


def toy_config(steps: int = 20) -> ml_collections.ConfigDict:
  """Engine settings for `toy_method`: 5 steps per call, logs/figures every 5, checkpoints every 10."""
  return ml_collections.ConfigDict(dict(
      seed=0,
      train=dict(steps=steps, steps_per_call=5, log_every=5, checkpoint_every=10, figure_every=5,
                 keep_checkpoints=3),
  ))


def toy_method(nan_at_step: int | None = None) -> Method:
  """Noisy gradient descent on ||w||^2 / 2; optionally the loss is NaN from step `nan_at_step` (1-based)."""

  def init(key):
    return {"w": jax.random.normal(key, (4,)), "step": jnp.zeros((), jnp.int32)}

  def step(state, key):
    w = state["w"] - 0.1 * (state["w"] + 0.01 * jax.random.normal(key, (4,)))
    loss = 0.5 * jnp.sum(w ** 2)
    if nan_at_step is not None:
      loss = jnp.where(state["step"] + 1 >= nan_at_step, jnp.nan, loss)
    return {"w": w, "step": state["step"] + 1}, {"loss": loss}

  def sample(state, key, n):
    return jnp.tanh(state["w"].reshape(1, 2, 2, 1) + jax.random.normal(key, (n, 2, 2, 1)))

  return Method(init=init, step=step, sample=sample)


def ring_sampler():
  """The 8-Gaussian ring sampler (jaxgen.data.mixtures)."""
  from jaxgen.data import mixtures  # pylint: disable=g-import-not-at-top
  return functools.partial(mixtures.sample, mixtures.ring())


def tiny_ring_config(**overrides) -> ml_collections.ConfigDict:
  """The smoke ring GAN config with tiny networks, plus flattened-key overrides."""
  from configs import ring_gan  # pylint: disable=g-import-not-at-top
  c = ring_gan.get_config("smoke")
  c.model.latent_dim = 4
  c.model.generator_widths = (16, 16)
  c.model.critic_widths = (16,)
  c.update_from_flattened_dict(overrides)
  return c


def assert_only_the_generator_update_differs(base: Method, other: Method, warmup_steps: int = 5) -> None:
  """After `warmup_steps` of `base` (so the critic is not at its initialisation), one step of each from the
  same state and key gives the same critic but different generators (what a lookahead fix must do)."""
  state = base.init(jax.random.key(0))
  for i in range(warmup_steps):
    state, _ = jax.jit(base.step)(state, jax.random.key(100 + i))
  base_next, _ = jax.jit(base.step)(state, jax.random.key(7))
  other_next, _ = jax.jit(other.step)(state, jax.random.key(7))
  chex.assert_trees_all_equal(base_next.critic, other_next.critic)
  diff = jax.tree.map(lambda a, b: float(jnp.max(jnp.abs(a - b))), base_next.generator, other_next.generator)
  assert max(jax.tree.leaves(diff)) > 1e-6

