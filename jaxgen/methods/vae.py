"""VAE and beta-VAE on images or 2-D points, with a Gaussian or an echo-noise encoder.

One step is one Adam update of encoder and decoder on the negative ELBO with
a weighted, optionally scheduled and free-bits-floored KL term:

  loss = E_x[ -log p(x | z) ] + kl_weight * a(t) * sum_d max(KL_d, free_bits)

with z ~ q(z | x) by reparameterisation (Kingma & Welling, 2014, Eq. 10),
p(x | z) given by `model.likelihood`, a(t) in [0, 1] the KL annealing
schedule (`jaxgen.schedules`, `method.kl_schedule`), `kl_weight` the beta of
Higgins et al. (2017), and KL_d the batch mean of dimension d's KL (free bits,
Kingma et al., 2016; 0 switches it off). `kl_weight` lives in the state so
that a beta grid trains as one vmapped sweep
(`engine.train(..., settings={"kl_weight": [...]})`).

Likelihoods (`model.likelihood`; absent = bernoulli):
  bernoulli: independent Bernoulli pixels on the data mapped to [0, 1], the
    logits divided by the training temperature; samples are the mean image.
  gaussian: a diagonal Gaussian N(mean(z), diag exp(log_scale(z))^2) on the
    data as it is (Kingma & Welling, 2014, Appendix C.2), both heads from the
    decoder, the scale multiplied by the temperature; samples are draws
    x ~ p(x | z), the model's distribution (for the 2-D mixtures, where the
    decoder's mean alone would drop the noise the mode counts score).

Encoders (`model.encoder`):
  gaussian: q(z | x) = N(mean(x), diag exp(logvar(x))), KL_d against N(0, 1).
  echo: Brekelmans et al. (2019): z = f(x) + S(x) * eps with eps the echo
    noise built from the other examples of the batch (`losses.vae.echo_noise`),
    f = tanh(.) bounded and S = clip * sigmoid(.) so that the series converges;
    its rate is exact, I(x; z) = -sum_d log S_d(x), which takes KL_d's place.
    Samples are decoded echo-noise draws on real data, which follow the
    aggregate posterior q(z) (the echo construction makes z ~ eps).

Metrics of a step: loss, recon_nll (nats per example), kl (nats per example:
the rate for echo), kl_weight (the effective weight kl_weight * a(t)),
temperature, and kl/<d> for each latent dimension d (batch mean, nats).
"""

from typing import Any, Callable, NamedTuple

import flax
import jax
import jax.numpy as jnp
import ml_collections
import optax

from jaxgen import nn as nets
from jaxgen import schedules
from jaxgen.losses import vae as vae_losses
from jaxgen.methods.base import adam

ENCODERS = ("gaussian", "echo")
ARCHITECTURES = ("mlp", "conv")
LIKELIHOODS = ("bernoulli", "gaussian")


@flax.struct.dataclass
class VAEState:
  step: jax.Array  # int32 [], updates done.
  params: Any  # Encoder and decoder parameters.
  opt_state: Any  # optax state.
  kl_weight: jax.Array  # float32 [], beta: the KL weight at the top of its schedule (a sweep setting).


class VAE(NamedTuple):
  """The `Method` functions (init, step, sample) plus the model's own pure functions.

  Attributes:
    init, step, sample: the method protocol (`jaxgen.methods.base.Method`);
      `sample(state, key, n)` gives float32 [n, ...]: bernoulli, the mean
      image 2 sigmoid(logits / sample_temperature) - 1 in [-1, 1]; gaussian,
      draws mean + sample_temperature * exp(log_scale) * noise.
    encode: (state, x, key) -> dict of float32 [B, D]: "mean" (E_q[z | x]:
      the Gaussian mean, or f(x) for echo, whose noise has mean E[eps] that
      does not depend on x), "z" (a posterior sample), and "logvar"
      (Gaussian) or "log_scale" (echo, log S(x)).
    decode: (state, z, temperature) -> float32 [B, ...]: logits (bernoulli),
      or the mean and log-scale concatenated on the last axis (gaussian,
      log-scale plus log temperature).
    elbo_terms: (state, x, key) -> per-example float32 [B] "recon_nll" and "kl"
      (nats, at temperature 1, without kl_weight or free bits; -(recon_nll +
      kl) is the ELBO, or the echo rate-distortion objective), and
      "kl_per_dim" [B, D].
  """

  init: Callable
  step: Callable
  sample: Callable
  encode: Callable
  decode: Callable
  elbo_terms: Callable


def kl_weight_fn(method: ml_collections.ConfigDict, total_steps: int) -> Callable[[jax.Array], jax.Array]:
  """step -> a(t) in [0, 1], the shape of the KL annealing `method.kl_schedule` scaled to a maximum of 1."""
  spec = ml_collections.ConfigDict(method.kl_schedule.to_dict())
  spec.max_value = 1.0
  return schedules.make(spec, total_steps)


def temperature_fn(method: ml_collections.ConfigDict) -> Callable[[jax.Array], jax.Array]:
  """step -> the training temperature (`method.temperature`: start, end, decay_steps; 0 steps = constant start)."""
  t = method.temperature
  if not t.decay_steps:
    return schedules.constant(t.start)
  return schedules.temperature(t.start, t.end, t.decay_steps)


def check(config: ml_collections.ConfigDict) -> None:
  """Raises ValueError naming every invalid VAE setting shared by the flat and hierarchical models."""
  m = config.method
  errors = []
  if m.kl_schedule.kind not in schedules.SCHEDULE_KINDS:
    errors.append(f"method.kl_schedule.kind must be one of {schedules.SCHEDULE_KINDS}, got {m.kl_schedule.kind!r}")
  if m.batch_size < 2:
    errors.append(f"method.batch_size must be >= 2, got {m.batch_size}")
  if m.kl_weight < 0 or m.free_bits < 0:
    errors.append("method.kl_weight and method.free_bits must be >= 0")
  if m.temperature.start <= 0 or m.temperature.end <= 0 or m.sample_temperature <= 0:
    errors.append("temperatures must be > 0")
  if errors:
    raise ValueError("; ".join(errors))


def to_unit(x: jax.Array) -> jax.Array:
  """Data in the models' [-1, 1] -> Bernoulli targets in [0, 1]."""
  return (x + 1.0) / 2.0


def per_dim_metrics(prefix: str, kl_per_dim: jax.Array) -> dict[str, jax.Array]:
  """{f"{prefix}/{d:02d}": batch-mean KL of dimension d} of float32 [B, D]."""
  return {f"{prefix}/{d:02d}": v for d, v in enumerate(kl_per_dim.mean(0))}


def make(config: ml_collections.ConfigDict, sample_real: Callable[[jax.Array, int], jax.Array]) -> VAE:
  """Builds the (beta-)VAE.

  Args:
    config: reads `model` (architecture "mlp" | "conv", latent_dim, encoder
      "gaussian" | "echo", echo_clip, echo_d_max, likelihood "bernoulli" |
      "gaussian", absent = bernoulli), `method` (batch_size,
      kl_weight, kl_schedule, free_bits in nats per dimension, temperature
      {start, end, decay_steps}, sample_temperature), `optimizer`
      (learning_rate, b1, b2) and `train.steps` (for cyclical annealing).
    sample_real: (key, n) -> float32 [n, ..., C], jittable: images in [-1, 1]
      for bernoulli, any real values for gaussian (e.g. [n, 2] points).

  Returns:
    A `VAE` whose state is a `VAEState`.

  Raises:
    ValueError: naming every invalid setting (also echo_d_max >= batch_size).
  """
  check(config)
  m, mc = config.method, config.model
  likelihood = mc.get("likelihood", "bernoulli")
  if mc.encoder not in ENCODERS or mc.architecture not in ARCHITECTURES or likelihood not in LIKELIHOODS:
    raise ValueError(f"model.encoder must be one of {ENCODERS}, model.architecture one of {ARCHITECTURES} and "
                     f"model.likelihood one of {LIKELIHOODS}; got {mc.encoder!r}, {mc.architecture!r}, "
                     f"{likelihood!r}")
  gaussian = likelihood == "gaussian"
  echo = mc.encoder == "echo"
  if echo and not 0 < mc.echo_d_max < m.batch_size:
    raise ValueError(f"model.echo_d_max ({mc.echo_d_max}) must be in [1, batch_size = {m.batch_size}): "
                     "echo noise draws its terms from the other examples of the batch")
  data_shape = tuple(jax.eval_shape(lambda k: sample_real(k, 1), jax.random.key(0)).shape[1:])
  # A Gaussian decoder's last axis holds the mean and the log-scale of each channel.
  output_shape = (*data_shape[:-1], 2 * data_shape[-1]) if gaussian else data_shape
  if mc.architecture == "conv":
    encoder, decoder = nets.ConvEncoder(mc.latent_dim), nets.ConvDecoder(output_shape)
  else:
    encoder, decoder = nets.GaussianMLP(mc.latent_dim), nets.MLPDecoder(output_shape)
  tx = adam(config.optimizer)
  anneal, temperature = kl_weight_fn(m, config.train.steps), temperature_fn(m)

  def init(key):
    k_enc, k_dec = jax.random.split(key)
    params = {"encoder": encoder.init(k_enc, jnp.zeros((1, *data_shape))),
              "decoder": decoder.init(k_dec, jnp.zeros((1, mc.latent_dim)))}
    return VAEState(step=jnp.zeros((), jnp.int32), params=params, opt_state=tx.init(params),
                    kl_weight=jnp.asarray(m.kl_weight, jnp.float32))

  def encode_params(params, x, key):
    a, b = encoder.apply(params["encoder"], x)
    if echo:
      f, log_s = jnp.tanh(a), vae_losses.echo_log_scale(b, mc.echo_clip)
      z = vae_losses.echo_sample(f, log_s, key, mc.echo_d_max)
      return {"mean": f, "z": z, "log_scale": log_s}, -log_s  # Per-dimension rate.
    z = a + jnp.exp(0.5 * b) * jax.random.normal(key, a.shape)
    return {"mean": a, "z": z, "logvar": b}, vae_losses.gaussian_kl(a, b)

  def decode_params(params, z, temp):
    out = decoder.apply(params["decoder"], z)
    if not gaussian:
      return out / temp
    mean, log_scale = jnp.split(out, 2, axis=-1)
    return jnp.concatenate([mean, log_scale + jnp.log(temp)], axis=-1)

  def log_likelihood(decoded, x):
    if not gaussian:
      return vae_losses.bernoulli_log_likelihood(decoded, to_unit(x))
    return vae_losses.gaussian_log_likelihood(x, *jnp.split(decoded, 2, axis=-1))

  def terms(params, x, key, temp):
    """(recon_nll [B], kl_per_dim [B, D]) of a batch."""
    posterior, kl_per_dim = encode_params(params, x, key)
    return -log_likelihood(decode_params(params, posterior["z"], temp), x), kl_per_dim

  def step(state, key):
    k_data, k_z = jax.random.split(key)
    x = sample_real(k_data, m.batch_size)
    weight, temp = state.kl_weight * anneal(state.step), temperature(state.step)

    def loss_fn(params):
      recon_nll, kl_per_dim = terms(params, x, k_z, temp)
      loss = recon_nll.mean() + weight * vae_losses.free_bits_kl(kl_per_dim, m.free_bits)
      return loss, (recon_nll, kl_per_dim)

    (loss, (recon_nll, kl_per_dim)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
    updates, opt_state = tx.update(grads, state.opt_state, state.params)
    new_state = state.replace(step=state.step + 1, params=optax.apply_updates(state.params, updates),
                              opt_state=opt_state)
    return new_state, {"loss": loss, "recon_nll": recon_nll.mean(), "kl": kl_per_dim.sum(-1).mean(),
                       "kl_weight": weight, "temperature": temp, "grad_norm": optax.tree.norm(grads),
                       **per_dim_metrics("kl", kl_per_dim)}

  def decode(state, z, temp=1.0):
    return decode_params(state.params, z, temp)

  def sample(state, key, n):
    k_real, k_z = jax.random.split(key)
    if echo:  # The aggregate posterior: echo noise of real encodings (z and eps share one distribution).
      x = sample_real(k_real, max(n, mc.echo_d_max + 1))
      a, b = encoder.apply(state.params["encoder"], x)
      z = vae_losses.echo_noise(jnp.tanh(a), vae_losses.echo_log_scale(b, mc.echo_clip), k_z, mc.echo_d_max)[:n]
    else:
      z = jax.random.normal(k_z, (n, mc.latent_dim))
    decoded = decode(state, z, m.sample_temperature)
    if gaussian:
      mean, log_scale = jnp.split(decoded, 2, axis=-1)
      return mean + jnp.exp(log_scale) * jax.random.normal(jax.random.fold_in(k_z, 1), mean.shape)
    return 2.0 * jax.nn.sigmoid(decoded) - 1.0

  def encode(state, x, key):
    return encode_params(state.params, x, key)[0]

  def elbo_terms(state, x, key):
    recon_nll, kl_per_dim = terms(state.params, x, key, 1.0)
    return {"recon_nll": recon_nll, "kl": kl_per_dim.sum(-1), "kl_per_dim": kl_per_dim}

  return VAE(init=jax.jit(init), step=step, sample=jax.jit(sample, static_argnums=2), encode=encode, decode=decode, elbo_terms=elbo_terms)
