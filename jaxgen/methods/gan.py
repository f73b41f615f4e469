"""GANs and the mode-collapse fixes, assembled from composable pieces named after their papers.

One step is `n_critic` critic (discriminator) updates followed by one
generator update, as in Gulrajani et al. (2017), Algorithm 1; the critic
iterations run as a `lax.scan` inside the step (`methods.base.scan`: a
single one is called directly), each on a fresh real batch and fresh
latents. With `n_critic=1` this is the alternating update of Goodfellow
et al. (2014), Algorithm 1 (k = 1).

Objectives (`method.objective`):
  minimax:        D: BCE; G: minimises E log(1 - D(G(z)))  (Goodfellow et al., 2014, Eq. 1)
  non_saturating: D: BCE; G: minimises -E log D(G(z))      (ibid., Sec. 3)
  wgan_gp:        C: E C(G(z)) - E C(x) + gradient penalty; G: -E C(G(z))
                  (Gulrajani et al., 2017, Algorithm 1)

Fixes for mode collapse (0 / 1 / False switch each off). Each is a piece
below that `make` composes when the method is built (nothing is branched
inside the step), and each checks only its own preconditions:
  method.unroll_steps, `unrolled` (Metz et al., 2017, Eq. 10-12): the generator's loss is
    taken against the critic after `unroll_steps` further simulated critic
    updates (a `lax.scan` of the same update function, from the critic just
    updated), and its gradient flows back through them. Only the real critic
    update is kept. 0 is the plain GAN: the same code path without the scan.
  method.num_generators, `madgan_generate` and `madgan_objective` (MAD-GAN, Ghosh et al., 2018): k generators (separate
    parameters, stacked on a leading axis and vmapped) share one discriminator
    with k+1 softmax outputs, the last meaning "real"; each generator is
    trained to have its samples called real; samples are a uniform mixture.
  method.pack, `packed` (PacGAN, Lin et al., 2018, Sec. 3): the critic sees `pack`
    samples at once, concatenated along the last axis (channels, or the 2
    coordinates), real with real and fake with fake; each update uses
    batch_size packs.
  method.feature_matching, `feature_matching` (Salimans et al., 2016, Sec. 3.1): the generator
    matches the mean of the critic's last hidden features on real data.
  model.minibatch_kernels (Salimans et al., 2016, Sec. 3.2): minibatch
    discrimination layer before the critic's output.
  model.spectral_norm (Miyato et al., 2018, Algorithm 1; `jaxgen.nn.layers.spectral_normalized`):
    every critic kernel divided by its largest singular value, estimated by
    one power-iteration step per critic update; the vector u is kept in the
    critic's "batch_stats" (the state), taken from the real batch's pass.
  method.ema_decay, `averaged_generator` (Yazici et al., 2019, Eq. 2): samples (and
    `frozen_generator`) come from an exponential moving average of the
    generator's parameters, kept in the state; training is unchanged.
  method.r1_gamma, method.r2_gamma, `zero_centred_penalty_term` (Mescheder et al., 2018,
    Eq. 9-10): gamma/2 E ||grad_x D(x)||^2 added to the critic's loss, at real
    data (R1) or at the generator's samples (R2); D is the logit. They add
    to any objective's loss (`critic_terms` sums the penalties switched on).

Generator regularisers for short latent paths (the latent-geometry lab; an
"mlp" generator, whose samples each depend on their own code only):
  method.path_length_weight, `path_length_term` (Karras et al., 2020, Sec. 3.2): StyleGAN2's
    path-length penalty E (||J_z^T y|| - a)^2, a the running mean of the
    lengths (decay `method.path_length_decay`), kept in the generator's
    variables as {"path_length": {"mean": a}}; every step (no lazy
    regularisation).
  method.path_energy_weight, `path_energy_term`: the energy U of straight latent paths between
    PATH_ENERGY_PAIRS random code pairs, each end's own image as its target
    (`jaxgen.losses.latent_paths.path_energy`, PATH_ENERGY_POINTS codes per
    path), averaged over pairs.
  `generator_terms` sums the terms switched on into the generator's loss.

Architectures (`model.architecture`): "mlp" (MLPGenerator / MLPCritic; a
linear output for 2-D points, tanh for images) or "dcgan" (DCGANGenerator with
BatchNorm / DCGANCritic with dropout; 28x28 images with 1 or 3 channels).

Metrics of a step (critic values are means over its `n_critic` iterations):
  d_loss, g_loss: the two losses (d_loss includes the penalties).
  d_real, d_fake: mean D(x) and D(G(z)), the probability of "real" (critic
    scores for wgan_gp).
  d_grad_norm, g_grad_norm: global L2 norms of the parameter gradients.
  wgan_gp only: gradient_penalty (weighted), wasserstein = E C(x) - E C(G(z)).
  r1_penalty, r2_penalty (weighted by gamma/2): when switched on.
  path_length_penalty, path_length (the running mean a), path_energy: the
    generator regularisers' weighted values, when switched on (g_loss
    includes them).
"""

import functools
from typing import Any, Callable, NamedTuple, Sequence

import flax
from flax import linen
import jax
import jax.numpy as jnp
import ml_collections
import optax

from jaxgen.losses import gan as gan_losses
from jaxgen.losses import latent_paths
from jaxgen.methods.base import adam, ema_update, scan
from jaxgen import nn as nets


ARCHITECTURES = ("mlp", "dcgan")


@flax.struct.dataclass
class GANState:
  step: jax.Array  # int32 [], generator updates done.
  generator: Any  # Generator variables {"params", maybe "batch_stats"}; leading axis k for MAD-GAN.
  critic: Any  # Critic (discriminator) variables {"params", maybe "batch_stats": spectral norm's u and sigma}.
  generator_opt: Any  # optax state of the generator params.
  critic_opt: Any  # optax state.


@flax.struct.dataclass
class AveragedGANState(GANState):
  """`GANState` plus the average of the generator's params that samples come from (`averaged_generator`).

  A subclass, so that the state (and the checkpoints) of a GAN without the average are unchanged.
  """

  generator_ema: Any  # Structured as generator["params"].


class GAN(NamedTuple):
  """The `Method` functions (init, step, sample) plus the frozen generator of a state.

  Attributes:
    init, step, sample: the method protocol (`jaxgen.methods.base.Method`).
    frozen_generator: state -> (codes float32 [B, latent_dim] -> samples
      [B, ...]), the generator in evaluation mode (BatchNorm's running
      averages), for inversion and latent paths (`jaxgen.analysis`); None for
      MAD-GAN, whose codes do not name one generator.
  """

  init: Callable
  step: Callable
  sample: Callable
  frozen_generator: Callable | None


def networks(model: ml_collections.ConfigDict, data_shape: Sequence[int],
             num_outputs: int = 1) -> tuple[linen.Module, linen.Module]:
  """(generator, critic) of `model.architecture`, for samples of shape `data_shape`.

  Args:
    model: reads architecture ("mlp": generator_widths, critic_widths;
      "dcgan": generator_features, critic_features, critic_dropout), minibatch_kernels,
      minibatch_kernel_dim and spectral_norm (the critic's).
    data_shape: one sample's shape, (H, W, C) for images (a tanh generator
      output) or (D,) for points (a linear one).
    num_outputs: the critic's logits per example (it returns [B] for 1, else
      [B, num_outputs]).

  Returns:
    The `jaxgen.nn` modules; the generator takes float32 [B, input dim] codes
    of any width.
  """
  critic_kwargs = dict(num_outputs=num_outputs, minibatch_kernels=model.minibatch_kernels,
                       minibatch_kernel_dim=model.minibatch_kernel_dim, spectral_norm=model.spectral_norm)
  if model.architecture == "dcgan":
    return (nets.DCGANGenerator(output_shape=tuple(data_shape), features=model.generator_features),
            nets.DCGANCritic(features=tuple(model.critic_features), dropout_rate=model.critic_dropout,
                             **critic_kwargs))
  return (nets.MLPGenerator(output_shape=tuple(data_shape), widths=tuple(model.generator_widths),
                            output_activation="tanh" if len(data_shape) == 3 else "linear"),
          nets.MLPCritic(widths=tuple(model.critic_widths), **critic_kwargs))


def apply_generator(generator: linen.Module, variables: Any, z: jax.Array,
                    train: bool = True) -> tuple[jax.Array, Any]:
  """(samples float32 [B, ...], variables) of codes z float32 [B, input dim].

  `train=True` normalises with batch statistics and returns the variables
  with the updated running averages (a generator without BatchNorm returns
  them unchanged); `train=False` uses the running averages.
  """
  if train and "batch_stats" in variables:
    x, updates = generator.apply(variables, z, train=True, mutable=["batch_stats"])
    return x, {**variables, **updates}
  return generator.apply(variables, z, train=train), variables


def critic_apply_training(critic: linen.Module, variables: Any, x: jax.Array, key: jax.Array,
                          features: bool = False) -> tuple[jax.Array, dict]:
  """The critic in training mode: dropout from `key`, and spectral norm's power iteration advanced.

  Args:
    critic: a `jaxgen.nn` critic.
    variables: its variables, {"params"} plus "batch_stats" with spectral norm.
    x: float32 [B, ...] inputs.
    key: the dropout key.
    features: also return the sown last hidden features.

  Returns:
    (outputs [B] or [B, K], the mutated collections: "batch_stats" with the
    advanced power-iteration state when there is one, "intermediates" with
    `features`).
  """
  mutable = ["batch_stats", "intermediates"] if features else ["batch_stats"]
  out, state = critic.apply(variables, x, train=True, rngs={"dropout": key}, mutable=mutable)
  return out, dict(state)


def pack_samples(x: jax.Array, pack: int) -> jax.Array:
  """PacGAN packing: [pack*B, ..., C] -> [B, ..., pack*C], consecutive samples concatenated on the last axis.

  Example:
    >>> pack_samples(jnp.arange(8.0).reshape(4, 2), 2)
    Array([[0., 1., 2., 3.],
           [4., 5., 6., 7.]], dtype=float32)
  """
  if pack == 1:
    return x
  b = x.shape[0] // pack
  x = jnp.moveaxis(x.reshape(b, pack, *x.shape[1:]), 1, -2)  # [B, ..., pack, C]
  return x.reshape(*x.shape[:-2], -1)


def alternating_step(state: GANState, key: jax.Array, critic_update: Callable, generator_loss: Callable,
                     generator_tx: optax.GradientTransformation,
                     n_critic: int) -> tuple[GANState, dict[str, jax.Array]]:
  """One step of the alternating game: `n_critic` critic updates, then one generator update.

  Gulrajani et al. (2017), Algorithm 1 (Goodfellow et al., 2014, Algorithm 1
  for n_critic = 1); the critic iterations are a `methods.base.scan`, each
  with its own key, all against the generator of `state`.

  Args:
    state: a `GANState` or a subclass; its other fields are kept.
    key: this step's key.
    critic_update: (generator variables, (critic params, critic opt state),
      key) -> ((critic params, critic opt state), {name: float32 []}).
    generator_loss: (generator params, generator variables, critic params,
      critic opt state, key) -> (loss, (generator variables, {name: float32
      []})), differentiated with respect to its first argument; the
      variables it returns (updated batch statistics) are kept.
    generator_tx: the generator's optimizer.
    n_critic: critic updates per generator update, >= 1.

  Returns:
    (state with the step count, both players and their optimizer states
    advanced; metrics: the critic's averaged over its iterations, the
    generator loss's own, g_loss and g_grad_norm).
  """
  k_critic, k_gen = jax.random.split(key)
  (c_params, c_opt), c_metrics = scan(lambda carry, k: critic_update(state.generator, carry, k),
                                      (state.critic, state.critic_opt), jax.random.split(k_critic, n_critic))
  g_params = state.generator["params"]
  (g_loss, (g_vars, g_metrics)), g_grads = jax.value_and_grad(generator_loss, has_aux=True)(
      g_params, state.generator, c_params, c_opt, k_gen)
  updates, g_opt = generator_tx.update(g_grads, state.generator_opt, g_params)
  new_state = state.replace(step=state.step + 1, critic=c_params, generator_opt=g_opt, critic_opt=c_opt,
                            generator={**g_vars, "params": optax.apply_updates(g_params, updates)})
  metrics = {k: v.mean() for k, v in c_metrics.items()}
  metrics.update(g_metrics, g_loss=g_loss, g_grad_norm=optax.tree.norm(g_grads))
  return new_state, metrics


def averaged_generator(step: Callable, decay: float) -> Callable:
  r"""`step` followed by an update of the exponential moving average of the generator's parameters.

  Yazici et al. (2019), "The Unusual Effectiveness of Averaging in GAN
  Training", Eq. 2: the generator that samples is
  \bar\theta_t = d \bar\theta_{t-1} + (1 - d) \theta_t, an average over the
  last ~1/(1 - d) steps of a game that oscillates around its equilibrium
  rather than settling on it; training itself is unchanged. The average is
  `jaxgen.methods.base.ema_update` (with its warm-up) of
  `state.generator["params"]` after the step, kept in
  `AveragedGANState.generator_ema`; `sampling_generator` reads it.

  Args:
    step: (state, key) -> (state, metrics), a GAN step on `AveragedGANState`s.
    decay: d in (0, 1), a Python float.

  Returns:
    The step with the average updated; same metrics.
  """
  def averaged(state, key):
    new_state, metrics = step(state, key)
    average = ema_update(state.generator_ema, new_state.generator["params"], decay, state.step)
    return new_state.replace(generator_ema=average), metrics
  return averaged


def sampling_generator(state: GANState) -> Any:
  """The generator variables samples are drawn with: the averaged params when the state keeps them."""
  if isinstance(state, AveragedGANState):  # The state's type is fixed when the method is built: no traced branch.
    return {**state.generator, "params": state.generator_ema}
  return state.generator


# ----------------------------------------------------------------------------- objectives


class Objective(NamedTuple):
  """A GAN objective on the critic's outputs for a real and a fake batch.

  Attributes:
    critic_loss: (real outputs, fake outputs) -> float32 [], minimised by the critic.
    generator_loss: fake outputs -> float32 [], minimised by the generator.
    statistics: (real outputs, fake outputs) -> {"d_real", "d_fake", ...} float32 [] metrics.
    num_outputs: the critic's outputs per example.
  """

  critic_loss: Callable[[jax.Array, jax.Array], jax.Array]
  generator_loss: Callable[[jax.Array], jax.Array]
  statistics: Callable[[jax.Array, jax.Array], dict[str, jax.Array]]
  num_outputs: int = 1


def _probability_of_real(real_out, fake_out):
  return {"d_real": jax.nn.sigmoid(real_out).mean(), "d_fake": jax.nn.sigmoid(fake_out).mean()}


def _scores(real_out, fake_out):
  return {"d_real": real_out.mean(), "d_fake": fake_out.mean(), "wasserstein": real_out.mean() - fake_out.mean()}


# method.objective -> its losses (`jaxgen.losses.gan`); wgan_gp also adds `gradient_penalty_term` to the critic's.
OBJECTIVES = {
    "minimax": Objective(gan_losses.critic_loss_minimax, gan_losses.generator_loss_minimax, _probability_of_real),
    "non_saturating": Objective(gan_losses.critic_loss_minimax, gan_losses.generator_loss_non_saturating,
                                _probability_of_real),
    "wgan_gp": Objective(gan_losses.critic_loss_wasserstein, gan_losses.generator_loss_wasserstein, _scores),
}


def gradient_penalty_term(critic_scores: Callable, pack: int, weight: float) -> Callable:
  """WGAN-GP's penalty as a critic-loss term (Gulrajani et al., 2017, Algorithm 1, lines 4-8).

  Args:
    critic_scores: (critic params, x [n, ...], key) -> float32 [n] critic
      scores of the (packed) inputs x, dropout drawn from key.
    pack: samples per critic input (`pack_samples`); 1 for none.
    weight: lambda >= 0.

  Returns:
    (critic params, real [n, ...], fake [n, ...], key) -> (weighted penalty
    float32 [], {"gradient_penalty": it}); it interpolates packed inputs,
    one epsilon per critic input.
  """
  def term(c_params, real, fake, key):
    critic_fn = lambda x: critic_scores(c_params, x, key)
    penalty = gan_losses.gradient_penalty(critic_fn, pack_samples(real, pack), pack_samples(fake, pack), key, weight)
    return penalty, {"gradient_penalty": penalty}
  return term


def zero_centred_penalty_term(critic_scores: Callable, pack: int, gamma: float, on: str) -> Callable:
  """R1 (`on="real"`) or R2 (`on="fake"`) as a critic-loss term (Mescheder et al., 2018, Eq. 9-10).

  Args:
    critic_scores: (critic params, x [n, ...], key) -> float32 [n] logits
      of the (packed) inputs x, dropout drawn from key.
    pack: samples per critic input (`pack_samples`); 1 for none.
    gamma: the weight gamma >= 0 (the penalty is gamma / 2 E ||grad D||^2).
    on: "real" (R1, at the data) or "fake" (R2, at the generator's samples).

  Returns:
    (critic params, real [n, ...], fake [n, ...], key) -> (penalty float32
    [], {"r1_penalty" or "r2_penalty": it}).
  """
  name = {"real": "r1_penalty", "fake": "r2_penalty"}[on]

  def term(c_params, real, fake, key):
    x = pack_samples(real if on == "real" else fake, pack)
    penalty = gan_losses.zero_centred_gradient_penalty(lambda v: critic_scores(c_params, v, key), x, gamma)
    return penalty, {name: penalty}
  return term


def no_critic_term(c_params, real, fake, key):
  """The critic's loss unchanged: adds 0 and no metric."""
  return 0.0, {}


def critic_terms(method: ml_collections.ConfigDict, critic_scores: Callable, pack: int = 1) -> Callable:
  """The critic-loss terms the config switches on, summed: WGAN-GP's penalty (objective "wgan_gp"), R1
  (`method.r1_gamma` > 0), R2 (`method.r2_gamma` > 0); `no_critic_term` when none is on.

  Each term after the first draws from `fold_in(key, i)`. Arguments as
  `gradient_penalty_term`; returns a term of the same signature whose
  metrics are those of all its parts.
  """
  terms = []
  if method.objective == "wgan_gp":
    terms.append(gradient_penalty_term(critic_scores, pack, method.gradient_penalty))
  for on, gamma in (("real", method.r1_gamma), ("fake", method.r2_gamma)):
    if gamma:
      terms.append(zero_centred_penalty_term(critic_scores, pack, gamma, on))
  if len(terms) <= 1:
    return terms[0] if terms else no_critic_term

  def summed(c_params, real, fake, key):
    total, metrics = 0.0, {}
    for i, term in enumerate(terms):
      value, term_metrics = term(c_params, real, fake, jax.random.fold_in(key, i) if i else key)
      total, metrics = total + value, {**metrics, **term_metrics}
    return total, metrics
  return summed


def penalties_on(method: ml_collections.ConfigDict) -> list[str]:
  """The names of the critic penalties the config switches on (the terms `critic_terms` sums)."""
  return [name for name, is_on in (("wgan_gp's gradient penalty", method.objective == "wgan_gp"),
                                   ("method.r1_gamma", method.r1_gamma), ("method.r2_gamma", method.r2_gamma))
          if is_on]


def critic_terms_errors(method: ml_collections.ConfigDict, model: ml_collections.ConfigDict) -> list[str]:
  """The penalties' precondition: a critic that scores each example on its own (a gradient per input)."""
  on = penalties_on(method)
  if on and model.minibatch_kernels:
    return [f"{' and '.join(on)} need(s) a per-example critic: no model.minibatch_kernels"]
  return []


# ----------------------------------------------------------------------------- fixes


class Generators(NamedTuple):
  """How the generator variables are made and sampled.

  Attributes:
    init: (key, codes float32 [1, latent_dim]) -> generator variables.
    generate: (variables, key, n, train=True) -> (samples [n, ...], the
      variables with updated batch statistics).
  """

  init: Callable
  generate: Callable


def single_generator(generator: linen.Module, latent_dim: int) -> Generators:
  """One generator of z ~ N(0, I_latent_dim)."""
  def generate(g_vars, key, n, train=True):
    return apply_generator(generator, g_vars, jax.random.normal(key, (n, latent_dim)), train=train)
  return Generators(generator.init, generate)


def madgan_generators(generator: linen.Module, latent_dim: int, num_generators: int) -> Generators:
  """MAD-GAN's k generators (Ghosh et al., 2018): separate parameters stacked on a leading axis and vmapped;
  sample i comes from generator i % k, so samples are a uniform mixture."""
  def init(key, z):
    return jax.vmap(lambda k: generator.init(k, z))(jax.random.split(key, num_generators))

  def generate(g_vars, key, n, train=True):
    per_generator = -(-n // num_generators)
    z = jax.random.normal(key, (num_generators, per_generator, latent_dim))
    x, g_vars = jax.vmap(functools.partial(apply_generator, generator, train=train))(g_vars, z)  # [k, n/k, ...]
    return jnp.swapaxes(x, 0, 1).reshape(-1, *x.shape[2:])[:n], g_vars
  return Generators(init, generate)


def madgan_objective(num_generators: int, fake_batch: int) -> Objective:
  """MAD-GAN's (k+1)-way objective (Ghosh et al., 2018, Eq. 4-5): the critic names the generator of each
  fake (sample i of a fake batch of `fake_batch` is from generator i % k) or "real" (the last output); each
  generator wants its samples called real."""
  fake_generator = jnp.arange(fake_batch) % num_generators
  p_real = lambda out: jax.nn.softmax(out)[:, -1].mean()
  return Objective(lambda real_out, fake_out: gan_losses.critic_loss_madgan(real_out, fake_out, fake_generator),
                   gan_losses.generator_loss_madgan,
                   lambda real_out, fake_out: {"d_real": p_real(real_out), "d_fake": p_real(fake_out)},
                   num_outputs=num_generators + 1)


def madgan_errors(method: ml_collections.ConfigDict) -> list[str]:
  """MAD-GAN's preconditions: its own objective, one sample per critic input, equal shares of a batch."""
  errors = []
  if penalties_on(method) or method.pack > 1 or method.feature_matching:
    errors.append("MAD-GAN (method.num_generators > 1) brings its own (k+1)-way objective: it combines with the "
                  "minimax or non_saturating objective only, without pack, feature_matching, r1_gamma or "
                  "r2_gamma (they need one real/fake logit)")
  if method.batch_size % method.num_generators:
    errors.append(f"method.batch_size ({method.batch_size}) must be a multiple of method.num_generators "
                  f"({method.num_generators}), so every generator gets the same share")
  return errors


def packed(critic_apply: Callable, pack: int) -> Callable:
  """PacGAN (Lin et al., 2018, Sec. 3): the critic judges `pack` samples at once (`pack_samples`).

  Args:
    critic_apply: (params, x [B, ...], key) -> outputs for B inputs (any pytree).
    pack: samples per critic input, >= 1 (1: `critic_apply` itself).

  Returns:
    (params, x [pack * B, ...], key) -> outputs for B packed inputs.
  """
  if pack == 1:
    return critic_apply
  return lambda params, x, key: critic_apply(params, pack_samples(x, pack), key)


def unrolled(critic_update: Callable, steps: int) -> Callable:
  """The unrolled GAN's lookahead critic (Metz et al., 2017, Eq. 10-12), in the spirit of `optax.lookahead`.

  f_K(theta_G, theta_D): the critic after `steps` further simulated updates
  (a `lax.scan` of the same `critic_update`) against the current
  generator; the generator's loss is taken against it, and its gradient
  flows back through the updates. The real critic keeps only its one update.

  Args:
    critic_update: (generator variables, (critic params, opt state), key)
      -> ((critic params, opt state), metrics).
    steps: K >= 0; 0 returns the critic unchanged (the plain GAN).

  Returns:
    (generator variables, critic params, critic opt state, key) -> critic params.
  """
  if steps == 0:
    return lambda g_vars, c_params, c_opt, key: c_params

  def lookahead(g_vars, c_params, c_opt, key):
    (c_params, _), _ = scan(lambda carry, k: critic_update(g_vars, carry, k), (c_params, c_opt),
                            jax.random.split(key, steps))
    return c_params
  return lookahead


def feature_matching(critic_apply: Callable, sample_real: Callable, batch: int) -> Callable:
  """Feature matching (Salimans et al., 2016, Sec. 3.1) as the generator's objective: the squared distance
  between the mean last hidden critic features of a fresh real batch of `batch` and of the fakes.

  Args:
    critic_apply: (critic variables, x, key) -> (outputs, features, updated variables).

  Returns (critic variables, fake outputs, fake features, critic key, data key) -> float32 [].
  """
  def loss(c_vars, fake_out, fake_features, k_critic, k_real):
    _, real_features, _ = critic_apply(c_vars, sample_real(k_real, batch), k_critic)
    return gan_losses.feature_matching_loss(real_features, fake_features)
  return loss


PATH_ENERGY_PAIRS = 16  # Code pairs per step of `path_energy_term`.
PATH_ENERGY_POINTS = 5  # Codes along each straight path (4 segments, trapezoidal rule).


def path_length_term(generator_fn: Callable, latent_dim: int, batch: int, weight: float, decay: float) -> Callable:
  """StyleGAN2's path-length regularisation as a generator-loss term (Karras et al., 2020, Sec. 3.2, Eq. 4).

  Args:
    generator_fn: (generator variables, codes [B, d]) -> samples [B, ...].
    latent_dim: d.
    batch: codes per penalty evaluation.
    weight: the penalty's weight (StyleGAN2: 2, applied every 4th step).
    decay: the running mean's update rate, a <- a + decay (mean length - a) (StyleGAN2: 0.01).

  Returns:
    (generator variables, key) -> (weight * penalty, metrics, variables with
    the running mean updated). `init_path_length(g_vars)` adds the mean, 0.
  """
  def term(g_vars, key):
    k_z, k_y = jax.random.split(key)
    mean = g_vars["path_length"]["mean"]
    penalty, lengths = latent_paths.path_length_penalty(
        lambda z: generator_fn(g_vars, z), jax.random.normal(k_z, (batch, latent_dim)), k_y, mean)
    mean = mean + decay * (jax.lax.stop_gradient(lengths.mean()) - mean)
    return weight * penalty, {"path_length_penalty": weight * penalty, "path_length": mean}, {
        **g_vars, "path_length": {"mean": mean}}
  return term


def init_path_length(g_vars: Any) -> Any:
  """Generator variables with the path-length running mean a = 0 added (`path_length_term`'s state)."""
  return {**g_vars, "path_length": {"mean": jnp.zeros((), jnp.float32)}}


def path_energy_term(generator_fn: Callable, latent_dim: int, weight: float, pairs: int = PATH_ENERGY_PAIRS,
                     points: int = PATH_ENERGY_POINTS) -> Callable:
  """The energy U of straight latent paths as a generator-loss term (the latent-geometry lab's question (e)).

  For z1, z2 ~ N(0, I), the straight path of `points` codes from z1 to z2
  and the targets G(z1), G(z2), U as `jaxgen.losses.latent_paths.path_energy`
  (sums of squares over pixels, trapezoidal rule in arc length); the term is
  weight * mean U over `pairs` pairs, differentiated through the targets too.

  Returns:
    (generator variables, key) -> (weighted mean U, {"path_energy": it}, the variables unchanged).
  """
  t = jnp.linspace(0.0, 1.0, points)[:, None]

  def term(g_vars, key):
    k1, k2 = jax.random.split(key)
    z1, z2 = jax.random.normal(k1, (pairs, latent_dim)), jax.random.normal(k2, (pairs, latent_dim))
    paths = z1[:, None] + t * (z2 - z1)[:, None]  # [pairs, points, d]
    flat = generator_fn(g_vars, paths.reshape((pairs * points, latent_dim)))
    images = flat.reshape((pairs, points, *flat.shape[1:]))
    energy = jax.vmap(lambda path, ims: latent_paths.path_energy(lambda _: ims, path, ims[0], ims[-1]))(paths, images)
    value = weight * energy.mean()
    return value, {"path_energy": value}, g_vars
  return term


def no_generator_term(g_vars, key):
  """The generator's loss unchanged: adds 0, no metric, the variables as they are."""
  return 0.0, {}, g_vars


def generator_terms(method: ml_collections.ConfigDict, generator_fn: Callable, latent_dim: int,
                    batch: int) -> Callable:
  """The generator-loss terms the config switches on, summed (`path_length_term` if
  `method.path_length_weight` > 0, then `path_energy_term` if `method.path_energy_weight` > 0); each draws
  from `fold_in(key, i)`. Returns (generator variables, key) -> (value, metrics, variables)."""
  terms = []
  if method.path_length_weight:
    terms.append(path_length_term(generator_fn, latent_dim, batch, method.path_length_weight,
                                  method.path_length_decay))
  if method.path_energy_weight:
    terms.append(path_energy_term(generator_fn, latent_dim, method.path_energy_weight))
  if not terms:
    return no_generator_term

  def summed(g_vars, key):
    total, metrics = 0.0, {}
    for i, term in enumerate(terms):
      value, term_metrics, g_vars = term(g_vars, jax.random.fold_in(key, i))
      total, metrics = total + value, {**metrics, **term_metrics}
    return total, metrics, g_vars
  return summed


def generator_terms_errors(method: ml_collections.ConfigDict, model: ml_collections.ConfigDict) -> list[str]:
  """The regularisers' preconditions: per-example Jacobians (no BatchNorm), one generator."""
  on = [k for k in ("path_length_weight", "path_energy_weight") if method[k]]
  if on and (model.architecture != "mlp" or method.num_generators > 1):
    return [f"method.{' and method.'.join(on)} need(s) one generator whose samples depend on their own code "
            "only: model.architecture='mlp' (the dcgan generator's BatchNorm couples a batch) and "
            "method.num_generators=1"]
  return []


# ----------------------------------------------------------------------------- the method


def make(config: ml_collections.ConfigDict, sample_real: Callable[[jax.Array, int], jax.Array]) -> GAN:
  """Builds the GAN method from its objective and the fixes the config switches on.

  Args:
    config: experiment config; reads `model` (architecture, latent_dim,
      generator_widths and critic_widths for "mlp", generator_features and
      critic_features and critic_dropout for "dcgan", minibatch_kernels,
      minibatch_kernel_dim), `method` (objective, batch_size, n_critic,
      gradient_penalty, r1_gamma, r2_gamma, unroll_steps, num_generators, pack, feature_matching, ema_decay,
      path_length_weight, path_length_decay, path_energy_weight)
      and `optimizer` (generator, critic: learning_rate, b1, b2).
    sample_real: (key, n) -> float32 [n, ...] real examples, jittable (see
      `jaxgen.data.make_real`). Rank-1 examples (2-D points) get a linear
      generator output, images a tanh one.

  Returns:
    A `GAN` (the `Method` functions and `frozen_generator`) whose state is a
    `GANState`; `sample` gives float32 [n, ...].

  Raises:
    ValueError: naming every invalid setting and every unmet precondition of a piece.
  """
  m, mc = config.method, config.model
  errors = []
  if m.objective not in OBJECTIVES:
    errors.append(f"method.objective must be one of {tuple(OBJECTIVES)}, got {m.objective!r}")
  if mc.architecture not in ARCHITECTURES:
    errors.append(f"model.architecture must be one of {ARCHITECTURES}, got {mc.architecture!r}")
  errors += [f"method.{name} must be >= 1, got {m[name]}" for name in ("n_critic", "num_generators", "pack",
                                                                      "batch_size") if m[name] < 1]
  if m.unroll_steps < 0:
    errors.append(f"method.unroll_steps must be >= 0, got {m.unroll_steps}")
  if not 0.0 <= m.ema_decay < 1.0:
    errors.append(f"method.ema_decay must be in [0, 1) (0: no generator average), got {m.ema_decay}")
  madgan = m.num_generators > 1
  errors += (madgan_errors(m) if madgan and m.batch_size >= 1 else []) + critic_terms_errors(m, mc)
  errors += generator_terms_errors(m, mc)
  if errors:
    raise ValueError("; ".join(errors))

  batch = m.batch_size * m.pack  # Examples in a real or a fake batch (batch_size critic inputs).
  data_shape = jax.eval_shape(lambda k: sample_real(k, 1), jax.random.key(0)).shape[1:]
  objective = madgan_objective(m.num_generators, batch) if madgan else OBJECTIVES[m.objective]
  generator, critic = networks(mc, data_shape, objective.num_outputs)
  generators = (madgan_generators(generator, mc.latent_dim, m.num_generators) if madgan
                else single_generator(generator, mc.latent_dim))
  scores = lambda c_vars, x, key: critic_apply_training(critic, c_vars, x, key)[0]
  critic_term = critic_terms(m, scores, m.pack)
  generator_term = generator_terms(m, lambda g_vars, z: apply_generator(generator, g_vars, z)[0], mc.latent_dim,
                                   m.batch_size)
  generator_tx, critic_tx = adam(config.optimizer.generator), adam(config.optimizer.critic)

  def critic_outputs(c_vars, x, key):
    """(outputs [B] or [B, k+1], last hidden features [B, F], updated "batch_stats" of spectral norm or {})."""
    out, state = critic_apply_training(critic, c_vars, x, key, features=True)
    return out, state.pop("intermediates")["features"][0], state

  critic_apply = packed(critic_outputs, m.pack)

  def critic_loss(c_params, c_vars, real, fake, key):
    """The critic's loss with parameters `c_params` ({"params": ...}) in place of those of `c_vars`."""
    c_vars = {**c_vars, **c_params}
    k_real, k_fake, k_term = jax.random.split(key, 3)
    real_out, _, stats = critic_apply(c_vars, real, k_real)
    fake_out, _, _ = critic_apply(c_vars, fake, k_fake)
    term, term_metrics = critic_term(c_vars, real, fake, k_term)
    return objective.critic_loss(real_out, fake_out) + term, ({**objective.statistics(real_out, fake_out),
                                                                **term_metrics}, stats)

  def critic_update(g_vars, carry, key):
    """One critic update against generator `g_vars`: (variables, opt state) -> updated, metrics.

    The optimizer sees the "params" collection only; spectral norm's
    power-iteration state is that of the real batch's forward pass."""
    c_vars, c_opt = carry
    c_params = {"params": c_vars["params"]}
    k_data, k_z, k_loss = jax.random.split(key, 3)
    fake, _ = generators.generate(g_vars, k_z, batch)
    (loss, (aux, stats)), grads = jax.value_and_grad(critic_loss, has_aux=True)(
        c_params, c_vars, sample_real(k_data, batch), fake, k_loss)
    updates, c_opt = critic_tx.update(grads, c_opt, c_params)
    return ({**c_vars, **optax.apply_updates(c_params, updates), **stats}, c_opt), {
        "d_loss": loss, "d_grad_norm": optax.tree.norm(grads), **aux}

  lookahead = unrolled(critic_update, m.unroll_steps)
  generator_objective = (feature_matching(critic_apply, sample_real, batch) if m.feature_matching else
                         lambda c_vars, fake_out, fake_features, k_critic, k_real: objective.generator_loss(fake_out))

  def generator_loss(g_params, g_vars, c_vars, c_opt, key):
    """The generator's loss against the (lookahead) critic, and its updated batch statistics."""
    g_vars = {**g_vars, "params": g_params}
    k_unroll, k_z, k_critic, k_real = jax.random.split(key, 4)
    c_vars = lookahead(g_vars, c_vars, c_opt, k_unroll)
    fake, g_vars = generators.generate(g_vars, k_z, batch)
    fake_out, fake_features, _ = critic_apply(c_vars, fake, k_critic)
    regulariser, metrics, g_vars = generator_term(g_vars, jax.random.fold_in(key, 4))
    return generator_objective(c_vars, fake_out, fake_features, k_critic, k_real) + regulariser, (g_vars, metrics)

  def init(key):
    k_g, k_c = jax.random.split(key)
    g_vars = generators.init(k_g, jnp.zeros((1, mc.latent_dim)))
    g_vars = init_path_length(g_vars) if m.path_length_weight else g_vars
    c_vars = critic.init(k_c, pack_samples(jnp.zeros((m.pack, *data_shape)), m.pack))
    state = GANState(step=jnp.zeros((), jnp.int32), generator=g_vars, critic=c_vars,
                     generator_opt=generator_tx.init(g_vars["params"]),
                     critic_opt=critic_tx.init({"params": c_vars["params"]}))
    return AveragedGANState(**vars(state), generator_ema=g_vars["params"]) if m.ema_decay else state

  def step(state, key):
    return alternating_step(state, key, critic_update, generator_loss, generator_tx, m.n_critic)

  if m.ema_decay:
    step = averaged_generator(step, m.ema_decay)

  def sample(state, key, n):
    return generators.generate(sampling_generator(state), key, n, train=False)[0]

  def frozen_generator(state):
    return lambda z: apply_generator(generator, sampling_generator(state), z, train=False)[0]

  return GAN(init=jax.jit(init), step=step, sample=jax.jit(sample, static_argnums=2),
             frozen_generator=None if madgan else frozen_generator)
