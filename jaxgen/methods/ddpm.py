"""DDPM: a denoiser trained on L_simple, an exponential moving average of its parameters sampled with DDPM or DDIM.

One step is one Adam update of the denoiser on a batch of real data,

  loss = E_{x_0, t, eps} || target - net(sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps, t) ||^2

(Ho et al., 2020, Eq. 14 and Algorithm 1; target eps, or v of Salimans & Ho,
2022), then ema <- d ema + (1 - d) params with d = min(ema_decay,
(1 + step) / (10 + step)) (`jaxgen.methods.base.ema_update`): without the
warm-up the average of a short run keeps (ema_decay)^step of the untrained
network, and on MNIST that EMA sampled noise. Ho et al. sample with an
EMA of decay 0.9999 over 800k steps. Samples come from the EMA parameters:
`method.sampler` "ddpm" is Algorithm 2 over all T steps, "ddim" is Song et
al. (2021)'s sampler over `method.sample_steps` steps with `method.eta` (0:
deterministic, 1: ancestral; x0_hat clipped to [-1, 1] for images). Everything of the process itself is in
`jaxgen.losses.diffusion`.

Metrics of a step: loss (the batch mean of L_simple), grad_norm.
"""

from typing import Any, Callable, NamedTuple

import flax
import jax
import jax.numpy as jnp
import ml_collections
import optax

from jaxgen.losses import diffusion
from jaxgen.methods.base import adam, ema_update
from jaxgen.nn.denoisers import MLPDenoiser, UNet

ARCHITECTURES = ("unet", "mlp")
SAMPLERS = ("ddpm", "ddim")


@flax.struct.dataclass
class DDPMState:
  step: jax.Array  # int32 [], updates done.
  params: Any  # The denoiser's parameters, trained.
  ema_params: Any  # Their exponential moving average, sampled from.
  opt_state: Any  # optax state.


class DDPM(NamedTuple):
  """The `Method` functions plus the trained model as a noise predictor.

  Attributes:
    init, step, sample: the method protocol (`jaxgen.methods.base.Method`);
      `sample(state, key, n)` gives float32 [n, ...] with the configured
      sampler, images clipped to [-1, 1] (the U-Net), points unclipped.
    denoiser: state -> eps_fn, (x_t float32 [B, ...], t int32 [B]) -> the
      predicted noise, from the EMA parameters (a v-prediction converted by
      `diffusion.eps_from_v`); what `diffusion.ddpm_sample` and
      `diffusion.ddim_sample` take.
    schedule: the `diffusion.Schedule` the model was trained with.
  """

  init: Callable
  step: Callable
  sample: Callable
  denoiser: Callable
  schedule: diffusion.Schedule


def check(config: ml_collections.ConfigDict) -> None:
  """Raises ValueError naming every invalid DDPM setting."""
  m, mc = config.method, config.model
  errors = []
  if mc.architecture not in ARCHITECTURES:
    errors.append(f"model.architecture must be one of {ARCHITECTURES}, got {mc.architecture!r}")
  if m.schedule not in diffusion.SCHEDULES:
    errors.append(f"method.schedule must be one of {diffusion.SCHEDULES}, got {m.schedule!r}")
  if m.prediction not in diffusion.PREDICTIONS:
    errors.append(f"method.prediction must be one of {diffusion.PREDICTIONS}, got {m.prediction!r}")
  if m.sampler not in SAMPLERS:
    errors.append(f"method.sampler must be one of {SAMPLERS}, got {m.sampler!r}")
  if m.sample_steps > m.num_timesteps:
    errors.append(f"method.sample_steps ({m.sample_steps}) must be <= method.num_timesteps ({m.num_timesteps})")
  if errors:
    raise ValueError("; ".join(errors))


def make(config: ml_collections.ConfigDict, sample_real: Callable[[jax.Array, int], jax.Array]) -> DDPM:
  """Builds DDPM.

  Args:
    config: reads `model` (architecture "unet" with channels, attention,
      dropout_rate, groups; or "mlp" with widths, time_dim), `method`
      (batch_size, num_timesteps, schedule "linear" | "cosine", prediction
      "epsilon" | "v", ema_decay, sampler "ddpm" | "ddim", sample_steps,
      eta) and `optimizer` (learning_rate, b1, b2, decay_steps).
    sample_real: (key, n) -> float32 [n, ...] data in the model's range, jittable.

  Returns:
    A `DDPM` whose state is a `DDPMState`.

  Raises:
    ValueError: naming every invalid setting.
  """
  check(config)
  m, mc = config.method, config.model
  data_shape = tuple(jax.eval_shape(lambda k: sample_real(k, 1), jax.random.key(0)).shape[1:])
  images = mc.architecture == "unet"
  if images:
    net = UNet(channels=tuple(mc.channels), attention=mc.attention, dropout_rate=mc.dropout_rate, groups=mc.groups)
  else:
    net = MLPDenoiser(widths=tuple(mc.widths), time_dim=mc.time_dim)
  schedule = diffusion.schedule_from_config(m.schedule, m.num_timesteps)
  tx = adam(config.optimizer)

  def apply(params, x, t, key=None):
    if not images:
      return net.apply(params, x, t)
    return net.apply(params, x, t, train=key is not None, rngs=None if key is None else {"dropout": key})

  def init(key):
    params = net.init(key, jnp.zeros((1, *data_shape)), jnp.zeros((1,), jnp.int32))
    return DDPMState(step=jnp.zeros((), jnp.int32), params=params, ema_params=params, opt_state=tx.init(params))

  def step(state, key):
    k_data, k_loss, k_dropout = jax.random.split(key, 3)
    x0 = sample_real(k_data, m.batch_size)

    def loss_fn(params):
      model_fn = lambda xt, t: apply(params, xt, t, k_dropout)
      return diffusion.diffusion_loss(model_fn, schedule, x0, k_loss, m.prediction).mean()

    loss, grads = jax.value_and_grad(loss_fn)(state.params)
    updates, opt_state = tx.update(grads, state.opt_state, state.params)
    params = optax.apply_updates(state.params, updates)
    ema = ema_update(state.ema_params, params, m.ema_decay, state.step)
    new_state = state.replace(step=state.step + 1, params=params, ema_params=ema, opt_state=opt_state)
    return new_state, {"loss": loss, "grad_norm": optax.tree.norm(grads)}

  def denoiser(state):
    def eps_fn(xt, t):
      out = apply(state.ema_params, xt, t)
      if m.prediction == "v":
        return diffusion.eps_from_v(diffusion.at_timesteps(schedule.alpha_bar, t, xt), xt, out)
      return out
    return eps_fn

  def sample(state, key, n):
    k_T, k_noise = jax.random.split(key)
    x_T = jax.random.normal(k_T, (n, *data_shape))
    if m.sampler == "ddpm":
      x0 = diffusion.ddpm_sample(denoiser(state), schedule, x_T, k_noise)
    else:
      x0 = diffusion.ddim_sample(denoiser(state), schedule, x_T, k_noise, m.sample_steps, m.eta, clip_x0=images)
    return jnp.clip(x0, -1.0, 1.0) if images else x0

  return DDPM(init=jax.jit(init), step=step, sample=jax.jit(sample, static_argnums=2), denoiser=denoiser,
              schedule=schedule)
