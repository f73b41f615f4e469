"""The hierarchical drum-pattern VAE: two latent levels, each KL logged, annealed and floored on its own.

Model (`jaxgen.nn.HierarchicalDrumVAE`), with x a [16, 9] binary pattern:

  q(z_low | x) q(z_high | z_low)                     inference, bottom-up
  p(z_high) = N(0, I),  p(z_low | z_high),  p(x | z_high, z_low)   generation

p(z_low | z_high) is a learned Gaussian (`model.learned_prior`) or N(0, I).
One step minimises, with single reparameterised samples z_low ~ q(z_low | x)
and z_high ~ q(z_high | z_low) (the two-level ELBO of Sonderby et al., 2016,
Eq. 1, bottom-up inference),

  loss = E[-log p(x | z_high, z_low)]
         + kl_weight * a(t) * (FB(KL_high) + FB(KL_low))
  KL_high[d] = KL(q(z_high | z_low) || N(0, 1))[d]
  KL_low[d]  = KL(q(z_low | x) || p(z_low | z_high))[d]

where a(t) is the KL annealing schedule, FB(.) = sum_d max(batch mean, free_bits)
(Kingma et al., 2016) and the reconstruction logits are divided by the
training temperature. The state, optimizer, schedules and checks are those of
`jaxgen.methods.vae`.

Metrics of a step: loss, recon_nll, kl_high, kl_low (nats per example),
kl_weight, temperature, grad_norm, and kl_high/<d>, kl_low/<d> per dimension.
"""

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import ml_collections
import optax

from jaxgen import nn as nets
from jaxgen.data.device import patterns_to_model_range
from jaxgen.losses import vae as vae_losses
from jaxgen.methods.base import adam
from jaxgen.methods import vae as vae_method

DECODERS = nets.vae.DRUM_DECODERS  # conv, lstm, transformer
GREEDY_TEMPERATURE = 1e-3  # `generate_from_codes` at T -> 0: every cell its likelier value (greedy decoding).


class HierarchicalVAE(NamedTuple):
  """The `Method` functions plus the model's own pure functions.

  Attributes:
    init, step: the method protocol; the state is a `vae.VAEState`.
    sample: (state, key, n) -> float32 [n, 16, 9] in {-1, 1}: patterns drawn
      by ancestral sampling, each cell Bernoulli(sigmoid(logit / T)) with
      T = `method.sample_temperature`.
    encode: (state, x, key) -> {"high": {...}, "low": {...}}, each a dict of
      float32 [B, D] "mean", "logvar" and a sample "z" (x float32 [B, 16, 9]
      in [-1, 1]); "high" is q(z_high | z) at the sampled z_low.
    generate_from_codes: (state, z_high, z_low, key, temperature) -> float32 [B, 16, 9]
      in {0, 1}, sampled patterns for given codes (traversals, interpolation).
    prior_low: (state, z_high) -> (mean, logvar) of p(z_low | z_high).
    elbo_terms: (state, x, key) -> per-example float32 [B] "recon_nll",
      "kl_high", "kl_low" (nats, at temperature 1, without weight or free
      bits; -(recon_nll + kl_high + kl_low) is the ELBO) and
      "kl_high_per_dim" [B, 4], "kl_low_per_dim" [B, 12].
  """

  init: Callable
  step: Callable
  sample: Callable
  encode: Callable
  generate_from_codes: Callable
  prior_low: Callable
  elbo_terms: Callable


def make(config: ml_collections.ConfigDict, sample_real: Callable[[jax.Array, int], jax.Array]) -> HierarchicalVAE:
  """Builds the hierarchical VAE.

  Args:
    config: reads `model` (low_dim, high_dim, decoder "conv" | "lstm" |
      "transformer", learned_prior, the optional forget_gate "sigmoid"
      (absent: sigmoid) | "tanh" of the LSTM and dropout_rate (absent: 0)
      of the Transformer, applied in training steps only), `method` (batch_size, kl_weight, kl_schedule,
      free_bits in nats per dimension, temperature, sample_temperature),
      `optimizer` and `train.steps`.
    sample_real: (key, n) -> float32 [n, 16, 9] in {-1, 1}, jittable.

  Raises:
    ValueError: naming every invalid setting.
  """
  vae_method.check(config)
  m, mc = config.method, config.model
  if mc.decoder not in DECODERS:
    raise ValueError(f"model.decoder must be one of {DECODERS}, got {mc.decoder!r}")
  data_shape = tuple(jax.eval_shape(lambda k: sample_real(k, 1), jax.random.key(0)).shape[1:])
  forget_gate = mc.get("forget_gate", "sigmoid")
  if forget_gate not in nets.sequence.FORGET_GATES:
    raise ValueError(f"model.forget_gate must be one of {nets.sequence.FORGET_GATES}, got {forget_gate!r}")
  model = nets.HierarchicalDrumVAE(low_dim=mc.low_dim, high_dim=mc.high_dim, decoder=mc.decoder,
                                   learned_prior=mc.learned_prior, forget_gate=forget_gate, steps=data_shape[0],
                                   dropout_rate=mc.get("dropout_rate", 0.0))
  tx = adam(config.optimizer)
  anneal, temperature = vae_method.kl_weight_fn(m, config.train.steps), vae_method.temperature_fn(m)

  def init(key):
    params = model.init(key, jnp.zeros((1, *data_shape)))
    return vae_method.VAEState(step=jnp.zeros((), jnp.int32), params=params, opt_state=tx.init(params),
                               kl_weight=jnp.asarray(m.kl_weight, jnp.float32))

  def gaussian(mean, logvar, key):
    return {"mean": mean, "logvar": logvar, "z": mean + jnp.exp(0.5 * logvar) * jax.random.normal(key, mean.shape)}

  def encode_params(params, x, key):
    k_low, k_high = jax.random.split(key)
    low = gaussian(*model.apply(params, x, method="encode_low"), k_low)
    high = gaussian(*model.apply(params, low["z"], method="encode_high"), k_high)
    return {"high": high, "low": low}

  def terms(params, x, key, temp, train=False):
    """(recon_nll [B], kl_high [B, 4], kl_low [B, 12]) of a batch; `train`: with the decoder's dropout."""
    k_enc, k_dec = jax.random.split(key)
    q = encode_params(params, x, k_enc)
    prior_mean, prior_logvar = model.apply(params, q["high"]["z"], method="prior_low")
    kl_low = vae_losses.gaussian_kl(q["low"]["mean"], q["low"]["logvar"], prior_mean, prior_logvar)
    kl_high = vae_losses.gaussian_kl(q["high"]["mean"], q["high"]["logvar"])
    target = vae_method.to_unit(x)
    logits = model.apply(params, q["high"]["z"], q["low"]["z"], target, not train, method="decode",
                         rngs={"dropout": k_dec})
    return -vae_losses.bernoulli_log_likelihood(logits / temp, target), kl_high, kl_low

  def step(state, key):
    k_data, k_model = jax.random.split(key)
    x = sample_real(k_data, m.batch_size)
    weight, temp = state.kl_weight * anneal(state.step), temperature(state.step)

    def loss_fn(params):
      recon_nll, kl_high, kl_low = terms(params, x, k_model, temp, train=True)
      kl = vae_losses.free_bits_kl(kl_high, m.free_bits) + vae_losses.free_bits_kl(kl_low, m.free_bits)
      return recon_nll.mean() + weight * kl, (recon_nll, kl_high, kl_low)

    (loss, (recon_nll, kl_high, kl_low)), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
    updates, opt_state = tx.update(grads, state.opt_state, state.params)
    new_state = state.replace(step=state.step + 1, params=optax.apply_updates(state.params, updates),
                              opt_state=opt_state)
    return new_state, {"loss": loss, "recon_nll": recon_nll.mean(), "kl_high": kl_high.sum(-1).mean(),
                       "kl_low": kl_low.sum(-1).mean(), "kl_weight": weight, "temperature": temp,
                       "grad_norm": optax.tree.norm(grads), **vae_method.per_dim_metrics("kl_high", kl_high),
                       **vae_method.per_dim_metrics("kl_low", kl_low)}

  def generate_from_codes(state, z_high, z_low, key, temp=1.0):
    return model.apply(state.params, z_high, z_low, key, temp, method="generate")

  def prior_low(state, z_high):
    return model.apply(state.params, z_high, method="prior_low")

  def sample(state, key, n):
    k_high, k_low, k_x = jax.random.split(key, 3)
    z_high = jax.random.normal(k_high, (n, mc.high_dim))
    mean, logvar = prior_low(state, z_high)
    z_low = mean + jnp.exp(0.5 * logvar) * jax.random.normal(k_low, mean.shape)
    return patterns_to_model_range(generate_from_codes(state, z_high, z_low, k_x, m.sample_temperature))

  def encode(state, x, key):
    return encode_params(state.params, x, key)

  def elbo_terms(state, x, key):
    recon_nll, kl_high, kl_low = terms(state.params, x, key, 1.0)
    return {"recon_nll": recon_nll, "kl_high": kl_high.sum(-1), "kl_low": kl_low.sum(-1),
            "kl_high_per_dim": kl_high, "kl_low_per_dim": kl_low}

  return HierarchicalVAE(init=jax.jit(init), step=step, sample=jax.jit(sample, static_argnums=2), encode=encode,
                         generate_from_codes=jax.jit(generate_from_codes),  # Eagerly: hundreds of small ops.
                         prior_low=prior_low, elbo_terms=elbo_terms)
