"""AC-GAN: a class-conditional GAN whose discriminator also names the class.

Odena, Olah & Shlens (2017), "Conditional Image Synthesis with Auxiliary
Classifier GANs", ICML, Eqs. 2-3. With S the source (real / fake) and C the
class,

  L_S = E log P(S = real | X_real) + E log P(S = fake | X_fake)
  L_C = E log P(C = c | X_real) + E log P(C = c | X_fake)

the discriminator maximises L_S + L_C and the generator L_C - L_S. Here
there is one auxiliary softmax head per attribute a (`method.attributes`,
e.g. letter and slant, like the hair and eye colour tags of a face GAN) and,
as losses to minimise (`jaxgen.losses.gan.critic_loss_acgan`,
`generator_loss_acgan`; CE = softmax cross-entropy on the heads' logits,
summed over the heads, batch mean):

  D: BCE(x -> real, G(z, c) -> fake) + w(t) * (CE(D(x), y) + CE(D(G(z, c)), c))
  G: -E log D(G(z, c))   (non_saturating; minimax: E log(1 - D(G(z, c))))
     + w(t) * CE(D(G(z, c)), c)
  w(t) = aux_weight(t) * aux_scale

The source terms (BCE and the generator's first term) are those of
`method.objective` in `jaxgen.methods.gan.OBJECTIVES`, the registry the
GAN uses. With "wgan_gp" the source column is a critic score: D's first term
is E C(G(z, c)) - E C(x) plus the gradient penalty of that column, G's is
-E C(G(z, c)); this is the AC-WGAN-GP of Gulrajani et al. (2017), Table 3.

with aux_weight a schedule (`method.aux_weight`, `jaxgen.schedules.make`)
and aux_scale in the state (1 unless the adaptive weight below raises it).
Fake codes c are drawn uniformly per attribute, independently of each other.

GAN fixes: with `method.unroll_steps` = K > 0 the generator's loss is taken
against the discriminator K simulated updates ahead, differentiated through
them (`jaxgen.methods.gan.unrolled`, Metz et al., 2017, Eq. 12); the
penalties of `jaxgen.methods.gan.critic_terms` (WGAN-GP's with "wgan_gp",
R1 and R2 with `method.r1_gamma`, `method.r2_gamma`) act on the source
logit; the other fixes are refused (see UNSUPPORTED_FIXES for why).

One step is `n_critic` discriminator updates (a `methods.base.scan`), each on
a fresh labelled real batch and fresh fakes, then one generator update
(`jaxgen.methods.gan.alternating_step`). The networks are those of
`jaxgen.methods.gan.networks`, unchanged: the generator gets
the code [z, onehot(c_1), ..., onehot(c_A)] (latent_dim + sum K_a inputs) and
the discriminator has 1 + sum K_a outputs: column 0 the real/fake logit, then
each head's logits in the order of `attributes`.

Remedies for the auxiliary loss dominating or collapsing (0 / 1 switch off):
  method.latent_noise: sigma; N(0, sigma^2) noise added to the generator's
    whole input code [z, one-hot codes] in every training forward pass (the
    discriminator's and the generator's updates); `sample` and `generate`
    never add it.
  method.aux_weight: a larger (max_value > 1) or scheduled (a kind other
    than "constant") auxiliary weight.
  method.adaptive_aux_factor (>= 1) and method.max_aux_scale: each time the
    drop detector fires, aux_scale <- min(aux_scale * factor, max_aux_scale).

The drop detector watches the monitored auxiliary loss, CE(D(G(z, c)), c) of
the generator update. The state keeps the last 2W values (`aux_history`, a
sliding window, oldest first; W = `method.aux_drop_window` steps) and

  relative drop = (mean of the older W - mean of the newer W) / max(|mean of the older W|, 1e-8)

(`relative_drop`). A drop fires at a step when the relative drop exceeds
`method.aux_drop_threshold` there but did not at the step before (a rising
edge: one event per drop, however long it lasts), and only once the window
holds 2W values (from the step with `state.step` = 2W - 1 on, counting from
0). `aux_drop_events` applies the same definition to a whole host-side series.

Metrics of a step (float32 scalars, the same keys every step; discriminator
values are means over its `n_critic` iterations):
  d_loss, g_loss: the two losses above (nats).
  d_real, d_fake: mean P(S = real) on data and on fakes (discriminator updates).
  d_grad_norm, g_grad_norm: global L2 norms of the parameter gradients.
  aux_real: CE of the data's labels (discriminator updates, nats).
  d_aux_fake: CE of the fakes' codes as the discriminator's updates see them.
  aux_fake: CE of the fakes' codes in the generator update: the monitored loss.
  aux_accuracy_fake: the fraction of those fakes whose first head's argmax is
    the first attribute's code.
  aux_weight: w(t), the effective weight used in this step's losses.
  aux_scale: the multiplier in w(t) this step (a drop that fires raises it
    from the next step on).
  aux_drop: 1.0 on a step where a drop fires, else 0.0. The engine averages
    metrics over each log interval, so its logged value times the interval's
    steps is the number of drops that began in it.
  aux_drop_size: the current relative drop (0 until the window is full).
"""

import functools
from typing import Callable, NamedTuple

import flax
import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax

from jaxgen.data.real import RealData
from jaxgen import schedules
from jaxgen.losses import gan as gan_losses
from jaxgen.methods import gan
from jaxgen.methods.base import adam

DROP_EPSILON = 1e-8  # Guards the relative drop's division.
# GAN fixes of `jaxgen.methods.gan` that AC-GAN does not take: the value that means "off". MAD-GAN's (k+1)-way
# output would replace the real/fake logit the auxiliary heads sit beside, and a PacGAN input holds `pack`
# examples with `pack` labels per head; feature matching would fit (its loss plus the auxiliary term) but is
# not built; the latent-path regularisers and the generator average (its state is `AveragedGANState`, not
# `ACGANState`) are not built for the labelled generator. Unrolling is a fix AC-GAN takes (`method.unroll_steps`).
UNSUPPORTED_FIXES = {"num_generators": 1, "pack": 1, "feature_matching": False, "path_length_weight": 0.0,
                     "path_energy_weight": 0.0, "ema_decay": 0.0}
METHOD_KEYS = frozenset({"name", "objective", "batch_size", "n_critic", "attributes", "num_classes", "aux_weight",
                         "latent_noise", "aux_drop_window", "aux_drop_threshold", "adaptive_aux_factor",
                         "max_aux_scale", "gradient_penalty", "r1_gamma", "r2_gamma", "unroll_steps",
                         "path_length_decay"}
                        ) | frozenset(UNSUPPORTED_FIXES)


@flax.struct.dataclass
class ACGANState(gan.GANState):
  """`GANState` (step, generator, critic, generator_opt, critic_opt) plus the auxiliary weight's state."""

  aux_scale: jax.Array  # float32 [], the multiplier of the auxiliary weight; starts at 1.
  aux_history: jax.Array  # float32 [2W], the monitored auxiliary loss of the last 2W steps, oldest first.
  drop_active: jax.Array  # bool [], the relative drop exceeded the threshold at the previous step.


class ACGAN(NamedTuple):
  """The `Method` functions (init, step, sample) plus conditional generation and the auxiliary classifier.

  Attributes:
    init, step, sample: the method protocol (`jaxgen.methods.base.Method`);
      `sample(state, key, n)` gives float32 [n, ...] in [-1, 1] with the
      first attribute balanced (sample i has class i % K_1, so n = 26 k gives
      k of each letter) and the others drawn uniformly from `key`.
    generate_conditional: (state, key, labels {attribute: int [n]}) -> float32 [n, ...],
      samples of the given classes (eval mode, no latent noise), e.g. one
      row per class for a class-conditional grid; raises ValueError unless
      `labels` has exactly the conditioned attributes.
    classify: (state, x float32 [n, ...]) -> {attribute: float32 [n, K_a]},
      the auxiliary heads' logits (eval mode: no dropout).
  """

  init: Callable
  step: Callable
  sample: Callable
  generate_conditional: Callable
  classify: Callable


def relative_drop(history: jax.Array) -> jax.Array:
  r"""The relative drop of a loss between the older and the newer half of a window.

  .. math:: r = \frac{\bar\ell_{\mathrm{old}} - \bar\ell_{\mathrm{new}}}{\max(|\bar\ell_{\mathrm{old}}|, \epsilon)}

  with the means over the first (older) and the last (newer) W values and
  epsilon = `DROP_EPSILON`. 0.5 means the loss halved; negative values mean
  it rose.

  Args:
    history: float [..., 2W], oldest first (numpy or jax).

  Returns:
    float32 [...].

  Raises:
    ValueError: if the last axis is not a positive even length.

  Example:
    >>> float(relative_drop(jnp.array([4.0, 4.0, 1.0, 1.0])))
    0.75
  """
  width = history.shape[-1]
  if width < 2 or width % 2:
    raise ValueError(f"the history needs an even length 2W >= 2, got {width}")
  history = jnp.asarray(history, jnp.float32)
  older, newer = history[..., :width // 2].mean(-1), history[..., width // 2:].mean(-1)
  return (older - newer) / jnp.maximum(jnp.abs(older), DROP_EPSILON)


def drop_detector_update(history: jax.Array, active: jax.Array, loss: jax.Array, step: jax.Array,
                         threshold: float) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
  """One step of the in-training drop detector (see the module docstring).

  Args:
    history: float32 [2W], the loss of the last 2W steps, oldest first.
    active: bool [], the relative drop exceeded `threshold` at the previous step.
    loss: float32 [], this step's loss.
    step: int [], this step's number counting from 0 (`state.step`); the
      window is full from step 2W - 1 on.
    threshold: the relative drop above which a drop is on.

  Returns:
    (history float32 [2W] with `loss` appended and the oldest value dropped,
    active bool [] for the next step, fired bool [] (a drop begins at this
    step), size float32 [] (this step's relative drop; 0 until the window is
    full)).

  Example:
    >>> history, active = jnp.array([4.0, 4.0, 4.0, 1.0]), jnp.array(False)
    >>> history, active, fired, size = drop_detector_update(history, active, jnp.float32(1.0), 3, 0.5)
    >>> bool(fired), float(size)
    (True, 0.75)
  """
  history = jnp.concatenate([history[1:], jnp.asarray(loss, history.dtype)[None]])
  full = step + 1 >= history.shape[-1]
  size = jnp.where(full, relative_drop(history), 0.0)
  above = full & (size > threshold)
  return history, above, above & ~active, size


def aux_drop_events(losses, window: int, threshold: float) -> np.ndarray:
  """The steps at which a drop begins in a whole loss series, as `drop_detector_update` fires them.

  Args:
    losses: float [T], one value per step (numpy or jax; e.g. the per-step
      `aux_fake` of a run).
    window: W, steps per half window.
    threshold: the relative drop above which a drop is on.

  Returns:
    int64 [E] indices t into `losses` (0-based steps) where the relative drop
    of losses[t - 2W + 1 : t + 1] exceeds `threshold` and that of the window
    ending at t - 1 does not (or t = 2W - 1, the first full window).

  Example:
    >>> aux_drop_events(np.array([4.0, 4.0, 4.0, 1.0, 1.0, 1.0, 1.0]), 2, 0.5)
    array([4])
  """
  losses = np.asarray(losses, np.float32)
  if len(losses) < 2 * window:
    return np.zeros((0,), np.int64)
  windows = np.lib.stride_tricks.sliding_window_view(losses, 2 * window)  # Window i ends at step i + 2W - 1.
  above = np.asarray(relative_drop(windows)) > threshold
  rising = above & ~np.concatenate([[False], above[:-1]])
  return np.flatnonzero(rising) + 2 * window - 1


def _check(config: ml_collections.ConfigDict) -> None:
  m = config.method
  missing = sorted(METHOD_KEYS - set(UNSUPPORTED_FIXES) - set(m.keys()))
  if missing:
    raise ValueError(f"method key(s) {missing} missing for acgan (see configs/letters_acgan.py)")
  errors = []
  if m.objective not in gan.OBJECTIVES:
    errors.append(f"method.objective must be one of {tuple(gan.OBJECTIVES)}, got {m.objective!r}")
  errors += gan.critic_terms_errors(m, config.model)
  if config.model.architecture not in gan.ARCHITECTURES:
    errors.append(f"model.architecture must be one of {gan.ARCHITECTURES}, got {config.model.architecture!r}")
  unknown = sorted(set(m.keys()) - METHOD_KEYS)
  if unknown:
    errors.append(f"unknown method key(s) {unknown} for acgan; known: {sorted(METHOD_KEYS)}")
  if config.model.spectral_norm:
    errors.append("model.spectral_norm: AC-GAN does not build spectral normalization (its discriminator "
                  "updates do not keep the power-iteration state); set it to False")
  for name, off in UNSUPPORTED_FIXES.items():
    if name in m and m[name] != off:
      errors.append(f"method.{name}={m[name]!r}: AC-GAN does not support this GAN fix; "
                    f"set it to {off!r} or remove it")
  for name in ("batch_size", "n_critic", "aux_drop_window"):
    if m[name] < 1:
      errors.append(f"method.{name} must be >= 1, got {m[name]}")
  attributes, num_classes = tuple(m.attributes), tuple(m.num_classes)
  if not attributes or len(attributes) != len(num_classes) or len(set(attributes)) != len(attributes):
    errors.append(f"method.attributes {attributes} and method.num_classes {num_classes} must be non-empty, "
                  "of the same length (classes per attribute), without repeated attributes")
  if any(k < 2 for k in num_classes):
    errors.append(f"method.num_classes must all be >= 2, got {num_classes}")
  if m.latent_noise < 0:
    errors.append(f"method.latent_noise must be >= 0 (0 = off), got {m.latent_noise}")
  if m.aux_drop_threshold <= 0:
    errors.append(f"method.aux_drop_threshold must be > 0 (a relative drop), got {m.aux_drop_threshold}")
  if m.adaptive_aux_factor < 1 or m.max_aux_scale < 1:
    errors.append(f"method.adaptive_aux_factor ({m.adaptive_aux_factor}; 1 = off) and method.max_aux_scale "
                  f"({m.max_aux_scale}) must be >= 1")
  try:
    schedules.make(m.aux_weight, config.train.steps)
  except ValueError as e:
    errors.append(f"method.aux_weight: {e}")
  else:
    if m.aux_weight.max_value < 0:
      errors.append(f"method.aux_weight.max_value must be >= 0, got {m.aux_weight.max_value}")
  if errors:
    raise ValueError("; ".join(errors))


def make(config: ml_collections.ConfigDict,
         sample_real: Callable[[jax.Array, int], tuple[jax.Array, dict[str, jax.Array]]]) -> ACGAN:
  """Builds AC-GAN.

  Args:
    config: experiment config; reads `model` (as `jaxgen.methods.gan.make`:
      architecture, latent_dim, generator_widths / critic_widths or
      generator_features / critic_features, minibatch_kernels,
      minibatch_kernel_dim), `method` (objective, batch_size, n_critic,
      attributes, num_classes, aux_weight (a `jaxgen.schedules.make`
      section), latent_noise, aux_drop_window (steps), aux_drop_threshold,
      adaptive_aux_factor, max_aux_scale), `optimizer` (generator, critic:
      learning_rate, b1, b2, decay_steps) and `train.steps` (for a cyclical
      aux_weight).
    sample_real: (key, n) -> (float32 [n, H, W, C] in [-1, 1], {attribute:
      int32 [n]}), jittable (`jaxgen.data.labelled_batch`,
      `RealData.sample_labelled`); its labels must lie in [0, K_a).

  Returns:
    An `ACGAN` whose state is an `ACGANState`.

  Raises:
    ValueError: naming every invalid or unsupported setting, or the
      attributes that `sample_real` does not label.
  """
  _check(config)
  m, mc = config.method, config.model
  attributes, num_classes = tuple(m.attributes), tuple(int(k) for k in m.num_classes)
  batch_size, latent_dim, window = m.batch_size, mc.latent_dim, 2 * m.aux_drop_window
  data_spec, label_spec = jax.eval_shape(lambda k: sample_real(k, 1), jax.random.key(0))
  missing = [a for a in attributes if a not in label_spec]
  if missing:
    raise ValueError(f"method.attributes {missing} are not labels of the data; it has {sorted(label_spec)}")
  generator, critic = gan.networks(mc, data_spec.shape[1:], 1 + sum(num_classes))
  generator_tx, critic_tx = adam(config.optimizer.generator), adam(config.optimizer.critic)
  aux_weight = schedules.make(m.aux_weight, config.train.steps)

  def draw_codes(key, n):
    """[int32 [n] per attribute], uniform over each attribute's classes."""
    return [jax.random.randint(k, (n,), 0, c) for k, c in zip(jax.random.split(key, len(num_classes)), num_classes)]

  def code_input(z, codes):
    return jnp.concatenate([z] + [jax.nn.one_hot(c, k) for c, k in zip(codes, num_classes)], axis=-1)

  def fakes(g_vars, key, n):
    """(training samples [n, ...], their codes, the generator's updated variables); with latent noise."""
    k_z, k_codes, k_noise = jax.random.split(key, 3)
    codes = draw_codes(k_codes, n)
    inputs = code_input(jax.random.normal(k_z, (n, latent_dim)), codes)
    if m.latent_noise:
      inputs = inputs + m.latent_noise * jax.random.normal(k_noise, inputs.shape)
    x, g_vars = gan.apply_generator(generator, g_vars, inputs, train=True)
    return x, codes, g_vars

  def discriminate(c_params, x, key):
    return critic.apply(c_params, x, train=True, rngs={"dropout": key})

  objective = gan.OBJECTIVES[m.objective]  # The GAN's registry: its source terms and statistics.
  source_scores = lambda c_params, x, key: discriminate(c_params, x, key)[:, 0]
  critic_term = gan.critic_terms(m, source_scores)  # WGAN-GP's, R1's, R2's penalties of the source logit.

  def init(key):
    k_g, k_c = jax.random.split(key)
    g_vars = generator.init(k_g, jnp.zeros((1, latent_dim + sum(num_classes))))
    c_params = critic.init(k_c, jnp.zeros((1, *data_spec.shape[1:])))
    return ACGANState(step=jnp.zeros((), jnp.int32), generator=g_vars, critic=c_params,
                      generator_opt=generator_tx.init(g_vars["params"]), critic_opt=critic_tx.init(c_params),
                      aux_scale=jnp.ones((), jnp.float32), aux_history=jnp.zeros((window,), jnp.float32),
                      drop_active=jnp.zeros((), bool))

  def critic_loss(c_params, real, labels, fake, codes, weight, key):
    k_real, k_fake = jax.random.split(key)
    real_out, fake_out = discriminate(c_params, real, k_real), discriminate(c_params, fake, k_fake)
    loss, terms = gan_losses.critic_loss_acgan(real_out, fake_out, labels, codes, num_classes, weight,
                                               objective.critic_loss)
    # The penalty's key: the GAN's third split would change the dropout keys above, and so every
    # existing AC-GAN number; a fold_in leaves them as they are.
    penalty, penalty_metrics = critic_term(c_params, real, fake, jax.random.fold_in(key, 2))
    return loss + penalty, {**objective.statistics(real_out[:, 0], fake_out[:, 0]), **penalty_metrics,
                            "aux_real": terms["aux_real"], "d_aux_fake": terms["aux_fake"]}

  def critic_update(g_vars, carry, key, weight):
    """One discriminator update against generator `g_vars`: (params, opt state) -> updated, metrics."""
    c_params, c_opt = carry
    k_data, k_fake, k_loss = jax.random.split(key, 3)
    real, labels = sample_real(k_data, batch_size)
    fake, codes, _ = fakes(g_vars, k_fake, batch_size)
    (loss, terms), grads = jax.value_and_grad(critic_loss, has_aux=True)(
        c_params, real, [labels[a] for a in attributes], fake, codes, weight, k_loss)
    updates, c_opt = critic_tx.update(grads, c_opt, c_params)
    terms.update(d_loss=loss, d_grad_norm=optax.tree.norm(grads))
    return (optax.apply_updates(c_params, updates), c_opt), terms

  def generator_loss(g_params, g_vars, c_params, c_opt, key, weight):
    """(loss, (updated generator variables, metrics)) against the critic just updated, unrolled
    `method.unroll_steps` further updates ahead (`jaxgen.methods.gan.unrolled`)."""
    g_vars = {**g_vars, "params": g_params}
    k_fake, k_drop = jax.random.split(key)
    lookahead = gan.unrolled(functools.partial(critic_update, weight=weight), m.unroll_steps)
    c_params = lookahead(g_vars, c_params, c_opt, jax.random.fold_in(key, 1))
    fake, codes, g_vars = fakes(g_vars, k_fake, batch_size)
    out = discriminate(c_params, fake, k_drop)
    loss, terms = gan_losses.generator_loss_acgan(out, codes, num_classes, weight, objective.generator_loss)
    first_head = gan_losses.split_acgan_outputs(out, num_classes)[1][0]
    accuracy = jnp.mean((jnp.argmax(first_head, -1) == codes[0]).astype(jnp.float32))
    return loss, (g_vars, {**terms, "aux_accuracy_fake": accuracy})

  def step(state, key):
    weight = aux_weight(state.step) * state.aux_scale
    new_state, metrics = gan.alternating_step(
        state, key, functools.partial(critic_update, weight=weight), functools.partial(generator_loss, weight=weight),
        generator_tx, m.n_critic)
    history, active, fired, size = drop_detector_update(state.aux_history, state.drop_active, metrics["aux_fake"],
                                                        state.step, m.aux_drop_threshold)
    scaled = jnp.minimum(state.aux_scale * m.adaptive_aux_factor, m.max_aux_scale)
    new_state = new_state.replace(aux_scale=jnp.where(fired, scaled, state.aux_scale), aux_history=history,
                                  drop_active=active)
    metrics.update(aux_weight=weight, aux_scale=state.aux_scale, aux_drop=fired.astype(jnp.float32),
                   aux_drop_size=size)
    return new_state, {k: jnp.asarray(v, jnp.float32) for k, v in metrics.items()}

  def generate_conditional(state, key, labels):
    if set(labels) != set(attributes):
      raise ValueError(f"generate needs labels for exactly the attributes {attributes}, got {sorted(labels)}")
    codes = [jnp.asarray(labels[a], jnp.int32) for a in attributes]
    z = jax.random.normal(key, (codes[0].shape[0], latent_dim))
    return gan.apply_generator(generator, state.generator, code_input(z, codes), train=False)[0]

  def sample(state, key, n):
    k_codes, k_z = jax.random.split(key)
    codes = draw_codes(k_codes, n)
    codes[0] = jnp.arange(n, dtype=jnp.int32) % num_classes[0]
    return generate_conditional(state, k_z, dict(zip(attributes, codes)))

  def classify(state, x):
    _, heads = gan_losses.split_acgan_outputs(critic.apply(state.critic, x, train=False), num_classes)
    return dict(zip(attributes, heads))

  return ACGAN(init=jax.jit(init), step=step, sample=jax.jit(sample, static_argnums=2), generate_conditional=generate_conditional, classify=classify)


def labelled_sampler(config: ml_collections.ConfigDict, real: RealData):
  """`real.sample_labelled`, after checking that it labels every conditioned attribute within its classes.

  Raises:
    ValueError: `real` has no labels, or a `method.attributes` entry is no
      label of the training split, or its labels do not lie in
      [0, method.num_classes).
  """
  m = config.method
  if real.sample_labelled is None:
    raise ValueError(f"method.name='acgan' conditions on labels, but data.name={config.data.name!r} has none; "
                     "use a labelled image dataset (e.g. letters, mnist_subset)")
  errors = []
  for name, classes in zip(m.attributes, m.num_classes):
    if name not in real.train:
      errors.append(f"attribute {name!r} is not a label of {config.data.name!r} (it has "
                    f"{sorted(k for k in real.train if k != 'image')})")
    elif real.train[name].min() < 0 or real.train[name].max() >= classes:
      errors.append(f"attribute {name!r} has labels {real.train[name].min()}..{real.train[name].max()}, "
                    f"outside [0, {classes}): set method.num_classes to at least {real.train[name].max() + 1}")
  if errors:
    raise ValueError("method.attributes / method.num_classes do not fit the data: " + "; ".join(errors))
  return real.sample_labelled
