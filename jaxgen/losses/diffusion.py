r"""Denoising diffusion (DDPM, DDIM): noise schedules, the closed-form forward process, the loss, the samplers.

The forward process adds Gaussian noise in T steps,
q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I), and with
alpha_t = 1 - beta_t, alpha_bar_t = prod_{s <= t} alpha_s it has the closed form

  q(x_t | x_0) = N(sqrt(alpha_bar_t) x_0, (1 - alpha_bar_t) I)     (Ho et al., 2020, Eq. 4),

so x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) eps with one
eps ~ N(0, I) (`q_sample`): Gaussians compose, a product of the per-step
scalings times x_0 plus a sum of independent noises whose variances add up to
1 - alpha_bar_t. A network eps_theta(x_t, t) learns to predict eps
(`diffusion_loss`) and the samplers run the reverse chain from x_T ~ N(0, I).

Indexing: arrays of the schedule have T entries and index i holds the
paper's timestep t = i + 1 (beta[0] is beta_1). A timestep argument `t` is
that 0-based index, int32 in [0, T); the networks see the same index.

References: Ho, Jain & Abbeel (2020), "Denoising Diffusion Probabilistic
Models"; Nichol & Dhariwal (2021), "Improved Denoising Diffusion Probabilistic
Models"; Song, Meng & Ermon (2021), "Denoising Diffusion Implicit Models";
Salimans & Ho (2022), "Progressive Distillation for Fast Sampling of
Diffusion Models" (v-prediction).
"""

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp

PREDICTIONS = ("epsilon", "v")
SCHEDULES = ("linear", "cosine")


class Schedule(NamedTuple):
  """The noise schedule as arrays of T float32 entries (index i is timestep i + 1).

  Attributes:
    betas: beta_t, the per-step noise variances.
    alphas: 1 - beta_t.
    alpha_bar: prod_{s <= t} alpha_s, the signal fraction of q(x_t | x_0).
    alpha_bar_prev: alpha_bar_{t-1}, with alpha_bar_0 = 1.
  """

  betas: jax.Array
  alphas: jax.Array
  alpha_bar: jax.Array
  alpha_bar_prev: jax.Array


def linear_betas(num_timesteps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02) -> jax.Array:
  """float32 [T] betas rising linearly from beta_start to beta_end (Ho et al., 2020, Sec. 4: 1e-4 to 0.02, T = 1000).

  Example:
    >>> [round(float(b), 4) for b in linear_betas(3, 0.1, 0.3)]
    [0.1, 0.2, 0.3]
  """
  return jnp.linspace(beta_start, beta_end, num_timesteps, dtype=jnp.float32)


def cosine_betas(num_timesteps: int = 1000, s: float = 0.008, max_beta: float = 0.999) -> jax.Array:
  r"""float32 [T] betas of the cosine schedule (Nichol & Dhariwal, 2021, Eq. 17).

  alpha_bar(t) = f(t) / f(0), f(t) = cos^2( (t / T + s) / (1 + s) * pi / 2 ),
  beta_t = 1 - alpha_bar(t) / alpha_bar(t - 1), clipped at `max_beta` (0.999
  in the paper) so that the last steps, where alpha_bar reaches 0, stay finite.

  Example:
    >>> b = cosine_betas(1000)
    >>> round(float(b[0]), 6), round(float(b[-1]), 3)
    (4.1e-05, 0.999)
  """
  t = jnp.arange(num_timesteps + 1, dtype=jnp.float32) / num_timesteps
  f = jnp.cos((t + s) / (1 + s) * jnp.pi / 2) ** 2
  alpha_bar = f / f[0]
  return jnp.clip(1.0 - alpha_bar[1:] / alpha_bar[:-1], 0.0, max_beta)


def make_schedule(betas: jax.Array) -> Schedule:
  """The `Schedule` of float32 betas [T], each in (0, 1)."""
  betas = jnp.asarray(betas, jnp.float32)
  alphas = 1.0 - betas
  alpha_bar = jnp.cumprod(alphas)
  return Schedule(betas, alphas, alpha_bar, jnp.concatenate([jnp.ones(1), alpha_bar[:-1]]))


def schedule_from_config(kind: str, num_timesteps: int) -> Schedule:
  """`make_schedule` of "linear" (Ho et al.'s 1e-4 to 0.02) or "cosine" (s = 0.008) betas over `num_timesteps`.

  Raises:
    ValueError: an unknown kind.
  """
  if kind == "linear":
    return make_schedule(linear_betas(num_timesteps))
  if kind == "cosine":
    return make_schedule(cosine_betas(num_timesteps))
  raise ValueError(f"schedule must be one of {SCHEDULES}, got {kind!r}")


def at_timesteps(values: jax.Array, t: jax.Array, like: jax.Array) -> jax.Array:
  """values[t] for int32 timesteps t [B], shaped [B, 1, ...] to broadcast against `like` [B, ...]."""
  return values[t].reshape(t.shape + (1,) * (like.ndim - t.ndim))


def posterior_variance(schedule: Schedule) -> jax.Array:
  """float32 [T] beta~_t = (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) beta_t, the variance of q(x_{t-1} | x_t, x_0)
  (Ho et al., 2020, Eq. 7); 0 at the first step."""
  return (1.0 - schedule.alpha_bar_prev) / (1.0 - schedule.alpha_bar) * schedule.betas


def q_sample(schedule: Schedule, x0: jax.Array, t: jax.Array, noise: jax.Array) -> jax.Array:
  """x_t ~ q(x_t | x_0) in closed form: sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) noise (Ho et al., 2020, Eq. 4).

  Args:
    schedule: the `Schedule`.
    x0: float32 [B, ...] data.
    t: int32 [B] timestep indices in [0, T).
    noise: float32 like x0, N(0, I).

  Returns:
    float32 like x0.

  Example (alpha_bar_1 = 1 - beta_1 = 0.75):
    >>> s = make_schedule(jnp.array([0.25, 0.5]))
    >>> float(q_sample(s, jnp.ones((1, 1)), jnp.array([0]), jnp.zeros((1, 1)))[0, 0])
    0.8660253882408142
  """
  a = at_timesteps(schedule.alpha_bar, t, x0)
  return jnp.sqrt(a) * x0 + jnp.sqrt(1.0 - a) * noise


def q_step(schedule: Schedule, x_prev: jax.Array, t: jax.Array, noise: jax.Array) -> jax.Array:
  """One forward step x_t ~ q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I) (Ho et al., 2020, Eq. 2).

  Running it for t = 0 .. k - 1 gives a draw of q(x_k | x_0) the long way:
  what `q_sample` computes in one step (the diffusion study checks the two
  distributions against each other). Shapes as for `q_sample`.
  """
  b = at_timesteps(schedule.betas, t, x_prev)
  return jnp.sqrt(1.0 - b) * x_prev + jnp.sqrt(b) * noise


def q_posterior(schedule: Schedule, x0: jax.Array, xt: jax.Array, t: jax.Array) -> tuple[jax.Array, jax.Array]:
  r"""Mean and variance of q(x_{t-1} | x_t, x_0) (Ho et al., 2020, Eq. 6-7).

  mean = sqrt(alpha_bar_{t-1}) beta_t / (1 - alpha_bar_t) x_0
         + sqrt(alpha_t) (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) x_t,
  variance = beta~_t = (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t) beta_t
  (0 at the first step, t index 0).

  Args:
    schedule: the `Schedule`.
    x0, xt: float32 [B, ...].
    t: int32 [B] timestep indices.

  Returns:
    (mean float32 like x0, variance float32 broadcastable to it, [B, 1, ...]).
  """
  a_bar, a_bar_prev = at_timesteps(schedule.alpha_bar, t, xt), at_timesteps(schedule.alpha_bar_prev, t, xt)
  beta, alpha = at_timesteps(schedule.betas, t, xt), at_timesteps(schedule.alphas, t, xt)
  mean = (jnp.sqrt(a_bar_prev) * beta * x0 + jnp.sqrt(alpha) * (1.0 - a_bar_prev) * xt) / (1.0 - a_bar)
  return mean, at_timesteps(posterior_variance(schedule), t, xt)


def predict_x0(alpha_bar_t: jax.Array, xt: jax.Array, eps: jax.Array) -> jax.Array:
  """x_0 implied by a noise prediction: (x_t - sqrt(1 - alpha_bar_t) eps) / sqrt(alpha_bar_t), q_sample inverted.

  alpha_bar_t broadcastable to xt.
  """
  return (xt - jnp.sqrt(1.0 - alpha_bar_t) * eps) / jnp.sqrt(alpha_bar_t)


def v_target(alpha_bar_t: jax.Array, x0: jax.Array, noise: jax.Array) -> jax.Array:
  """v = sqrt(alpha_bar_t) eps - sqrt(1 - alpha_bar_t) x_0 (Salimans & Ho, 2022, Sec. 4 and App. D)."""
  return jnp.sqrt(alpha_bar_t) * noise - jnp.sqrt(1.0 - alpha_bar_t) * x0


def eps_from_v(alpha_bar_t: jax.Array, xt: jax.Array, v: jax.Array) -> jax.Array:
  """The noise a v-prediction implies: eps = sqrt(alpha_bar_t) v + sqrt(1 - alpha_bar_t) x_t.

  With x_t = a x_0 + b eps and v = a eps - b x_0 (a^2 + b^2 = 1):
  a v + b x_t = (a^2 + b^2) eps.
  """
  return jnp.sqrt(alpha_bar_t) * v + jnp.sqrt(1.0 - alpha_bar_t) * xt


def diffusion_loss(model_fn: Callable[[jax.Array, jax.Array], jax.Array], schedule: Schedule, x0: jax.Array,
                   key: jax.Array, prediction: str = "epsilon") -> jax.Array:
  r"""Per-example L_simple: || target - model(x_t, t) ||^2, mean over the data dimensions (Ho et al., 2020, Eq. 14).

  t ~ Uniform{0, ..., T - 1} and eps ~ N(0, I) per example, x_t by `q_sample`;
  the target is eps ("epsilon") or v (`v_target`, "v"; Salimans & Ho, 2022).
  The mean over dimensions (not the sum) follows the authors' code; it only
  rescales the loss.

  Args:
    model_fn: (x_t float32 [B, ...], t int32 [B]) -> prediction like x_t.
    schedule: the `Schedule`.
    x0: float32 [B, ...] data.
    key: PRNG key.
    prediction: "epsilon" or "v".

  Returns:
    float32 [B].

  Raises:
    ValueError: an unknown prediction.
  """
  if prediction not in PREDICTIONS:
    raise ValueError(f"prediction must be one of {PREDICTIONS}, got {prediction!r}")
  k_t, k_noise = jax.random.split(key)
  t = jax.random.randint(k_t, (x0.shape[0],), 0, schedule.betas.shape[0])
  noise = jax.random.normal(k_noise, x0.shape, x0.dtype)
  xt = q_sample(schedule, x0, t, noise)
  target = noise if prediction == "epsilon" else v_target(at_timesteps(schedule.alpha_bar, t, x0), x0, noise)
  err = jnp.square(model_fn(xt, t) - target)
  return err.reshape(err.shape[0], -1).mean(-1)


def timesteps(num_timesteps: int, num_steps: int) -> jax.Array:
  """int32 [num_steps] evenly spaced timestep indices from T - 1 down to 0, the sampler's visiting order.

  num_steps = T gives every timestep; fewer is the strided sampling of
  Nichol & Dhariwal (2021, Sec. 4) and DDIM (Song et al., 2021, Sec. 4.2).

  Raises:
    ValueError: num_steps not in [1, T].

  Example:
    >>> timesteps(1000, 4).tolist()
    [999, 666, 333, 0]
  """
  if not 1 <= num_steps <= num_timesteps:
    raise ValueError(f"num_steps must be in [1, {num_timesteps}], got {num_steps}")
  return jnp.round(jnp.linspace(num_timesteps - 1, 0, num_steps)).astype(jnp.int32)


def ddpm_sample(eps_fn: Callable[[jax.Array, jax.Array], jax.Array], schedule: Schedule, x_T: jax.Array,
                key: jax.Array, variance: str = "beta") -> jax.Array:
  r"""Ancestral sampling over all T steps (Ho et al., 2020, Algorithm 2), one `lax.scan`.

  x_{t-1} = 1 / sqrt(alpha_t) ( x_t - beta_t / sqrt(1 - alpha_bar_t) eps_theta(x_t, t) ) + sigma_t z,
  z ~ N(0, I) except at the last step, with sigma_t^2 = beta_t ("beta") or
  beta~_t ("posterior", the variance of `q_posterior`); Ho et al. report
  both give similar samples. The noise z of step index i is
  N(0, I) of `fold_in(key, i)`, as in `ddim_sample`, so that "posterior"
  here and `ddim_sample(..., eta=1)` over all T steps agree.

  Args:
    eps_fn: (x_t float32 [B, ...], t int32 [B]) -> predicted noise like x_t.
    schedule: the `Schedule`.
    x_T: float32 [B, ...] N(0, I) draws.
    key: PRNG key of the sampling noise.
    variance: "beta" or "posterior".

  Returns:
    float32 [B, ...] x_0, not clipped.
  """
  if variance not in ("beta", "posterior"):
    raise ValueError(f"variance must be 'beta' or 'posterior', got {variance!r}")

  def step(x, i):
    t = jnp.full(x.shape[:1], i)
    eps = eps_fn(x, t)
    beta, alpha, a_bar = schedule.betas[i], schedule.alphas[i], schedule.alpha_bar[i]
    mean = (x - beta / jnp.sqrt(1.0 - a_bar) * eps) / jnp.sqrt(alpha)
    var = beta if variance == "beta" else posterior_variance(schedule)[i]
    z = jax.random.normal(jax.random.fold_in(key, i), x.shape, x.dtype)
    return mean + jnp.where(i > 0, jnp.sqrt(var), 0.0) * z, None

  x0, _ = jax.lax.scan(step, x_T, jnp.arange(schedule.betas.shape[0] - 1, -1, -1))
  return x0


def ddim_sample(eps_fn: Callable[[jax.Array, jax.Array], jax.Array], schedule: Schedule, x_T: jax.Array,
                key: jax.Array, num_steps: int, eta: float = 0.0, clip_x0: bool = False) -> jax.Array:
  r"""DDIM sampling over `num_steps` evenly spaced timesteps (Song et al., 2021, Eq. 12), one `lax.scan`.

  From timestep t to the previous visited one s (alpha_bar_s = 1 after the last):
    x0_hat = (x_t - sqrt(1 - alpha_bar_t) eps) / sqrt(alpha_bar_t),
    x_s = sqrt(alpha_bar_s) x0_hat + sqrt(1 - alpha_bar_s - sigma^2) eps + sigma z,
    sigma = eta sqrt( (1 - alpha_bar_s) / (1 - alpha_bar_t) ) sqrt(1 - alpha_bar_t / alpha_bar_s)   (Eq. 16).
  eta = 0 is deterministic DDIM; eta = 1 is ancestral DDPM sampling with the
  posterior variance on the strided schedule (over all T steps it equals
  `ddpm_sample(..., variance="posterior")`).

  With `clip_x0`, x0_hat is clipped to [-1, 1], the data range of images, as
  the authors' code of both papers does for images ("clip_denoised"): an
  imperfect network's x0_hat at large t is its noise error divided by
  sqrt(alpha_bar_t) (~1/150 at T = 1000), and clipping keeps a few-step
  deterministic chain from running away. It changes nothing when x0_hat is in range.

  Args:
    eps_fn: (x_t float32 [B, ...], t int32 [B]) -> predicted noise like x_t.
    schedule: the `Schedule`.
    x_T: float32 [B, ...] N(0, I) draws.
    key: PRNG key of the sampling noise (unused when eta = 0).
    num_steps: how many network evaluations, 1 to T (`timesteps`).
    eta: in [0, 1].
    clip_x0: clip x0_hat to [-1, 1] (images).

  Returns:
    float32 [B, ...] x_0, not clipped.

  Raises:
    ValueError: num_steps not in [1, T].
  """
  ts = timesteps(schedule.betas.shape[0], num_steps)
  prev = jnp.concatenate([schedule.alpha_bar[ts[1:]], jnp.ones(1)])

  def step(x, inputs):
    i, a_prev = inputs
    a = schedule.alpha_bar[i]
    eps = eps_fn(x, jnp.full(x.shape[:1], i))
    x0 = predict_x0(a, x, eps)
    if clip_x0:
      x0 = jnp.clip(x0, -1.0, 1.0)
      eps = (x - jnp.sqrt(a) * x0) / jnp.sqrt(1.0 - a)  # The noise that the clipped x0_hat implies.
    sigma = eta * jnp.sqrt((1.0 - a_prev) / (1.0 - a) * (1.0 - a / a_prev))
    z = jax.random.normal(jax.random.fold_in(key, i), x.shape, x.dtype)
    direction = jnp.sqrt(jnp.maximum(1.0 - a_prev - sigma**2, 0.0)) * eps
    return jnp.sqrt(a_prev) * x0 + direction + sigma * z, None

  x0, _ = jax.lax.scan(step, x_T, (ts, prev))
  return x0
