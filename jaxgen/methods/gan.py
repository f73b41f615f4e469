"""GANs with an MLP generator and critic: minimax, non-saturating and WGAN-GP.

One step is `n_critic` critic (discriminator) updates followed by one
generator update, as in Gulrajani et al. (2017), Algorithm 1; the critic
iterations run as a `lax.scan` inside the step, each on a fresh data batch
and fresh latents. With `n_critic=1` this is the alternating update of
Goodfellow et al. (2014), Algorithm 1 (k = 1).

Objectives (`config.method.objective`):
  minimax:        D: BCE; G: minimises E log(1 - D(G(z)))  (Goodfellow et al., 2014, Eq. 1)
  non_saturating: D: BCE; G: minimises -E log D(G(z))      (ibid., Sec. 3)
  wgan_gp:        C: E C(G(z)) - E C(x) + gradient penalty; G: -E C(G(z))
                  (Gulrajani et al., 2017, Algorithm 1)

Metrics of a step (critic values are means over its `n_critic` iterations):
  d_loss, g_loss: the two losses (d_loss includes the penalty for wgan_gp).
  d_real, d_fake: mean D(x) and D(G(z)): probabilities for the BCE objectives,
    critic scores for wgan_gp.
  d_grad_norm, g_grad_norm: global L2 norms of the parameter gradients.
  wgan_gp only: gradient_penalty (weighted), wasserstein = E C(x) - E C(G(z)).
"""

from typing import Any

import flax
import flax.linen as nn
import jax
import jax.numpy as jnp
import ml_collections
import optax

from jaxgen.data import random_batch
from jaxgen.losses import gan as gan_losses
from jaxgen.methods.base import Method
from jaxgen.nn import MLPCritic, MLPGenerator

OBJECTIVES = ("minimax", "non_saturating", "wgan_gp")


@flax.struct.dataclass
class GANState:
  step: jax.Array  # int32 [], generator updates done.
  generator: Any  # Generator params.
  critic: Any  # Critic (discriminator) params.
  generator_opt: Any  # optax state.
  critic_opt: Any  # optax state.


def _adam(opt: ml_collections.ConfigDict) -> optax.GradientTransformation:
  return optax.adam(opt.learning_rate, b1=opt.b1, b2=opt.b2)


def make(config: ml_collections.ConfigDict, images: jax.Array) -> Method:
  """Builds the GAN method.

  Args:
    config: experiment config; reads `model` (latent_dim, generator_widths,
      critic_widths), `method` (objective, batch_size, n_critic,
      gradient_penalty) and `optimizer` (generator, critic: learning_rate, b1, b2).
    images: uint8 [N, H, W, C] training images, already on the device.

  Returns:
    A `Method` whose state is a `GANState`.

  Raises:
    ValueError: for an unknown objective or n_critic < 1.
  """
  m = config.method
  if m.objective not in OBJECTIVES:
    raise ValueError(f"method.objective must be one of {OBJECTIVES}, got {m.objective!r}")
  if m.n_critic < 1:
    raise ValueError(f"method.n_critic must be >= 1, got {m.n_critic}")
  latent_dim, batch_size, n_critic = config.model.latent_dim, m.batch_size, m.n_critic
  wgan = m.objective == "wgan_gp"

  generator = MLPGenerator(image_shape=tuple(images.shape[1:]), widths=tuple(config.model.generator_widths))
  critic = MLPCritic(widths=tuple(config.model.critic_widths))
  generator_tx = _adam(config.optimizer.generator)
  critic_tx = _adam(config.optimizer.critic)

  def generate(g_params, key, n):
    return generator.apply(g_params, jax.random.normal(key, (n, latent_dim)))

  def init(key):
    k_g, k_c = jax.random.split(key)
    g_params = generator.init(k_g, jnp.zeros((1, latent_dim)))
    c_params = critic.init(k_c, jnp.zeros((1, *images.shape[1:])))
    return GANState(
        step=jnp.zeros((), jnp.int32),
        generator=g_params,
        critic=c_params,
        generator_opt=generator_tx.init(g_params),
        critic_opt=critic_tx.init(c_params),
    )

  def critic_loss(c_params, real, fake, key):
    critic_fn = lambda x: critic.apply(c_params, x)
    real_out, fake_out = critic_fn(real), critic_fn(fake)
    if wgan:
      penalty = gan_losses.gradient_penalty(critic_fn, real, fake, key, m.gradient_penalty)
      loss = gan_losses.wasserstein_critic_loss(real_out, fake_out) + penalty
      aux = {"d_real": real_out.mean(), "d_fake": fake_out.mean(), "gradient_penalty": penalty,
             "wasserstein": real_out.mean() - fake_out.mean()}
    else:
      loss = gan_losses.discriminator_loss(real_out, fake_out)
      aux = {"d_real": jax.nn.sigmoid(real_out).mean(), "d_fake": jax.nn.sigmoid(fake_out).mean()}
    return loss, aux

  def generator_loss(g_params, c_params, key):
    fake_out = critic.apply(c_params, generate(g_params, key, batch_size))
    if wgan:
      return gan_losses.wasserstein_generator_loss(fake_out)
    if m.objective == "minimax":
      return gan_losses.generator_loss_minimax(fake_out)
    return gan_losses.generator_loss_non_saturating(fake_out)

  def critic_update(g_params, carry, key):
    c_params, c_opt = carry
    k_data, k_z, k_gp = jax.random.split(key, 3)
    real = random_batch(images, k_data, batch_size)
    fake = generate(g_params, k_z, batch_size)
    (loss, aux), grads = jax.value_and_grad(critic_loss, has_aux=True)(c_params, real, fake, k_gp)
    updates, c_opt = critic_tx.update(grads, c_opt, c_params)
    return (optax.apply_updates(c_params, updates), c_opt), {
        "d_loss": loss, "d_grad_norm": optax.tree.norm(grads), **aux}

  def step(state, key):
    k_critic, k_gen = jax.random.split(key)
    (c_params, c_opt), c_metrics = jax.lax.scan(
        lambda carry, k: critic_update(state.generator, carry, k),
        (state.critic, state.critic_opt),
        jax.random.split(k_critic, n_critic),
    )
    g_loss, g_grads = jax.value_and_grad(generator_loss)(state.generator, c_params, k_gen)
    updates, g_opt = generator_tx.update(g_grads, state.generator_opt, state.generator)
    new_state = GANState(
        step=state.step + 1,
        generator=optax.apply_updates(state.generator, updates),
        critic=c_params,
        generator_opt=g_opt,
        critic_opt=c_opt,
    )
    metrics = {k: v.mean() for k, v in c_metrics.items()}
    metrics.update(g_loss=g_loss, g_grad_norm=optax.tree.norm(g_grads))
    return new_state, metrics

  def sample(state, key, n):
    return generate(state.generator, key, n)

  return Method(init=init, step=step, sample=sample)
